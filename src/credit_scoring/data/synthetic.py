"""The synthetic Home Credit dataset: the seven Kaggle tables, generated locally in Kaggle's format.

``generate_dataset`` writes application_train.csv, application_test.csv and the six side tables
with Kaggle's headers (column order from ``schema``) and value formats (integers without a decimal
point, floats such as ``135000.0``, empty cells for missing values, Kaggle's category spellings),
so that the same loader reads the real and the synthetic files.

How it stays fast at full Kaggle size (about 58 million side-table rows): every column is drawn
with numpy for a whole block of applicants at once, and each block is written by DuckDB's CSV
writer (multi-threaded, Kaggle-like float formatting) and appended to the table's file, so memory
holds one block at a time. The output depends only on the seed and the sizes: blocks have a fixed
size and each block draws from its own seeded random stream.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from credit_scoring.data import schema
from credit_scoring.data.synthetic_applicants import generate_applicants
from credit_scoring.data.synthetic_drift import check_drift
from credit_scoring.data.synthetic_history import HistoryIds, generate_history
from credit_scoring.errors import DataError
from credit_scoring.progress import progress

#: Kaggle's share of new (test) applicants: 48,744 of 356,255.
KAGGLE_TEST_FRACTION = 48_744 / 356_255
#: Applicants whose credit history is drawn (and written) together.
BLOCK_SIZE = 25_000


def _check_arguments(n_applicants: int, test_fraction: float) -> None:
    if isinstance(n_applicants, bool) or not isinstance(n_applicants, int | np.integer):
        raise DataError(f"n_applicants must be a whole number, got {n_applicants!r}.")
    if n_applicants < 1:
        raise DataError(
            f"n_applicants must be at least 1, got {n_applicants}: ask for a positive number of "
            "applicants (the demo default is 20,000; Kaggle's full size is 356,255)."
        )
    if not 0 <= test_fraction < 1:
        raise DataError(
            f"test_fraction must be in [0, 1), got {test_fraction}: it is the share of "
            "applicants written to application_test.csv."
        )


def _prepare_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise DataError(
            f"Cannot write the synthetic data to {out_dir}: it is a file, not a folder. "
            "Choose another output folder (--out)."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise DataError(
            f"Cannot write the synthetic data to {out_dir}: {error.strerror or error}. "
            "Choose a folder you can write to (--out), or fix its permissions."
        ) from error


class _CsvAppender:
    """Writes Arrow tables as CSV with DuckDB, appending blocks to one file per table."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.connection = duckdb.connect()
        self.connection.execute("SET preserve_insertion_order = true")
        self.connection.execute("SET enable_progress_bar = false")
        self.rows: dict[str, int] = {}
        self.scratch = Path(tempfile.mkdtemp(prefix=".blocks-", dir=out_dir))

    def append(self, table_name: str, table: pa.Table) -> None:
        first = table_name not in self.rows
        target = self.out_dir / f"{table_name}.csv"
        block_file = self.scratch / f"{table_name}.csv"
        self.connection.register("block", table)
        header = "true" if first else "false"
        self.connection.execute(
            f"COPY block TO '{block_file.as_posix()}' "
            f"(FORMAT csv, HEADER {header}, DELIMITER ',', NULLSTR '', QUOTE '\"')"
        )
        self.connection.unregister("block")
        with open(target, "wb" if first else "ab") as out, open(block_file, "rb") as block:
            shutil.copyfileobj(block, out, length=16 * 1024 * 1024)
        block_file.unlink()
        self.rows[table_name] = self.rows.get(table_name, 0) + table.num_rows

    def close(self) -> None:
        self.connection.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def generate_dataset(
    out_dir: str | os.PathLike,
    n_applicants: int = 20_000,
    seed: int = 42,
    test_fraction: float = KAGGLE_TEST_FRACTION,
    drift: str | None = None,
) -> dict[str, int]:
    """Write a synthetic Home Credit dataset (the eight Kaggle CSV files) to ``out_dir``.

    Parameters
    ----------
    out_dir:
        Folder to write to (created if needed); existing files of the same names are replaced.
    n_applicants:
        Applicants in all, train and test together (Kaggle: 356,255).
    seed:
        Random seed: the same seed and sizes give byte-identical files.
    test_fraction:
        Share of the applicants written to application_test.csv (without TARGET).
    drift:
        A planted shift of the new (test) applicants, one of
        ``synthetic_drift.DRIFT_SCENARIOS`` ("incomes", "young"); None (the default) gives data
        without drift, identical to what this function always wrote for the seed.

    Returns
    -------
    dict
        Rows written per file, keyed by table name as in ``schema.TABLES``.

    Raises
    ------
    DataError
        When ``n_applicants`` < 1, ``test_fraction`` is outside [0, 1), ``drift`` is not a known
        scenario or the folder cannot be written to.
    """
    _check_arguments(n_applicants, test_fraction)
    check_drift(drift)
    out_dir = Path(out_dir)
    _prepare_folder(out_dir)
    n_applicants = int(n_applicants)

    applicants = generate_applicants(
        np.random.default_rng([seed, 0]),
        n_applicants,
        test_fraction,
        drift=drift,
        drift_rng=np.random.default_rng([seed, 2]),
    )
    writer = _CsvAppender(out_dir)
    try:
        writer.append("application_train", applicants.train)
        writer.append("application_test", applicants.test)
        history_ids = HistoryIds()
        with progress(n_applicants, "synthetic histories", "applicant") as bar:
            for block, start in enumerate(range(0, n_applicants, BLOCK_SIZE)):
                stop = min(start + BLOCK_SIZE, n_applicants)
                tables = generate_history(
                    np.random.default_rng([seed, 1, block]),
                    applicants.ids[start:stop],
                    applicants.risk[start:stop],
                    applicants.age_years[start:stop],
                    applicants.income[start:stop],
                    history_ids,
                )
                for name, table in tables.items():
                    writer.append(name, table)
                del tables
                bar.update(stop - start)
    except OSError as error:
        raise DataError(
            f"Writing the synthetic data to {out_dir} failed: {error.strerror or error}. "
            "Check the free disk space and the folder's permissions."
        ) from error
    finally:
        writer.close()
    return {name: writer.rows.get(name, 0) for name in schema.TABLES}
