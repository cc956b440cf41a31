"""Features from the monthly balances of previous point-of-sale and cash loans
(POS_CASH_balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, PREVIOUS_KEY
from credit_scoring.features.aggregation import (
    DEFAULT_ENGINE,
    Aggregation,
    aggregate_per_applicant,
    feature_table,
    is_level,
    safe_ratio,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "POS_CASH_balance"
GROUP = "payment_behaviour"
NO_HISTORY = "POS_NO_HISTORY"


def _aggregations(recent_months: int) -> list[Aggregation]:
    r = recent_months
    return [
        Aggregation(
            "POS_MONTHS_COUNT",
            None,
            "size",
            "Mois de suivi des prêts en magasin et prêts personnels",
            "Months of follow-up of store and cash loans",
            "count",
        ),
        Aggregation(
            "POS_LOAN_COUNT",
            PREVIOUS_KEY,
            "nunique",
            "Prêts en magasin et prêts personnels déjà obtenus",
            "Store and cash loans already obtained",
            "count",
        ),
        Aggregation(
            "POS_COMPLETED_LOAN_COUNT",
            "completed_loan",
            "nunique",
            "Prêts en magasin et personnels entièrement remboursés",
            "Store and cash loans fully repaid",
            "count",
        ),
        Aggregation(
            "POS_LATE_MONTHS",
            "is_late",
            "sum",
            "Mois en retard sur les prêts en magasin et personnels",
            "Months late on store and cash loans",
            "count",
        ),
        Aggregation(
            "POS_SERIOUS_LATE_MONTHS",
            "is_late_beyond_tolerance",
            "sum",
            "Mois en retard au-delà de la tolérance (prêts en magasin et personnels)",
            "Months late beyond the tolerance (store and cash loans)",
            "count",
        ),
        Aggregation(
            "POS_MAX_DAYS_PAST_DUE",
            "SK_DPD",
            "max",
            "Plus long retard sur les prêts en magasin et personnels",
            "Longest delay on store and cash loans",
            "days",
        ),
        Aggregation(
            "POS_MEAN_DAYS_PAST_DUE",
            "SK_DPD",
            "mean",
            "Retard moyen par mois sur les prêts en magasin et personnels",
            "Average delay per month on store and cash loans",
            "days",
            1,
        ),
        Aggregation(
            "POS_RECENT_MONTHS",
            "is_recent",
            "sum",
            f"Mois de suivi des prêts en magasin et personnels, {r} derniers mois",
            f"Months of follow-up of store and cash loans, last {r} months",
            "count",
        ),
        Aggregation(
            "POS_RECENT_LATE_MONTHS",
            "is_recent_late",
            "sum",
            f"Mois en retard sur les prêts en magasin et personnels, {r} derniers mois",
            f"Months late on store and cash loans, last {r} months",
            "count",
        ),
        Aggregation(
            "POS_RECENT_MAX_DAYS_PAST_DUE",
            "recent_dpd",
            "max",
            f"Plus long retard sur les prêts en magasin et personnels, {r} derniers mois",
            f"Longest delay on store and cash loans, last {r} months",
            "days",
        ),
        Aggregation(
            "POS_RECENT_INSTALMENTS_LEFT",
            "recent_instalments_left",
            "mean",
            f"Échéances restant à payer en moyenne, {r} derniers mois",
            f"Average instalments left to pay, last {r} months",
            "number",
            1,
        ),
    ]


def catalog_entries(recent_months: int = 12) -> list[CatalogEntry]:
    """Catalog entries of the POS_CASH_balance features, in output column order."""
    return [a.entry(SOURCE, GROUP) for a in _aggregations(recent_months)] + [
        CatalogEntry(
            "POS_LATE_MONTHS_SHARE",
            "Part des mois en retard sur les prêts en magasin et personnels",
            "Share of months late on store and cash loans",
            "percentage",
            1,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            NO_HISTORY,
            "Aucun prêt en magasin ou prêt personnel précédent",
            "No previous store or cash loan",
            "flag",
            0,
            SOURCE,
            GROUP,
        ),
    ]


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
    aggregations = _aggregations(recent_months)
    features = aggregate_per_applicant(
        _prepare(pos, recent_months), aggregations, applicant_ids, engine
    )
    features["POS_LATE_MONTHS_SHARE"] = safe_ratio(
        features["POS_LATE_MONTHS"], features["POS_MONTHS_COUNT"]
    )
    features[NO_HISTORY] = (features["POS_MONTHS_COUNT"] == 0).astype("float64")
    return feature_table(features, [e.name for e in catalog_entries(recent_months)])
