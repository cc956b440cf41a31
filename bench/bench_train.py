"""Benchmark of features, training and explanations: before and after a change, in one run.

For each data set (the real Kaggle sample, the demo data, the full Kaggle size), each phase runs
in its own Python process (so that its peak memory is its own), first with the code of an earlier
commit (``--before``, checked out in a git worktree), then with the code of this checkout:

- features: CSV files → features.parquet with the feature code;
- train: the training step with the default parameters of notebooks/02_train.ipynb
  (cross-validation with early stopping, baselines, calibration, threshold, final model);
- explain: the explanation step (out-of-fold SHAP for training applicants, final model for new
  ones, summaries, similar-clients space) for every applicant.

Peak memory is the phase's resident set size sampled every 50 ms, and the kernel's ru_maxrss.
At the demo size it also times the `make run` build of this checkout (generate 20,000 applicants,
then the four notebooks through Papermill), whose budget is 5 minutes.

    .venv/bin/python bench/bench_train.py --sets real demo --before 8bcce27
    .venv/bin/python bench/bench_train.py --sets full --before 8bcce27   # about 40 minutes
    .venv/bin/python bench/bench_train.py --sets demo                     # this checkout only

The full-size data is /work/fullsize/raw (`credit-scoring generate --out /work/fullsize/raw
--applicants 356255`); the artifacts of this checkout stay in /work/fullsize/artifacts for the
dashboard benchmark. Results: bench/results/train.md (the sections of data sets not rerun are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import MemorySampler, kernel_peak_bytes

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "train.md"
DATA_SETS = {
    "real": ("real Kaggle sample", ROOT.parent / "shared" / "homecredit-sample"),
    "demo": ("demo data (synthetic, 20,000 applicants)", None),
    "full": ("full Kaggle size (synthetic, 356,255 applicants)", Path("/work/fullsize/raw")),
}
FULL_ARTIFACTS = Path("/work/fullsize/artifacts")
DEMO_APPLICANTS = 20_000
PHASES = ("features", "train", "explain")


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
                "final_model": metrics["cross_validation"].get("final_model", "refit"),
                "roc_auc": metrics["model"]["roc_auc"],
                "baseline_auc": {k: v["roc_auc"] for k, v in metrics["baselines"].items()},
            }
        elif phase == "explain":
            from credit_scoring.scoring.explain_step import (
                run_explanations,
                write_explain_artifacts,
            )

            run = run_explanations(artifacts_dir)
            write_explain_artifacts(run, artifacts_dir)
            scores = run.scores
            refused = (scores["decision"] != "granted").groupby(scores["SPLIT"]).mean()
            result |= {
                "applicants": int(len(scores)),
                "timings": run.timings_seconds,
                # The training applicants' decisions come from out-of-fold scores, the new
                # applicants' from the final model: close shares say the two score alike.
                "refused_share": {split: float(share) for split, share in refused.items()},
            }
        result["seconds"] = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_gb"] = memory.peak / 1e9
    result["ru_maxrss_gb"] = kernel_peak_bytes() / 1e9
    return result


def checkout(revision: str) -> Path:
    """A git worktree of ``revision`` (reused when it is already there)."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    folder = Path(tempfile.gettempdir()) / f"credit-scoring-{commit}"
    if not (folder / "src").is_dir():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach", str(folder), commit],
            check=True, capture_output=True,
        )  # fmt: skip
    return folder


def run_phase(phase: str, data_dir: Path, artifacts_dir: Path, code: Path) -> dict:
    """Run a phase with the code of ``code`` (a checkout) in a fresh process."""
    command = [
        sys.executable, __file__, "--worker", phase,
        "--data", str(data_dir), "--artifacts", str(artifacts_dir),
    ]  # fmt: skip
    env = os.environ | {"PYTHONPATH": str(code / "src"), "CREDIT_SCORING_PROGRESS": "off"}
    print(f"  {phase} ({code.name}) ...", flush=True)
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if completed.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"  {phase}: {result['seconds']:.1f} s, peak {result['peak_rss_gb']:.2f} GB", flush=True)
    return result


def demo_pipeline(workdir: Path) -> dict:
    """`make run`'s build at the demo size: generate, then the four notebooks (no HTML)."""
    cli = Path(sys.executable).parent / "credit-scoring"
    data_dir, artifacts_dir = workdir / "raw", workdir / "artifacts"
    env = os.environ | {"CREDIT_SCORING_PROGRESS": "off"}
    timings = {}
    started = time.perf_counter()
    subprocess.run(
        [str(cli), "generate", "--out", str(data_dir), "--applicants", str(DEMO_APPLICANTS),
         "--seed", "42"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    timings["generate"] = time.perf_counter() - started
    started = time.perf_counter()
    completed = subprocess.run(
        [str(cli), "pipeline", "--data", str(data_dir), "--artifacts", str(artifacts_dir),
         "--no-html"],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    timings["pipeline"] = time.perf_counter() - started
    steps = {}
    lines = completed.stdout.splitlines()
    for previous, line in zip(lines, lines[1:], strict=False):
        if line.strip().startswith("done in") and previous.startswith("["):
            steps[previous.split("]")[1].split(":")[0].strip()] = float(line.split()[2])
    timings["total"] = timings["generate"] + timings["pipeline"]
    return {"timings": timings, "steps": steps, "data_dir": data_dir}


def measure_set(
    name: str, data_dir: Path, workdir: Path, codes: dict[str, Path], keep: Path | None
) -> dict[str, list[dict]]:
    """Every phase of every code version on one data set; each version's artifacts in its own
    folder (``keep`` for this checkout's, when given)."""
    results = {}
    for version, code in codes.items():
        artifacts = keep if (keep and version == "after") else workdir / f"artifacts-{version}"
        if artifacts.exists() and artifacts != keep:
            shutil.rmtree(artifacts)
        artifacts.mkdir(parents=True, exist_ok=True)
        print(f"{name}, {version}", flush=True)
        results[version] = [run_phase(phase, data_dir, artifacts, code) for phase in PHASES]
    return results


def size_report(title: str, results: dict[str, list[dict]]) -> list[str]:
    versions = list(results)
    lines = [f"### {title}", ""]
    header = "| phase |"
    rule = "|---|"
    for version in versions:
        header += f" {version}: wall time | {version}: peak RSS |"
        rule += "---|---|"
    if len(versions) == 2:
        header += " time after / before |"
        rule += "---|"
    lines += [header, rule]
    by_version = {v: {r["phase"]: r for r in phases} for v, phases in results.items()}
    for phase in PHASES:
        row = f"| {phase} |"
        for version in versions:
            result = by_version[version][phase]
            row += f" {result['seconds']:.0f} s | {result['peak_rss_gb']:.2f} GB |"
        if len(versions) == 2:
            before, after = (by_version[v][phase]["seconds"] for v in versions)
            row += f" {after / before:.2f} |"
        lines.append(row)
    lines.append("")
    for version in versions:
        train = by_version[version]["train"]
        explain = by_version[version]["explain"]
        timings = ", ".join(f"{k} {v:.0f} s" for k, v in train["timings"].items())
        lines += [
            f"- **{version}**: out-of-fold ROC AUC **{train['roc_auc']:.4f}** "
            f"({train['applicants']:,} applicants, {train['features']} model features); "
            f"training {timings}; trees per fold {train['tree_counts']}; final model "
            f"{train['final_trees']} trees ({train['final_model']}); baselines "
            + ", ".join(f"{k} {v:.4f}" for k, v in train["baseline_auc"].items())
            + "; explanations "
            + ", ".join(f"{k} {v:.0f} s" for k, v in explain["timings"].items())
            + "; share refused: "
            + ", ".join(
                f"{split} {share:.1%}" for split, share in explain.get("refused_share", {}).items()
            ),
            f"  - parameters: {train['parameters']}",
        ]
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(DATA_SETS), default=["real", "demo"])
    parser.add_argument("--before", help="git revision to compare with (e.g. a commit)")
    parser.add_argument("--worker", choices=PHASES)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--artifacts", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.artifacts)))
        return 0

    codes = {"after": ROOT}
    if args.before:
        codes = {f"before ({args.before})": checkout(args.before), "after": ROOT}
    sections = {}
    for key in args.sets:
        title, data_dir = DATA_SETS[key]
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            lines = [f"## {title}", ""]
            if key == "demo":
                demo = demo_pipeline(workdir)
                data_dir, timings = demo["data_dir"], demo["timings"]
                lines += [
                    f"The `make run` build of this checkout: generate {timings['generate']:.0f} s"
                    f" + pipeline {timings['pipeline']:.0f} s (notebooks "
                    + ", ".join(f"{k} {v:.0f} s" for k, v in demo["steps"].items())
                    + f") = **{timings['total'] / 60:.1f} min** (budget 5 min, no HTML export).",
                    "",
                ]
            if key == "full":
                workdir = FULL_ARTIFACTS.parent
            keep = FULL_ARTIFACTS if key == "full" else None
            results = measure_set(title, data_dir, workdir, codes, keep)
            sections[key] = lines + size_report("Phases, each in a fresh process", results)

    header = [
        "# Features, training and explanation benchmark",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='minutes')} on {platform.node()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; each phase a fresh process, "
        "one after the other in this one run (before, then after, on each data set).",
        "",
    ]
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    kept = [
        "## " + section.rstrip() + "\n\n(from an earlier run)\n"
        for section in previous.split("\n## ")[1:]
        if not any(section.startswith(DATA_SETS[key][0]) for key in args.sets)
        and "(from an earlier run)" not in section
    ]
    text = "\n".join(header + [line for key in args.sets for line in sections[key]])
    text += "\n" + "\n".join(kept)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
