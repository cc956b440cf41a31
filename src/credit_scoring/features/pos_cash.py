"""Features from the monthly balances of previous point-of-sale and cash loans
(POS_CASH_balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, PREVIOUS_KEY
from credit_scoring.features.aggregation import (
    DEFAULT_ENGINE,
    Aggregation,
    Derived,
    aggregate_per_applicant,
    feature_table,
    is_level,
    safe_ratio,
    side_catalog_entries,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "POS_CASH_balance"
GROUP = "payment_behaviour"
NO_HISTORY = "POS_NO_HISTORY"


# What each feature aggregates, in output column order. The labels are words:
# "feature.<name>" in i18n/<lang>/features.json, "{months}" standing for the recent window.
_AGGREGATIONS = (
    Aggregation("POS_MONTHS_COUNT", None, "size", "count"),
    Aggregation("POS_LOAN_COUNT", PREVIOUS_KEY, "nunique", "count"),
    Aggregation("POS_COMPLETED_LOAN_COUNT", "completed_loan", "nunique", "count"),
    Aggregation("POS_LATE_MONTHS", "is_late", "sum", "count"),
    Aggregation("POS_SERIOUS_LATE_MONTHS", "is_late_beyond_tolerance", "sum", "count"),
    Aggregation("POS_MAX_DAYS_PAST_DUE", "SK_DPD", "max", "days"),
    Aggregation("POS_MEAN_DAYS_PAST_DUE", "SK_DPD", "mean", "days", 1),
    Aggregation("POS_RECENT_MONTHS", "is_recent", "sum", "count"),
    Aggregation("POS_RECENT_LATE_MONTHS", "is_recent_late", "sum", "count"),
    Aggregation("POS_RECENT_MAX_DAYS_PAST_DUE", "recent_dpd", "max", "days"),
    Aggregation("POS_RECENT_INSTALMENTS_LEFT", "recent_instalments_left", "mean", "number", 1),
)
_DERIVED: tuple[Derived, ...] = (
    ("POS_LATE_MONTHS_SHARE", "percentage", 1),
    (NO_HISTORY, "flag", 0),
)


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the POS_CASH_balance features, in output column order."""
    return side_catalog_entries(_AGGREGATIONS, _DERIVED, SOURCE, GROUP, recent_months)


def _prepare(pos: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    recent = (pos["MONTHS_BALANCE"] >= -recent_months).to_numpy()
    dpd = pos["SK_DPD"].astype("float64").to_numpy()
    late = dpd > 0
    completed = is_level(pos["NAME_CONTRACT_STATUS"], "Completed")
    previous_ids = pos[PREVIOUS_KEY].to_numpy()
    return pd.DataFrame(
        {
            APPLICANT_KEY: pos[APPLICANT_KEY].to_numpy(),
            PREVIOUS_KEY: previous_ids,
            "completed_loan": np.where(completed, previous_ids.astype("float64"), np.nan),
            "is_late": late.astype("float32"),
            "is_late_beyond_tolerance": (pos["SK_DPD_DEF"].to_numpy() > 0).astype("float32"),
            "SK_DPD": dpd,
            "is_recent": recent.astype("float32"),
            "is_recent_late": (recent & late).astype("float32"),
            "recent_dpd": np.where(recent, dpd, np.nan),
            "recent_instalments_left": np.where(
                recent, pos["CNT_INSTALMENT_FUTURE"].astype("float64").to_numpy(), np.nan
            ),
        }
    )


def build_pos_cash_features(
    pos: pd.DataFrame,
    *,
    recent_months: int = 12,
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Per-applicant features of previous point-of-sale and cash loans, indexed by SK_ID_CURR.

    Days past due and late months over the whole history and the last ``recent_months``
    (MONTHS_BALANCE >= -recent_months), loans obtained and fully repaid. With
    ``applicant_ids``, applicants without such loans get counts 0 and POS_NO_HISTORY = 1.
    """
    aggregations = _AGGREGATIONS
    features = aggregate_per_applicant(
        _prepare(pos, recent_months), aggregations, applicant_ids, engine
    )
    features["POS_LATE_MONTHS_SHARE"] = safe_ratio(
        features["POS_LATE_MONTHS"], features["POS_MONTHS_COUNT"]
    )
    features[NO_HISTORY] = (features["POS_MONTHS_COUNT"] == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
