"""Benchmark of the monitor (``credit-scoring monitor``): time, memory, and what it detects.

For one size (the demo's 20,000 applicants, or Kaggle's full 356,255) and one seed it:

1. generates the base data (no drift) and, with the same seed, one folder per planted scenario
   (``credit-scoring generate --drift NAME``), unless they are already there;
2. builds artifacts from the base data with the pipeline (cheap training parameters: the monitor
   does not care how good the model is), unless an artifacts folder is given;
3. runs the monitor on the base data's own new applicants (the unshifted batch: every alarm is a
   false alarm) and on each scenario, measuring wall time and peak resident memory (sampled every
   20 ms, plus the kernel's ru_maxrss), and records what was flagged against what was planted.

Results go to bench/results/monitor.md (one section per size, replaced on each run).

    .venv/bin/python bench/bench_monitor.py --size demo --artifacts /tmp/baseline_artifacts \\
        --base-data /tmp/demo_data
    .venv/bin/python bench/bench_monitor.py --size full      # generates ~10 GB under --work
"""

from __future__ import annotations

import argparse
import gc
import platform
import re
import time
from pathlib import Path

from _common import MemorySampler, kernel_peak_bytes

from credit_scoring.data.synthetic import generate_dataset
from credit_scoring.data.synthetic_drift import DRIFT_SCENARIOS
from credit_scoring.monitor import monitor_new_applicants

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "monitor.md"
SIZES = {"demo": 20_000, "full": 356_255}
#: Features each scenario should move (a regular expression on the feature name).
EXPECTED = {
    "incomes": r"AMT_|INCOME|AMOUNT|ANNUITY|CREDIT_SUM|LIMIT|BALANCE|PAYMENT|GOODS_PRICE",
    "young": r"AGE|BIRTH|EMPLOY|REGISTRATION|ID_PUBLISH|BUREAU|PENSION",
    "external_scores": r"EXT_",
}
PIPELINE_PARAMETERS = {"iterations": 150, "folds": 3, "early_stopping_rounds": 30}


def _generate(folder: Path, applicants: int, seed: int, drift: str | None) -> None:
    if (folder / "application_test.csv").is_file():
        return
    started = time.perf_counter()
    generate_dataset(folder, n_applicants=applicants, seed=seed, drift=drift)
    print(f"generated {folder} in {time.perf_counter() - started:.0f} s", flush=True)


def _artifacts(base: Path, artifacts: Path) -> None:
    if (artifacts / "manifest.json").is_file():
        return
    from credit_scoring.pipeline import run_pipeline

    started = time.perf_counter()
    run_pipeline(base, artifacts, parameters=PIPELINE_PARAMETERS, html=False)
    print(f"artifacts built in {time.perf_counter() - started:.0f} s", flush=True)


def _run(artifacts: Path, data: Path) -> dict:
    gc.collect()
    with MemorySampler() as memory:
        started = time.perf_counter()
        result = monitor_new_applicants(artifacts, data)
        seconds = time.perf_counter() - started
    moved = sorted(
        (item for item in result.features if item.verdict != "stable"),
        key=lambda item: item.psi,
        reverse=True,
    )
    return {
        "result": result,
        "seconds": seconds,
        "peak_gb": memory.peak / 1e9,
        "moved": moved,
    }


def _row(name: str, run: dict) -> str:
    result = run["result"]
    expected = EXPECTED.get(name)
    moved = run["moved"]
    shown = ", ".join(f"{item.name} {item.psi:.2f} ({item.verdict[:3]})" for item in moved[:6])
    shown += f", … ({len(moved)} in all)" if len(moved) > 6 else ""
    if expected is None:
        right = "–"
        wrong = str(len(moved))
    else:
        hits = [item for item in moved if re.search(expected, item.name)]
        others = [item.name for item in moved if not re.search(expected, item.name)]
        right = f"{len(hits)}"
        wrong = ", ".join(others) or "0"
    return (
        f"| {name} | {result.new_applicants:,} | {run['seconds']:.1f} | {run['peak_gb']:.2f} | "
        f"{result.verdict} | {result.exit_code} | {result.score.psi:.3f} | "
        f"{result.refusal_rate_new:.1%} | {shown or 'none'} | {right} | {wrong} |"
    )


def _write(size: str, applicants: int, rows: list[str], kernel_peak: float, notes: str) -> None:
    header = (
        f"## {size} size ({applicants:,} applicants, seed 42)\n\n"
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; kernel peak RSS of the whole benchmark process "
        f"{kernel_peak:.2f} GB.\n\n"
        "| batch | new applicants | time (s) | peak RSS (GB) | verdict | exit | score PSI | "
        "refused (new) | features not stable (PSI, verdict) | expected features moved | "
        "unexpected features moved (false alarms) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    section = header + "\n".join(rows) + "\n\n" + notes + "\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    marker = f"## {size} size"
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [part for part in parts if part.strip() and not part.startswith(marker)]
    if not kept or not kept[0].startswith("# "):
        kept.insert(0, "# Monitoring benchmark (bench/bench_monitor.py)\n\n")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("".join(kept).rstrip("\n") + "\n\n" + section, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="demo")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_monitor"))
    parser.add_argument("--artifacts", type=Path, default=None)
    parser.add_argument("--base-data", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    applicants = SIZES[args.size]
    work = args.work / args.size
    base = args.base_data or work / "none"
    _generate(base, applicants, args.seed, None)
    for name in DRIFT_SCENARIOS:
        _generate(work / name, applicants, args.seed, name)
    artifacts = args.artifacts or work / "artifacts"
    _artifacts(base, artifacts)

    rows = []
    for name, folder in [("none (unshifted)", base)] + [
        (name, work / name) for name in DRIFT_SCENARIOS
    ]:
        run = _run(artifacts, folder)
        print(
            f"{name}: {run['seconds']:.1f} s, {run['peak_gb']:.2f} GB, {run['result'].verdict}",
            flush=True,
        )
        rows.append(_row(name.split(" ")[0] if name.startswith("none") else name, run))
    notes = (
        f"Artifacts: {artifacts}; new applicants of each batch: application_test.csv of the "
        "folder and its side tables. Time and memory cover the whole monitor: reading the "
        "training population, loading and validating the new files, building their features, "
        "scoring them (fold models in turn), and the comparison of every feature and the score."
    )
    _write(args.size, applicants, rows, kernel_peak_bytes() / 1e9, notes)
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
