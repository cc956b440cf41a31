"""Check Kaggle Home Credit tables and report every problem with where it is and what to do.

A :class:`ValidationReport` is a list of :class:`Finding` objects, each an ``error`` (the data
cannot be used as it is), a ``warning`` (the pipeline goes on, but look) or an ``info`` (a known
quirk of the data, counted). Row numbers are line numbers of the CSV file: the header is line 1,
the first data row line 2.

All checks are vectorized (numpy/pandas), so a full-size Kaggle dataset is checked in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.findings import (
    ERROR,
    EXAMPLE_ROWS,
    INFO,
    LEVELS,
    WARNING,
    Finding,
    ValidationReport,
    add_type_findings,
    check_types,
    example_lines,
    example_value,
)
from credit_scoring.data.reading import DataSource, closest_name, read_tables, separator_hint
from credit_scoring.data.schema import (
    APPLICANT_KEY,
    APPLICATIONS,
    CATEGORY,
    DAYS_PLACEHOLDER,
    FLAG,
    INT,
    NON_NULLABLE_KINDS,
    PLACEHOLDER_CATEGORIES,
    PLACEHOLDER_DAY_COLUMNS,
    TABLES,
    TARGET,
)

#: Parent name used in the schema for "any applicant of application_train or application_test".
ANY_APPLICATION = "applications"

# --------------------------------------------------------------------------- impossible values
# What no application can hold, whatever the data: one definition used by `validate` (findings
# with file, column and lines) and by scoring (credit_scoring.scoring.inputs: the row is refused).

#: Money amounts of an application that must be above zero when given (an income or a credit
#: of 0 or less is not a value, it is an error of entry); empty cells are missing, not wrong.
POSITIVE_AMOUNTS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")

#: Counts of an application: whole numbers, 0 or more.
WHOLE_COUNTS = (
    "CNT_CHILDREN",
    "CNT_FAM_MEMBERS",
    "OBS_30_CNT_SOCIAL_CIRCLE",
    "DEF_30_CNT_SOCIAL_CIRCLE",
    "OBS_60_CNT_SOCIAL_CIRCLE",
    "DEF_60_CNT_SOCIAL_CIRCLE",
    "AMT_REQ_CREDIT_BUREAU_HOUR",
    "AMT_REQ_CREDIT_BUREAU_DAY",
    "AMT_REQ_CREDIT_BUREAU_WEEK",
    "AMT_REQ_CREDIT_BUREAU_MON",
    "AMT_REQ_CREDIT_BUREAU_QRT",
    "AMT_REQ_CREDIT_BUREAU_YEAR",
)

#: Day offsets of an application counted back from the application day: 0 or less (the
#: placeholder DAYS_PLACEHOLDER, "not applicable", is allowed where the schema says so).
PAST_DAYS = (
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "DAYS_REGISTRATION",
    "DAYS_ID_PUBLISH",
    "DAYS_LAST_PHONE_CHANGE",
)

#: Machine codes of the impossible values, with their description in the validation report.
IMPOSSIBLE_VALUE_CODES = {
    "not_finite": "value(s) are infinite or not a number",
    "amount_not_positive": "amount(s) are zero or negative (an amount is above 0)",
    "count_negative": "count(s) are negative (a count is 0 or more)",
    "count_not_whole": "count(s) are not whole numbers",
    "not_whole": "value(s) are not whole numbers",
    "flag_not_binary": "flag(s) are neither 0 nor 1",
    "day_in_future": "day offset(s) are after the application day (they are 0 or less)",
    "too_large": "value(s) are too large for the column (beyond a 32-bit whole number)",
}


def _numbers(values: pd.Series) -> np.ndarray | None:
    """A column as float64 (text that does not parse becomes NaN: the type check reports it);
    None for a text or categorical column."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return None
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    as_number = pd.to_numeric(values, errors="coerce")
    if as_number.notna().sum() == 0:
        return None
    return as_number.to_numpy(dtype=np.float64, na_value=np.nan)


def impossible_values(frame: pd.DataFrame, table: str = "application_test"):
    """The impossible values of application rows, rule by rule.

    Yields ``(column, code, mask)`` for every rule broken by at least one row, ``mask`` marking
    those rows (positions in ``frame``); codes are the keys of ``IMPOSSIBLE_VALUE_CODES``.
    Missing values are never impossible (an empty cell is missing data, not a wrong value).
    """
    columns = TABLES[table].columns
    placeholder_days = set(PLACEHOLDER_DAY_COLUMNS.get(table, ()))
    int32 = np.iinfo(np.int32)
    for column, kind in columns.items():
        if column not in frame.columns or column in (APPLICANT_KEY, TARGET) or kind == CATEGORY:
            continue
        numbers = _numbers(frame[column])
        if numbers is None:
            continue
        known = ~np.isnan(numbers)
        with np.errstate(invalid="ignore"):
            finite = known & np.isfinite(numbers)
            masks = {"not_finite": known & ~finite}
            if kind in (FLAG,):
                masks["flag_not_binary"] = finite & (numbers != 0) & (numbers != 1)
            if column in POSITIVE_AMOUNTS:
                masks["amount_not_positive"] = finite & (numbers <= 0)
            if column in WHOLE_COUNTS:
                masks["count_negative"] = finite & (numbers < 0)
                masks["count_not_whole"] = finite & (numbers != np.round(numbers))
            if column in PAST_DAYS:
                allowed = numbers == DAYS_PLACEHOLDER if column in placeholder_days else False
                masks["day_in_future"] = finite & (numbers > 0) & ~allowed
            if kind == INT and column not in WHOLE_COUNTS:
                masks["not_whole"] = finite & (numbers != np.round(numbers))
            if kind in (INT,) or column in WHOLE_COUNTS:
                masks["too_large"] = finite & ((numbers > int32.max) | (numbers < int32.min))
        for code, mask in masks.items():
            if mask.any():
                yield column, code, mask


def _check_impossible_values(
    table: str, frame: pd.DataFrame, findings: list[Finding], mistyped: set[str]
) -> None:
    if table not in APPLICATIONS:
        return
    for column, code, mask in impossible_values(frame, table):
        if column in mistyped:
            continue  # a column whose values are not of its type is reported once, as such
        rows, count = example_lines(mask)
        example = example_value(frame[column], mask)
        findings.append(
            Finding(
                ERROR,
                table,
                f"{count:,} {IMPOSSIBLE_VALUE_CODES[code]}, e.g. {example!r}",
                "correct these cells (or empty them when the value is unknown)",
                column=column,
                rows=rows,
                count=count,
            )
        )


def _check_has_rows(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    if table not in APPLICATIONS or len(frame):
        return
    action = (
        "export the applications again: the file holds its header line only"
        if table == "application_train"
        else "export the new applications again, or remove the file when there are none"
    )
    findings.append(Finding(ERROR, table, "the file has a header and no rows", action))


# --------------------------------------------------------------------------- helpers


def _is_member(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Vectorized ``values in allowed`` for integer ids (a lookup table when ids are small)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    if len(allowed) == 0:
        return np.zeros(len(values), dtype=bool)
    low = min(int(values.min()), int(allowed.min()))
    high = max(int(values.max()), int(allowed.max()))
    if low >= 0 and high < 200_000_000:
        lookup = np.zeros(high + 1, dtype=bool)
        lookup[allowed] = True
        return lookup[values]
    return pd.Series(values).isin(pd.unique(allowed)).to_numpy()


def _integer_ids(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """The column as int64 ids when it is a clean integer column, else None."""
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or values.isna().any():
        return None
    array = values.to_numpy()
    if array.dtype.kind == "f" and not np.all(np.mod(array, 1) == 0):
        return None
    return array.astype(np.int64, copy=False)


def _duplicated(frame: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray | None:
    """Mask of the rows whose key appeared on an earlier row (None when the key is unusable)."""
    parts = [_integer_ids(frame, column) for column in key]
    if any(part is None for part in parts):
        return None
    if len(parts) == 1:
        combined = parts[0]
    else:
        combined = parts[0]
        for part in parts[1:]:
            offset = part - part.min()
            span = int(offset.max()) + 1 if len(offset) else 1
            combined = combined * span + offset
    if len(combined) < 2:
        return np.zeros(len(combined), dtype=bool)
    # Fast proofs of uniqueness first (a sorted key, then a sorted copy); positions of the
    # repeated rows are only computed (with a hash table) when there are some.
    steps = np.diff(combined)
    if (steps > 0).all() or (steps < 0).all():
        return np.zeros(len(combined), dtype=bool)
    del steps
    ordered = np.sort(combined)
    if not (ordered[1:] == ordered[:-1]).any():
        return np.zeros(len(combined), dtype=bool)
    del ordered
    return pd.Series(combined).duplicated(keep="first").to_numpy()


# --------------------------------------------------------------------------- per-table checks


def _check_columns(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    expected = TABLES[table].columns
    present = list(frame.columns)
    hint = separator_hint(present) if not set(present) & set(expected) else None
    if hint:
        message, action = hint.split(": ", 1)
        findings.append(Finding(ERROR, table, message, action))
        return
    extra = [column for column in present if column not in expected]
    for column in expected:
        if column in frame.columns:
            continue
        guess = closest_name(column, extra)
        if guess:
            message = f"column {column} is missing; the file has {guess}, a misspelling of it"
            action = f"rename {guess} to {column} in the header line"
        else:
            message = f"column {column} is missing"
            action = "use the Kaggle file as downloaded, or regenerate the data"
        findings.append(Finding(ERROR, table, message, action, column=column))
    for column in extra:
        guess = closest_name(column, [c for c in expected if c not in frame.columns]) or (
            closest_name(column, expected)
        )
        hint = f"; did you mean {guess}?" if guess else ""
        findings.append(
            Finding(
                WARNING,
                table,
                f"unexpected column {column}{hint}",
                "the column is ignored; remove it or fix its name",
                column=column,
            )
        )


def _check_empty_cells(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    for column, kind in TABLES[table].columns.items():
        if column not in frame.columns or kind not in NON_NULLABLE_KINDS:
            continue
        empty = frame[column].isna().to_numpy()
        if empty.any():
            rows, count = example_lines(empty)
            findings.append(
                Finding(
                    ERROR,
                    table,
                    f"{count:,} empty cell(s) in a column that is never empty in Kaggle's files",
                    "fill these cells or remove the rows",
                    column=column,
                    rows=rows,
                    count=count,
                )
            )


def _check_target(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    if TARGET not in frame.columns or TARGET not in TABLES[table].columns:
        return
    values = pd.to_numeric(frame[TARGET], errors="coerce")
    bad = (values.notna() & ~values.isin([0, 1])).to_numpy()
    if bad.any():
        rows, count = example_lines(bad)
        example = example_value(frame[TARGET], bad)
        findings.append(
            Finding(
                ERROR,
                table,
                f"TARGET must be 0 or 1; {count:,} row(s) hold something else, e.g. {example!r}",
                "TARGET is 1 for payment difficulties, 0 otherwise: fix these rows",
                column=TARGET,
                rows=rows,
                count=count,
            )
        )


def _check_unique_key(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    key = TABLES[table].unique_key
    if not key or any(column not in frame.columns for column in key):
        return
    repeated = _duplicated(frame, key)
    if repeated is None or not repeated.any():
        return
    rows, count = example_lines(repeated)
    name = " + ".join(key)
    findings.append(
        Finding(
            ERROR,
            table,
            f"{count:,} row(s) repeat a {name} already seen on an earlier line",
            f"{name} identifies a row: remove the duplicated rows",
            column=name,
            rows=rows,
            count=count,
        )
    )


def _check_quirks(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    for column in PLACEHOLDER_DAY_COLUMNS.get(table, ()):
        if column not in frame.columns or not pd.api.types.is_numeric_dtype(frame[column].dtype):
            continue
        count = int((frame[column] == DAYS_PLACEHOLDER).sum())
        if count:
            findings.append(
                Finding(
                    INFO,
                    table,
                    f"{count:,} row(s) hold the placeholder {DAYS_PLACEHOLDER} "
                    "(not applicable: no such date)",
                    column=column,
                    count=count,
                )
            )
    placeholder_counts = {}
    for column in frame.columns:
        if TABLES[table].columns.get(column) != CATEGORY:
            continue
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            counts = values.value_counts(sort=False)
            found = {level: int(counts.get(level, 0)) for level in PLACEHOLDER_CATEGORIES}
        else:
            found = {level: int((values == level).sum()) for level in PLACEHOLDER_CATEGORIES}
        for level, count in found.items():
            if count:
                placeholder_counts.setdefault(level, []).append(f"{column} {count:,}")
    for level, parts in placeholder_counts.items():
        meaning = "not available" if level == "XNA" else "not applicable"
        findings.append(Finding(INFO, table, f"level {level} ({meaning}) in: {', '.join(parts)}"))
    empty_columns = int((frame.isna().sum() > 0).sum())
    if empty_columns:
        findings.append(
            Finding(INFO, table, f"{empty_columns} column(s) have empty cells (missing values)")
        )


# --------------------------------------------------------------------------- cross-table checks


def _applicant_ids(tables: Mapping[str, pd.DataFrame]) -> np.ndarray | None:
    parts = []
    for name in APPLICATIONS:
        if name in tables and APPLICANT_KEY in tables[name].columns:
            ids = _integer_ids(tables[name], APPLICANT_KEY)
            if ids is None:
                return None
            parts.append(ids)
    return np.concatenate(parts) if parts else None


def _check_train_test_overlap(tables: Mapping[str, pd.DataFrame], findings: list[Finding]) -> None:
    if not all(name in tables for name in APPLICATIONS):
        return
    train_ids = _integer_ids(tables["application_train"], APPLICANT_KEY)
    test_ids = (
        _integer_ids(tables["application_test"], APPLICANT_KEY)
        if APPLICANT_KEY in tables["application_test"].columns
        else None
    )
    if train_ids is None or test_ids is None:
        return
    in_train = _is_member(test_ids, train_ids)
    if in_train.any():
        rows, count = example_lines(in_train)
        findings.append(
            Finding(
                ERROR,
                "application_test",
                f"{count:,} applicant(s) are also in application_train.csv, e.g. "
                f"SK_ID_CURR {int(test_ids[in_train][0])}",
                "an applicant is either known (train) or new (test): remove them from one file",
                column=APPLICANT_KEY,
                rows=rows,
                count=count,
            )
        )


def _check_parents(
    tables: Mapping[str, pd.DataFrame], missing: set[str], findings: list[Finding]
) -> None:
    applicant_ids = _applicant_ids(tables)
    for table, frame in tables.items():
        for column, parent in TABLES[table].parent_keys:
            if column not in frame.columns:
                continue
            child_ids = _integer_ids(frame, column)
            if child_ids is None:
                continue
            if parent == ANY_APPLICATION:
                parent_ids, parent_name = applicant_ids, "application_train or application_test"
            elif parent in tables and column in tables[parent].columns:
                parent_ids, parent_name = _integer_ids(tables[parent], column), parent
            else:
                if parent in missing:
                    findings.append(
                        Finding(
                            INFO,
                            table,
                            f"{column} not checked: {parent}.csv is missing",
                            column=column,
                        )
                    )
                continue
            if parent_ids is None:
                continue
            orphans = ~_is_member(child_ids, parent_ids)
            if orphans.any():
                rows, count = example_lines(orphans)
                share = count / len(child_ids)
                findings.append(
                    Finding(
                        WARNING,
                        table,
                        f"{count:,} row(s) ({share:.1%}) have a {column} found in no "
                        f"{parent_name} row",
                        "they are ignored by the features; expected with a sample of the data",
                        column=column,
                        rows=rows,
                        count=count,
                    )
                )


# --------------------------------------------------------------------------- entry points


def validate_tables(
    tables: Mapping[str, pd.DataFrame], check_values: bool = True
) -> ValidationReport:
    """Check tables already in memory (a LoadedTables or a dict of DataFrames by table name).

    Row numbers in findings assume each frame holds the rows of its CSV file in file order.
    Tables not given are reported as missing (an error for application_train, a warning else).
    An application file without rows is an error; so are impossible values in the applications
    (see ``impossible_values``) unless ``check_values`` is False (scoring checks them row by row
    and refuses only the rows concerned).
    """
    source = getattr(tables, "source", None)
    missing = set(getattr(tables, "missing", ()))
    unreadable: dict[str, str] = getattr(tables, "unreadable", {})
    unknown = [name for name in tables if name not in TABLES]
    findings: list[Finding] = []
    report = ValidationReport(source=source, findings=findings)
    for name, spec in TABLES.items():
        if name in tables:
            report.row_counts[name] = len(tables[name])
            continue
        report.row_counts[name] = None
        if name in unreadable:
            findings.append(
                Finding(
                    ERROR,
                    name,
                    f"file cannot be read: {unreadable[name]}",
                    "download the file again or regenerate the data",
                )
            )
            missing.add(name)
        elif spec.required:
            findings.append(
                Finding(
                    ERROR,
                    name,
                    "required file is missing",
                    "generate data with `credit-scoring generate --out DIR` or download the "
                    "Kaggle files into this folder",
                )
            )
        else:
            consequence = (
                "no new applicants to score"
                if name in APPLICATIONS
                else "the pipeline goes on without its features"
            )
            findings.append(Finding(WARNING, name, f"file is missing: {consequence}"))
            missing.add(name)
    for name in unknown:
        findings.append(Finding(WARNING, name, "not a Kaggle Home Credit table; ignored"))
    known = {name: frame for name, frame in tables.items() if name in TABLES}
    for name, frame in known.items():
        _check_columns(name, frame, findings)
        before = len(findings)
        add_type_findings(name, frame, findings)
        mistyped = {finding.column for finding in findings[before:]}
        _check_empty_cells(name, frame, findings)
        _check_target(name, frame, findings)
        _check_unique_key(name, frame, findings)
        _check_has_rows(name, frame, findings)
        if check_values:
            _check_impossible_values(name, frame, findings, mistyped)
    _check_train_test_overlap(known, findings)
    _check_parents(known, missing, findings)
    for name, frame in known.items():
        _check_quirks(name, frame, findings)
    order = {level: index for index, level in enumerate(LEVELS)}
    table_order = {name: index for index, name in enumerate(TABLES)}
    findings.sort(key=lambda finding: (order[finding.level], table_order.get(finding.table, 99)))
    return report


def validate_source(source: str | Path) -> ValidationReport:
    """Read and check a folder (or the Kaggle zip) of Home Credit CSV files.

    Raises DataError only when the source itself does not exist or cannot be opened; every problem
    in the files (a missing application_train included) is a finding of the report.
    """
    data_source = DataSource(source)
    present = [name for name in TABLES if data_source.find(name) is not None]
    return validate_tables(read_tables(data_source, present, for_validation=True))


__all__ = [
    "ERROR",
    "EXAMPLE_ROWS",
    "IMPOSSIBLE_VALUE_CODES",
    "INFO",
    "LEVELS",
    "PAST_DAYS",
    "POSITIVE_AMOUNTS",
    "WARNING",
    "WHOLE_COUNTS",
    "Finding",
    "ValidationReport",
    "impossible_values",
    "validate_source",
    "check_types",
    "validate_tables",
]
