"""Features from the application row itself (application_train / application_test).

Strictly row-wise: every value depends on the applicant's own row only (no statistic over
applicants, nothing fitted), so the dashboard's what-if and ``credit-scoring score`` recompute
them on one edited or new row with this same code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, DAYS_PLACEHOLDER, PLACEHOLDER_CATEGORIES
from credit_scoring.errors import DataError
from credit_scoring.features.aggregation import DAYS_PER_YEAR, safe_ratio
from credit_scoring.features.catalog import CatalogEntry

SOURCE = "application"

# (name, unit, decimals, group, kind): the language-neutral facts. The labels are words, in
# i18n/<lang>/features.json under the key "feature.<name>".
_N, _C = "numeric", "categorical"
_ENTRIES: list[tuple[str, str, int, str, str]] = [
    # identity
    ("CODE_GENDER", "category", 0, "identity", _C),
    ("AGE_YEARS", "years", 0, "identity", _N),
    ("NAME_EDUCATION_TYPE", "category", 0, "identity", _C),
    ("YEARS_SINCE_REGISTRATION", "years", 1, "identity", _N),
    ("YEARS_SINCE_ID_PUBLISH", "years", 1, "identity", _N),
    ("YEARS_SINCE_PHONE_CHANGE", "years", 1, "identity", _N),
    ("FLAG_MOBIL", "flag", 0, "identity", _N),
    ("FLAG_CONT_MOBILE", "flag", 0, "identity", _N),
    ("FLAG_PHONE", "flag", 0, "identity", _N),
    ("FLAG_EMAIL", "flag", 0, "identity", _N),
    ("DOCUMENTS_PROVIDED_COUNT", "count", 0, "identity", _N),
    ("FLAG_DOCUMENT_3", "flag", 0, "identity", _N),
    # family and housing
    ("CNT_CHILDREN", "count", 0, "family", _N),
    ("CNT_FAM_MEMBERS", "count", 0, "family", _N),
    ("NAME_FAMILY_STATUS", "category", 0, "family", _C),
    ("NAME_TYPE_SUITE", "category", 0, "family", _C),
    ("NAME_HOUSING_TYPE", "category", 0, "family", _C),
    ("FLAG_OWN_CAR", "flag", 0, "family", _N),
    ("OWN_CAR_AGE", "years", 0, "family", _N),
    ("FLAG_OWN_REALTY", "flag", 0, "family", _N),
    ("REGION_POPULATION_RELATIVE", "number", 4, "family", _N),
    ("REGION_RATING_CLIENT", "number", 0, "family", _N),
    ("REGION_RATING_CLIENT_W_CITY", "number", 0, "family", _N),
    ("REG_REGION_NOT_LIVE_REGION", "flag", 0, "family", _N),
    ("REG_REGION_NOT_WORK_REGION", "flag", 0, "family", _N),
    ("LIVE_REGION_NOT_WORK_REGION", "flag", 0, "family", _N),
    ("REG_CITY_NOT_LIVE_CITY", "flag", 0, "family", _N),
    ("REG_CITY_NOT_WORK_CITY", "flag", 0, "family", _N),
    ("LIVE_CITY_NOT_WORK_CITY", "flag", 0, "family", _N),
    ("APARTMENTS_AVG", "number", 3, "family", _N),
    ("BASEMENTAREA_AVG", "number", 3, "family", _N),
    ("YEARS_BEGINEXPLUATATION_AVG", "number", 3, "family", _N),
    ("YEARS_BUILD_AVG", "number", 3, "family", _N),
    ("COMMONAREA_AVG", "number", 3, "family", _N),
    ("ELEVATORS_AVG", "number", 3, "family", _N),
    ("ENTRANCES_AVG", "number", 3, "family", _N),
    ("FLOORSMAX_AVG", "number", 3, "family", _N),
    ("FLOORSMIN_AVG", "number", 3, "family", _N),
    ("LANDAREA_AVG", "number", 3, "family", _N),
    ("LIVINGAPARTMENTS_AVG", "number", 3, "family", _N),
    ("LIVINGAREA_AVG", "number", 3, "family", _N),
    ("NONLIVINGAPARTMENTS_AVG", "number", 3, "family", _N),
    ("NONLIVINGAREA_AVG", "number", 3, "family", _N),
    ("TOTALAREA_MODE", "number", 3, "family", _N),
    ("FONDKAPREMONT_MODE", "category", 0, "family", _C),
    ("HOUSETYPE_MODE", "category", 0, "family", _C),
    ("WALLSMATERIAL_MODE", "category", 0, "family", _C),
    ("EMERGENCYSTATE_MODE", "category", 0, "family", _C),
    ("OBS_30_CNT_SOCIAL_CIRCLE", "count", 0, "family", _N),
    ("DEF_30_CNT_SOCIAL_CIRCLE", "count", 0, "family", _N),
    ("OBS_60_CNT_SOCIAL_CIRCLE", "count", 0, "family", _N),
    ("DEF_60_CNT_SOCIAL_CIRCLE", "count", 0, "family", _N),
    # income
    ("AMT_INCOME_TOTAL", "amount", 0, "income", _N),
    ("NAME_INCOME_TYPE", "category", 0, "income", _C),
    ("INCOME_PER_FAMILY_MEMBER", "amount", 0, "income", _N),
    ("ANNUITY_TO_INCOME", "percentage", 1, "income", _N),
    ("CREDIT_TO_INCOME", "ratio", 2, "income", _N),
    # employment
    ("EMPLOYMENT_YEARS", "years", 1, "employment", _N),
    ("EMPLOYMENT_NOT_APPLICABLE", "flag", 0, "employment", _N),
    ("EMPLOYMENT_TO_AGE", "percentage", 1, "employment", _N),
    ("OCCUPATION_TYPE", "category", 0, "employment", _C),
    ("ORGANIZATION_TYPE", "category", 0, "employment", _C),
    ("FLAG_EMP_PHONE", "flag", 0, "employment", _N),
    ("FLAG_WORK_PHONE", "flag", 0, "employment", _N),
    # credit requested
    ("NAME_CONTRACT_TYPE", "category", 0, "credit_requested", _C),
    ("AMT_CREDIT", "amount", 0, "credit_requested", _N),
    ("AMT_ANNUITY", "amount", 0, "credit_requested", _N),
    ("AMT_GOODS_PRICE", "amount", 0, "credit_requested", _N),
    ("ANNUITY_TO_CREDIT", "percentage", 1, "credit_requested", _N),
    ("GOODS_TO_CREDIT", "ratio", 2, "credit_requested", _N),
    ("WEEKDAY_APPR_PROCESS_START", "category", 0, "credit_requested", _C),
    ("HOUR_APPR_PROCESS_START", "number", 0, "credit_requested", _N),
    # external scores
    ("EXT_SOURCE_1", "score", 2, "external_scores", _N),
    ("EXT_SOURCE_2", "score", 2, "external_scores", _N),
    ("EXT_SOURCE_3", "score", 2, "external_scores", _N),
    ("EXT_SCORES_MEAN", "score", 2, "external_scores", _N),
    ("EXT_SCORES_MIN", "score", 2, "external_scores", _N),
    ("EXT_SCORES_MAX", "score", 2, "external_scores", _N),
    ("EXT_SCORES_SPREAD", "score", 2, "external_scores", _N),
    ("EXT_SCORES_MISSING_COUNT", "count", 0, "external_scores", _N),
    # credit bureau enquiries (recorded with the application)
    ("AMT_REQ_CREDIT_BUREAU_HOUR", "count", 0, "bureau", _N),
    ("AMT_REQ_CREDIT_BUREAU_DAY", "count", 0, "bureau", _N),
    ("AMT_REQ_CREDIT_BUREAU_WEEK", "count", 0, "bureau", _N),
    ("AMT_REQ_CREDIT_BUREAU_MON", "count", 0, "bureau", _N),
    ("AMT_REQ_CREDIT_BUREAU_QRT", "count", 0, "bureau", _N),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", "count", 0, "bureau", _N),
]

#: Catalog entries of every application feature, in output column order.
CATALOG_ENTRIES: list[CatalogEntry] = [
    CatalogEntry.from_words(name, unit, decimals, SOURCE, group, kind)
    for name, unit, decimals, group, kind in _ENTRIES
]
FEATURE_NAMES = [entry.name for entry in CATALOG_ENTRIES]
CATEGORICAL_FEATURES = [entry.name for entry in CATALOG_ENTRIES if entry.kind == "categorical"]

#: Kaggle Y/N columns turned into 0/1 flags.
YES_NO_COLUMNS = ("FLAG_OWN_CAR", "FLAG_OWN_REALTY")
EXTERNAL_SCORES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
#: The raw columns every application row must have for the derived features.
REQUIRED_COLUMNS = (
    APPLICANT_KEY,
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
)


def _years_before(days: pd.Series) -> pd.Series:
    """Kaggle day offsets (negative, before the application) as positive years."""
    # "+ 0.0" turns the -0.0 of a same-day event into 0.0.
    return -pd.to_numeric(days, errors="coerce").astype("float64") / DAYS_PER_YEAR + 0.0


def _category(values: pd.Series) -> pd.Series:
    """Text levels as a categorical, with XNA/XAP (unknown) made missing."""
    text = values.astype("str").where(values.notna())
    text = text.where(~text.isin(PLACEHOLDER_CATEGORIES))
    return text.astype("category")


def _yes_no(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip().str.upper()
    flags = pd.Series(np.nan, index=values.index, dtype="float64")
    flags[text == "Y"] = 1.0
    flags[text == "N"] = 0.0
    return flags


def build_application_features(applications: pd.DataFrame) -> pd.DataFrame:
    """Row-wise features of application rows, one row per applicant keyed by SK_ID_CURR.

    DAYS_EMPLOYED's 365243 placeholder becomes missing plus the flag EMPLOYMENT_NOT_APPLICABLE;
    every DAYS_* column is replaced by a positive duration in years; XNA/XAP levels become
    missing. Numeric features are float32, text columns categorical. TARGET is never used.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in applications.columns]
    if missing:
        raise DataError(
            f"the application rows lack the column(s) {', '.join(missing)}: give rows in the "
            "Kaggle application_train / application_test format"
        )
    rows = applications.reset_index(drop=True)

    def column(name: str) -> pd.Series:
        if name in rows.columns:
            return rows[name]
        return pd.Series(np.nan, index=rows.index, dtype="float64")

    def numeric(name: str) -> pd.Series:
        return pd.to_numeric(column(name), errors="coerce").astype("float64")

    days_employed = numeric("DAYS_EMPLOYED")
    not_employed = days_employed == DAYS_PLACEHOLDER
    age_years = _years_before(numeric("DAYS_BIRTH"))
    employment_years = _years_before(days_employed.mask(not_employed))
    income = numeric("AMT_INCOME_TOTAL")
    credit = numeric("AMT_CREDIT")
    annuity = numeric("AMT_ANNUITY")
    scores = pd.concat([numeric(name) for name in EXTERNAL_SCORES], axis=1)
    document_columns = [c for c in rows.columns if c.startswith("FLAG_DOCUMENT_")]

    derived: dict[str, pd.Series] = {
        "AGE_YEARS": age_years,
        "YEARS_SINCE_REGISTRATION": _years_before(numeric("DAYS_REGISTRATION")),
        "YEARS_SINCE_ID_PUBLISH": _years_before(numeric("DAYS_ID_PUBLISH")),
        "YEARS_SINCE_PHONE_CHANGE": _years_before(numeric("DAYS_LAST_PHONE_CHANGE")),
        "DOCUMENTS_PROVIDED_COUNT": (
            rows[document_columns].apply(pd.to_numeric, errors="coerce").sum(axis=1)
            if document_columns
            else pd.Series(np.nan, index=rows.index)
        ),
        "INCOME_PER_FAMILY_MEMBER": safe_ratio(income, numeric("CNT_FAM_MEMBERS")),
        "ANNUITY_TO_INCOME": safe_ratio(annuity, income),
        "CREDIT_TO_INCOME": safe_ratio(credit, income),
        "EMPLOYMENT_YEARS": employment_years,
        "EMPLOYMENT_NOT_APPLICABLE": not_employed.astype("float64").where(days_employed.notna()),
        "EMPLOYMENT_TO_AGE": safe_ratio(employment_years, age_years),
        "ANNUITY_TO_CREDIT": safe_ratio(annuity, credit),
        "GOODS_TO_CREDIT": safe_ratio(numeric("AMT_GOODS_PRICE"), credit),
        "EXT_SCORES_MEAN": scores.mean(axis=1),
        "EXT_SCORES_MIN": scores.min(axis=1),
        "EXT_SCORES_MAX": scores.max(axis=1),
        "EXT_SCORES_SPREAD": scores.std(axis=1, ddof=0).where(scores.notna().sum(axis=1) >= 2),
        "EXT_SCORES_MISSING_COUNT": scores.isna().sum(axis=1).astype("float64"),
    }
    for name in YES_NO_COLUMNS:
        derived[name] = _yes_no(column(name))

    features: dict[str, pd.Series] = {
        APPLICANT_KEY: rows[APPLICANT_KEY].astype("int32"),
    }
    for entry in CATALOG_ENTRIES:
        if entry.name in derived:
            values = derived[entry.name]
        elif entry.kind == "categorical":
            features[entry.name] = _category(column(entry.name))
            continue
        else:
            values = numeric(entry.name)
        features[entry.name] = (
            values.astype("float64").replace([np.inf, -np.inf], np.nan).astype("float32")
        )
    return pd.DataFrame(features, index=rows.index)
