"""Benchmark: recourse (what would change the decision) per client, as the dashboard runs it.

For each artifacts folder given (the demo and, when built, the full Kaggle size), the first
``--clients`` refused clients and as many granted ones (at most 500 in all by default) each get
``find_recourse`` with the default bounds, timed one by one after a warm-up; the client's
application row and features come from the memory-mapped client tables, as in the dashboard.
Writes bench/results/recourse.md: median and p95 time per client, and the share of refused
clients for whom a feasible change exists.

    python bench/bench_recourse.py --artifacts artifacts [--artifacts /tmp/full_artifacts]
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

from credit_scoring.dashboard.data import DashboardData
from credit_scoring.scoring.recourse import RecourseBounds, find_recourse

RESULTS = Path(__file__).parent / "results" / "recourse.md"


def measure(artifacts_dir: Path, clients: int) -> dict:
    """Times and outcomes of recourse for up to ``clients`` refused and granted clients."""
    data = DashboardData(artifacts_dir, verify=False)
    refused = np.flatnonzero(data.probability >= data.threshold)[: clients // 2]
    granted = np.flatnonzero(data.probability < data.threshold)[: clients - len(refused)]
    bounds = RecourseBounds()

    def run(row: int):
        stored = {name: data.value(name, row) for name in data.model_features}
        return find_recourse(data.scorer, data.application(row), stored, bounds)

    run(int(refused[0]))  # warm-up (first CatBoost calls)
    seconds, found = [], {"refused": [], "granted": []}
    for row in np.concatenate([refused, granted]):
        started = time.perf_counter()
        recourse = run(int(row))
        seconds.append(time.perf_counter() - started)
        found[recourse.decision].append(bool(recourse.options))
    return {
        "applicants": data.n_clients,
        "clients": len(seconds),
        "median_ms": 1000 * float(np.median(seconds)),
        "p95_ms": 1000 * float(np.percentile(seconds, 95)),
        "max_ms": 1000 * float(np.max(seconds)),
        "refused": len(found["refused"]),
        "refused_with_change": float(np.mean(found["refused"])) if found["refused"] else 0.0,
        "granted_with_more": float(np.mean(found["granted"])) if found["granted"] else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, action="append", required=True)
    parser.add_argument("--clients", type=int, default=500)
    args = parser.parse_args()
    rows = []
    for folder in args.artifacts:
        result = measure(folder, args.clients)
        rows.append((folder, result))
        print(folder, result, flush=True)
    lines = [
        "# Recourse benchmark",
        "",
        f"`python bench/bench_recourse.py` on {platform.node()} ({platform.processor() or 'cpu'}),"
        " default bounds (10% yearly rate, terms 6-60 months, at least half the amount asked "
        "and 25,000). Each client timed alone after a warm-up, as the dashboard runs it "
        "(application row and features from the memory-mapped client tables).",
        "",
        "| artifacts | applicants | clients timed | median | p95 | max | refused clients "
        "with a feasible change | granted clients who could borrow more |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for folder, r in rows:
        lines.append(
            f"| `{folder}` | {r['applicants']:,} | {r['clients']} | {r['median_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['max_ms']:.0f} ms | "
            f"{100 * r['refused_with_change']:.0f}% of {r['refused']} | "
            f"{100 * r['granted_with_more']:.0f}% |"
        )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
