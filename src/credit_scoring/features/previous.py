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
    aggregate_per_applicant,
    feature_table,
    is_level,
    safe_ratio,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "previous_application"
GROUP = "previous_applications"
NO_HISTORY = "PREV_NO_HISTORY"


def _aggregations(recent_months: int) -> list[Aggregation]:
    r = recent_months
    return [
        Aggregation(
            "PREV_APPLICATION_COUNT",
            None,
            "size",
            "Demandes de crédit précédentes",
            "Previous credit applications",
            "count",
        ),
        Aggregation(
            "PREV_APPROVED_COUNT",
            "is_approved",
            "sum",
            "Demandes précédentes accordées",
            "Previous applications approved",
            "count",
        ),
        Aggregation(
            "PREV_REFUSED_COUNT",
            "is_refused",
            "sum",
            "Demandes précédentes refusées",
            "Previous applications refused",
            "count",
        ),
        Aggregation(
            "PREV_CANCELED_COUNT",
            "is_canceled",
            "sum",
            "Demandes précédentes annulées par le client",
            "Previous applications cancelled by the client",
            "count",
        ),
        Aggregation(
            "PREV_RECENT_COUNT",
            "is_recent",
            "sum",
            f"Demandes de crédit sur les {r} derniers mois",
            f"Credit applications in the last {r} months",
            "count",
        ),
        Aggregation(
            "PREV_RECENT_REFUSED_COUNT",
            "is_recent_refused",
            "sum",
            f"Demandes refusées sur les {r} derniers mois",
            f"Applications refused in the last {r} months",
            "count",
        ),
        Aggregation(
            "PREV_YEARS_SINCE_LAST_APPLICATION",
            "years_since_decision",
            "min",
            "Années depuis la dernière demande de crédit",
            "Years since the last credit application",
            "years",
            1,
        ),
        Aggregation(
            "PREV_YEARS_SINCE_LAST_REFUSAL",
            "years_since_refusal",
            "min",
            "Années depuis le dernier refus",
            "Years since the last refusal",
            "years",
            1,
        ),
        Aggregation(
            "PREV_MEAN_AMOUNT_ASKED",
            "AMT_APPLICATION",
            "mean",
            "Montant moyen demandé lors des demandes précédentes",
            "Average amount asked in previous applications",
            "amount",
        ),
        Aggregation(
            "PREV_MEAN_AMOUNT_GRANTED",
            "approved_credit",
            "mean",
            "Montant moyen accordé lors des demandes précédentes",
            "Average amount granted in previous applications",
            "amount",
        ),
        Aggregation(
            "PREV_TOTAL_AMOUNT_GRANTED",
            "approved_credit",
            "sum",
            "Montant total accordé lors des demandes précédentes",
            "Total amount granted in previous applications",
            "amount",
        ),
        Aggregation(
            "PREV_GRANTED_TO_ASKED",
            "granted_to_asked",
            "mean",
            "Montant accordé rapporté au montant demandé (moyenne)",
            "Amount granted relative to amount asked (average)",
            "ratio",
            2,
        ),
        Aggregation(
            "PREV_MEAN_ANNUITY",
            "AMT_ANNUITY",
            "mean",
            "Échéance moyenne des crédits précédents",
            "Average instalment of previous credits",
            "amount",
        ),
        Aggregation(
            "PREV_MEAN_TERM_MONTHS",
            "CNT_PAYMENT",
            "mean",
            "Durée moyenne des crédits précédents",
            "Average length of previous credits",
            "months",
            0,
        ),
        Aggregation(
            "PREV_MEAN_DOWN_PAYMENT_RATE",
            "RATE_DOWN_PAYMENT",
            "mean",
            "Apport personnel moyen lors des demandes précédentes",
            "Average down payment in previous applications",
            "percentage",
            1,
        ),
        Aggregation(
            "PREV_HIGH_RATE_COUNT",
            "is_high_rate",
            "sum",
            "Crédits précédents à taux élevé",
            "Previous credits at a high interest rate",
            "count",
        ),
        Aggregation(
            "PREV_CASH_LOAN_COUNT",
            "is_cash_loan",
            "sum",
            "Demandes précédentes de prêt personnel",
            "Previous applications for a cash loan",
            "count",
        ),
        Aggregation(
            "PREV_REVOLVING_COUNT",
            "is_revolving",
            "sum",
            "Demandes précédentes de crédit renouvelable",
            "Previous applications for a revolving credit",
            "count",
        ),
        Aggregation(
            "PREV_INSURED_SHARE",
            "NFLAG_INSURED_ON_APPROVAL",
            "mean",
            "Part des crédits précédents avec assurance",
            "Share of previous credits taken with insurance",
            "percentage",
            0,
        ),
    ]


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the previous-application features, in output column order."""
    return [a.entry(SOURCE, GROUP) for a in _aggregations(recent_months)] + [
        CatalogEntry(
            "PREV_APPROVED_SHARE",
            "Part des demandes précédentes accordées",
            "Share of previous applications approved",
            "percentage",
            0,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            "PREV_REFUSED_SHARE",
            "Part des demandes précédentes refusées",
            "Share of previous applications refused",
            "percentage",
            0,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            NO_HISTORY,
            "Aucune demande de crédit précédente",
            "No previous credit application",
            "flag",
            0,
            SOURCE,
            GROUP,
        ),
    ]


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
    aggregations = _aggregations(recent_months)
    features = aggregate_per_applicant(
        _prepare(previous, recent_months), aggregations, applicant_ids, engine
    )
    count = features["PREV_APPLICATION_COUNT"]
    features["PREV_APPROVED_SHARE"] = safe_ratio(features["PREV_APPROVED_COUNT"], count)
    features["PREV_REFUSED_SHARE"] = safe_ratio(features["PREV_REFUSED_COUNT"], count)
    features[NO_HISTORY] = (count == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
