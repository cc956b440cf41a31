"""Features from the applicant's previous applications for Home Credit loans
(previous_application)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY
from credit_scoring.features.aggregation import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
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

SOURCE = "previous_application"
GROUP = "previous_applications"
NO_HISTORY = "PREV_NO_HISTORY"


# What each feature aggregates, in output column order. The labels are words:
# "feature.<name>" in i18n/<lang>/features.json, "{months}" standing for the recent window.
_AGGREGATIONS = (
    Aggregation("PREV_APPLICATION_COUNT", None, "size", "count"),
    Aggregation("PREV_APPROVED_COUNT", "is_approved", "sum", "count"),
    Aggregation("PREV_REFUSED_COUNT", "is_refused", "sum", "count"),
    Aggregation("PREV_CANCELED_COUNT", "is_canceled", "sum", "count"),
    Aggregation("PREV_RECENT_COUNT", "is_recent", "sum", "count"),
    Aggregation("PREV_RECENT_REFUSED_COUNT", "is_recent_refused", "sum", "count"),
    Aggregation("PREV_YEARS_SINCE_LAST_APPLICATION", "years_since_decision", "min", "years", 1),
    Aggregation("PREV_YEARS_SINCE_LAST_REFUSAL", "years_since_refusal", "min", "years", 1),
    Aggregation("PREV_MEAN_AMOUNT_ASKED", "AMT_APPLICATION", "mean", "amount"),
    Aggregation("PREV_MEAN_AMOUNT_GRANTED", "approved_credit", "mean", "amount"),
    Aggregation("PREV_TOTAL_AMOUNT_GRANTED", "approved_credit", "sum", "amount"),
    Aggregation("PREV_GRANTED_TO_ASKED", "granted_to_asked", "mean", "ratio", 2),
    Aggregation("PREV_MEAN_ANNUITY", "AMT_ANNUITY", "mean", "amount"),
    Aggregation("PREV_MEAN_TERM_MONTHS", "CNT_PAYMENT", "mean", "months", 0),
    Aggregation("PREV_MEAN_DOWN_PAYMENT_RATE", "RATE_DOWN_PAYMENT", "mean", "percentage", 1),
    Aggregation("PREV_HIGH_RATE_COUNT", "is_high_rate", "sum", "count"),
    Aggregation("PREV_CASH_LOAN_COUNT", "is_cash_loan", "sum", "count"),
    Aggregation("PREV_REVOLVING_COUNT", "is_revolving", "sum", "count"),
    Aggregation("PREV_INSURED_SHARE", "NFLAG_INSURED_ON_APPROVAL", "mean", "percentage", 0),
)
_DERIVED: tuple[Derived, ...] = (
    ("PREV_APPROVED_SHARE", "percentage", 0),
    ("PREV_REFUSED_SHARE", "percentage", 0),
    (NO_HISTORY, "flag", 0),
)


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the previous-application features, in output column order."""
    return side_catalog_entries(_AGGREGATIONS, _DERIVED, SOURCE, GROUP, recent_months)


def _prepare(previous: pd.DataFrame, recent_months: int) -> pd.DataFrame:
    status = previous["NAME_CONTRACT_STATUS"]
    approved = is_level(status, "Approved")
    refused = is_level(status, "Refused")
    days_decision = previous["DAYS_DECISION"].astype("float64")
    recent = (days_decision >= -recent_months * DAYS_PER_MONTH).to_numpy()
    years_since = (-days_decision / DAYS_PER_YEAR + 0.0).to_numpy()
    asked = previous["AMT_APPLICATION"].astype("float64")
    credit = previous["AMT_CREDIT"].astype("float64")
    approved_credit = np.where(approved, credit.to_numpy(), np.nan)
    contract = previous["NAME_CONTRACT_TYPE"]
    with np.errstate(divide="ignore", invalid="ignore"):
        granted_to_asked = approved_credit / asked.to_numpy()
    return pd.DataFrame(
        {
            APPLICANT_KEY: previous[APPLICANT_KEY].to_numpy(),
            "is_approved": approved.astype("float32"),
            "is_refused": refused.astype("float32"),
            "is_canceled": is_level(status, "Canceled").astype("float32"),
            "is_recent": recent.astype("float32"),
            "is_recent_refused": (recent & refused).astype("float32"),
            "years_since_decision": years_since,
            "years_since_refusal": np.where(refused, years_since, np.nan),
            "AMT_APPLICATION": asked.to_numpy(),
            "approved_credit": approved_credit,
            # Only approved applications with a positive amount asked say how much was granted.
            "granted_to_asked": np.where(
                approved & (asked > 0).to_numpy(), granted_to_asked, np.nan
            ),
            "AMT_ANNUITY": previous["AMT_ANNUITY"].to_numpy(),
            "CNT_PAYMENT": previous["CNT_PAYMENT"].astype("float64").to_numpy(),
            "RATE_DOWN_PAYMENT": previous["RATE_DOWN_PAYMENT"].astype("float64").to_numpy(),
            # XNA (unknown) yield groups count neither as high nor as low.
            "is_high_rate": is_level(previous["NAME_YIELD_GROUP"], "high").astype("float32"),
            "is_cash_loan": is_level(contract, "Cash loans").astype("float32"),
            "is_revolving": is_level(contract, "Revolving loans").astype("float32"),
            "NFLAG_INSURED_ON_APPROVAL": previous["NFLAG_INSURED_ON_APPROVAL"]
            .astype("float64")
            .to_numpy(),
        }
    )


def build_previous_features(
    previous: pd.DataFrame,
    *,
    recent_months: int = 12,
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Per-applicant features of previous Home Credit applications, indexed by SK_ID_CURR.

    Approved, refused and cancelled counts and shares, amounts asked vs granted, recency (also
    over the last ``recent_months``), terms, down payments, interest-rate group. With
    ``applicant_ids``, applicants without a previous application get counts 0 and
    PREV_NO_HISTORY = 1.
    """
    aggregations = _AGGREGATIONS
    features = aggregate_per_applicant(
        _prepare(previous, recent_months), aggregations, applicant_ids, engine
    )
    count = features["PREV_APPLICATION_COUNT"]
    features["PREV_APPROVED_SHARE"] = safe_ratio(features["PREV_APPROVED_COUNT"], count)
    features["PREV_REFUSED_SHARE"] = safe_ratio(features["PREV_REFUSED_COUNT"], count)
    features[NO_HISTORY] = (count == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
