"""Features from the monthly balances of previous Home Credit credit cards
(credit_card_balance)."""

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
    side_catalog_entries,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "credit_card_balance"
GROUP = "payment_behaviour"
NO_HISTORY = "CC_NO_HISTORY"


# What each feature aggregates, in output column order. The labels are words:
# "feature.<name>" in i18n/<lang>/features.json, "{months}" standing for the recent window.
_AGGREGATIONS = (
    Aggregation("CC_MONTHS_COUNT", None, "size", "count"),
    Aggregation("CC_CARD_COUNT", PREVIOUS_KEY, "nunique", "count"),
    Aggregation("CC_MEAN_UTILISATION", "utilisation", "mean", "percentage", 0),
    Aggregation("CC_MAX_UTILISATION", "utilisation", "max", "percentage", 0),
    Aggregation("CC_RECENT_MEAN_UTILISATION", "recent_utilisation", "mean", "percentage", 0),
    Aggregation("CC_MEAN_BALANCE", "AMT_BALANCE", "mean", "amount"),
    Aggregation("CC_MAX_LIMIT", "AMT_CREDIT_LIMIT_ACTUAL", "max", "amount"),
    Aggregation("CC_MEAN_DRAWINGS", "AMT_DRAWINGS_CURRENT", "mean", "amount"),
    Aggregation("CC_MEAN_ATM_DRAWINGS", "AMT_DRAWINGS_ATM_CURRENT", "mean", "amount"),
    Aggregation("CC_MEAN_PAYMENT", "AMT_PAYMENT_TOTAL_CURRENT", "mean", "amount"),
    Aggregation("CC_BELOW_MINIMUM_MONTHS", "below_minimum", "sum", "count"),
    Aggregation("CC_LATE_MONTHS", "is_late", "sum", "count"),
    Aggregation("CC_MAX_DAYS_PAST_DUE", "SK_DPD", "max", "days"),
    Aggregation("CC_RECENT_LATE_MONTHS", "is_recent_late", "sum", "count"),
    Aggregation("CC_RECENT_BELOW_MINIMUM_MONTHS", "recent_below_minimum", "sum", "count"),
)
_DERIVED: tuple[Derived, ...] = ((NO_HISTORY, "flag", 0),)


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the credit_card_balance features, in output column order."""
    return side_catalog_entries(_AGGREGATIONS, _DERIVED, SOURCE, GROUP, recent_months)


def _prepare(cc: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    recent = (cc["MONTHS_BALANCE"] >= -recent_months).to_numpy()
    limit = cc["AMT_CREDIT_LIMIT_ACTUAL"].to_numpy(dtype="float64")
    balance = cc["AMT_BALANCE"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(limit > 0, balance / limit, np.nan)
    minimum = cc["AMT_INST_MIN_REGULARITY"].to_numpy(dtype="float64")
    paid = cc["AMT_PAYMENT_TOTAL_CURRENT"].to_numpy(dtype="float64")
    below_minimum = (minimum > 0) & (np.nan_to_num(paid) < minimum)
    dpd = cc["SK_DPD"].to_numpy(dtype="float64")
    late = dpd > 0
    return pd.DataFrame(
        {
            APPLICANT_KEY: cc[APPLICANT_KEY].to_numpy(),
            PREVIOUS_KEY: cc[PREVIOUS_KEY].to_numpy(),
            "utilisation": utilisation,
            "recent_utilisation": np.where(recent, utilisation, np.nan),
            "AMT_BALANCE": balance,
            "AMT_CREDIT_LIMIT_ACTUAL": limit,
            "AMT_DRAWINGS_CURRENT": cc["AMT_DRAWINGS_CURRENT"].to_numpy(dtype="float64"),
            "AMT_DRAWINGS_ATM_CURRENT": cc["AMT_DRAWINGS_ATM_CURRENT"].to_numpy(dtype="float64"),
            "AMT_PAYMENT_TOTAL_CURRENT": paid,
            "below_minimum": below_minimum.astype("float32"),
            "is_late": late.astype("float32"),
            "SK_DPD": dpd,
            "is_recent_late": (recent & late).astype("float32"),
            "recent_below_minimum": (recent & below_minimum).astype("float32"),
        }
    )


def build_credit_card_features(
    cc: pd.DataFrame,
    *,
    recent_months: int = 12,
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Per-applicant features of previous Home Credit credit cards, indexed by SK_ID_CURR.

    Use of the card limit (balance / limit, months with a positive limit only), balances,
    spending, repayments below the minimum and late months, over the whole history and the last
    ``recent_months``. With ``applicant_ids``, applicants without a card get counts 0 and
    CC_NO_HISTORY = 1.
    """
    aggregations = _AGGREGATIONS
    features = aggregate_per_applicant(
        _prepare(cc, recent_months), aggregations, applicant_ids, engine
    )
    features[NO_HISTORY] = (features["CC_MONTHS_COUNT"] == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
