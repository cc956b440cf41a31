"""Application values a score must never be given silently: impossible ones, implausible ones.

One check, :func:`check_applications`, used by ``credit-scoring score`` (scoring/batch.py) and the
dashboard's what-if (through :func:`check_edited_application`). It returns one
:class:`InputFinding` per row and column concerned, with a machine code and a message in the
product's languages (words in ``i18n/<lang>/inputs.json``):

- **impossible** values (severity ``"error"``): what no application can hold, whatever the
  training data — an income or amount of 0 or less, a negative or non-whole count, a flag other
  than 0/1, a day offset after the application day, an infinite value, a value beyond a 32-bit
  whole number (codes and rules: :func:`credit_scoring.data.validation.impossible_values`, the
  same rules ``credit-scoring validate`` reports). Such a row is **not scored**.
- **implausible** values (severity ``"warning"``): possible, but far from anything the model
  learned from; the row is scored and the warning travels with its score.

  * ``above_training_range`` / ``below_training_range``: a number beyond ``RANGE_FACTOR`` (10)
    times the training 99.9th percentile, or below a tenth of the 0.1st percentile (for a
    negative percentile, such as the day offsets, the factors swap: 10 times further from 0 on the
    low side, 10 times closer to 0 on the high side), and outside the training minimum-maximum.
    A value the training data held is therefore never flagged. Flags (0/1) have no range check.
  * ``unseen_level``: a category level (e.g. a NAME_CONTRACT_TYPE) no training applicant had.

The training ranges and levels (the *reference*) are computed by the pipeline's explain step
from the training rows of applications.parquet (:func:`build_application_reference`) and written
as ``application_reference.json``; scoring only reads them. Without a reference (artifacts built
before it existed) only the impossible values are checked, and the caller says so
(:data:`NO_REFERENCE`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.artifacts import (
    APPLICATION_REFERENCE,
    SPLIT,
    TRAIN,
    read_json_artifact,
    write_json_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY, CATEGORY, FLAG, TABLES, TARGET
from credit_scoring.data.validation import impossible_values
from credit_scoring.errors import ArtifactError, DataError
from credit_scoring.i18n import DEFAULT_LANGUAGE, catalog, check_language, translate
from credit_scoring.i18n.formatting import format_number

ERROR = "error"
WARNING = "warning"

#: How far beyond the training percentiles a value must be to be implausible (see the docstring).
RANGE_FACTOR = 10.0
#: The training percentiles the plausible range is built on.
REFERENCE_QUANTILES = (0.001, 0.999)

#: Codes of the implausible values (scored, with a warning).
ABOVE_RANGE = "above_training_range"
BELOW_RANGE = "below_training_range"
UNSEEN_LEVEL = "unseen_level"
#: Code of the warning given to every row checked without a reference (older artifacts).
NO_REFERENCE = "no_application_reference"

#: The application table whose columns are checked (application_train's, without TARGET).
_APPLICATION_TABLE = "application_test"


@dataclass(frozen=True)
class InputFinding:
    """One impossible (``severity == "error"``) or implausible (``"warning"``) value.

    ``row`` is the position of the row in the frame checked (0-based), ``client_id`` its
    SK_ID_CURR when the frame has one, ``code`` a stable machine code, ``limit`` the bound
    crossed (range warnings only).
    """

    row: int
    client_id: int | None
    column: str
    code: str
    severity: str
    value: object
    limit: float | None = None

    @property
    def is_error(self) -> bool:
        """True when the value is impossible: the row must not be scored."""
        return self.severity == ERROR

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What is wrong, in words, for this applicant (e.g. "Client's yearly income: -5,000 is
        not possible: an amount is above 0")."""
        return translate(
            f"inputs.{self.code}",
            lang,
            label=column_label(self.column, lang),
            value=format_value(self.value, lang),
            limit="" if self.limit is None else format_value(self.limit, lang),
        )

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        """The finding as plain data (JSON-ready), with its message in ``lang``."""
        value = self.value.item() if isinstance(self.value, np.generic) else self.value
        return {
            "row": self.row,
            "client_id": self.client_id,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "value": value,
            "limit": self.limit,
            "message": self.message(lang),
        }


def column_label(column: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The words of an application column (its feature label), or its name when it has none."""
    return catalog()[check_language(lang)].get(f"feature.{column}", column)


def format_value(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A value as a person reads it in ``lang`` (numbers with the language's separators)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e12:
        return f"{value:.3g}"
    # As many decimals as the value needs (at most 3), none for a large value.
    decimals = 0
    while decimals < 3 and abs(value) < 100 and round(value, decimals) != value:
        decimals += 1
    return format_number(value, decimals, lang)


# --------------------------------------------------------------------------- the reference


def _plausible_bounds(values: np.ndarray) -> dict[str, float]:
    low_quantile, high_quantile = np.quantile(values, REFERENCE_QUANTILES)
    low = low_quantile / RANGE_FACTOR if low_quantile > 0 else low_quantile * RANGE_FACTOR
    high = high_quantile * RANGE_FACTOR if high_quantile > 0 else high_quantile / RANGE_FACTOR
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "p0.1": float(low_quantile),
        "p99.9": float(high_quantile),
        "low": float(min(values.min(), low)),
        "high": float(max(values.max(), high)),
    }


def build_application_reference(applications: pd.DataFrame) -> dict:
    """The training ranges and levels of the application columns (application_reference.json).

    ``applications`` is applications.parquet's content (Kaggle columns, and SPLIT: only the
    "train" rows are used). Returns {"training_applicants", "quantiles", "range_factor",
    "numeric": {column: {min, max, p0.1, p99.9, low, high}}, "levels": {column: [levels]}},
    where [low, high] is the plausible range (module docstring).
    """
    if SPLIT in applications.columns:
        applications = applications[applications[SPLIT].astype(str) == TRAIN]
    if applications.empty:
        raise DataError("no training applicant to compute the training ranges from")
    numeric, levels = {}, {}
    for column, kind in TABLES[_APPLICATION_TABLE].columns.items():
        if column not in applications.columns or column == APPLICANT_KEY:
            continue
        values = applications[column]
        if kind == CATEGORY:
            known = values.dropna().astype(str).unique()
            levels[column] = sorted(str(level) for level in known)
        elif kind != FLAG:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(np.float64, na_value=np.nan)
            numbers = numbers[np.isfinite(numbers)]
            if len(numbers):
                numeric[column] = _plausible_bounds(numbers)
    return {
        "training_applicants": int(len(applications)),
        "quantiles": list(REFERENCE_QUANTILES),
        "range_factor": RANGE_FACTOR,
        "numeric": numeric,
        "levels": levels,
    }


def write_application_reference(applications: pd.DataFrame, artifacts_dir: Path | str) -> Path:
    """Write application_reference.json (the explain step calls it); returns its path."""
    return write_json_artifact(
        artifacts_dir, APPLICATION_REFERENCE, build_application_reference(applications)
    )


def read_application_reference(artifacts_dir: Path | str) -> dict | None:
    """application_reference.json of an artifacts folder, or None when the artifacts predate it
    (then only impossible values can be checked); ArtifactError when it is unreadable."""
    path = Path(artifacts_dir) / APPLICATION_REFERENCE
    if not path.is_file():
        return None
    reference = read_json_artifact(
        artifacts_dir, APPLICATION_REFERENCE, "rerun the pipeline (`credit-scoring pipeline`)"
    )
    if not isinstance(reference, dict) or not isinstance(reference.get("numeric"), dict):
        raise ArtifactError(f"{path} holds no training ranges: rerun the pipeline")
    return reference


# --------------------------------------------------------------------------- the checks


def check_applications(frame: pd.DataFrame, reference: Mapping | None) -> list[InputFinding]:
    """Every impossible and implausible value of application rows (Kaggle columns).

    ``reference`` is application_reference.json's content (:func:`read_application_reference`);
    with None only the impossible values are checked. Returns the findings sorted by row, errors
    (the row must not be scored) before warnings (the row is scored, flagged).
    """
    frame = frame.reset_index(drop=True)
    ids = (
        frame[APPLICANT_KEY].to_numpy(dtype=np.float64, na_value=np.nan)
        if APPLICANT_KEY in frame.columns
        else np.full(len(frame), np.nan)
    )

    def client(position: int) -> int | None:
        return None if np.isnan(ids[position]) else int(ids[position])

    findings: list[InputFinding] = []
    impossible: set[tuple[int, str]] = set()
    for column, code, mask in impossible_values(frame, _APPLICATION_TABLE):
        values = frame[column]
        for position in np.flatnonzero(mask):
            impossible.add((int(position), column))
            findings.append(
                InputFinding(
                    int(position), client(position), column, code, ERROR, values.iloc[position]
                )
            )
    if reference is not None:
        for column, bounds in reference.get("numeric", {}).items():
            if column not in frame.columns or column == TARGET:
                continue
            numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(
                np.float64, na_value=np.nan
            )
            with np.errstate(invalid="ignore"):
                above = np.isfinite(numbers) & (numbers > bounds["high"])
                below = np.isfinite(numbers) & (numbers < bounds["low"])
            for code, mask, limit in ((ABOVE_RANGE, above, "high"), (BELOW_RANGE, below, "low")):
                for position in np.flatnonzero(mask):
                    if (int(position), column) in impossible:
                        continue  # already refused: one finding per cell
                    findings.append(
                        InputFinding(
                            int(position),
                            client(position),
                            column,
                            code,
                            WARNING,
                            float(numbers[position]),
                            float(bounds[limit]),
                        )
                    )
        for column, known in reference.get("levels", {}).items():
            if column not in frame.columns:
                continue
            values = frame[column]
            given = values.notna().to_numpy()
            unseen = given & ~values.astype(str).isin(set(known)).to_numpy()
            for position in np.flatnonzero(unseen):
                findings.append(
                    InputFinding(
                        int(position),
                        client(position),
                        column,
                        UNSEEN_LEVEL,
                        WARNING,
                        str(values.iloc[position]),
                    )
                )
    findings.sort(key=lambda finding: (finding.row, finding.severity != ERROR))
    return findings


def refused_rows(findings: Iterable[InputFinding]) -> set[int]:
    """The rows (positions) holding an impossible value: they must not be scored."""
    return {finding.row for finding in findings if finding.is_error}


def check_edited_application(
    application: pd.DataFrame, edits: Mapping[str, float], reference: Mapping | None
) -> list[InputFinding]:
    """The findings of one client's application row once ``edits`` (column → new value, as in
    ``Scorer.score_edits``) are applied, before anything is scored or cast.

    Check an edit set with this first, score it only when no finding ``is_error`` (a count of
    2.7 or 1e30 children would otherwise be truncated or wrap around when cast to a whole number),
    and show the warnings beside the simulated score. DataError when an edited column is not a
    column of the application.
    """
    if len(application) != 1:
        raise ValueError(f"one application row expected, got {len(application)}")
    row = application.reset_index(drop=True).copy()
    for column, value in edits.items():
        if column not in row.columns:
            raise DataError(f"{column} is not a column of the application")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DataError(f"{column}: {value!r} is not a number; give a number") from None
        row[column] = pd.Series([number], dtype=np.float64)
    return check_applications(row, reference)


__all__ = [
    "ABOVE_RANGE",
    "BELOW_RANGE",
    "ERROR",
    "NO_REFERENCE",
    "RANGE_FACTOR",
    "REFERENCE_QUANTILES",
    "UNSEEN_LEVEL",
    "WARNING",
    "InputFinding",
    "build_application_reference",
    "check_applications",
    "check_edited_application",
    "read_application_reference",
    "refused_rows",
    "write_application_reference",
]
