"""Features from the credit bureau: the applicant's credits at other institutions (bureau) and
their monthly status (bureau_balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, BUREAU_KEY
from credit_scoring.features.aggregation import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    DEFAULT_ENGINE,
    Aggregation,
    Derived,
    aggregate,
    aggregate_per_applicant,
    feature_table,
    is_level,
    level_values,
    safe_ratio,
    side_catalog_entries,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "bureau"
BALANCE_SOURCE = "bureau_balance"
GROUP = "bureau"
NO_HISTORY = "BUREAU_NO_HISTORY"


# What each feature aggregates, in output column order. The labels are words:
# "feature.<name>" in i18n/<lang>/features.json, "{months}" standing for the recent window.
_AGGREGATIONS = (
    Aggregation("BUREAU_CREDIT_COUNT", None, "size", "count"),
    Aggregation("BUREAU_ACTIVE_COUNT", "is_active", "sum", "count"),
    Aggregation("BUREAU_CLOSED_COUNT", "is_closed", "sum", "count"),
    Aggregation("BUREAU_CREDIT_CARD_COUNT", "is_credit_card", "sum", "count"),
    Aggregation("BUREAU_RECENT_CREDIT_COUNT", "is_recent", "sum", "count"),
    Aggregation("BUREAU_YEARS_SINCE_LAST_CREDIT", "years_since_opened", "min", "years", 1),
    Aggregation("BUREAU_YEARS_SINCE_FIRST_CREDIT", "years_since_opened", "max", "years", 1),
    Aggregation("BUREAU_MEAN_YEARS_REMAINING", "active_years_remaining", "mean", "years", 1),
    Aggregation("BUREAU_MAX_YEARS_REMAINING", "active_years_remaining", "max", "years", 1),
    Aggregation("BUREAU_YEARS_SINCE_LAST_UPDATE", "years_since_update", "min", "years", 1),
    Aggregation("BUREAU_OVERDUE_CREDIT_COUNT", "is_overdue", "sum", "count"),
    Aggregation("BUREAU_MAX_DAYS_OVERDUE", "CREDIT_DAY_OVERDUE", "max", "days"),
    Aggregation("BUREAU_MAX_OVERDUE_AMOUNT", "AMT_CREDIT_MAX_OVERDUE", "max", "amount"),
    Aggregation("BUREAU_CURRENT_OVERDUE_AMOUNT", "AMT_CREDIT_SUM_OVERDUE", "sum", "amount"),
    Aggregation("BUREAU_PROLONGATION_COUNT", "CNT_CREDIT_PROLONG", "sum", "count"),
    Aggregation("BUREAU_TOTAL_CREDIT_AMOUNT", "AMT_CREDIT_SUM", "sum", "amount"),
    Aggregation("BUREAU_MEAN_CREDIT_AMOUNT", "AMT_CREDIT_SUM", "mean", "amount"),
    Aggregation("BUREAU_ACTIVE_CREDIT_AMOUNT", "active_credit_amount", "sum", "amount"),
    Aggregation("BUREAU_ACTIVE_DEBT", "active_debt", "sum", "amount"),
    Aggregation("BUREAU_ACTIVE_LIMIT", "active_limit", "sum", "amount"),
    Aggregation("BUREAU_ACTIVE_ANNUITY", "active_annuity", "sum", "amount"),
)
_DERIVED: tuple[Derived, ...] = (
    ("BUREAU_ACTIVE_SHARE", "percentage", 0),
    ("BUREAU_DEBT_TO_CREDIT", "percentage", 0),
    ("BUREAU_OVERDUE_TO_DEBT", "percentage", 1),
    (NO_HISTORY, "flag", 0),
)
# Per bureau credit, then summed per applicant; missing when no credit has monthly rows.
_BALANCE_AGGREGATIONS = tuple(
    Aggregation(name, column, function, unit, zero_without_history=False)
    for name, column, function, unit in (
        ("BUREAU_MONTHS_REPORTED", "months_reported", "sum", "count"),
        ("BUREAU_LATE_MONTHS", "late_months", "sum", "count"),
        ("BUREAU_SERIOUS_LATE_MONTHS", "serious_late_months", "sum", "count"),
        ("BUREAU_RECENT_LATE_MONTHS", "recent_late_months", "sum", "count"),
        ("BUREAU_WORST_STATUS", "worst_status", "max", "number"),
    )
)
_BALANCE_DERIVED: tuple[Derived, ...] = (("BUREAU_LATE_MONTHS_SHARE", "percentage", 1),)


def catalog_entries(recent_months: int = 12, with_balance: bool = True) -> list[CatalogEntry]:
    """Catalog entries of the bureau features, in output column order."""
    entries = side_catalog_entries(_AGGREGATIONS, _DERIVED, SOURCE, GROUP, recent_months)
    if with_balance:
        entries += side_catalog_entries(
            _BALANCE_AGGREGATIONS, _BALANCE_DERIVED, BALANCE_SOURCE, GROUP, recent_months
        )
    return entries


def _prepare_balance(bureau_balance: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    # "0" on time, "1".."5" late by growing lengths; "C" (closed) and "X" (unknown) are missing.
    status_level = level_values(
        bureau_balance["STATUS"], {str(level): float(level) for level in range(6)}
    )
    late = status_level >= 1
    recent = (bureau_balance["MONTHS_BALANCE"] >= -recent_months).to_numpy()
    return pd.DataFrame(
        {
            BUREAU_KEY: bureau_balance[BUREAU_KEY].to_numpy(),
            "late": late.astype("float32"),
            "serious_late": (status_level >= 2).astype("float32"),
            "recent_late": (late & recent).astype("float32"),
            "worst_status": status_level.astype("float32"),
        }
    )


def _per_credit_balance(
    bureau_balance: pd.DataFrame, recent_months: int, engine: str
) -> pd.DataFrame:
    prepared = _prepare_balance(bureau_balance, recent_months)
    per_credit = [
        Aggregation("months_reported", None, "size", "count"),
        Aggregation("late_months", "late", "sum", "count"),
        Aggregation("serious_late_months", "serious_late", "sum", "count"),
        Aggregation("recent_late_months", "recent_late", "sum", "count"),
        Aggregation("worst_status", "worst_status", "max", "number"),
    ]
    return aggregate(prepared, BUREAU_KEY, per_credit, engine)


def _prepare_bureau(bureau: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    active = is_level(bureau["CREDIT_ACTIVE"], "Active")
    days_credit = bureau["DAYS_CREDIT"].astype("float64")
    years_remaining = bureau["DAYS_CREDIT_ENDDATE"].astype("float64") / DAYS_PER_YEAR

    def when_active(values: pd.Series) -> np.ndarray:
        return np.where(active, values.astype("float64").to_numpy(), np.nan)

    return pd.DataFrame(
        {
            APPLICANT_KEY: bureau[APPLICANT_KEY].to_numpy(),
            BUREAU_KEY: bureau[BUREAU_KEY].to_numpy(),
            "is_active": active.astype("float32"),
            "is_closed": is_level(bureau["CREDIT_ACTIVE"], "Closed").astype("float32"),
            "is_credit_card": is_level(bureau["CREDIT_TYPE"], "Credit card").astype("float32"),
            "is_recent": (days_credit >= -recent_months * DAYS_PER_MONTH).to_numpy("float32"),
            "years_since_opened": (-days_credit / DAYS_PER_YEAR + 0.0).to_numpy(),
            "active_years_remaining": when_active(years_remaining),
            "years_since_update": (
                -bureau["DAYS_CREDIT_UPDATE"].astype("float64") / DAYS_PER_YEAR + 0.0
            ).to_numpy(),
            "is_overdue": (bureau["CREDIT_DAY_OVERDUE"] > 0).to_numpy(dtype="float32"),
            "CREDIT_DAY_OVERDUE": bureau["CREDIT_DAY_OVERDUE"].astype("float64").to_numpy(),
            "AMT_CREDIT_MAX_OVERDUE": bureau["AMT_CREDIT_MAX_OVERDUE"].to_numpy(),
            "AMT_CREDIT_SUM_OVERDUE": bureau["AMT_CREDIT_SUM_OVERDUE"].to_numpy(),
            "CNT_CREDIT_PROLONG": bureau["CNT_CREDIT_PROLONG"].astype("float64").to_numpy(),
            "AMT_CREDIT_SUM": bureau["AMT_CREDIT_SUM"].to_numpy(),
            "active_credit_amount": when_active(bureau["AMT_CREDIT_SUM"]),
            "active_debt": when_active(bureau["AMT_CREDIT_SUM_DEBT"]),
            "active_limit": when_active(bureau["AMT_CREDIT_SUM_LIMIT"]),
            "active_annuity": when_active(bureau["AMT_ANNUITY"]),
        }
    )


def build_bureau_features(
    bureau: pd.DataFrame,
    bureau_balance: pd.DataFrame | None = None,
    *,
    recent_months: int = 12,
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Per-applicant features of the credit bureau, indexed by SK_ID_CURR.

    Counts and sums over active and closed credits, overdue days and amounts, debt and limit
    ratios, recency; with ``bureau_balance``, the months reported, late months (over the whole
    history and the last ``recent_months``) and the worst monthly status. A credit with no
    monthly rows adds nothing to the monthly counts, which stay missing when no credit of the
    applicant has monthly rows. With ``applicant_ids``, every listed applicant gets a row:
    counts 0 and BUREAU_NO_HISTORY = 1 for those with no bureau credit.
    """
    prepared = _prepare_bureau(bureau, recent_months)
    aggregations = list(_AGGREGATIONS)
    if bureau_balance is not None:
        per_credit = _per_credit_balance(bureau_balance, recent_months, engine)
        prepared = prepared.join(per_credit, on=BUREAU_KEY)
        aggregations += _BALANCE_AGGREGATIONS
    features = aggregate_per_applicant(prepared, aggregations, applicant_ids, engine)
    features["BUREAU_ACTIVE_SHARE"] = safe_ratio(
        features["BUREAU_ACTIVE_COUNT"], features["BUREAU_CREDIT_COUNT"]
    )
    features["BUREAU_DEBT_TO_CREDIT"] = safe_ratio(
        features["BUREAU_ACTIVE_DEBT"], features["BUREAU_ACTIVE_CREDIT_AMOUNT"]
    )
    features["BUREAU_OVERDUE_TO_DEBT"] = safe_ratio(
        features["BUREAU_CURRENT_OVERDUE_AMOUNT"], features["BUREAU_ACTIVE_DEBT"]
    )
    features[NO_HISTORY] = (features["BUREAU_CREDIT_COUNT"] == 0).astype("float64")
    if bureau_balance is not None:
        features["BUREAU_LATE_MONTHS_SHARE"] = safe_ratio(
            features["BUREAU_LATE_MONTHS"], features["BUREAU_MONTHS_REPORTED"]
        )
    names = [e.name for e in catalog_entries(recent_months, bureau_balance is not None)]
    return feature_table(features, names)
