"""Synthetic application rows (application_train / application_test) in Kaggle's format.

Each applicant has a hidden risk ``z`` (standard normal). TARGET is drawn from it, and it leaves
noisy traces in the columns a real scorecard would use: the external scores (strongest), age,
employment length, the credit/goods ratio, education, occupation, region rating, social circle
defaults. Frequencies and missing rates follow the public Kaggle data at the aggregate level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import special

from credit_scoring.data import schema
from credit_scoring.data.synthetic_common import (
    beta_quantile,
    category_column,
    draw_category,
    float_column,
    int_column,
    latent_uniform,
    lognormal_quantile,
    missing_mask,
    round_to,
    sigmoid,
    with_missing,
)
from credit_scoring.data.synthetic_drift import check_drift, inflate, lower_scores, younger_ages

#: Intercept and slope of TARGET's log-odds in the hidden risk (default rate about 8%).
TARGET_INTERCEPT = -3.3
TARGET_RISK_SLOPE = 1.5

CONTRACT_TYPES = (("Cash loans", "Revolving loans"), (0.905, 0.095))
GENDERS = (("F", "M", "XNA"), (0.658, 0.342, 1.3e-5), (-0.15, 0.25, 0.0))
NAME_TYPE_SUITES = (
    (
        "Unaccompanied",
        "Family",
        "Spouse, partner",
        "Children",
        "Other_B",
        "Other_A",
        "Group of people",
    ),
    (0.812, 0.131, 0.037, 0.0107, 0.0058, 0.0028, 0.0009),
)
WORKING_INCOME_TYPES = (
    (
        "Working",
        "Commercial associate",
        "State servant",
        "Unemployed",
        "Student",
        "Businessman",
        "Maternity leave",
    ),
    (0.630, 0.284, 0.0858, 7e-5, 6e-5, 3.5e-5, 1.8e-5),
    (0.12, -0.05, -0.35, 0.8, -0.3, -0.5, 0.5),
)
EDUCATIONS = (
    (
        "Secondary / secondary special",
        "Higher education",
        "Incomplete higher",
        "Lower secondary",
        "Academic degree",
    ),
    (0.710, 0.243, 0.033, 0.0124, 0.0005),
    (0.12, -0.45, 0.0, 0.35, -0.8),
)
FAMILY_STATUSES = (
    ("Married", "Single / not married", "Civil marriage", "Separated", "Widow", "Unknown"),
    (0.639, 0.148, 0.097, 0.064, 0.052, 7e-6),
    (-0.05, 0.15, 0.15, 0.05, -0.2, 0.0),
)
HOUSING_TYPES = (
    (
        "House / apartment",
        "With parents",
        "Municipal apartment",
        "Rented apartment",
        "Office apartment",
        "Co-op apartment",
    ),
    (0.887, 0.048, 0.036, 0.016, 0.0085, 0.0036),
    (-0.05, 0.3, 0.1, 0.35, -0.2, 0.0),
)
OCCUPATIONS = (
    (
        "Laborers",
        "Sales staff",
        "Core staff",
        "Managers",
        "Drivers",
        "High skill tech staff",
        "Accountants",
        "Medicine staff",
        "Security staff",
        "Cooking staff",
        "Cleaning staff",
        "Private service staff",
        "Low-skill Laborers",
        "Waiters/barmen staff",
        "Secretaries",
        "Realty agents",
        "HR staff",
        "IT staff",
    ),
    (
        0.261,
        0.152,
        0.130,
        0.101,
        0.088,
        0.054,
        0.047,
        0.040,
        0.032,
        0.028,
        0.022,
        0.013,
        0.0099,
        0.0064,
        0.0063,
        0.0035,
        0.0027,
        0.0025,
    ),
    (
        0.2,
        0.12,
        -0.2,
        -0.25,
        0.3,
        -0.3,
        -0.4,
        -0.1,
        0.2,
        0.25,
        0.15,
        -0.1,
        0.5,
        0.25,
        -0.1,
        0.0,
        -0.2,
        -0.2,
    ),
)
WEEKDAYS = (
    ("TUESDAY", "WEDNESDAY", "MONDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"),
    (0.175, 0.169, 0.165, 0.164, 0.164, 0.110, 0.053),
)
ORGANIZATIONS = (
    (
        "Business Entity Type 3",
        "Self-employed",
        "Other",
        "Medicine",
        "Business Entity Type 2",
        "Government",
        "School",
        "Trade: type 7",
        "Kindergarten",
        "Construction",
        "Business Entity Type 1",
        "Transport: type 4",
        "Trade: type 3",
        "Industry: type 9",
        "Industry: type 3",
        "Security",
        "Housing",
        "Industry: type 11",
        "Military",
        "Bank",
        "Agriculture",
        "Police",
        "Transport: type 2",
        "Postal",
        "Security Ministries",
        "Trade: type 2",
        "Restaurant",
        "Services",
        "University",
        "Industry: type 7",
        "Transport: type 3",
        "Industry: type 1",
        "Hotel",
        "Electricity",
        "Industry: type 4",
        "Trade: type 6",
        "Industry: type 5",
        "Insurance",
        "Telecom",
        "Emergency",
        "Industry: type 2",
        "Advertising",
        "Realtor",
        "Culture",
        "Industry: type 12",
        "Trade: type 1",
        "Mobile",
        "Legal Services",
        "Cleaning",
        "Transport: type 1",
        "Industry: type 6",
        "Industry: type 10",
        "Religion",
        "Industry: type 13",
        "Trade: type 4",
        "Trade: type 5",
        "Industry: type 8",
    ),
    (
        0.2215,
        0.1250,
        0.0543,
        0.0364,
        0.0343,
        0.0339,
        0.0289,
        0.0255,
        0.0224,
        0.0218,
        0.0195,
        0.0176,
        0.0114,
        0.0110,
        0.0107,
        0.0106,
        0.0096,
        0.0088,
        0.0086,
        0.0081,
        0.0080,
        0.0076,
        0.0072,
        0.0070,
        0.0064,
        0.0062,
        0.0059,
        0.0051,
        0.0043,
        0.0043,
        0.0039,
        0.0034,
        0.0031,
        0.0031,
        0.0028,
        0.0021,
        0.0019,
        0.0019,
        0.0019,
        0.0018,
        0.0015,
        0.0014,
        0.0013,
        0.0012,
        0.0012,
        0.0011,
        0.0010,
        0.0010,
        0.0008,
        0.0007,
        0.0004,
        0.0004,
        0.0003,
        0.0002,
        0.0002,
        0.0001,
        0.0001,
    ),
)
#: Organizations with a riskier or safer workforce (others: no effect).
ORGANIZATION_EFFECTS = {
    "Self-employed": 0.25,
    "Construction": 0.35,
    "Restaurant": 0.3,
    "Transport: type 3": 0.4,
    "Realtor": 0.3,
    "Cleaning": 0.3,
    "Agriculture": 0.2,
    "Bank": -0.35,
    "Police": -0.35,
    "Military": -0.35,
    "Security Ministries": -0.35,
    "University": -0.4,
    "School": -0.2,
    "Government": -0.1,
    "Trade: type 4": -0.3,
    "Industry: type 12": -0.35,
}
FONDKAPREMONT = (
    ("reg oper account", "reg oper spec account", "org spec account", "not specified"),
    (0.761, 0.123, 0.057, 0.059),
)
HOUSETYPES = (("block of flats", "specific housing", "terraced house"), (0.981, 0.0098, 0.0079))
WALLSMATERIALS = (
    ("Panel", "Stone, brick", "Block", "Wooden", "Mixed", "Monolithic", "Others"),
    (0.432, 0.412, 0.059, 0.0341, 0.0148, 0.0352, 0.0105),
)
EMERGENCY_STATES = (("No", "Yes"), (0.9856, 0.0144))

#: Regions: how many, and the quantiles of their relative population (applicant-weighted).
REGION_COUNT = 81
REGION_POPULATION_QUANTILES = (
    (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0),
    (0.00029, 0.005, 0.010, 0.0188, 0.0287, 0.0462, 0.0725),
)

#: Normalized building columns: (missing rate, median, log-sd, share of zeros, rounding step).
BUILDING_COLUMNS = {
    "APARTMENTS": (0.508, 0.088, 0.75, 0.004, 0.0001),
    "BASEMENTAREA": (0.585, 0.08, 0.75, 0.1, 0.0001),
    "YEARS_BEGINEXPLUATATION": (0.488, None, None, 0.0, 0.0001),
    "YEARS_BUILD": (0.665, None, None, 0.0, 0.0001),
    "COMMONAREA": (0.699, 0.024, 1.4, 0.1, 0.0001),
    "ELEVATORS": (0.533, 0.14, 0.7, 0.55, 0.04),
    "ENTRANCES": (0.503, 0.138, 0.8, 0.01, 1 / 29),
    "FLOORSMAX": (0.498, 0.2, 0.7, 0.01, 1 / 24),
    "FLOORSMIN": (0.679, 0.2083, 1.0, 0.01, 1 / 24),
    "LANDAREA": (0.594, 0.05, 1.15, 0.06, 0.0001),
    "LIVINGAPARTMENTS": (0.684, 0.076, 0.7, 0.01, 0.0001),
    "LIVINGAREA": (0.502, 0.075, 0.8, 0.01, 0.0001),
    "NONLIVINGAPARTMENTS": (0.694, 0.006, 1.3, 0.55, 0.0001),
    "NONLIVINGAREA": (0.552, 0.015, 1.4, 0.42, 0.0001),
}
TOTALAREA_MISSING = 0.483
#: Share of applicants with any building information (the rest have every building cell empty).
BUILDING_INFO_SHARE = 0.53

#: FLAG_DOCUMENT_2..21: share of applicants who gave each document.
DOCUMENT_RATES = (
    4e-5,
    0.71,
    8e-5,
    0.0151,
    0.088,
    2e-4,
    0.081,
    0.0039,
    2.3e-5,
    0.0039,
    7e-6,
    0.0035,
    0.0029,
    0.0012,
    0.0099,
    2.7e-4,
    0.0081,
    6e-4,
    5e-4,
    3.3e-4,
)


@dataclass
class Applicants:
    """The generated applicants: their Kaggle columns and what the side tables build on."""

    train: pa.Table
    test: pa.Table
    #: For every applicant, in SK_ID_CURR order: id, hidden risk, age (years), income.
    ids: np.ndarray
    risk: np.ndarray
    age_years: np.ndarray
    income: np.ndarray


def _building(rng: np.random.Generator, n: int, z: np.ndarray, columns: dict) -> None:
    has_info = rng.random(n) < BUILDING_INFO_SHARE
    # One building-size score shared by the columns (bigger buildings: slightly safer).
    size_score = special.ndtri(latent_uniform(z, 0.08, rng))
    for name, (missing_rate, median, log_sd, zero_share, step) in BUILDING_COLUMNS.items():
        # Cells missing among applicants with building info, to reach the column's missing rate.
        extra_missing = max(0.0, (missing_rate - (1 - BUILDING_INFO_SHARE)) / BUILDING_INFO_SHARE)
        missing = ~has_info | (rng.random(n) < extra_missing)
        if name == "YEARS_BEGINEXPLUATATION":
            base = 1 - 0.0184 * np.exp(0.5 * rng.standard_normal(n))
        elif name == "YEARS_BUILD":
            base = 0.755 + 0.11 * rng.standard_normal(n)
        else:
            score = 0.8 * size_score + 0.6 * rng.standard_normal(n)
            base = median * np.exp(log_sd * score)
            if name == "FLOORSMAX":  # five- and nine-storey blocks are the commonest
                storeys = draw_category(rng, (0.3, 0.2, 0.5), n)
                base = np.select([storeys == 0, storeys == 1], [4 / 24, 8 / 24], base)
            base[rng.random(n) < zero_share] = 0.0
        base = np.clip(base, 0.0, 1.0)
        spread = (1 - base) if name == "YEARS_BEGINEXPLUATATION" else base
        variants = {
            "AVG": base,
            "MODE": base + spread * 0.06 * rng.standard_normal(n),
            "MEDI": base + spread * 0.02 * rng.standard_normal(n),
        }
        for suffix, values in variants.items():
            values = np.clip(round_to(values, step), 0.0, 1.0)
            columns[f"{name}_{suffix}"] = float_column(np.round(with_missing(values, missing), 4))
    total_score = 0.8 * size_score + 0.6 * rng.standard_normal(n)
    total = np.clip(0.069 * np.exp(0.95 * total_score), 0, 1)
    total_missing = ~has_info | (rng.random(n) < (TOTALAREA_MISSING - 0.47) / 0.53)
    columns["TOTALAREA_MODE"] = float_column(np.round(with_missing(total, total_missing), 4))
    for name, (levels, probabilities), rate in (
        ("FONDKAPREMONT_MODE", FONDKAPREMONT, 0.684),
        ("HOUSETYPE_MODE", HOUSETYPES, 0.502),
        ("WALLSMATERIAL_MODE", WALLSMATERIALS, 0.509),
        ("EMERGENCYSTATE_MODE", EMERGENCY_STATES, 0.474),
    ):
        codes = draw_category(rng, probabilities, n)
        codes[~has_info | (rng.random(n) < (rate - 0.47) / 0.53)] = -1
        columns[name] = category_column(codes, levels)


def generate_applicants(
    rng: np.random.Generator,
    n_applicants: int,
    test_fraction: float,
    drift: str | None = None,
    drift_rng: np.random.Generator | None = None,
) -> Applicants:
    """Draw ``n_applicants`` applicants; a ``test_fraction`` share goes to application_test.

    ``drift`` names a scenario of synthetic_drift planted in the new (test) applicants, drawing
    from ``drift_rng``; None draws the applicants without drift.
    """
    check_drift(drift)
    drift_rng = drift_rng if drift_rng is not None else np.random.default_rng(0)
    n = n_applicants
    z = rng.standard_normal(n)
    columns: dict[str, pa.Array] = {}

    # Ids from 100002 upward, with small gaps; train and test interleaved as in Kaggle.
    ids = 100002 + np.cumsum(rng.integers(1, 3, n)) - 1
    n_test = int(round(n * test_fraction))
    is_test = np.zeros(n, dtype=bool)
    is_test[rng.permutation(n)[:n_test]] = True
    columns["SK_ID_CURR"] = int_column(ids)
    target = (rng.random(n) < sigmoid(TARGET_INTERCEPT + TARGET_RISK_SLOPE * z)).astype(np.int64)
    columns["TARGET"] = int_column(target)

    contract = draw_category(rng, CONTRACT_TYPES[1], n)
    revolving = contract == 1
    columns["NAME_CONTRACT_TYPE"] = category_column(contract, CONTRACT_TYPES[0])
    gender = draw_category(rng, GENDERS[1], n, z, GENDERS[2])
    columns["CODE_GENDER"] = category_column(gender, GENDERS[0])

    # Age (years, 20-69): older applicants are safer.
    age_years = 20.1 + 48.8 * beta_quantile(latent_uniform(z, 0.22, rng), 1.5, 1.65)
    if drift == "young":
        age_years = younger_ages(drift_rng, age_years, is_test)
    days_birth = -np.floor(age_years * 365.25).astype(np.int64)
    pensioner = rng.random(n) < sigmoid((age_years - 56.5) / 2.2) * 0.95 + 0.006

    education = draw_category(rng, EDUCATIONS[1], n, z, EDUCATIONS[2])
    income_type = draw_category(rng, WORKING_INCOME_TYPES[1], n, z, WORKING_INCOME_TYPES[2])
    unemployed = income_type == WORKING_INCOME_TYPES[0].index("Unemployed")
    income_type_levels = (*WORKING_INCOME_TYPES[0], "Pensioner")
    income_type = np.where(pensioner, len(income_type_levels) - 1, income_type).astype(np.int16)
    not_employed = pensioner | unemployed
    columns["NAME_INCOME_TYPE"] = category_column(income_type, income_type_levels)

    owns_car = rng.random(n) < 0.34 + 0.08 * (gender == 1)
    columns["FLAG_OWN_CAR"] = category_column(owns_car.astype(np.int16), ("N", "Y"))
    owns_realty = rng.random(n) < 0.68 + 0.1 * (age_years > 45)
    columns["FLAG_OWN_REALTY"] = category_column(owns_realty.astype(np.int16), ("N", "Y"))
    children = draw_category(rng, (0.70, 0.199, 0.087, 0.012, 0.0014, 0.0004, 0.0002), n)
    children = np.where(age_years > 58, np.minimum(children, 1), children).astype(np.int64)
    columns["CNT_CHILDREN"] = int_column(children)

    # Money: income (log-normal), credit tied to income, goods price about 0.9 x credit.
    education_bonus = np.select([education == 1, education == 4], [0.25, 0.4], 0.0)
    income = lognormal_quantile(rng.random(n), 147_000 * 0.95, 0.48) * np.exp(education_bonus)
    income = np.where(pensioner, income * 0.72, income)
    income = np.clip(round_to(income, 2250.0), 25_650.0, 18_000_000.0)
    credit_to_income = lognormal_quantile(rng.random(n), 3.9, 0.5)
    goods_price = np.clip(round_to(income * credit_to_income / 1.12, 4500.0), 40_500.0, 4_050_000)
    # Insurance and fees on top of the goods price: commoner and larger for riskier applicants.
    loaded = rng.random(n) < 0.62 + 0.1 * np.tanh(z)
    load = np.where(loaded, np.clip(0.05 + 0.16 * latent_uniform(-z, 0.35, rng), 0, 0.35), 0.0)
    credit = np.round(goods_price * (1 + load) * 2) / 2
    # Longer terms (smaller annuities for the credit) for riskier applicants.
    term_draw = lognormal_quantile(latent_uniform(z, -0.15, rng), 24, 0.5)
    term_months = np.round(np.clip(term_draw, 6, 60))
    monthly_rate = 0.013 + 0.006 * rng.random(n)
    annuity = credit * monthly_rate / (1 - (1 + monthly_rate) ** -term_months)
    # Revolving loans: round credit lines, annuity 5% of the line, a goods price the same.
    revolving_line = round_to(
        np.clip(income * lognormal_quantile(rng.random(n), 1.2, 0.5), 45_000, 1_350_000), 22_500.0
    )
    credit = np.where(revolving, revolving_line, credit)
    goods_price = np.where(revolving, revolving_line, goods_price)
    annuity = np.where(revolving, revolving_line * 0.05, annuity)
    annuity = np.round(annuity * 2) / 2
    goods_missing = revolving & (rng.random(n) < 0.0095)
    if drift == "incomes":
        income = np.clip(inflate(income, is_test, 2250.0), 25_650.0, 18_000_000.0)
        inflated_credit = inflate(credit, is_test, 0.5)
        # The goods price stays at most the credit (equal for revolving lines, as without drift).
        goods_price = np.where(
            goods_price == credit,
            inflated_credit,
            np.minimum(inflate(goods_price, is_test, 4500.0), inflated_credit),
        )
        credit = inflated_credit
        annuity = inflate(annuity, is_test, 0.5)
    columns["AMT_INCOME_TOTAL"] = float_column(income)
    columns["AMT_CREDIT"] = float_column(credit)
    columns["AMT_ANNUITY"] = float_column(with_missing(annuity, missing_mask(rng, n, 1e-4)))
    columns["AMT_GOODS_PRICE"] = float_column(with_missing(goods_price, goods_missing))

    suite = draw_category(rng, NAME_TYPE_SUITES[1], n)
    suite[missing_mask(rng, n, 0.0042)] = -1
    columns["NAME_TYPE_SUITE"] = category_column(suite, NAME_TYPE_SUITES[0])
    columns["NAME_EDUCATION_TYPE"] = category_column(education, EDUCATIONS[0])
    family = draw_category(rng, FAMILY_STATUSES[1], n, z, FAMILY_STATUSES[2])
    family = np.where((age_years > 62) & (rng.random(n) < 0.25), 4, family).astype(np.int16)
    columns["NAME_FAMILY_STATUS"] = category_column(family, FAMILY_STATUSES[0])
    housing = draw_category(rng, HOUSING_TYPES[1], n, z, HOUSING_TYPES[2])
    housing = np.where((age_years < 27) & (rng.random(n) < 0.2), 1, housing).astype(np.int16)
    columns["NAME_HOUSING_TYPE"] = category_column(housing, HOUSING_TYPES[0])

    # About 80 regions: bigger regions (higher relative population) have a better rating.
    region_rng = np.random.default_rng(20180517)  # the same regions for every seed
    quantiles = np.sort(region_rng.random(REGION_COUNT))
    region_population = np.round(np.interp(quantiles, *REGION_POPULATION_QUANTILES), 6)
    region = rng.integers(0, REGION_COUNT, n)
    population = region_population[region]
    rating = np.where(quantiles[region] > 0.9, 1, np.where(quantiles[region] > 0.15, 2, 3))
    shift = rng.random(n)
    rating = np.clip(rating + (shift < 0.04 + 0.05 * sigmoid(z)) - (shift > 0.97), 1, 3)
    rating_city = np.clip(rating - (rng.random(n) < 0.03), 1, 3)
    columns["REGION_POPULATION_RELATIVE"] = float_column(population)
    columns["DAYS_BIRTH"] = int_column(days_birth)

    # Employment length: longer is safer; pensioners and the unemployed get Kaggle's placeholder.
    employed_years = -np.log(1 - latent_uniform(z, 0.25, rng)) * 7.0
    employed_years = np.minimum(employed_years, np.maximum(age_years - 18.5, 0.1))
    days_employed = -np.maximum(np.floor(employed_years * 365.25), 1).astype(np.int64)
    days_employed = np.where(not_employed, schema.DAYS_PLACEHOLDER, days_employed)
    columns["DAYS_EMPLOYED"] = int_column(days_employed)
    registration_years = np.minimum(
        45 * beta_quantile(latent_uniform(z, 0.1, rng), 1.2, 3.0), age_years - 16
    )
    columns["DAYS_REGISTRATION"] = float_column(-np.floor(registration_years * 365.25))
    id_years = np.minimum(
        14 * beta_quantile(latent_uniform(z, 0.15, rng), 1.5, 1.0), age_years - 14
    )
    columns["DAYS_ID_PUBLISH"] = int_column(-np.floor(id_years * 365.25))
    car_age = np.floor(lognormal_quantile(rng.random(n), 9.0, 0.75))
    columns["OWN_CAR_AGE"] = float_column(with_missing(np.minimum(car_age, 65), ~owns_car))

    columns["FLAG_MOBIL"] = int_column(np.ones(n))
    columns["FLAG_EMP_PHONE"] = int_column(~not_employed)
    columns["FLAG_WORK_PHONE"] = int_column(rng.random(n) < 0.2 + 0.05 * sigmoid(z))
    columns["FLAG_CONT_MOBILE"] = int_column(rng.random(n) < 0.998)
    columns["FLAG_PHONE"] = int_column(rng.random(n) < 0.28 - 0.04 * np.tanh(z))
    columns["FLAG_EMAIL"] = int_column(rng.random(n) < 0.057)

    occupation = draw_category(rng, OCCUPATIONS[1], n, z, OCCUPATIONS[2])
    occupation[not_employed | missing_mask(rng, n, 0.155)] = -1
    columns["OCCUPATION_TYPE"] = category_column(occupation, OCCUPATIONS[0])
    married = np.isin(family, (0, 2))
    family_members = children + 1 + married
    columns["CNT_FAM_MEMBERS"] = float_column(
        with_missing(family_members, missing_mask(rng, n, 1e-4))
    )
    columns["REGION_RATING_CLIENT"] = int_column(rating)
    columns["REGION_RATING_CLIENT_W_CITY"] = int_column(rating_city)
    columns["WEEKDAY_APPR_PROCESS_START"] = category_column(
        draw_category(rng, WEEKDAYS[1], n), WEEKDAYS[0]
    )
    columns["HOUR_APPR_PROCESS_START"] = int_column(
        np.clip(np.round(12 + 3.3 * rng.standard_normal(n) - (rating == 3) * 2), 0, 23)
    )
    moved = rng.random(n)
    columns["REG_REGION_NOT_LIVE_REGION"] = int_column(moved < 0.015)
    columns["REG_REGION_NOT_WORK_REGION"] = int_column(~not_employed & (rng.random(n) < 0.06))
    columns["LIVE_REGION_NOT_WORK_REGION"] = int_column(~not_employed & (rng.random(n) < 0.05))
    columns["REG_CITY_NOT_LIVE_CITY"] = int_column(rng.random(n) < 0.06 + 0.04 * sigmoid(2 * z))
    columns["REG_CITY_NOT_WORK_CITY"] = int_column(
        ~not_employed & (rng.random(n) < 0.24 + 0.1 * sigmoid(2 * z))
    )
    columns["LIVE_CITY_NOT_WORK_CITY"] = int_column(~not_employed & (rng.random(n) < 0.22))

    organization_effects = [ORGANIZATION_EFFECTS.get(name, 0.0) for name in ORGANIZATIONS[0]]
    organization = draw_category(rng, ORGANIZATIONS[1], n, z, organization_effects)
    organization_levels = (*ORGANIZATIONS[0], "XNA")
    organization = np.where(not_employed, len(organization_levels) - 1, organization)
    columns["ORGANIZATION_TYPE"] = category_column(organization, organization_levels)

    # External scores: the strongest traces of the hidden risk. EXT_SOURCE_1 also grows with age.
    age_score = (age_years - 44) / 12
    ext1 = beta_quantile(latent_uniform(z - 0.6 * age_score, 0.44, rng), 2.0, 1.9) * 0.95
    ext2 = beta_quantile(latent_uniform(z, 0.48, rng), 2.6, 1.3) * 0.83
    ext3 = beta_quantile(latent_uniform(z, 0.52, rng), 2.2, 1.6) * 0.86
    if drift == "external_scores":
        ext1, ext2, ext3 = (lower_scores(ext, is_test) for ext in (ext1, ext2, ext3))
    columns["EXT_SOURCE_1"] = float_column(with_missing(ext1, missing_mask(rng, n, 0.564)))
    columns["EXT_SOURCE_2"] = float_column(with_missing(ext2, missing_mask(rng, n, 0.0021)))
    columns["EXT_SOURCE_3"] = float_column(with_missing(ext3, missing_mask(rng, n, 0.198)))

    _building(rng, n, z, columns)

    # Social circle: how many acquaintances were observed, and how many of them defaulted.
    observed = np.floor(rng.gamma(0.5, 3.0, n))
    defaulted = rng.binomial(observed.astype(np.int64), np.clip(0.07 * np.exp(0.5 * z), 0, 0.9))
    observed_60 = observed - (rng.random(n) < 0.02)
    defaulted_60 = np.minimum(defaulted - (rng.random(n) < 0.05), observed_60)
    social_missing = missing_mask(rng, n, 0.0033)
    for name, values in (
        ("OBS_30_CNT_SOCIAL_CIRCLE", observed),
        ("DEF_30_CNT_SOCIAL_CIRCLE", defaulted),
        ("OBS_60_CNT_SOCIAL_CIRCLE", np.maximum(observed_60, 0)),
        ("DEF_60_CNT_SOCIAL_CIRCLE", np.maximum(defaulted_60, 0)),
    ):
        columns[name] = float_column(with_missing(values, social_missing))
    phone_days = np.floor(3900 * beta_quantile(latent_uniform(z, 0.15, rng), 1.0, 2.6))
    phone_days[rng.random(n) < 0.12] = 0.0
    columns["DAYS_LAST_PHONE_CHANGE"] = float_column(
        with_missing(-phone_days, missing_mask(rng, n, 1e-4))
    )
    for number, rate in zip(range(2, 22), DOCUMENT_RATES, strict=True):
        bump = 0.03 * np.tanh(z) if number == 3 else 0.0
        columns[f"FLAG_DOCUMENT_{number}"] = int_column(rng.random(n) < rate + bump)

    enquiries_missing = missing_mask(rng, n, 0.135)
    for name, mean in (
        ("HOUR", 0.0064),
        ("DAY", 0.007),
        ("WEEK", 0.034),
        ("MON", 0.27),
        ("QRT", 0.27),
        ("YEAR", 1.9),
    ):
        counts = rng.poisson(mean * np.exp(0.15 * z) * (0.5 + rng.random(n)))
        columns[f"AMT_REQ_CREDIT_BUREAU_{name}"] = float_column(
            with_missing(counts, enquiries_missing)
        )

    train_columns = list(schema.APPLICATION_TRAIN_COLUMNS)
    test_columns = list(schema.APPLICATION_TEST_COLUMNS)
    full = pa.table({name: columns[name] for name in train_columns})
    train = full.filter(pa.array(~is_test))
    test = full.filter(pa.array(is_test)).select(test_columns)
    return Applicants(train, test, ids, z, age_years, income)
