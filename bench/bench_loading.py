"""Benchmark: read (and validate) the seven Kaggle tables at full size.

Usage::

    python bench/bench_loading.py [DATA_DIR] [--repeat 3] [--make-tiled-from SAMPLE_DIR]

DATA_DIR defaults to /work/fullsize/raw (the generator's full-size output). With
``--make-tiled-from``, DATA_DIR is first filled with a full-size dataset made by tiling the real
sample's rows (ids renumbered so that keys stay unique), at Kaggle's row counts.

Each case runs in a fresh process (so that peak memory is its own): load_table on the largest
and the widest file (typed pyarrow read) against pandas.read_csv with the same dtypes, the
largest file from a .csv.zip, load_tables(validate=False), validate_source and
load_tables(validate=True) on all seven tables. Wall time depends on what else runs on the
shared cores; CPU time (user + system, including the package import) depends less on it.
Results (medians over the repeats, peak RSS) go to bench/results/loading.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import KAGGLE_ROWS

RESULTS = Path(__file__).resolve().parent / "results" / "loading.md"


def make_tiled(sample_dir: Path, out: Path, tables: list[str] | None = None) -> None:
    """Write a full-size dataset by repeating the sample's rows with renumbered ids."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    from credit_scoring.data.schema import ID, TABLES

    out.mkdir(parents=True, exist_ok=True)
    for name in tables or list(KAGGLE_ROWS):
        target_rows = KAGGLE_ROWS[name]
        spec = TABLES[name]
        text = pa_csv.read_csv(
            sample_dir / spec.file_name,
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(spec.columns, pa.string()),
                strings_can_be_null=False,
            ),
        )
        repeats = -(-target_rows // text.num_rows)
        id_columns = spec.columns_of_kind(ID)
        # Dense id codes per column, so that copy k gets codes + k * n_codes: unique and < 2**31.
        codes = {}
        # New applicants get ids of their own, so that train and test do not overlap.
        base = 100_000 if name != "application_test" else 60_000_000
        for column in id_columns:
            values = pc.cast(text.column(column), pa.int64()).to_numpy()
            unique, inverse = np.unique(values, return_inverse=True)
            codes[column] = (inverse + base, len(unique))
        with pa_csv.CSVWriter(
            out / spec.file_name,
            text.schema,
            write_options=pa_csv.WriteOptions(quoting_style="needed"),
        ) as writer:
            written = 0
            for copy in range(repeats):
                rows = min(text.num_rows, target_rows - written)
                arrays = []
                for column in text.column_names:
                    if column in codes:
                        dense, n_codes = codes[column]
                        arrays.append(pa.array((dense + copy * n_codes)[:rows].astype(str)))
                    else:
                        arrays.append(text.column(column).slice(0, rows))
                writer.write_table(pa.table(arrays, names=text.column_names))
                written += rows
        print(f"{name}: {written:,} rows", flush=True)


def _measure(code: str) -> dict:
    """Run ``code`` in a fresh Python; its wall time and the child's peak RSS."""
    script = (
        "import time, resource, json\n"
        "started = time.perf_counter()\n"
        f"{code}\n"
        "elapsed = time.perf_counter() - started\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime\n"
        "print(json.dumps({'seconds': elapsed, 'cpu': cpu, 'peak_mib': peak, 'extra': extra}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=Path("/work/fullsize/raw"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--make-tiled-from", type=Path, default=None)
    parser.add_argument("--tables", nargs="+", default=None, help="tables to (re)make tiled")
    parser.add_argument("--only-make", action="store_true", help="make the data, measure nothing")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args()
    if args.make_tiled_from is not None:
        make_tiled(args.make_tiled_from, args.data_dir, args.tables)
    if args.only_make:
        return
    data = str(args.data_dir)
    # A zipped copy of the largest file, kept beside the bench's other temporary data.
    zipped = Path("/tmp") / (
        "bench_loading_zip" + args.data_dir.resolve().as_posix().replace("/", "_")
    )
    zipped.mkdir(exist_ok=True)
    if not (zipped / "bureau_balance.csv.zip").exists():
        import zipfile

        with zipfile.ZipFile(zipped / "bureau_balance.csv.zip", "w", zipfile.ZIP_DEFLATED) as out:
            out.write(args.data_dir / "bureau_balance.csv", "bureau_balance.csv")
    sizes = {path.name: path.stat().st_size for path in sorted(args.data_dir.glob("*.csv"))}
    cases = {
        "load_table(bureau_balance)": (
            f"from credit_scoring.data import load_table\n"
            f"frame = load_table({data!r}, 'bureau_balance')\n"
            "extra = {'rows': len(frame), 'mib': frame.memory_usage(deep=True).sum() / 2**20}"
        ),
        "pandas.read_csv(bureau_balance), same dtypes": (
            "import pandas as pd\n"
            "from credit_scoring.data.schema import TABLES\n"
            f"frame = pd.read_csv({data!r} + '/bureau_balance.csv', "
            "dtype=TABLES['bureau_balance'].dtypes())\n"
            "extra = {'rows': len(frame), 'mib': frame.memory_usage(deep=True).sum() / 2**20}"
        ),
        "load_table(bureau_balance) from bureau_balance.csv.zip": (
            f"from credit_scoring.data import load_table\n"
            f"frame = load_table({str(zipped)!r}, 'bureau_balance')\n"
            "extra = {'rows': len(frame)}"
        ),
        "load_table(application_train)": (
            f"from credit_scoring.data import load_table\n"
            f"frame = load_table({data!r}, 'application_train')\n"
            "extra = {'rows': len(frame), 'mib': frame.memory_usage(deep=True).sum() / 2**20}"
        ),
        "pandas.read_csv(application_train), same dtypes": (
            "import pandas as pd\n"
            "from credit_scoring.data.schema import TABLES\n"
            f"frame = pd.read_csv({data!r} + '/application_train.csv', "
            "dtype=TABLES['application_train'].dtypes())\n"
            "extra = {'rows': len(frame), 'mib': frame.memory_usage(deep=True).sum() / 2**20}"
        ),
        "load_tables(validate=False), all 7": (
            "from credit_scoring.data import load_tables\n"
            f"tables = load_tables({data!r}, validate=False)\n"
            "extra = {'rows': sum(len(f) for f in tables.values()), "
            "'mib': sum(f.memory_usage(deep=True).sum() for f in tables.values()) / 2**20}"
        ),
        "validate_source, all 7": (
            "from credit_scoring.data import validate_source\n"
            f"report = validate_source({data!r})\n"
            "extra = {'errors': len(report.errors), 'warnings': len(report.warnings)}"
        ),
        "load_tables(validate=True), all 7": (
            "from credit_scoring.data import load_tables\n"
            f"tables = load_tables({data!r})\n"
            "extra = {'rows': sum(len(f) for f in tables.values())}"
        ),
    }
    measured_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    lines = [
        "# Loading and validation benchmark",
        "",
        f"Data: `{data}` ({sum(sizes.values()) / 2**30:.2f} GiB of CSV in {len(sizes)} files). "
        f"Median of {args.repeat} runs, each in a fresh process; peak = max RSS of that process.",
        f"Machine: {_cpu_count()} cores usable, shared (1-minute load average {load_before:.1f} "
        f"at the start); measured {measured_at}.",
        "",
        "| case | median s | min s | median CPU s | peak MiB | details |",
        "|---|---:|---:|---:|---:|---|",
    ]
    medians = {}
    for label, code in cases.items():
        runs = [_measure(code) for _ in range(args.repeat)]
        seconds = [run["seconds"] for run in runs]
        medians[label] = statistics.median(seconds)
        peak = max(run["peak_mib"] for run in runs)
        extra = ", ".join(
            f"{key} {value:,.0f}" if isinstance(value, float) else f"{key} {value:,}"
            for key, value in runs[0]["extra"].items()
        )
        cpu = statistics.median(run["cpu"] for run in runs)
        row = (
            f"| {label} | {medians[label]:.1f} | {min(seconds):.1f} | {cpu:.1f} | {peak:,.0f} "
            f"| {extra} |"
        )
        print(row, flush=True)
        lines.append(row)
    lines.append("")
    for table in ("bureau_balance", "application_train"):
        ratio = medians[f"pandas.read_csv({table}), same dtypes"] / medians[f"load_table({table})"]
        lines.append(f"pandas C parser time / pyarrow typed read time on {table}: {ratio:.2f}.")
    load_after = os.getloadavg()[0]
    lines.append(f"1-minute load average at the end: {load_after:.1f} (shared cores).")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("\n".join(lines) + "\n")
    print(f"written to {args.results}")


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
