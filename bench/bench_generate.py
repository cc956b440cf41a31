"""Benchmark: the synthetic generator at the demo size and at the full Kaggle size.

Usage::

    python bench/bench_generate.py [--full-out /work/fullsize/raw] [--repeat 3] [--skip-full]

Each run is a fresh process under ``/usr/bin/time -v`` (wall time and peak resident memory of
that process alone). The demo size (20,000 applicants) runs ``--repeat`` times into a temporary
folder and the median is reported; the full Kaggle size (356,255 applicants, about 58 million
side-table rows) runs once into ``--full-out``, which is kept for the other benchmarks.
Results (wall time, peak memory, rows and bytes per file) go to bench/results/generate.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from _common import KAGGLE_ROWS

RESULTS = Path(__file__).resolve().parent / "results" / "generate.md"
DEMO_APPLICANTS = 20_000
FULL_APPLICANTS = 356_255
SEED = 42
#: Limits the issue sets for the full size.
FULL_SIZE_LIMITS = {"wall_seconds": 600, "peak_gib": 8}

_SCRIPT = (
    "import json, sys\n"
    "from credit_scoring.data.synthetic import generate_dataset\n"
    "counts = generate_dataset(sys.argv[1], n_applicants=int(sys.argv[2]), seed=int(sys.argv[3]))\n"
    "print('COUNTS=' + json.dumps(counts))\n"
)


def _seconds(elapsed: str) -> float:
    parts = [float(part) for part in elapsed.split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def run_generator(out: Path, applicants: int) -> dict:
    """Run the generator once in a fresh process; return wall time, peak RSS and row counts."""
    command = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-c",
        _SCRIPT,
        str(out),
        str(applicants),
        str(SEED),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"generator failed:\n{finished.stdout}\n{finished.stderr}")
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", finished.stderr)
    peak_kib = re.search(r"Maximum resident set size \(kbytes\): (\d+)", finished.stderr)
    user = re.search(r"User time \(seconds\): (\S+)", finished.stderr)
    system = re.search(r"System time \(seconds\): (\S+)", finished.stderr)
    counts = json.loads(finished.stdout.split("COUNTS=", 1)[1])
    return {
        "wall_seconds": _seconds(elapsed.group(1)),
        "cpu_seconds": float(user.group(1)) + float(system.group(1)),
        "peak_mib": int(peak_kib.group(1)) / 1024,
        "counts": counts,
        "bytes": {name: (out / f"{name}.csv").stat().st_size for name in counts},
    }


def _table(run: dict, kaggle: bool) -> list[str]:
    lines = ["| file | rows | bytes on disk |" + (" Kaggle rows | ratio |" if kaggle else "")]
    lines.append("|---|---:|---:|" + ("---:|---:|" if kaggle else ""))
    for name, rows in run["counts"].items():
        line = f"| {name}.csv | {rows:,} | {run['bytes'][name] / 1e6:,.1f} MB |"
        if kaggle:
            line += f" {KAGGLE_ROWS[name]:,} | {rows / KAGGLE_ROWS[name]:.2f} |"
        lines.append(line)
    total_rows = sum(run["counts"].values())
    total_bytes = sum(run["bytes"].values())
    lines.append(f"| **all** | **{total_rows:,}** | **{total_bytes / 1e6:,.1f} MB** |")
    return lines


def write_report(demo_runs: list[dict], full_run: dict | None, full_out: Path) -> str:
    """The markdown report of the runs."""
    demo_wall = statistics.median(run["wall_seconds"] for run in demo_runs)
    demo_peak = statistics.median(run["peak_mib"] for run in demo_runs)
    demo_walls = ", ".join(f"{run['wall_seconds']:.2f}" for run in demo_runs)
    lines = [
        "# Synthetic generator benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/bench_generate.py` on "
        f"{os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}), "
        "each run a fresh process under `/usr/bin/time -v` (machine shared with other jobs).",
        "",
        "## Demo size (20,000 applicants)",
        "",
        f"- wall time: median **{demo_wall:.2f} s** over {len(demo_runs)} runs ({demo_walls} s)",
        f"- peak memory (max RSS): median **{demo_peak:,.0f} MiB**",
        f"- CPU time: {statistics.median(run['cpu_seconds'] for run in demo_runs):.1f} s",
        "",
        *_table(demo_runs[0], kaggle=False),
        "",
    ]
    if full_run is not None:
        side_rows = sum(
            rows for name, rows in full_run["counts"].items() if not name.startswith("application")
        )
        within = (
            full_run["wall_seconds"] <= FULL_SIZE_LIMITS["wall_seconds"]
            and full_run["peak_mib"] <= FULL_SIZE_LIMITS["peak_gib"] * 1024
        )
        lines += [
            "## Full Kaggle size (356,255 applicants)",
            "",
            f"- wall time: **{full_run['wall_seconds']:.1f} s** (one run; limit 600 s)",
            f"- peak memory (max RSS): **{full_run['peak_mib']:,.0f} MiB** (limit 8 GiB)",
            f"- CPU time: {full_run['cpu_seconds']:.1f} s",
            f"- side-table rows: {side_rows:,} "
            f"({side_rows / full_run['wall_seconds'] / 1e6:.2f} million rows/s overall)",
            f"- within the issue's limits: **{'yes' if within else 'NO'}**",
            f"- written to `{full_out}` (kept for the other benchmarks)",
            "",
            *_table(full_run, kaggle=True),
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-out", type=Path, default=Path("/work/fullsize/raw"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-full", action="store_true", help="only the demo size")
    args = parser.parse_args()

    demo_runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as scratch:
            demo_runs.append(run_generator(Path(scratch) / "raw", DEMO_APPLICANTS))
        print(f"demo: {demo_runs[-1]['wall_seconds']:.2f} s, {demo_runs[-1]['peak_mib']:.0f} MiB")
    full_run = None
    if not args.skip_full:
        full_run = run_generator(args.full_out, FULL_APPLICANTS)
        print(f"full: {full_run['wall_seconds']:.1f} s, {full_run['peak_mib']:.0f} MiB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(write_report(demo_runs, full_run, args.full_out) + "\n")
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
