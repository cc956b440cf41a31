"""The shared tiny Kaggle tables (helpers.py) with possible application values.

helpers.py fills the cells a test does not give with one plain value per column kind: -100 for
every integer (so CNT_CHILDREN = -100) and 0.5 for every other number (so CNT_FAM_MEMBERS = 0.5).
and 0.5 for the day offsets written with a decimal point (DAYS_REGISTRATION: after the application
day). Validation refuses such values (they are impossible, see
credit_scoring.data.validation.impossible_values), so the tests of reading and validation use these
writers, which give those application cells a possible default (0 children, 1 family member...).
"""

from __future__ import annotations

import csv
from pathlib import Path

from helpers import write_table as _write_table
from helpers import write_tiny_dataset as _write_tiny_dataset

from credit_scoring.data.schema import APPLICATIONS
from credit_scoring.data.validation import WHOLE_COUNTS

#: A possible value for each application cell whose helpers.py default is impossible.
POSSIBLE_COUNTS = {column: "0" for column in WHOLE_COUNTS} | {
    "CNT_FAM_MEMBERS": "1",
    "DAYS_REGISTRATION": "-100.0",
    "DAYS_LAST_PHONE_CHANGE": "-100.0",
}
#: The helpers.py defaults replaced (a value a test gave on purpose is kept).
_IMPOSSIBLE_DEFAULTS = {"-100", "0.5"}


def write_table(folder: Path, name: str, rows: list[dict], header: list[str] | None = None) -> Path:
    """helpers.write_table, with possible counts in the application cells not given."""
    if name in APPLICATIONS:
        rows = [POSSIBLE_COUNTS | row for row in rows]
    return _write_table(folder, name, rows, header)


def write_tiny_dataset(folder: Path) -> Path:
    """helpers.write_tiny_dataset, with possible counts in the applications."""
    folder = _write_tiny_dataset(folder)
    for name in APPLICATIONS:
        path = folder / f"{name}.csv"
        with open(path, newline="") as file:
            lines = list(csv.reader(file))
        header = lines[0]
        for line in lines[1:]:
            for column, value in POSSIBLE_COUNTS.items():
                if column in header and line[header.index(column)] in _IMPOSSIBLE_DEFAULTS:
                    line[header.index(column)] = value
        with open(path, "w", newline="") as file:
            csv.writer(file, lineterminator="\n").writerows(lines)
    return folder
