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
    aggregate,
    aggregate_per_applicant,
    feature_table,
    is_level,
    level_values,
    safe_ratio,
)
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "bureau"
BALANCE_SOURCE = "bureau_balance"
GROUP = "bureau"
NO_HISTORY = "BUREAU_NO_HISTORY"


def _aggregations(recent_months: int) -> list[Aggregation]:
    r = recent_months
    return [
        Aggregation(
            "BUREAU_CREDIT_COUNT",
            None,
            "size",
            "Crédits déclarés au bureau de crédit",
            "Credits reported to the credit bureau",
            "count",
        ),
        Aggregation(
            "BUREAU_ACTIVE_COUNT",
            "is_active",
            "sum",
            "Crédits en cours ailleurs",
            "Credits still running elsewhere",
            "count",
        ),
        Aggregation(
            "BUREAU_CLOSED_COUNT",
            "is_closed",
            "sum",
            "Crédits remboursés ailleurs",
            "Credits repaid elsewhere",
            "count",
        ),
        Aggregation(
            "BUREAU_CREDIT_CARD_COUNT",
            "is_credit_card",
            "sum",
            "Cartes de crédit déclarées au bureau",
            "Credit cards reported to the bureau",
            "count",
        ),
        Aggregation(
            "BUREAU_RECENT_CREDIT_COUNT",
            "is_recent",
            "sum",
            f"Crédits ouverts ailleurs sur les {r} derniers mois",
            f"Credits opened elsewhere in the last {r} months",
            "count",
        ),
        Aggregation(
            "BUREAU_YEARS_SINCE_LAST_CREDIT",
            "years_since_opened",
            "min",
            "Années depuis le dernier crédit ouvert ailleurs",
            "Years since the last credit opened elsewhere",
            "years",
            1,
        ),
        Aggregation(
            "BUREAU_YEARS_SINCE_FIRST_CREDIT",
            "years_since_opened",
            "max",
            "Années depuis le premier crédit déclaré au bureau",
            "Years since the first credit reported to the bureau",
            "years",
            1,
        ),
        Aggregation(
            "BUREAU_MEAN_YEARS_REMAINING",
            "active_years_remaining",
            "mean",
            "Durée restante moyenne des crédits en cours ailleurs",
            "Average time left on the credits running elsewhere",
            "years",
            1,
        ),
        Aggregation(
            "BUREAU_MAX_YEARS_REMAINING",
            "active_years_remaining",
            "max",
            "Plus longue durée restante d'un crédit en cours ailleurs",
            "Longest time left on a credit running elsewhere",
            "years",
            1,
        ),
        Aggregation(
            "BUREAU_YEARS_SINCE_LAST_UPDATE",
            "years_since_update",
            "min",
            "Années depuis la dernière mise à jour du bureau",
            "Years since the bureau's last update",
            "years",
            1,
        ),
        Aggregation(
            "BUREAU_OVERDUE_CREDIT_COUNT",
            "is_overdue",
            "sum",
            "Crédits en retard de paiement ailleurs aujourd'hui",
            "Credits with a payment overdue elsewhere today",
            "count",
        ),
        Aggregation(
            "BUREAU_MAX_DAYS_OVERDUE",
            "CREDIT_DAY_OVERDUE",
            "max",
            "Plus long retard en cours ailleurs",
            "Longest current delay elsewhere",
            "days",
        ),
        Aggregation(
            "BUREAU_MAX_OVERDUE_AMOUNT",
            "AMT_CREDIT_MAX_OVERDUE",
            "max",
            "Plus gros montant impayé constaté ailleurs",
            "Largest amount ever overdue elsewhere",
            "amount",
        ),
        Aggregation(
            "BUREAU_CURRENT_OVERDUE_AMOUNT",
            "AMT_CREDIT_SUM_OVERDUE",
            "sum",
            "Montant actuellement impayé ailleurs",
            "Amount currently overdue elsewhere",
            "amount",
        ),
        Aggregation(
            "BUREAU_PROLONGATION_COUNT",
            "CNT_CREDIT_PROLONG",
            "sum",
            "Prolongations de crédits obtenues ailleurs",
            "Credit extensions obtained elsewhere",
            "count",
        ),
        Aggregation(
            "BUREAU_TOTAL_CREDIT_AMOUNT",
            "AMT_CREDIT_SUM",
            "sum",
            "Montant total des crédits déclarés au bureau",
            "Total amount of the credits reported to the bureau",
            "amount",
        ),
        Aggregation(
            "BUREAU_MEAN_CREDIT_AMOUNT",
            "AMT_CREDIT_SUM",
            "mean",
            "Montant moyen d'un crédit déclaré au bureau",
            "Average amount of a credit reported to the bureau",
            "amount",
        ),
        Aggregation(
            "BUREAU_ACTIVE_CREDIT_AMOUNT",
            "active_credit_amount",
            "sum",
            "Montant total des crédits en cours ailleurs",
            "Total amount of the credits running elsewhere",
            "amount",
        ),
        Aggregation(
            "BUREAU_ACTIVE_DEBT",
            "active_debt",
            "sum",
            "Dette restant due sur les crédits en cours ailleurs",
            "Debt still owed on the credits running elsewhere",
            "amount",
        ),
        Aggregation(
            "BUREAU_ACTIVE_LIMIT",
            "active_limit",
            "sum",
            "Plafond des crédits renouvelables en cours ailleurs",
            "Limit of the revolving credits running elsewhere",
            "amount",
        ),
        Aggregation(
            "BUREAU_ACTIVE_ANNUITY",
            "active_annuity",
            "sum",
            "Échéances des crédits en cours ailleurs",
            "Instalments of the credits running elsewhere",
            "amount",
        ),
    ]


def _balance_aggregations(recent_months: int) -> list[Aggregation]:
    """Per bureau credit, then summed per applicant; missing when no credit has monthly rows."""
    r = recent_months
    return [
        Aggregation(
            "BUREAU_MONTHS_REPORTED",
            "months_reported",
            "sum",
            "Mois de suivi des crédits par le bureau",
            "Months of credit follow-up by the bureau",
            "count",
            zero_without_history=False,
        ),
        Aggregation(
            "BUREAU_LATE_MONTHS",
            "late_months",
            "sum",
            "Mois en retard de paiement sur les crédits ailleurs",
            "Months with late payments on credits elsewhere",
            "count",
            zero_without_history=False,
        ),
        Aggregation(
            "BUREAU_SERIOUS_LATE_MONTHS",
            "serious_late_months",
            "sum",
            "Mois avec plus de 30 jours de retard sur les crédits ailleurs",
            "Months more than 30 days late on credits elsewhere",
            "count",
            zero_without_history=False,
        ),
        Aggregation(
            "BUREAU_RECENT_LATE_MONTHS",
            "recent_late_months",
            "sum",
            f"Mois en retard sur les crédits ailleurs, {r} derniers mois",
            f"Months late on credits elsewhere, last {r} months",
            "count",
            zero_without_history=False,
        ),
        Aggregation(
            "BUREAU_WORST_STATUS",
            "worst_status",
            "max",
            "Pire retard mensuel au bureau (0 = aucun, 5 = plus de 120 jours)",
            "Worst monthly delay at the bureau (0 = none, 5 = over 120 days)",
            "number",
            zero_without_history=False,
        ),
    ]


def _derived_entries() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            "BUREAU_ACTIVE_SHARE",
            "Part des crédits encore en cours ailleurs",
            "Share of the credits elsewhere still running",
            "percentage",
            0,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            "BUREAU_DEBT_TO_CREDIT",
            "Part restant due des crédits en cours ailleurs",
            "Share still owed on the credits running elsewhere",
            "percentage",
            0,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            "BUREAU_OVERDUE_TO_DEBT",
            "Part de la dette ailleurs qui est impayée",
            "Share of the debt elsewhere that is overdue",
            "percentage",
            1,
            SOURCE,
            GROUP,
        ),
        CatalogEntry(
            NO_HISTORY,
            "Aucun crédit connu du bureau de crédit",
            "No credit known to the credit bureau",
            "flag",
            0,
            SOURCE,
            GROUP,
        ),
    ]


def _balance_derived_entries() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            "BUREAU_LATE_MONTHS_SHARE",
            "Part des mois en retard sur les crédits ailleurs",
            "Share of months late on credits elsewhere",
            "percentage",
            1,
            BALANCE_SOURCE,
            GROUP,
        ),
    ]


def catalog_entries(recent_months: int = 12, with_balance: bool = True) -> list[CatalogEntry]:
    """Catalog entries of the bureau features, in output column order."""
    entries = [a.entry(SOURCE, GROUP) for a in _aggregations(recent_months)]
    entries += _derived_entries()
    if with_balance:
        entries += [a.entry(BALANCE_SOURCE, GROUP) for a in _balance_aggregations(recent_months)]
        entries += _balance_derived_entries()
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
        Aggregation("months_reported", None, "size", "-", "-", "count"),
        Aggregation("late_months", "late", "sum", "-", "-", "count"),
        Aggregation("serious_late_months", "serious_late", "sum", "-", "-", "count"),
        Aggregation("recent_late_months", "recent_late", "sum", "-", "-", "count"),
        Aggregation("worst_status", "worst_status", "max", "-", "-", "number"),
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
    aggregations = _aggregations(recent_months)
    if bureau_balance is not None:
        per_credit = _per_credit_balance(bureau_balance, recent_months, engine)
        prepared = prepared.join(per_credit, on=BUREAU_KEY)
        aggregations += _balance_aggregations(recent_months)
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
