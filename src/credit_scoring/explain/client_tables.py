"""The per-client tables every dashboard kernel reads, as memory-mapped Arrow IPC files.

Written once by the pipeline (the explain step), read by each dashboard kernel through a memory
map: the columns are views of the file's pages, so concurrent kernels share one copy in the page
cache instead of holding a private copy each (at the full Kaggle size, about 1 GB per kernel
before).

``client_table.arrow``
    One row per applicant in features.parquet's order: SK_ID_CURR, TARGET, is_historical, the
    scores (raw_score, base_value, default_probability) and every feature. Numeric columns are
    stored without Arrow nulls (missing = NaN) and text columns as int16 codes (-1 = missing)
    whose sorted levels are in the schema metadata, so that every column reads as a numpy view
    without a copy.
``applications.arrow``
    The raw application rows (Kaggle columns) in the same order, read one row at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from credit_scoring.artifacts import (
    APPLICATIONS_TABLE,
    CLIENT_TABLE,
    SPLIT,
    TO_BUILD,
    TRAIN,
)
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import ArtifactError

#: Code of a missing level in the integer-coded text columns.
MISSING_CODE = -1
SCORE_COLUMNS = ("raw_score", "base_value", "default_probability")
LEVELS_KEY = b"levels"


def text_codes(values) -> tuple[np.ndarray, list[str]]:
    """int16 codes (-1 for missing) and sorted level names of a text column."""
    categorical = pd.Categorical(pd.Series(values, dtype="str").where(pd.notna(values)))
    levels = [str(level) for level in categorical.categories]
    order = np.argsort(levels)
    remap = np.empty(len(levels) + 1, dtype=np.int16)
    remap[:-1] = np.argsort(order)
    remap[-1] = MISSING_CODE
    codes = remap[np.asarray(categorical.codes)]
    return codes.astype(np.int16), [levels[i] for i in order]


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not isinstance(
        column.dtype, pd.CategoricalDtype
    )


def write_client_tables(
    frame: pd.DataFrame, scores: pd.DataFrame, applications: pd.DataFrame, artifacts_dir: Path
) -> list[Path]:
    """Write client_table.arrow and applications.arrow (rows in ``frame``'s order)."""
    artifacts_dir = Path(artifacts_dir)
    if not np.array_equal(
        scores[APPLICANT_KEY].to_numpy(np.int64), frame[APPLICANT_KEY].to_numpy(np.int64)
    ):
        raise ArtifactError("scores and features list different clients: rerun the explain step")
    arrays: dict[str, pa.Array] = {
        APPLICANT_KEY: pa.array(frame[APPLICANT_KEY].to_numpy(np.int64)),
        TARGET: pa.array(frame[TARGET].to_numpy(np.float32)),
        "is_historical": pa.array((frame[SPLIT] == TRAIN).to_numpy()),
    }
    for name in SCORE_COLUMNS:
        arrays[name] = pa.array(scores[name].to_numpy(np.float64))
    levels: dict[str, list[str]] = {}
    for name in frame.columns:
        if name in (APPLICANT_KEY, SPLIT, TARGET):
            continue
        column = frame[name]
        if _is_numeric(column):
            values = column.to_numpy(np.float32, na_value=np.nan)
        else:
            values, levels[name] = text_codes(column)
        arrays[name] = pa.array(values)  # from numpy: NaN stays NaN, never an Arrow null
    table = pa.table(arrays).replace_schema_metadata({LEVELS_KEY: json.dumps(levels)})
    written = [_write_ipc(table, artifacts_dir / CLIENT_TABLE)]

    position = pd.Index(applications[APPLICANT_KEY].to_numpy(np.int64)).get_indexer(
        frame[APPLICANT_KEY].to_numpy(np.int64)
    )
    if (position < 0).any():
        raise ArtifactError("applications.parquet lacks some clients of features.parquet")
    aligned = applications.iloc[position].reset_index(drop=True)
    written.append(
        _write_ipc(
            pa.Table.from_pandas(aligned, preserve_index=False), artifacts_dir / APPLICATIONS_TABLE
        )
    )
    return written


def _write_ipc(table: pa.Table, path: Path) -> Path:
    table = table.combine_chunks()
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(table.num_rows, 1))
    return path


def map_table(path: Path) -> pa.Table:
    """An Arrow IPC file as a table whose buffers are views of a memory map (no copy)."""
    if not path.is_file():
        raise ArtifactError(f"{path.name} is missing from {path.parent}: {TO_BUILD}")
    try:
        with pa.memory_map(str(path), "r") as source:
            return pa.ipc.open_file(source).read_all()
    except (pa.ArrowInvalid, OSError) as error:
        raise ArtifactError(f"{path} cannot be read ({error}): {TO_BUILD} again") from None


@dataclass
class ClientTables:
    """The memory-mapped per-client tables of an artifacts folder."""

    clients: pa.Table
    applications: pa.Table
    levels: dict[str, list[str]]

    @classmethod
    def open(cls, artifacts_dir: Path | str) -> ClientTables:
        """Map client_table.arrow and applications.arrow (ArtifactError when absent)."""
        artifacts_dir = Path(artifacts_dir)
        clients = map_table(artifacts_dir / CLIENT_TABLE)
        applications = map_table(artifacts_dir / APPLICATIONS_TABLE)
        if applications.num_rows != clients.num_rows:
            raise ArtifactError(
                f"{APPLICATIONS_TABLE} and {CLIENT_TABLE} have different rows: {TO_BUILD} again"
            )
        metadata = clients.schema.metadata or {}
        levels = json.loads(metadata.get(LEVELS_KEY, b"{}"))
        return cls(clients, applications, levels)

    def column(self, name: str) -> np.ndarray:
        """A column of the client table as a read-only numpy view of the mapped file."""
        chunked = self.clients.column(name)
        if chunked.num_chunks != 1:
            return chunked.to_numpy()
        return chunked.chunk(0).to_numpy(zero_copy_only=chunked.type != pa.bool_())

    def feature_names(self) -> list[str]:
        """The feature columns, in features.parquet's order."""
        fixed = {APPLICANT_KEY, TARGET, "is_historical", *SCORE_COLUMNS}
        return [name for name in self.clients.column_names if name not in fixed]

    def application(self, row: int) -> pd.DataFrame:
        """One client's raw application row (a one-row DataFrame, Kaggle columns)."""
        return self.applications.slice(int(row), 1).to_pandas()
