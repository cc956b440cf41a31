"""Features from the instalments due and paid on previous Home Credit loans
(installments_payments).

Kaggle writes one row per payment: an instalment paid in several parts has several rows. The
rows are first gathered per instalment (loan, version, number): amount due, total paid, last
payment day; then aggregated per applicant.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, PREVIOUS_KEY
from credit_scoring.features.aggregation import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    DEFAULT_ENGINE,
    Aggregation,
    Derived,
    aggregate,
    aggregate_per_applicant,
    feature_table,
    safe_ratio,
    side_catalog_entries,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "installments_payments"
GROUP = "payment_behaviour"
NO_HISTORY = "INST_NO_HISTORY"
INSTALMENT_KEYS = [APPLICANT_KEY, PREVIOUS_KEY, "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER"]
#: A payment short of the amount due by at most this much is not counted as short (rounding).
SHORTFALL_TOLERANCE = 1.0


# What each feature aggregates, in output column order. The labels are words:
# "feature.<name>" in i18n/<lang>/features.json, "{months}" standing for the recent window.
_AGGREGATIONS = (
    Aggregation("INST_INSTALMENT_COUNT", None, "size", "count"),
    Aggregation("INST_LATE_COUNT", "is_late", "sum", "count"),
    Aggregation("INST_SHORT_COUNT", "is_short", "sum", "count"),
    Aggregation("INST_UNPAID_COUNT", "is_unpaid", "sum", "count"),
    Aggregation("INST_MEAN_DAYS_LATE", "days_late", "mean", "days", 1),
    Aggregation("INST_MAX_DAYS_LATE", "days_late", "max", "days"),
    Aggregation("INST_MEAN_DAYS_EARLY", "days_early", "mean", "days", 1),
    Aggregation("INST_TOTAL_DUE", "AMT_INSTALMENT", "sum", "amount"),
    Aggregation("INST_TOTAL_PAID", "AMT_PAYMENT", "sum", "amount"),
    Aggregation("INST_TOTAL_SHORTFALL", "shortfall", "sum", "amount"),
    Aggregation("INST_YEARS_SINCE_LAST_PAYMENT", "years_since_payment", "min", "years", 1),
    Aggregation("INST_RECENT_COUNT", "is_recent", "sum", "count"),
    Aggregation("INST_RECENT_LATE_COUNT", "is_recent_late", "sum", "count"),
    Aggregation("INST_RECENT_SHORT_COUNT", "is_recent_short", "sum", "count"),
    Aggregation("INST_RECENT_MAX_DAYS_LATE", "recent_days_late", "max", "days"),
    Aggregation("INST_RECENT_DUE", "recent_due", "sum", "amount"),
    Aggregation("INST_RECENT_PAID", "recent_paid", "sum", "amount"),
)
_DERIVED: tuple[Derived, ...] = (
    ("INST_LATE_SHARE", "percentage", 1),
    ("INST_SHORT_SHARE", "percentage", 1),
    ("INST_PAID_TO_DUE", "percentage", 1),
    ("INST_RECENT_LATE_SHARE", "percentage", 1),
    ("INST_RECENT_PAID_TO_DUE", "percentage", 1),
    (NO_HISTORY, "flag", 0),
)


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the installments_payments features, in output column order."""
    return side_catalog_entries(_AGGREGATIONS, _DERIVED, SOURCE, GROUP, recent_months)


def _instalment_ids(installments: pd.DataFrame) -> np.ndarray:
    """One int64 id per distinct (applicant, loan, version, number): grouping by one integer
    key is several times faster than by four columns, with the same groups.

    Whole-number keys (the Kaggle case) are packed by their value ranges; anything else (a
    version with decimals, ranges too wide for 63 bits) is factorized first.
    """
    parts: list[tuple[np.ndarray, int]] = []
    for column in INSTALMENT_KEYS:
        values = installments[column].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        if known.any() and np.array_equal(values[known], np.floor(values[known])):
            low = values[known].min()
            # missing (a version left empty) is its own level 0, values start at 1
            codes = np.where(known, values - low + 1, 0).astype("int64")
            size = int(values[known].max() - low) + 2
        else:
            codes, levels = pd.factorize(installments[column])
            codes, size = codes.astype("int64") + 1, len(levels) + 1
        parts.append((codes, size))
    if math.prod(size for _, size in parts) >= 2**62:  # packing would overflow: factorize all
        codes = [pd.factorize(installments[column])[0] + 1 for column in INSTALMENT_KEYS]
        parts = [(c.astype("int64"), int(c.max()) + 1) for c in codes]
        if math.prod(size for _, size in parts) >= 2**62:
            keys = installments[INSTALMENT_KEYS].astype("float64").fillna(-1.0)
            return keys.groupby(INSTALMENT_KEYS).ngroup().to_numpy(dtype="int64")
    ids = np.zeros(len(installments), dtype="int64")
    for codes, size in parts:
        ids = ids * size + codes
    return ids


def _per_instalment(installments: pd.DataFrame, engine: str) -> pd.DataFrame:
    """One row per instalment: amount due, total paid (missing when nothing was paid), due day
    and last payment day."""
    rows = pd.DataFrame(
        {
            "instalment": _instalment_ids(installments),
            APPLICANT_KEY: installments[APPLICANT_KEY].to_numpy(),
            "AMT_INSTALMENT": installments["AMT_INSTALMENT"].to_numpy(),
            "AMT_PAYMENT": installments["AMT_PAYMENT"].to_numpy(),
            "DAYS_INSTALMENT": installments["DAYS_INSTALMENT"].to_numpy(dtype="float64"),
            "DAYS_ENTRY_PAYMENT": installments["DAYS_ENTRY_PAYMENT"].to_numpy(dtype="float64"),
        }
    )
    per_instalment = [
        Aggregation(APPLICANT_KEY, APPLICANT_KEY, "max", "number"),
        Aggregation("AMT_INSTALMENT", "AMT_INSTALMENT", "max", "amount"),
        Aggregation("AMT_PAYMENT", "AMT_PAYMENT", "sum", "amount"),
        Aggregation("DAYS_INSTALMENT", "DAYS_INSTALMENT", "max", "days"),
        Aggregation("DAYS_ENTRY_PAYMENT", "DAYS_ENTRY_PAYMENT", "max", "days"),
    ]
    instalments = aggregate(rows, "instalment", per_instalment, engine, sort=False)
    instalments = instalments.reset_index(drop=True)
    instalments[APPLICANT_KEY] = instalments[APPLICANT_KEY].astype("int64")
    return instalments


def _prepare(instalments: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    due = instalments["AMT_INSTALMENT"].to_numpy()
    paid = instalments["AMT_PAYMENT"].to_numpy()
    due_day = instalments["DAYS_INSTALMENT"].to_numpy()
    paid_day = instalments["DAYS_ENTRY_PAYMENT"].to_numpy()
    delay = paid_day - due_day  # missing when nothing was paid
    unpaid = np.isnan(paid_day)
    shortfall = np.where(np.isnan(paid), due, np.maximum(due - np.nan_to_num(paid), 0.0))
    late = delay > 0
    short = shortfall > SHORTFALL_TOLERANCE
    recent = due_day >= -recent_months * DAYS_PER_MONTH
    days_late = np.where(unpaid, np.nan, np.maximum(delay, 0.0))
    return pd.DataFrame(
        {
            APPLICANT_KEY: instalments[APPLICANT_KEY].to_numpy(),
            "is_late": late.astype("float32"),
            "is_short": short.astype("float32"),
            "is_unpaid": unpaid.astype("float32"),
            "days_late": days_late,
            "days_early": np.where(unpaid, np.nan, np.maximum(-delay, 0.0)),
            "AMT_INSTALMENT": due,
            "AMT_PAYMENT": paid,
            "shortfall": shortfall,
            "years_since_payment": -paid_day / DAYS_PER_YEAR + 0.0,
            "is_recent": recent.astype("float32"),
            "is_recent_late": (recent & late).astype("float32"),
            "is_recent_short": (recent & short).astype("float32"),
            "recent_days_late": np.where(recent, days_late, np.nan),
            "recent_due": np.where(recent, due, np.nan),
            "recent_paid": np.where(recent, np.nan_to_num(paid), np.nan),
        }
    )


def build_installments_features(
    installments: pd.DataFrame,
    *,
    recent_months: int = 12,
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Per-applicant features of instalments on previous Home Credit loans, by SK_ID_CURR.

    Per instalment: late (paid after the due day), short (paid less than due, beyond 1 unit of
    rounding), unpaid (no payment row with a day); then counts, shares, days late or early, paid
    vs due amounts, over the whole history and the instalments due in the last
    ``recent_months``. With ``applicant_ids``, applicants without instalments get counts 0 and
    INST_NO_HISTORY = 1.
    """
    instalments = _per_instalment(installments, engine)
    aggregations = _AGGREGATIONS
    prepared = _prepare(instalments, recent_months)
    features = aggregate_per_applicant(prepared, aggregations, applicant_ids, engine)
    count = features["INST_INSTALMENT_COUNT"]
    features["INST_LATE_SHARE"] = safe_ratio(features["INST_LATE_COUNT"], count)
    features["INST_SHORT_SHARE"] = safe_ratio(features["INST_SHORT_COUNT"], count)
    features["INST_PAID_TO_DUE"] = safe_ratio(
        features["INST_TOTAL_PAID"], features["INST_TOTAL_DUE"]
    )
    features["INST_RECENT_LATE_SHARE"] = safe_ratio(
        features["INST_RECENT_LATE_COUNT"], features["INST_RECENT_COUNT"]
    )
    features["INST_RECENT_PAID_TO_DUE"] = safe_ratio(
        features["INST_RECENT_PAID"], features["INST_RECENT_DUE"]
    )
    features[NO_HISTORY] = (count == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
