"""Features from the monthly balances of previous Home Credit credit cards
(credit_card_balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, PREVIOUS_KEY
from credit_scoring.features.aggregation import (
    DEFAULT_ENGINE,
    Aggregation,
    aggregate_per_applicant,
    feature_table,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "credit_card_balance"
GROUP = "payment_behaviour"
NO_HISTORY = "CC_NO_HISTORY"


def _aggregations(recent_months: int) -> list[Aggregation]:
    r = recent_months
    return [
        Aggregation(
            "CC_MONTHS_COUNT",
            None,
            "size",
            "Mois de suivi des cartes de crédit",
            "Months of credit card follow-up",
            "count",
        ),
        Aggregation(
            "CC_CARD_COUNT",
            PREVIOUS_KEY,
            "nunique",
            "Cartes de crédit déjà obtenues",
            "Credit cards already obtained",
            "count",
        ),
        Aggregation(
            "CC_MEAN_UTILISATION",
            "utilisation",
            "mean",
            "Utilisation moyenne du plafond de la carte",
            "Average use of the card limit",
            "percentage",
            0,
        ),
        Aggregation(
            "CC_MAX_UTILISATION",
            "utilisation",
            "max",
            "Plus forte utilisation du plafond de la carte",
            "Highest use of the card limit",
            "percentage",
            0,
        ),
        Aggregation(
            "CC_RECENT_MEAN_UTILISATION",
            "recent_utilisation",
            "mean",
            f"Utilisation moyenne du plafond de la carte, {r} derniers mois",
            f"Average use of the card limit, last {r} months",
            "percentage",
            0,
        ),
        Aggregation(
            "CC_MEAN_BALANCE",
            "AMT_BALANCE",
            "mean",
            "Solde mensuel moyen des cartes",
            "Average monthly card balance",
            "amount",
        ),
        Aggregation(
            "CC_MAX_LIMIT",
            "AMT_CREDIT_LIMIT_ACTUAL",
            "max",
            "Plafond de carte le plus élevé",
            "Highest card limit",
            "amount",
        ),
        Aggregation(
            "CC_MEAN_DRAWINGS",
            "AMT_DRAWINGS_CURRENT",
            "mean",
            "Dépenses mensuelles moyennes à la carte",
            "Average monthly card spending",
            "amount",
        ),
        Aggregation(
            "CC_MEAN_ATM_DRAWINGS",
            "AMT_DRAWINGS_ATM_CURRENT",
            "mean",
            "Retraits mensuels moyens au distributeur",
            "Average monthly cash machine withdrawals",
            "amount",
        ),
        Aggregation(
            "CC_MEAN_PAYMENT",
            "AMT_PAYMENT_TOTAL_CURRENT",
            "mean",
            "Remboursement mensuel moyen des cartes",
            "Average monthly card repayment",
            "amount",
        ),
        Aggregation(
            "CC_BELOW_MINIMUM_MONTHS",
            "below_minimum",
            "sum",
            "Mois où le remboursement de la carte était sous le minimum",
            "Months when the card repayment was below the minimum",
            "count",
        ),
        Aggregation(
            "CC_LATE_MONTHS",
            "is_late",
            "sum",
            "Mois en retard sur les cartes de crédit",
            "Months late on credit cards",
            "count",
        ),
        Aggregation(
            "CC_MAX_DAYS_PAST_DUE",
            "SK_DPD",
            "max",
            "Plus long retard sur les cartes de crédit",
            "Longest delay on credit cards",
            "days",
        ),
        Aggregation(
            "CC_RECENT_LATE_MONTHS",
            "is_recent_late",
            "sum",
            f"Mois en retard sur les cartes, {r} derniers mois",
            f"Months late on credit cards, last {r} months",
            "count",
        ),
        Aggregation(
            "CC_RECENT_BELOW_MINIMUM_MONTHS",
            "recent_below_minimum",
            "sum",
            f"Mois sous le remboursement minimum de la carte, {r} derniers mois",
            f"Months below the minimum card repayment, last {r} months",
            "count",
        ),
    ]


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the credit_card_balance features, in output column order."""
    return [a.entry(SOURCE, GROUP) for a in _aggregations(recent_months)] + [
        CatalogEntry(
            NO_HISTORY,
            "Aucune carte de crédit précédente",
            "No previous credit card",
            "flag",
            0,
            SOURCE,
            GROUP,
        ),
    ]


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
    aggregations = _aggregations(recent_months)
    features = aggregate_per_applicant(
        _prepare(cc, recent_months), aggregations, applicant_ids, engine
    )
    features[NO_HISTORY] = (features["CC_MONTHS_COUNT"] == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
