"""Findings about Home Credit data and the report that collects them; the type check of a column.

The lowest part of the data layer's checks, shared by reading (a file whose values do not parse is
described with :func:`check_types`) and validation (every check produces :class:`Finding` objects
in a :class:`ValidationReport`). Row numbers are line numbers of the CSV file: the header is line 1,
the first data row line 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.schema import CATEGORY, FLAG, ID, INT, KIND_DTYPES, TABLES

ERROR = "error"
WARNING = "warning"
INFO = "info"
LEVELS = (ERROR, WARNING, INFO)

#: How many example line numbers a finding quotes.
EXAMPLE_ROWS = 5

_INTEGER_KINDS = frozenset({ID, FLAG, INT})


@dataclass(frozen=True)
class Finding:
    """One problem (or quirk) found in the data."""

    level: str
    table: str
    message: str
    action: str = ""
    column: str | None = None
    #: A few example line numbers of the CSV file (header = line 1).
    rows: tuple[int, ...] = ()
    #: How many rows are concerned (0 when the finding is not about rows).
    count: int = 0

    @property
    def file(self) -> str:
        """The CSV file name of the table."""
        return f"{self.table}.csv"

    def format(self) -> str:
        """One readable line (two with what to do)."""
        where = self.file + (f", column {self.column}" if self.column else "")
        text = f"{self.level.upper():<7} {where}: {self.message}"
        if self.rows:
            extra = self.count - len(self.rows)
            more = f" (and {extra:,} more)" if extra > 0 else ""
            text += f" [line{'s' if len(self.rows) > 1 else ''} "
            text += ", ".join(str(row) for row in self.rows) + more + "]"
        if self.action:
            text += f"\n        -> {self.action}"
        return text


@dataclass
class ValidationReport:
    """The findings of a validation, plus each table's row count (None for a missing table)."""

    source: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    row_counts: dict[str, int | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and infos are fine)."""
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == WARNING]

    @property
    def infos(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.level == INFO]

    def for_table(self, table: str) -> list[Finding]:
        """The findings about one table."""
        return [finding for finding in self.findings if finding.table == table]

    def table_status(self, table: str) -> str:
        """ "ok", "missing", or the number of errors and warnings of a table."""
        if self.row_counts.get(table) is None:
            unreadable = any(f.level == ERROR for f in self.for_table(table))
            return "unreadable" if unreadable and not TABLES[table].required else "missing"
        findings = self.for_table(table)
        errors = sum(finding.level == ERROR for finding in findings)
        warnings = sum(finding.level == WARNING for finding in findings)
        parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
        parts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
        return ", ".join(parts) if parts else "ok"

    def format(self) -> str:
        """A readable multi-line report: one line per table, then the findings."""
        verdict = "VALID" if self.ok else f"INVALID ({len(self.errors)} errors)"
        lines = [f"Home Credit data in {self.source}: {verdict}", ""]
        for table in self.row_counts:
            count = self.row_counts[table]
            rows = "-" if count is None else f"{count:,} rows"
            lines.append(f"  {table + '.csv':<28} {rows:>16}   {self.table_status(table)}")
        for level, title in ((ERROR, "Errors"), (WARNING, "Warnings"), (INFO, "Notes")):
            chosen = [finding for finding in self.findings if finding.level == level]
            if chosen:
                lines += ["", f"{title} ({len(chosen)}):"]
                lines += [f"  {finding.format()}" for finding in chosen]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


# --------------------------------------------------------------------------- helpers


def example_lines(mask: np.ndarray) -> tuple[tuple[int, ...], int]:
    """Example CSV line numbers (header = line 1) and count of the rows where ``mask`` is true."""
    positions = np.flatnonzero(mask)
    return tuple(int(position) + 2 for position in positions[:EXAMPLE_ROWS]), int(len(positions))


def example_value(values: pd.Series, mask: np.ndarray) -> object:
    """The first value where ``mask`` is true, as a plain Python value (for messages)."""
    value = values.iloc[int(np.flatnonzero(mask)[0])]
    return value.item() if isinstance(value, np.generic) else value


def check_types(table: str, frame: pd.DataFrame) -> list[Finding]:
    """Errors for the values of ``frame`` that are not of their column's kind (e.g. text in a number
    column, a decimal in an integer column)."""
    findings: list[Finding] = []
    add_type_findings(table, frame, findings)
    return findings


def add_type_findings(table: str, frame: pd.DataFrame, findings: list[Finding]) -> None:
    """Append to ``findings`` an error per column of ``frame`` holding values not of its kind."""
    for column, kind in TABLES[table].columns.items():
        if column not in frame.columns or kind == CATEGORY:
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype):
            if kind in _INTEGER_KINDS and values.dtype.kind == "f":
                array = values.to_numpy()
                bad = ~np.isnan(array) & (np.mod(array, 1) != 0)
                if bad.any():
                    _add_type_finding(table, column, kind, values, bad, findings)
            continue
        as_number = pd.to_numeric(values, errors="coerce")
        bad = (values.notna() & as_number.isna()).to_numpy(copy=True)
        if kind in _INTEGER_KINDS:
            limits = np.iinfo(KIND_DTYPES[kind])
            numbers = as_number.to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad |= ~np.isnan(numbers) & (
                    (np.mod(numbers, 1) != 0) | (numbers < limits.min) | (numbers > limits.max)
                )
        _add_type_finding(table, column, kind, values, bad, findings)


def _add_type_finding(table, column, kind, values, bad, findings) -> None:
    if not bad.any():
        return
    rows, count = example_lines(bad)
    example = example_value(values, bad)
    wanted = "whole numbers" if kind in _INTEGER_KINDS else "numbers"
    findings.append(
        Finding(
            ERROR,
            table,
            f"{count:,} value(s) are not {wanted} ({np.dtype(KIND_DTYPES[kind]).name}), "
            f"e.g. {example!r}",
            "correct or empty these cells; a number uses '.' as decimal mark and no separator",
            column=column,
            rows=rows,
            count=count,
        )
    )


__all__ = [
    "ERROR",
    "EXAMPLE_ROWS",
    "INFO",
    "LEVELS",
    "WARNING",
    "Finding",
    "ValidationReport",
    "check_types",
]
