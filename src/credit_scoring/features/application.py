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

# (name, French label, English label, unit, decimals, group, kind)
_N, _C = "numeric", "categorical"
_ENTRIES: list[tuple[str, str, str, str, int, str, str]] = [
    # identity
    ("CODE_GENDER", "Sexe du client", "Client's gender", "category", 0, "identity", _C),
    ("AGE_YEARS", "Âge du client", "Client's age", "years", 0, "identity", _N),
    ("NAME_EDUCATION_TYPE", "Niveau d'études", "Education level", "category", 0, "identity", _C),
    (
        "YEARS_SINCE_REGISTRATION",
        "Années depuis le dernier changement d'adresse officielle",
        "Years since the official address last changed",
        "years",
        1,
        "identity",
        _N,
    ),
    (
        "YEARS_SINCE_ID_PUBLISH",
        "Années depuis l'émission de la pièce d'identité",
        "Years since the identity document was issued",
        "years",
        1,
        "identity",
        _N,
    ),
    (
        "YEARS_SINCE_PHONE_CHANGE",
        "Années depuis le dernier changement de téléphone",
        "Years since the phone number last changed",
        "years",
        1,
        "identity",
        _N,
    ),
    (
        "FLAG_MOBIL",
        "Téléphone mobile fourni",
        "Mobile phone number provided",
        "flag",
        0,
        "identity",
        _N,
    ),
    ("FLAG_CONT_MOBILE", "Mobile joignable", "Mobile phone reachable", "flag", 0, "identity", _N),
    ("FLAG_PHONE", "Téléphone fixe fourni", "Landline number provided", "flag", 0, "identity", _N),
    ("FLAG_EMAIL", "Adresse e-mail fournie", "Email address provided", "flag", 0, "identity", _N),
    (
        "DOCUMENTS_PROVIDED_COUNT",
        "Nombre de justificatifs fournis",
        "Number of supporting documents provided",
        "count",
        0,
        "identity",
        _N,
    ),
    (
        "FLAG_DOCUMENT_3",
        "Justificatif n° 3 fourni",
        "Supporting document no. 3 provided",
        "flag",
        0,
        "identity",
        _N,
    ),
    # family and housing
    ("CNT_CHILDREN", "Nombre d'enfants", "Number of children", "count", 0, "family", _N),
    (
        "CNT_FAM_MEMBERS",
        "Nombre de personnes dans le foyer",
        "Number of people in the household",
        "count",
        0,
        "family",
        _N,
    ),
    ("NAME_FAMILY_STATUS", "Situation familiale", "Family status", "category", 0, "family", _C),
    (
        "NAME_TYPE_SUITE",
        "Personne accompagnant le client lors de la demande",
        "Who came with the client to apply",
        "category",
        0,
        "family",
        _C,
    ),
    ("NAME_HOUSING_TYPE", "Type de logement", "Type of housing", "category", 0, "family", _C),
    ("FLAG_OWN_CAR", "Possède une voiture", "Owns a car", "flag", 0, "family", _N),
    ("OWN_CAR_AGE", "Âge de la voiture", "Age of the client's car", "years", 0, "family", _N),
    (
        "FLAG_OWN_REALTY",
        "Propriétaire d'un bien immobilier",
        "Owns real estate",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "REGION_POPULATION_RELATIVE",
        "Densité de population de la région (indice)",
        "Population density of the home region (index)",
        "number",
        4,
        "family",
        _N,
    ),
    (
        "REGION_RATING_CLIENT",
        "Note de la région de résidence (1 = meilleure, 3 = moins bonne)",
        "Rating of the home region (1 = best, 3 = worst)",
        "number",
        0,
        "family",
        _N,
    ),
    (
        "REGION_RATING_CLIENT_W_CITY",
        "Note de la région, ville comprise (1 à 3)",
        "Rating of the home region, city included (1 to 3)",
        "number",
        0,
        "family",
        _N,
    ),
    (
        "REG_REGION_NOT_LIVE_REGION",
        "Adresse officielle hors de la région où il habite",
        "Official address outside the region where the client lives",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "REG_REGION_NOT_WORK_REGION",
        "Adresse officielle hors de la région où il travaille",
        "Official address outside the region where the client works",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "LIVE_REGION_NOT_WORK_REGION",
        "Habite hors de la région où il travaille",
        "Lives outside the region where the client works",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "REG_CITY_NOT_LIVE_CITY",
        "Adresse officielle hors de la ville où il habite",
        "Official address outside the city where the client lives",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "REG_CITY_NOT_WORK_CITY",
        "Adresse officielle hors de la ville où il travaille",
        "Official address outside the city where the client works",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "LIVE_CITY_NOT_WORK_CITY",
        "Habite hors de la ville où il travaille",
        "Lives outside the city where the client works",
        "flag",
        0,
        "family",
        _N,
    ),
    (
        "APARTMENTS_AVG",
        "Immeuble : taille des appartements (indice)",
        "Building: size of the apartments (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "BASEMENTAREA_AVG",
        "Immeuble : surface du sous-sol (indice)",
        "Building: basement area (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "YEARS_BEGINEXPLUATATION_AVG",
        "Immeuble : durée d'occupation (indice)",
        "Building: time in use (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "YEARS_BUILD_AVG",
        "Immeuble : ancienneté de la construction (indice)",
        "Building: age of the construction (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "COMMONAREA_AVG",
        "Immeuble : parties communes (indice)",
        "Building: common areas (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "ELEVATORS_AVG",
        "Immeuble : ascenseurs (indice)",
        "Building: elevators (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "ENTRANCES_AVG",
        "Immeuble : entrées (indice)",
        "Building: entrances (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "FLOORSMAX_AVG",
        "Immeuble : nombre d'étages le plus haut (indice)",
        "Building: highest number of floors (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "FLOORSMIN_AVG",
        "Immeuble : nombre d'étages le plus bas (indice)",
        "Building: lowest number of floors (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "LANDAREA_AVG",
        "Immeuble : surface du terrain (indice)",
        "Building: land area (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "LIVINGAPARTMENTS_AVG",
        "Immeuble : appartements habités (indice)",
        "Building: lived-in apartments (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "LIVINGAREA_AVG",
        "Immeuble : surface habitable (indice)",
        "Building: living area (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "NONLIVINGAPARTMENTS_AVG",
        "Immeuble : locaux non habités (indice)",
        "Building: units not lived in (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "NONLIVINGAREA_AVG",
        "Immeuble : surface non habitable (indice)",
        "Building: area not lived in (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "TOTALAREA_MODE",
        "Immeuble : surface totale (indice)",
        "Building: total area (index)",
        "number",
        3,
        "family",
        _N,
    ),
    (
        "FONDKAPREMONT_MODE",
        "Immeuble : fonds de rénovation",
        "Building: renovation fund",
        "category",
        0,
        "family",
        _C,
    ),
    ("HOUSETYPE_MODE", "Type d'immeuble", "Type of building", "category", 0, "family", _C),
    (
        "WALLSMATERIAL_MODE",
        "Matériau des murs",
        "Material of the walls",
        "category",
        0,
        "family",
        _C,
    ),
    (
        "EMERGENCYSTATE_MODE",
        "Immeuble en état d'urgence",
        "Building in a state of emergency",
        "category",
        0,
        "family",
        _C,
    ),
    (
        "OBS_30_CNT_SOCIAL_CIRCLE",
        "Entourage : personnes suivies (retards de 30 jours)",
        "Social circle: people observed (30-day arrears)",
        "count",
        0,
        "family",
        _N,
    ),
    (
        "DEF_30_CNT_SOCIAL_CIRCLE",
        "Entourage : personnes en défaut (retards de 30 jours)",
        "Social circle: people in default (30-day arrears)",
        "count",
        0,
        "family",
        _N,
    ),
    (
        "OBS_60_CNT_SOCIAL_CIRCLE",
        "Entourage : personnes suivies (retards de 60 jours)",
        "Social circle: people observed (60-day arrears)",
        "count",
        0,
        "family",
        _N,
    ),
    (
        "DEF_60_CNT_SOCIAL_CIRCLE",
        "Entourage : personnes en défaut (retards de 60 jours)",
        "Social circle: people in default (60-day arrears)",
        "count",
        0,
        "family",
        _N,
    ),
    # income
    (
        "AMT_INCOME_TOTAL",
        "Revenu annuel du client",
        "Client's yearly income",
        "amount",
        0,
        "income",
        _N,
    ),
    ("NAME_INCOME_TYPE", "Source des revenus", "Source of income", "category", 0, "income", _C),
    (
        "INCOME_PER_FAMILY_MEMBER",
        "Revenu annuel par personne du foyer",
        "Yearly income per household member",
        "amount",
        0,
        "income",
        _N,
    ),
    (
        "ANNUITY_TO_INCOME",
        "Part du revenu consacrée aux échéances du crédit",
        "Share of income spent on the credit's instalments",
        "percentage",
        1,
        "income",
        _N,
    ),
    (
        "CREDIT_TO_INCOME",
        "Montant du crédit rapporté au revenu annuel (en années de revenu)",
        "Credit amount in years of income",
        "ratio",
        2,
        "income",
        _N,
    ),
    # employment
    (
        "EMPLOYMENT_YEARS",
        "Ancienneté dans l'emploi actuel",
        "Years in the current job",
        "years",
        1,
        "employment",
        _N,
    ),
    (
        "EMPLOYMENT_NOT_APPLICABLE",
        "Sans emploi en cours (retraité ou sans activité)",
        "No current job (pensioner or not working)",
        "flag",
        0,
        "employment",
        _N,
    ),
    (
        "EMPLOYMENT_TO_AGE",
        "Part de la vie passée dans l'emploi actuel",
        "Share of life spent in the current job",
        "percentage",
        1,
        "employment",
        _N,
    ),
    ("OCCUPATION_TYPE", "Profession", "Occupation", "category", 0, "employment", _C),
    (
        "ORGANIZATION_TYPE",
        "Secteur d'activité de l'employeur",
        "Employer's line of business",
        "category",
        0,
        "employment",
        _C,
    ),
    (
        "FLAG_EMP_PHONE",
        "Téléphone de l'employeur fourni",
        "Employer's phone number provided",
        "flag",
        0,
        "employment",
        _N,
    ),
    (
        "FLAG_WORK_PHONE",
        "Téléphone professionnel fourni",
        "Work phone number provided",
        "flag",
        0,
        "employment",
        _N,
    ),
    # credit requested
    (
        "NAME_CONTRACT_TYPE",
        "Type de crédit demandé",
        "Type of credit requested",
        "category",
        0,
        "credit_requested",
        _C,
    ),
    (
        "AMT_CREDIT",
        "Montant du crédit demandé",
        "Credit amount requested",
        "amount",
        0,
        "credit_requested",
        _N,
    ),
    (
        "AMT_ANNUITY",
        "Montant de l'échéance du crédit",
        "Credit repayment instalment",
        "amount",
        0,
        "credit_requested",
        _N,
    ),
    (
        "AMT_GOODS_PRICE",
        "Prix du bien financé",
        "Price of the goods financed",
        "amount",
        0,
        "credit_requested",
        _N,
    ),
    (
        "ANNUITY_TO_CREDIT",
        "Échéance rapportée au montant du crédit",
        "Instalment as a share of the credit amount",
        "percentage",
        1,
        "credit_requested",
        _N,
    ),
    (
        "GOODS_TO_CREDIT",
        "Prix du bien rapporté au montant du crédit",
        "Goods price relative to the credit amount",
        "ratio",
        2,
        "credit_requested",
        _N,
    ),
    (
        "WEEKDAY_APPR_PROCESS_START",
        "Jour de la semaine de la demande",
        "Day of the week of the application",
        "category",
        0,
        "credit_requested",
        _C,
    ),
    (
        "HOUR_APPR_PROCESS_START",
        "Heure de la demande",
        "Hour of the application",
        "number",
        0,
        "credit_requested",
        _N,
    ),
    # external scores
    (
        "EXT_SOURCE_1",
        "Score externe n° 1",
        "External score no. 1",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SOURCE_2",
        "Score externe n° 2",
        "External score no. 2",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SOURCE_3",
        "Score externe n° 3",
        "External score no. 3",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SCORES_MEAN",
        "Moyenne des scores externes",
        "Average of the external scores",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SCORES_MIN",
        "Plus faible des scores externes",
        "Lowest external score",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SCORES_MAX",
        "Plus élevé des scores externes",
        "Highest external score",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SCORES_SPREAD",
        "Écart entre les scores externes (écart-type)",
        "Spread of the external scores (standard deviation)",
        "score",
        2,
        "external_scores",
        _N,
    ),
    (
        "EXT_SCORES_MISSING_COUNT",
        "Nombre de scores externes non renseignés",
        "Number of external scores not provided",
        "count",
        0,
        "external_scores",
        _N,
    ),
    # credit bureau enquiries (recorded with the application)
    (
        "AMT_REQ_CREDIT_BUREAU_HOUR",
        "Consultations du bureau de crédit dans l'heure avant la demande",
        "Credit bureau enquiries in the hour before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
    (
        "AMT_REQ_CREDIT_BUREAU_DAY",
        "Consultations du bureau de crédit dans la journée avant la demande",
        "Credit bureau enquiries in the day before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
    (
        "AMT_REQ_CREDIT_BUREAU_WEEK",
        "Consultations du bureau de crédit dans la semaine avant la demande",
        "Credit bureau enquiries in the week before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
    (
        "AMT_REQ_CREDIT_BUREAU_MON",
        "Consultations du bureau de crédit dans le mois avant la demande",
        "Credit bureau enquiries in the month before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
    (
        "AMT_REQ_CREDIT_BUREAU_QRT",
        "Consultations du bureau de crédit dans les 3 mois avant la demande",
        "Credit bureau enquiries in the 3 months before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
    (
        "AMT_REQ_CREDIT_BUREAU_YEAR",
        "Consultations du bureau de crédit dans l'année avant la demande",
        "Credit bureau enquiries in the year before the application",
        "count",
        0,
        "bureau",
        _N,
    ),
]

#: Catalog entries of every application feature, in output column order.
CATALOG_ENTRIES: list[CatalogEntry] = [
    CatalogEntry(name, fr, en, unit, decimals, SOURCE, group, kind)
    for name, fr, en, unit, decimals, group, kind in _ENTRIES
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
