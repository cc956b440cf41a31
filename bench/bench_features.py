"""Benchmark of the feature step: CSV files → features.parquet, at the demo and the full size.

For each size it measures, in one run:

1. the pipeline as it runs (what the 5 minutes / 10 GB target is about): load the CSV files with
   validation, build the features with the kept engine (DuckDB), write the artifacts;
2. the aggregation of each source with plain pandas ``groupby`` and with DuckDB (pandas at the
   edges), the same declared aggregations, and checks that both give the same features.

Times are medians over ``--repeats`` runs; memory is the process's resident set size, sampled
every 20 ms (peak during each stage) plus the kernel's own peak (ru_maxrss).

    .venv/bin/python bench/bench_features.py                # demo size (20,000 applicants)
    .venv/bin/python bench/bench_features.py --size full    # /work/fullsize/raw
    .venv/bin/python bench/bench_features.py --size both
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from _common import MemorySampler, kernel_peak_bytes, resident_bytes

from credit_scoring.data.loading import load_tables
from credit_scoring.features import (
    build_application_features,
    build_bureau_features,
    build_credit_card_features,
    build_features,
    build_installments_features,
    build_pos_cash_features,
    build_previous_features,
    write_feature_artifacts,
)
from credit_scoring.features.aggregation import DEFAULT_ENGINE, ENGINES
from credit_scoring.features.assembly import combine_applications

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "features.md"
FULL_SIZE_DIR = Path("/work/fullsize/raw")
DEMO_APPLICANTS = 20_000
TARGET_SECONDS = 300
TARGET_PEAK_GB = 10.0
OTHER_ENGINE = next(engine for engine in ENGINES if engine != DEFAULT_ENGINE)


@dataclass
class Stage:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    start_bytes: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_gb(self) -> float:
        return max(self.peak_bytes) / 1e9

    @property
    def added_gb(self) -> float:
        return max(p - s for p, s in zip(self.peak_bytes, self.start_bytes, strict=True)) / 1e9


class Timer:
    def __init__(self, sampler: MemorySampler):
        self.sampler = sampler
        self.stages: dict[str, Stage] = {}

    @contextmanager
    def stage(self, name: str):
        gc.collect()
        self.sampler.reset()
        start_bytes = resident_bytes()
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        stage = self.stages.setdefault(name, Stage(name))
        stage.seconds.append(elapsed)
        stage.peak_bytes.append(max(self.sampler.peak, resident_bytes()))
        stage.start_bytes.append(start_bytes)
        print(
            f"  {name:<48} {elapsed:8.2f} s  peak {stage.peak_bytes[-1] / 1e9:5.2f} GB", flush=True
        )


def source_builders(tables, engine: str) -> dict[str, Callable[[], pd.DataFrame]]:
    """One callable per side source, building its features for every applicant."""
    ids = pd.Index(combine_applications(tables)["SK_ID_CURR"].to_numpy())
    options = {"applicant_ids": ids, "engine": engine}
    builders = {}
    if "bureau" in tables:
        balance = tables.get("bureau_balance")
        builders["bureau + bureau_balance"] = lambda: build_bureau_features(
            tables["bureau"], balance, **options
        )
    for name, builder in (
        ("previous_application", build_previous_features),
        ("POS_CASH_balance", build_pos_cash_features),
        ("installments_payments", build_installments_features),
        ("credit_card_balance", build_credit_card_features),
    ):
        if name in tables:
            builders[name] = lambda builder=builder, name=name: builder(tables[name], **options)
    return builders


def bench_size(label: str, data_dir: Path, repeats: int, sampler: MemorySampler) -> dict:
    print(f"\n== {label}: {data_dir} ({repeats} run(s))", flush=True)
    timer = Timer(sampler)
    csv_bytes = sum(p.stat().st_size for p in data_dir.glob("*.csv"))
    row_counts: dict[str, int] = {}
    n_features = 0
    identical = True
    for _ in range(repeats):
        out = Path(tempfile.mkdtemp(prefix="bench_features_"))
        pipeline_started = time.perf_counter()
        with timer.stage("1. load CSV files + validation"):
            tables = load_tables(data_dir, validate=True)
        with timer.stage(f"2. build_features ({DEFAULT_ENGINE}, kept)"):
            feature_set = build_features(tables, engine=DEFAULT_ENGINE)
        with timer.stage("3. write features.parquet, catalog, applications"):
            write_feature_artifacts(feature_set, tables, out)
        total = timer.stages.setdefault("CSV → features.parquet (1+2+3)", Stage("total"))
        total.seconds.append(time.perf_counter() - pipeline_started)
        total.peak_bytes.append(
            max(stage.peak_bytes[-1] for name, stage in timer.stages.items() if name[0] in "123")
        )
        total.start_bytes.append(0)
        row_counts = tables.row_counts()
        n_features = len(feature_set.feature_names)
        kept_frame = feature_set.frame
        del feature_set
        # the same aggregations, source by source, with each engine
        results: dict[str, dict[str, pd.DataFrame]] = {}
        with timer.stage("application features (row-wise, pandas)"):
            build_application_features(combine_applications(tables))
        for engine in ENGINES:
            for source, build in source_builders(tables, engine).items():
                with timer.stage(f"{source} [{engine}]"):
                    results.setdefault(source, {})[engine] = build()
        for source, by_engine in results.items():
            try:
                pd.testing.assert_frame_equal(by_engine["pandas"], by_engine["duckdb"], rtol=1e-6)
            except AssertionError as error:
                identical = False
                print(f"  DIFFERENT results for {source}: {error}")
        with timer.stage(f"build_features ({OTHER_ENGINE} engine)"):
            other_frame = build_features(tables, engine=OTHER_ENGINE).frame
        try:
            pd.testing.assert_frame_equal(kept_frame, other_frame, rtol=1e-6)
        except AssertionError as error:
            identical = False
            print(f"  DIFFERENT features between engines: {error}")
        del tables, results, kept_frame, other_frame
        for path in out.iterdir():
            path.unlink()
        out.rmdir()
    return {
        "label": label,
        "data_dir": data_dir,
        "csv_gb": csv_bytes / 1e9,
        "rows": row_counts,
        "features": n_features,
        "stages": timer.stages,
        "identical": identical,
        "repeats": repeats,
    }


def render(results: list[dict], command: str) -> str:
    lines = [
        "# Feature step benchmark: CSV files → features.parquet",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, pandas {pd.__version__}. "
        "Times are medians over the runs; *peak* is the process's resident memory (sampled every "
        "20 ms) during the stage, *added* what the stage added on top of what it started with. "
        "The machine is shared with four other engineers' jobs, so times carry some noise.",
        "",
        f"Target at full Kaggle size: at most {TARGET_SECONDS // 60} minutes and "
        f"{TARGET_PEAK_GB:.0f} GB peak from CSV to features.parquet.",
    ]
    for result in results:
        stages: dict[str, Stage] = result["stages"]
        total = stages["CSV → features.parquet (1+2+3)"]
        rows = result["rows"]
        met = total.median <= TARGET_SECONDS and total.peak_gb <= TARGET_PEAK_GB
        verdict = "met" if met else "NOT met"
        side_rows = sum(n for name, n in rows.items() if not name.startswith("application"))
        lines += [
            "",
            f"## {result['label']}",
            "",
            f"Data: `{result['data_dir']}` ({result['csv_gb']:.2f} GB of CSV); "
            f"{rows.get('application_train', 0):,} + {rows.get('application_test', 0):,} "
            f"applicants, {side_rows:,} side-table rows; {result['features']} features; "
            f"{result['repeats']} run(s).",
            "",
            f"**CSV → features.parquet: {total.median:.1f} s, process peak "
            f"{max(total.peak_bytes) / 1e9:.2f} GB** "
            f"(target {TARGET_SECONDS} s and {TARGET_PEAK_GB:.0f} GB: {verdict}).",
            "",
            "| stage | median s | peak GB | added GB |",
            "|---|---:|---:|---:|",
        ]
        for name, stage in stages.items():
            if name.startswith("CSV"):
                continue
            if not name[0].isdigit():
                continue
            lines.append(
                f"| {name} | {stage.median:.2f} | {stage.peak_gb:.2f} | {stage.added_gb:.2f} |"
            )
        lines += [
            "",
            "Aggregation engines, same declared aggregations, source by source "
            "(ratio = pandas time / DuckDB time; above 1, DuckDB is faster):",
            "",
            "| source | pandas s | DuckDB s | ratio | pandas added GB | DuckDB added GB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        sources = sorted({name.rsplit(" [", 1)[0] for name in stages if name.endswith("]")})
        total_pandas = total_duckdb = 0.0
        for source in sources:
            by_pandas, by_duckdb = stages[f"{source} [pandas]"], stages[f"{source} [duckdb]"]
            total_pandas += by_pandas.median
            total_duckdb += by_duckdb.median
            lines.append(
                f"| {source} | {by_pandas.median:.2f} | {by_duckdb.median:.2f} | "
                f"{by_pandas.median / by_duckdb.median:.2f} | {by_pandas.added_gb:.2f} | "
                f"{by_duckdb.added_gb:.2f} |"
            )
        lines.append(
            f"| **all side tables** | **{total_pandas:.2f}** | **{total_duckdb:.2f}** | "
            f"**{total_pandas / total_duckdb:.2f}** | | |"
        )
        application = stages["application features (row-wise, pandas)"]
        whole = {
            DEFAULT_ENGINE: stages[f"2. build_features ({DEFAULT_ENGINE}, kept)"],
            OTHER_ENGINE: stages[f"build_features ({OTHER_ENGINE} engine)"],
        }
        whole_pandas, whole_duckdb = whole["pandas"], whole["duckdb"]
        lines += [
            "",
            f"Application features (row-wise, engine-independent): {application.median:.2f} s. "
            f"Whole build_features: {whole_pandas.median:.2f} s with pandas, "
            f"{whole_duckdb.median:.2f} s with DuckDB "
            f"(ratio {whole_pandas.median / whole_duckdb.median:.2f}); the pipeline uses "
            f"{DEFAULT_ENGINE}. "
            f"Both engines give the same features: {'yes' if result['identical'] else 'NO'}.",
        ]
    lines += [
        "",
        f"Whole benchmark process (both engines, all repeats): kernel peak "
        f"{kernel_peak_bytes() / 1e9:.2f} GB.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["demo", "full", "both"], default="demo")
    parser.add_argument("--demo-data", type=Path, default=None, help="existing demo-size folder")
    parser.add_argument("--full-data", type=Path, default=FULL_SIZE_DIR)
    parser.add_argument("--demo-repeats", type=int, default=3)
    parser.add_argument("--full-repeats", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = []
    with MemorySampler() as sampler:
        if args.size in ("demo", "both"):
            demo_dir = args.demo_data
            if demo_dir is None:
                from credit_scoring.data.synthetic import generate_dataset

                demo_dir = Path(tempfile.mkdtemp(prefix="bench_features_demo_")) / "raw"
                print(f"generating {DEMO_APPLICANTS:,} synthetic applicants in {demo_dir}")
                generate_dataset(demo_dir, n_applicants=DEMO_APPLICANTS, seed=42)
            results.append(
                bench_size(
                    f"Demo size ({DEMO_APPLICANTS:,} synthetic applicants)",
                    demo_dir,
                    args.demo_repeats,
                    sampler,
                )
            )
        if args.size in ("full", "both"):
            if not (args.full_data / "application_train.csv").is_file():
                print(f"no full-size data in {args.full_data}: full size skipped")
            else:
                results.append(
                    bench_size("Full Kaggle size", args.full_data, args.full_repeats, sampler)
                )
    argv = sys.argv[1:] if argv is None else argv
    command = "python bench/bench_features.py " + " ".join(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results, command.strip()), encoding="utf-8")
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
