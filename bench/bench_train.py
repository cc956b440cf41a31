"""Benchmark of training and explanations, at the demo and the full Kaggle size.

For each size, each phase runs in its own Python process (so that its peak memory is its own):

- features: CSV files → features.parquet with the feature code (skipped when the artifacts folder
  already holds features.parquet built from the same data folder);
- train: the training step with the default parameters of notebooks/02_train.ipynb
  (cross-validation with early stopping, baselines, calibration, threshold, final model);
- explain: the explanation step (out-of-fold SHAP for training applicants, final model for new
  ones, summaries, similar-clients space) for every applicant.

At the demo size it also times the whole demo pipeline as `make run` builds it (generate 20,000
applicants, then the four notebooks through Papermill), the 5-minute budget.

Peak memory is the phase's resident set size sampled every 50 ms, and the kernel's ru_maxrss.
The full-size artifacts stay in /work/fullsize/artifacts for the dashboard benchmark.

    .venv/bin/python bench/bench_train.py --size demo
    .venv/bin/python bench/bench_train.py --size full      # /work/fullsize/raw → artifacts
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import MemorySampler, kernel_peak_bytes

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "train.md"
FULL_DATA = Path("/work/fullsize/raw")
FULL_ARTIFACTS = Path("/work/fullsize/artifacts")
DEMO_APPLICANTS = 20_000


def worker(phase: str, data_dir: Path, artifacts_dir: Path) -> dict:
    """Run one phase in this process and return its measures."""
    result: dict = {"phase": phase}
    with MemorySampler(interval=0.05) as memory:
        started = time.perf_counter()
        if phase == "features":
            from credit_scoring.data import load_tables
            from credit_scoring.features import build_features, write_feature_artifacts

            tables = load_tables(data_dir)
            feature_set = build_features(tables)
            write_feature_artifacts(feature_set, tables, artifacts_dir)
            result["shape"] = list(feature_set.frame.shape)
        elif phase == "train":
            from credit_scoring.artifacts import read_features
            from credit_scoring.model.train_step import (
                read_application_groups,
                run_training,
                write_training_artifacts,
            )
            from credit_scoring.model.training import TrainingParameters

            frame = read_features(artifacts_dir)
            train_ids = frame.loc[frame["SPLIT"] == "train", "SK_ID_CURR"]
            parameters = TrainingParameters()
            run = run_training(
                frame, parameters, group_columns=read_application_groups(artifacts_dir, train_ids)
            )
            write_training_artifacts(run, artifacts_dir)
            metrics = run.metrics
            result |= {
                "parameters": parameters.to_dict(),
                "applicants": int(len(frame)),
                "features": len(metrics["features"]),
                "timings": metrics["timings_seconds"],
                "tree_counts": metrics["cross_validation"]["tree_counts"],
                "final_trees": metrics["cross_validation"]["final_model_trees"],
                "roc_auc": metrics["model"]["roc_auc"],
                "baseline_auc": {k: v["roc_auc"] for k, v in metrics["baselines"].items()},
                "threshold": run.threshold["threshold"],
                "calibration": run.calibration["method"],
            }
        elif phase == "explain":
            from credit_scoring.scoring.explain_step import (
                run_explanations,
                write_explain_artifacts,
            )

            run = run_explanations(artifacts_dir)
            write_explain_artifacts(run, artifacts_dir)
            result |= {
                "applicants": int(len(run.scores)),
                "timings": run.timings_seconds,
                "top_features": [item["feature"] for item in run.importance[:8]],
                "dashboard_side": dashboard_side_measures(artifacts_dir, run.space),
            }
        result["seconds"] = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_gb"] = memory.peak / 1e9
    result["ru_maxrss_gb"] = kernel_peak_bytes() / 1e9
    return result


def dashboard_side_measures(artifacts_dir: Path, space) -> dict:
    """What the dashboard pays per start and per client: KD-tree build, neighbour query (median
    of 200 clients), manifest verification (after writing a manifest for these artifacts)."""
    import numpy as np

    from credit_scoring.explain.neighbours import find_similar
    from credit_scoring.manifest import verify_artifacts, write_manifest

    started = time.perf_counter()
    space.tree  # noqa: B018 (built on first use)
    build = time.perf_counter() - started
    rng = np.random.default_rng(0)
    queries = []
    for row in rng.choice(len(space.ids), size=200, replace=False):
        started = time.perf_counter()
        find_similar(space, space.matrix[row], k=10, exclude_id=int(space.ids[row]))
        queries.append(time.perf_counter() - started)
    write_manifest(artifacts_dir, "benchmark", {}, {"benchmark": {}})
    started = time.perf_counter()
    manifest = verify_artifacts(artifacts_dir)
    verify = time.perf_counter() - started
    size = sum(entry["size"] for entry in manifest["files"].values())
    return {
        "tree_build_ms": build * 1e3,
        "query_median_ms": float(np.median(queries)) * 1e3,
        "verify_seconds": verify,
        "hashed_gb": size / 1e9,
        "space_rows": int(len(space.ids)),
    }


def run_phase(phase: str, data_dir: Path, artifacts_dir: Path) -> dict:
    """Run a phase in a fresh process (nice 10) and return its measures."""
    command = [
        "nice", "-n", "10", sys.executable, __file__, "--worker", phase,
        "--data", str(data_dir), "--artifacts", str(artifacts_dir),
    ]  # fmt: skip
    print(f"  {phase} ...", flush=True)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"  {phase}: {result['seconds']:.1f} s, peak {result['peak_rss_gb']:.2f} GB", flush=True)
    return result


def demo_pipeline(workdir: Path) -> dict:
    """`make run`'s build at the demo size: generate, then the four notebooks (no HTML)."""
    cli = Path(sys.executable).parent / "credit-scoring"
    data_dir, artifacts_dir = workdir / "raw", workdir / "artifacts"
    timings = {}
    started = time.perf_counter()
    subprocess.run(
        ["nice", "-n", "10", str(cli), "generate", "--out", str(data_dir),
         "--applicants", str(DEMO_APPLICANTS), "--seed", "42"],
        check=True, capture_output=True,
    )  # fmt: skip
    timings["generate"] = time.perf_counter() - started
    started = time.perf_counter()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        ["nice", "-n", "10", str(cli), "pipeline", "--data", str(data_dir),
         "--artifacts", str(artifacts_dir), "--no-html"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    timings["pipeline"] = time.perf_counter() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timings["pipeline_cpu"] = sum(
        getattr(children_after, field) - getattr(children_before, field)
        for field in ("ru_utime", "ru_stime")
    )
    steps = {}
    lines = completed.stdout.splitlines()
    for previous, line in zip(lines, lines[1:], strict=False):
        if line.strip().startswith("done in") and previous.startswith("["):
            steps[previous.split("]")[1].split(":")[0].strip()] = float(line.split()[2])
    timings["total"] = timings["generate"] + timings["pipeline"]
    return {"timings": timings, "steps": steps, "data_dir": data_dir, "artifacts": artifacts_dir}


def size_report(name: str, phases: list[dict]) -> list[str]:
    lines = [
        f"### {name}",
        "",
        "| phase | wall time | CPU time (all threads) | peak RSS (sampled) | ru_maxrss |",
        "|---|---|---|---|---|",
    ]
    for result in phases:
        cpu = result.get("cpu_seconds")
        lines.append(
            f"| {result['phase']} | {result['seconds'] / 60:.1f} min ({result['seconds']:.0f} s) "
            f"| {'n/a' if cpu is None else f'{cpu:.0f} s'} "
            f"| {result['peak_rss_gb']:.2f} GB | {result['ru_maxrss_gb']:.2f} GB |"
        )
    by_phase = {result["phase"]: result for result in phases}
    if "train" in by_phase:
        train = by_phase["train"]
        timings = ", ".join(f"{k} {v:.0f} s" for k, v in train["timings"].items())
        lines += [
            "",
            f"- training: {train['applicants']:,} applicants, {train['features']} model features; "
            f"{timings}; trees per fold {train['tree_counts']}, final model "
            f"{train['final_trees']} trees",
            f"- out-of-fold ROC AUC {train['roc_auc']:.4f}; baselines "
            + ", ".join(f"{k} {v:.4f}" for k, v in train["baseline_auc"].items())
            + f"; threshold {train['threshold']:.4f}; calibration {train['calibration']}",
            f"- parameters: {train['parameters']}",
        ]
    if "explain" in by_phase:
        explain = by_phase["explain"]
        timings = ", ".join(f"{k} {v:.0f} s" for k, v in explain["timings"].items())
        lines += [
            "",
            f"- explanations for {explain['applicants']:,} applicants: "
            f"{explain['seconds']:.0f} s in all ({timings})",
            f"- top features: {', '.join(explain['top_features'])}",
        ]
        side = explain.get("dashboard_side")
        if side:
            lines.append(
                f"- dashboard side: KD-tree over {side['space_rows']:,} known-outcome applicants "
                f"built in {side['tree_build_ms']:.0f} ms; a 10-neighbour query takes "
                f"{side['query_median_ms']:.2f} ms (median of 200); verify_artifacts checks "
                f"{side['hashed_gb']:.2f} GB of artifacts in {side['verify_seconds']:.2f} s"
            )
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["demo", "full", "both"], default="demo")
    parser.add_argument("--worker", choices=["features", "train", "explain"])
    parser.add_argument(
        "--phases",
        nargs="+",
        choices=["train", "explain"],
        help="full size only: rerun only these phases on the existing artifacts (earlier "
        "results are kept below)",
    )
    parser.add_argument("--data", type=Path)
    parser.add_argument("--artifacts", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.artifacts)))
        return 0

    lines = [
        "# Training and explanation benchmark",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='minutes')} on {platform.node()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, each phase a fresh "
        "process at nice 10 (other engineers' jobs were running on the same 2 cores).",
        "",
    ]
    if args.size in ("demo", "both"):
        print("demo size", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            demo = demo_pipeline(Path(folder))
            timings = demo["timings"]
            lines += [
                f"## Demo size ({DEMO_APPLICANTS:,} applicants): the `make run` build",
                "",
                f"- generate {timings['generate']:.0f} s + pipeline {timings['pipeline']:.0f} s "
                f"(notebooks {', '.join(f'{k} {v:.0f} s' for k, v in demo['steps'].items())}) "
                f"= **{timings['total'] / 60:.1f} min** (budget 5 min; HTML export not included)",
                f"- CPU time of the pipeline (all processes and threads): "
                f"{timings['pipeline_cpu']:.0f} s, i.e. at least "
                f"{timings['pipeline_cpu'] / 2:.0f} s of wall time on the 2 cores even when "
                "nothing else runs",
                "",
            ]
            phases = [
                run_phase(phase, demo["data_dir"], demo["artifacts"])
                for phase in ("train", "explain")
            ]
            lines += size_report("Demo size, phases measured alone", phases)
    if args.size in ("full", "both"):
        print("full size", flush=True)
        FULL_ARTIFACTS.mkdir(parents=True, exist_ok=True)
        phases = []
        if not (FULL_ARTIFACTS / "features.parquet").is_file():
            phases.append(run_phase("features", FULL_DATA, FULL_ARTIFACTS))
        selected = args.phases or ("train", "explain")
        phases += [run_phase(phase, FULL_DATA, FULL_ARTIFACTS) for phase in selected]
        lines += ["## Full Kaggle size", ""] + size_report(f"{FULL_DATA}", phases)
        lines += [
            f"Full-size artifacts kept in {FULL_ARTIFACTS}, with a manifest.json written by "
            "the explain phase's measures (data source 'benchmark'; no model card or report).",
            "",
        ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines)
    # Keep the other size's section of an earlier run (each size is run on its own).
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    kept_title = {"demo": "## Full Kaggle size", "full": "## Demo size"}.get(args.size)
    for section in previous.split("\n## ")[1:]:
        if args.phases or (kept_title and ("## " + section).startswith(kept_title)):
            text += "\n## " + section.rstrip() + "\n(from an earlier run)\n"
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
