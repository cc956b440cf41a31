"""Load the Kaggle Home Credit tables: read them (:mod:`credit_scoring.data.reading`) and, by
default, validate them (:mod:`credit_scoring.data.validation`).

This is the data layer's entry point for the pipeline: :func:`load_tables` reads the seven tables
from a folder or the Kaggle archive and refuses data with errors; :func:`load_table` reads one.
Reading knows nothing of validation, and validation reads through
:mod:`~credit_scoring.data.reading`: the modules import one way, findings <- reading <- validation
<- loading.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from credit_scoring.data.reading import (
    APPLICATIONS,
    KIND_ARROW_TYPES,
    WHAT_TO_DO_NO_DATA,
    DataSource,
    LoadedTables,
    MissingTableError,
    TableFile,
    closest_name,
    load_table,
    read_header,
    read_table_file,
    read_tables,
)
from credit_scoring.data.schema import TABLES
from credit_scoring.data.validation import validate_tables
from credit_scoring.errors import DataError


def load_tables(
    source: str | Path, tables: Iterable[str] | None = None, validate: bool = True
) -> LoadedTables:
    """Read the Kaggle tables of a folder or archive (default: all seven).

    application_train is required (DataError when missing); other missing tables are listed in
    ``.missing`` and loading goes on without them. With ``validate`` (default) the tables are
    checked (see :func:`credit_scoring.data.validation.validate_tables`) and a DataError listing
    every error is raised when there is any; warnings and infos stay in ``.report``.
    """
    if not validate:
        return read_tables(source, tables, for_validation=False)
    loaded = read_tables(source, tables, for_validation=True)
    report = validate_tables(loaded)
    if not report.ok:
        raise DataError(
            f"The data in {loaded.source} has {len(report.errors)} error(s):\n"
            + "\n".join(finding.format() for finding in report.errors)
        )
    frames = {}
    for name in loaded:
        expected = [column for column in loaded[name].columns if column in TABLES[name].columns]
        frames[name] = loaded[name][expected]
    return LoadedTables(frames, source=loaded.source, missing=loaded.missing, report=report)


__all__ = [
    "APPLICATIONS",
    "KIND_ARROW_TYPES",
    "WHAT_TO_DO_NO_DATA",
    "DataSource",
    "LoadedTables",
    "MissingTableError",
    "TableFile",
    "closest_name",
    "load_table",
    "load_tables",
    "read_header",
    "read_table_file",
    "read_tables",
]
