"""Find and read the Kaggle Home Credit CSV files, from a folder or from the Kaggle archive.

``source`` is a folder of the Kaggle CSV files (``application_train.csv``...), or the Kaggle archive
``home-credit-default-risk.zip`` (the CSV files may sit in a sub-folder of the archive), or a folder
that holds that archive. Each CSV may also be zipped on its own (``bureau.csv.zip``, as the Kaggle
API downloads single files).

Files are read with pyarrow's multi-threaded CSV reader with explicit column types from
:mod:`credit_scoring.data.schema`, then converted to pandas with memory-lean dtypes: int32 ids,
int8 flags, int32 integers, float64 money amounts, float32 other numbers, categoricals for text.

Values are kept exactly as in the files (raw data is immutable): the day placeholder
``DAYS_PLACEHOLDER`` (365243) stays, ``XNA``/``XAP`` stay category levels, and only empty cells
become missing values (NaN). The feature code makes these quirks explicit; nothing here hides them.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from credit_scoring.data.findings import ValidationReport, check_types
from credit_scoring.data.schema import (
    AMOUNT,
    APPLICATIONS,
    CATEGORY,
    FLAG,
    FLOAT,
    ID,
    INT,
    KAGGLE_ARCHIVE,
    TABLES,
    TableSpec,
)
from credit_scoring.errors import DataError
from credit_scoring.progress import track

#: Arrow type each column kind is parsed to (categoricals are dictionary-encoded strings).
KIND_ARROW_TYPES: dict[str, pa.DataType] = {
    ID: pa.int32(),
    FLAG: pa.int8(),
    INT: pa.int32(),
    AMOUNT: pa.float64(),
    FLOAT: pa.float32(),
    CATEGORY: pa.dictionary(pa.int32(), pa.string()),
}

WHAT_TO_DO_NO_DATA = (
    "Generate the synthetic data with `credit-scoring generate --out DIR`, or download the Kaggle "
    "files (https://www.kaggle.com/c/home-credit-default-risk/data) and point to the folder or to "
    f"{KAGGLE_ARCHIVE}."
)

_READ_BLOCK_SIZE = 16 << 20


# --------------------------------------------------------------------------- where files are


@dataclass(frozen=True)
class TableFile:
    """Where one table's CSV is: a display name and a way to open it as a binary stream."""

    table: str
    location: str
    open: Callable[[], IO[bytes]]


class DataSource:
    """A folder or a zip archive of Kaggle CSV files; finds each table's file in it."""

    def __init__(self, source: str | Path):
        path = Path(source).expanduser()
        if not path.exists():
            raise DataError(f"Data source {path} does not exist. {WHAT_TO_DO_NO_DATA}")
        self.path = path
        self._archive: Path | None = None
        self._members: dict[str, str] = {}
        if path.is_dir():
            archive = path / KAGGLE_ARCHIVE
            if not self._folder_file(TABLES["application_train"].name) and archive.is_file():
                self._open_archive(archive)
        elif zipfile.is_zipfile(path):
            self._open_archive(path)
        else:
            raise DataError(
                f"{path} is neither a folder nor a zip archive of the Kaggle CSV files. "
                f"Give the folder that holds application_train.csv, or {KAGGLE_ARCHIVE}."
            )

    def _open_archive(self, archive: Path) -> None:
        self._archive = archive
        try:
            with zipfile.ZipFile(archive) as opened:
                names = [name for name in opened.namelist() if not name.endswith("/")]
        except zipfile.BadZipFile as error:
            raise DataError(f"{archive} is not a readable zip archive ({error}).") from error
        # Shallowest member wins when a name appears twice (e.g. a copy under __MACOSX/).
        for name in sorted(names, key=lambda member: (member.count("/"), member)):
            self._members.setdefault(name.rsplit("/", 1)[-1].lower(), name)

    def where(self, table: str) -> str:
        """Where the file of ``table`` is looked for, for messages."""
        if self._archive is not None:
            return f"{table}.csv in the archive {self._archive}"
        return f"{self.path / (table + '.csv')} (or {table}.csv.zip)"

    def _folder_file(self, table: str) -> Path | None:
        for file_name in (f"{table}.csv", f"{table}.csv.zip"):
            candidate = self.path / file_name
            if candidate.is_file():
                return candidate
        lowered = {f"{table}.csv".lower(), f"{table}.csv.zip".lower()}
        for candidate in sorted(self.path.iterdir()):
            if candidate.name.lower() in lowered and candidate.is_file():
                return candidate
        return None

    def find(self, table: str) -> TableFile | None:
        """The file of ``table`` in this source, or None when it is not there."""
        if self._archive is not None:
            archive = self._archive
            for file_name in (f"{table}.csv", f"{table}.csv.zip"):
                member = self._members.get(file_name.lower())
                if member is not None:
                    return TableFile(
                        table, f"{archive}:{member}", lambda m=member: _open_member(archive, m)
                    )
            return None
        path = self._folder_file(table)
        if path is None:
            return None
        if path.name.lower().endswith(".zip"):
            return TableFile(table, str(path), lambda: _open_single_csv_zip(path))
        return TableFile(table, str(path), lambda: open(path, "rb"))  # noqa: SIM115


def _open_member(archive: Path, member: str) -> IO[bytes]:
    opened = zipfile.ZipFile(archive)
    stream = opened.open(member)
    if member.lower().endswith(".zip"):
        # A zipped CSV inside the archive: its compressed bytes are small enough to hold.
        inner = zipfile.ZipFile(io.BytesIO(stream.read()))
        return inner.open(_single_csv_member(inner, f"{archive}:{member}"))
    return stream


def _open_single_csv_zip(path: Path) -> IO[bytes]:
    try:
        opened = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise DataError(f"{path} is not a readable zip archive ({error}).") from error
    return opened.open(_single_csv_member(opened, str(path)))


def _single_csv_member(opened: zipfile.ZipFile, location: str) -> str:
    members = [name for name in opened.namelist() if name.lower().endswith(".csv")]
    if len(members) != 1:
        raise DataError(f"{location} should hold exactly one CSV file, it holds {len(members)}.")
    return members[0]


# --------------------------------------------------------------------------- reading


def read_header(table_file: TableFile) -> list[str]:
    """The column names of a CSV file (its first line); DataError when the file is empty."""
    with table_file.open() as stream:
        first_line = stream.readline()
    text = first_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text.strip():
        raise DataError(
            f"{table_file.location} is empty: it should start with the Kaggle header line. "
            "Download the file again or regenerate the data."
        )
    return next(csv.reader([text]))


def _arrow_read(
    table_file: TableFile,
    column_types: dict[str, pa.DataType],
    include_columns: list[str],
    invalid_row_handler: Callable[[pa_csv.InvalidRow], str] | None = None,
) -> pa.Table:
    # Row numbers of invalid rows are only known to a single-threaded read.
    read_options = pa_csv.ReadOptions(
        use_threads=invalid_row_handler is None, block_size=_READ_BLOCK_SIZE
    )
    parse_options = pa_csv.ParseOptions(invalid_row_handler=invalid_row_handler)
    convert_options = pa_csv.ConvertOptions(
        column_types=column_types,
        include_columns=include_columns,
        # Only an empty cell is a missing value: "NA" or "null" would be kept as text.
        null_values=[""],
        true_values=[],
        false_values=[],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    with table_file.open() as stream:
        return pa_csv.read_csv(
            stream,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )


_ROW_IN_MESSAGE = re.compile(r"In CSV column #(\d+): Row #(\d+): (.*)")


def _describe_arrow_error(error: Exception, columns: list[str]) -> str:
    message = str(error).strip().splitlines()[0]
    match = _ROW_IN_MESSAGE.search(message)
    if match:
        column_index, row, detail = int(match.group(1)), int(match.group(2)), match.group(3)
        column = columns[column_index] if column_index < len(columns) else f"#{column_index}"
        # Arrow counts rows from 1 including the header line: that is the file's line number.
        return f"column {column}, line {row}: {detail}"
    return message


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if not categories.is_monotonic_increasing:
                frame[column] = values.cat.reorder_categories(sorted(categories))
    return frame


def _typed_columns(spec: TableSpec, columns: Iterable[str]) -> dict[str, pa.DataType]:
    return {
        column: KIND_ARROW_TYPES[spec.columns[column]] if column in spec.columns else pa.string()
        for column in columns
    }


def read_table_file(
    table_file: TableFile, spec: TableSpec, columns: list[str], *, tolerant: bool
) -> pd.DataFrame:
    """Read ``columns`` of one CSV with the schema's types.

    With ``tolerant``, a column whose values do not all parse is kept as text (str) instead of
    failing, so that validation can point at the offending rows; otherwise a DataError says
    which file, columns and lines hold bad values. A file that is not a well-formed CSV (rows
    with too many fields...) raises DataError either way.
    """
    hint = separator_hint(read_header(table_file))  # a clear error for an empty file too
    if hint:
        raise DataError(f"{table_file.location} cannot be read: {hint}.")
    try:
        return _to_pandas(_arrow_read(table_file, _typed_columns(spec, columns), columns))
    except pa.ArrowInvalid as error:
        typed_error = error
    if not tolerant:
        problems = _type_problems(table_file, spec, columns)
        detail = problems or _describe_arrow_error(typed_error, columns)
        raise DataError(
            f"Cannot read {table_file.location}: {detail}. "
            "Run `credit-scoring validate` on the data for every problem in the files."
        ) from typed_error
    # Slow path, only for a file with bad values: read as text, type what can be typed.
    ragged_rows: list[pa_csv.InvalidRow] = []

    def keep_ragged_row(row: pa_csv.InvalidRow) -> str:
        ragged_rows.append(row)
        return "skip"

    try:
        as_text = _arrow_read(
            table_file, dict.fromkeys(columns, pa.string()), columns, keep_ragged_row
        )
    except pa.ArrowInvalid as error:
        raise DataError(
            f"Cannot read {table_file.location}: {_describe_arrow_error(error, columns)}. The "
            "file is not a well-formed CSV file: download it again or regenerate the data."
        ) from typed_error
    if ragged_rows:
        examples = ", ".join(
            f"line {row.number}: {row.actual_columns} fields ({row.text[:60]!r})"
            for row in ragged_rows[:3]
        )
        raise DataError(
            f"Cannot read {table_file.location}: {len(ragged_rows):,} row(s) do not have the "
            f"{ragged_rows[0].expected_columns} fields of the header, e.g. {examples}. The file "
            "is not a well-formed CSV file: download it again or regenerate the data."
        )
    arrays = {}
    for column in columns:
        values = as_text.column(column)
        kind = spec.columns.get(column)
        if kind is not None and kind != CATEGORY:
            # A column that does not cast stays text: validation reports its bad values.
            with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
                values = pc.cast(values, KIND_ARROW_TYPES[kind])
        elif kind == CATEGORY:
            values = pc.dictionary_encode(values)
        arrays[column] = values
    return _to_pandas(pa.table(arrays))


def _type_problems(table_file: TableFile, spec: TableSpec, columns: list[str]) -> str:
    """The values of the wrong type in a file, described for an error message ("" if none)."""
    frame = read_table_file(table_file, spec, columns, tolerant=True)
    return "; ".join(
        f"column {finding.column}: {finding.message} "
        f"(line{'s' * (len(finding.rows) > 1)} {', '.join(map(str, finding.rows))})"
        for finding in check_types(spec.name, frame)
    )


#: Separators people's spreadsheets use instead of Kaggle's comma.
OTHER_SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def separator_hint(header: list[str]) -> str | None:
    """What to do when a header line was not split by commas (a file saved with ';' by a
    French-locale spreadsheet...), or None when the header looks comma-separated."""
    if len(header) > 2:
        return None
    text = ",".join(header)
    counts = {separator: text.count(separator) for separator in OTHER_SEPARATORS}
    separator, count = max(counts.items(), key=lambda item: item[1])
    if count < 1:
        return None
    return (
        f"the file seems separated by {OTHER_SEPARATORS[separator]}, not commas: save it as "
        "CSV with commas between values and '.' as decimal mark (Kaggle's format)"
    )


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate that looks most like ``name`` (a misspelling), or None."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _spec(name: str) -> TableSpec:
    if name not in TABLES:
        raise DataError(f"Unknown table {name!r}. The Kaggle tables are: {', '.join(TABLES)}.")
    return TABLES[name]


def load_table(source: str | Path, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read one Kaggle table from a folder or archive, with the schema's memory-lean dtypes.

    Parameters
    ----------
    source : folder of the Kaggle CSV files, or home-credit-default-risk.zip.
    name : table name, e.g. ``"bureau"`` (see ``credit_scoring.data.schema.TABLES``).
    columns : the columns to read (default: every column of the schema), in this order.

    Returns a DataFrame with values as in the file (empty cells are NaN; placeholders kept).
    Raises DataError when the file or a requested column is missing or a value does not parse.
    """
    spec = _spec(name)
    data_source = source if isinstance(source, DataSource) else DataSource(source)
    table_file = data_source.find(name)
    if table_file is None:
        raise DataError(
            f"No {name}.csv in {data_source.path}: looked for {data_source.where(name)}. "
            + WHAT_TO_DO_NO_DATA
        )
    wanted = list(spec.columns) if columns is None else list(columns)
    unknown = [column for column in wanted if column not in spec.columns]
    if unknown:
        raise DataError(
            f"{name} has no column {', '.join(unknown)}. Its columns are listed in "
            "credit_scoring.data.schema."
        )
    header = read_header(table_file)
    absent = [column for column in wanted if column not in header]
    hint = separator_hint(header) if absent else None
    if hint:
        raise DataError(f"{table_file.location} cannot be read: {hint}.")
    if absent:
        hints = []
        for column in absent:
            guess = closest_name(column, [c for c in header if c not in spec.columns])
            hints.append(f"{column} (the file has {guess}: rename it)" if guess else column)
        raise DataError(
            f"{table_file.location} lacks the column(s) {', '.join(hints)}. Fix the header "
            "to Kaggle's column names, or run `credit-scoring validate` for a full report."
        )
    return read_table_file(table_file, spec, wanted, tolerant=False)


# --------------------------------------------------------------------------- several tables


class MissingTableError(DataError, KeyError):
    """A table that was not read from the source: a DataError, and a KeyError so that
    LoadedTables stays a Mapping (``get``, ``in``)."""

    __str__ = DataError.__str__  # KeyError's would quote the message


class LoadedTables(Mapping[str, pd.DataFrame]):
    """The tables read from one source: ``tables["bureau"]``, ``"bureau" in tables``.

    ``missing`` lists the requested tables whose file is not in the source (the pipeline goes on
    without them), ``source`` is where they were read from, ``report`` the ValidationReport when
    they were validated (else None).
    """

    def __init__(
        self,
        frames: dict[str, pd.DataFrame],
        *,
        source: Path | None = None,
        missing: Iterable[str] = (),
        report: ValidationReport | None = None,
    ):
        self._frames = dict(frames)
        self.source = source
        self.missing: tuple[str, ...] = tuple(missing)
        self.report = report
        #: Tables whose file exists but could not be read at all (validation only), with why.
        self.unreadable: dict[str, str] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            where = f" in {self.source}" if self.source is not None else ""
            if name in self.missing:
                raise MissingTableError(f"{name} is missing{where}: the source has no {name}.csv")
            raise MissingTableError(f"{name} was not loaded{where}")
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def row_counts(self) -> dict[str, int]:
        """Number of rows of each loaded table."""
        return {name: len(frame) for name, frame in self._frames.items()}

    def __repr__(self) -> str:
        loaded = ", ".join(f"{name}: {len(frame):,} rows" for name, frame in self._frames.items())
        missing = f"; missing: {', '.join(self.missing)}" if self.missing else ""
        return f"LoadedTables({self.source}; {loaded}{missing})"


def read_tables(
    source: str | Path, tables: Iterable[str] | None = None, *, for_validation: bool
) -> LoadedTables:
    """Read the requested tables (default: all seven); the building block of loading and validation.

    With ``for_validation``, columns outside the schema are kept (as text) and columns whose values
    do not parse are kept as text, so that validation can report them; otherwise such problems
    raise DataError, and files that cannot be read at all are listed in ``.unreadable``.
    A missing application_train raises DataError when it is requested.
    """
    names = list(TABLES) if tables is None else [_spec(name).name for name in tables]
    data_source = source if isinstance(source, DataSource) else DataSource(source)
    frames: dict[str, pd.DataFrame] = {}
    missing = []
    unreadable: dict[str, str] = {}
    for name in track(names, "reading tables", "table"):
        spec = TABLES[name]
        table_file = data_source.find(name)
        if table_file is None:
            if spec.required:
                raise DataError(
                    f"The required file {name}.csv is missing: looked for "
                    f"{data_source.where(name)}. {WHAT_TO_DO_NO_DATA}"
                )
            missing.append(name)
            continue
        if not for_validation:
            frames[name] = load_table(data_source, name)
            continue
        try:
            header = read_header(table_file)
            frames[name] = read_table_file(table_file, spec, header, tolerant=True)
        except DataError as error:
            unreadable[name] = str(error)
    loaded = LoadedTables(frames, source=data_source.path, missing=missing)
    loaded.unreadable = unreadable
    return loaded


__all__ = [
    "APPLICATIONS",
    "DataSource",
    "LoadedTables",
    "MissingTableError",
    "TableFile",
    "closest_name",
    "load_table",
    "read_header",
    "read_table_file",
    "read_tables",
    "separator_hint",
]
