"""The seven Kaggle "Home Credit Default Risk" tables: files, columns, dtypes and keys.

Every column of every table is listed, in the order of Kaggle's CSV headers. A column's *kind*
says how its values are written in the files and how they are held in memory:

- ``ID``: an integer key (``SK_ID_*``), never empty, held as int32;
- ``FLAG``: a 0/1 integer (and TARGET), never empty, held as int8;
- ``INT``: another integer (days, counts, hours), never empty, held as int32;
- ``AMOUNT``: a money amount, may be empty, held as float64 (float32 would round cents);
- ``FLOAT``: another number (scores, normalized building data, counts written with a decimal
  point, day offsets that may be empty), may be empty, held as float32;
- ``CATEGORY``: text levels, may be empty, held as a pandas categorical.

The real quirks of the data are named here so that every module handles them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ID = "ID"
FLAG = "FLAG"
INT = "INT"
AMOUNT = "AMOUNT"
FLOAT = "FLOAT"
CATEGORY = "CATEGORY"

#: In-memory dtype of each column kind.
KIND_DTYPES: dict[str, object] = {
    ID: np.int32,
    FLAG: np.int8,
    INT: np.int32,
    AMOUNT: np.float64,
    FLOAT: np.float32,
    CATEGORY: "category",
}

#: Kinds whose cells are never empty in Kaggle's files.
NON_NULLABLE_KINDS = frozenset({ID, FLAG, INT})

#: Placeholder Kaggle writes instead of a date offset: "about 1,000 years in the future" means
#: "not applicable" (pensioners' DAYS_EMPLOYED, previous applications' DAYS_* that never happened).
DAYS_PLACEHOLDER = 365243

#: Columns where DAYS_PLACEHOLDER appears and means "not applicable".
PLACEHOLDER_DAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "application_train": ("DAYS_EMPLOYED",),
    "application_test": ("DAYS_EMPLOYED",),
    "previous_application": (
        "DAYS_FIRST_DRAWING",
        "DAYS_FIRST_DUE",
        "DAYS_LAST_DUE_1ST_VERSION",
        "DAYS_LAST_DUE",
        "DAYS_TERMINATION",
    ),
}

#: Category levels that mean "not available" (XNA) or "not applicable" (XAP) rather than a value.
PLACEHOLDER_CATEGORIES = ("XNA", "XAP")

TARGET = "TARGET"
APPLICANT_KEY = "SK_ID_CURR"
BUREAU_KEY = "SK_ID_BUREAU"
PREVIOUS_KEY = "SK_ID_PREV"

APPLICATION_TRAIN_COLUMNS = {
    "SK_ID_CURR": ID,
    "TARGET": FLAG,
    "NAME_CONTRACT_TYPE": CATEGORY,
    "CODE_GENDER": CATEGORY,
    "FLAG_OWN_CAR": CATEGORY,
    "FLAG_OWN_REALTY": CATEGORY,
    "CNT_CHILDREN": INT,
    "AMT_INCOME_TOTAL": AMOUNT,
    "AMT_CREDIT": AMOUNT,
    "AMT_ANNUITY": AMOUNT,
    "AMT_GOODS_PRICE": AMOUNT,
    "NAME_TYPE_SUITE": CATEGORY,
    "NAME_INCOME_TYPE": CATEGORY,
    "NAME_EDUCATION_TYPE": CATEGORY,
    "NAME_FAMILY_STATUS": CATEGORY,
    "NAME_HOUSING_TYPE": CATEGORY,
    "REGION_POPULATION_RELATIVE": FLOAT,
    "DAYS_BIRTH": INT,
    "DAYS_EMPLOYED": INT,
    "DAYS_REGISTRATION": FLOAT,
    "DAYS_ID_PUBLISH": INT,
    "OWN_CAR_AGE": FLOAT,
    "FLAG_MOBIL": FLAG,
    "FLAG_EMP_PHONE": FLAG,
    "FLAG_WORK_PHONE": FLAG,
    "FLAG_CONT_MOBILE": FLAG,
    "FLAG_PHONE": FLAG,
    "FLAG_EMAIL": FLAG,
    "OCCUPATION_TYPE": CATEGORY,
    "CNT_FAM_MEMBERS": FLOAT,
    "REGION_RATING_CLIENT": INT,
    "REGION_RATING_CLIENT_W_CITY": INT,
    "WEEKDAY_APPR_PROCESS_START": CATEGORY,
    "HOUR_APPR_PROCESS_START": INT,
    "REG_REGION_NOT_LIVE_REGION": FLAG,
    "REG_REGION_NOT_WORK_REGION": FLAG,
    "LIVE_REGION_NOT_WORK_REGION": FLAG,
    "REG_CITY_NOT_LIVE_CITY": FLAG,
    "REG_CITY_NOT_WORK_CITY": FLAG,
    "LIVE_CITY_NOT_WORK_CITY": FLAG,
    "ORGANIZATION_TYPE": CATEGORY,
    "EXT_SOURCE_1": FLOAT,
    "EXT_SOURCE_2": FLOAT,
    "EXT_SOURCE_3": FLOAT,
    "APARTMENTS_AVG": FLOAT,
    "BASEMENTAREA_AVG": FLOAT,
    "YEARS_BEGINEXPLUATATION_AVG": FLOAT,
    "YEARS_BUILD_AVG": FLOAT,
    "COMMONAREA_AVG": FLOAT,
    "ELEVATORS_AVG": FLOAT,
    "ENTRANCES_AVG": FLOAT,
    "FLOORSMAX_AVG": FLOAT,
    "FLOORSMIN_AVG": FLOAT,
    "LANDAREA_AVG": FLOAT,
    "LIVINGAPARTMENTS_AVG": FLOAT,
    "LIVINGAREA_AVG": FLOAT,
    "NONLIVINGAPARTMENTS_AVG": FLOAT,
    "NONLIVINGAREA_AVG": FLOAT,
    "APARTMENTS_MODE": FLOAT,
    "BASEMENTAREA_MODE": FLOAT,
    "YEARS_BEGINEXPLUATATION_MODE": FLOAT,
    "YEARS_BUILD_MODE": FLOAT,
    "COMMONAREA_MODE": FLOAT,
    "ELEVATORS_MODE": FLOAT,
    "ENTRANCES_MODE": FLOAT,
    "FLOORSMAX_MODE": FLOAT,
    "FLOORSMIN_MODE": FLOAT,
    "LANDAREA_MODE": FLOAT,
    "LIVINGAPARTMENTS_MODE": FLOAT,
    "LIVINGAREA_MODE": FLOAT,
    "NONLIVINGAPARTMENTS_MODE": FLOAT,
    "NONLIVINGAREA_MODE": FLOAT,
    "APARTMENTS_MEDI": FLOAT,
    "BASEMENTAREA_MEDI": FLOAT,
    "YEARS_BEGINEXPLUATATION_MEDI": FLOAT,
    "YEARS_BUILD_MEDI": FLOAT,
    "COMMONAREA_MEDI": FLOAT,
    "ELEVATORS_MEDI": FLOAT,
    "ENTRANCES_MEDI": FLOAT,
    "FLOORSMAX_MEDI": FLOAT,
    "FLOORSMIN_MEDI": FLOAT,
    "LANDAREA_MEDI": FLOAT,
    "LIVINGAPARTMENTS_MEDI": FLOAT,
    "LIVINGAREA_MEDI": FLOAT,
    "NONLIVINGAPARTMENTS_MEDI": FLOAT,
    "NONLIVINGAREA_MEDI": FLOAT,
    "FONDKAPREMONT_MODE": CATEGORY,
    "HOUSETYPE_MODE": CATEGORY,
    "TOTALAREA_MODE": FLOAT,
    "WALLSMATERIAL_MODE": CATEGORY,
    "EMERGENCYSTATE_MODE": CATEGORY,
    "OBS_30_CNT_SOCIAL_CIRCLE": FLOAT,
    "DEF_30_CNT_SOCIAL_CIRCLE": FLOAT,
    "OBS_60_CNT_SOCIAL_CIRCLE": FLOAT,
    "DEF_60_CNT_SOCIAL_CIRCLE": FLOAT,
    "DAYS_LAST_PHONE_CHANGE": FLOAT,
    "FLAG_DOCUMENT_2": FLAG,
    "FLAG_DOCUMENT_3": FLAG,
    "FLAG_DOCUMENT_4": FLAG,
    "FLAG_DOCUMENT_5": FLAG,
    "FLAG_DOCUMENT_6": FLAG,
    "FLAG_DOCUMENT_7": FLAG,
    "FLAG_DOCUMENT_8": FLAG,
    "FLAG_DOCUMENT_9": FLAG,
    "FLAG_DOCUMENT_10": FLAG,
    "FLAG_DOCUMENT_11": FLAG,
    "FLAG_DOCUMENT_12": FLAG,
    "FLAG_DOCUMENT_13": FLAG,
    "FLAG_DOCUMENT_14": FLAG,
    "FLAG_DOCUMENT_15": FLAG,
    "FLAG_DOCUMENT_16": FLAG,
    "FLAG_DOCUMENT_17": FLAG,
    "FLAG_DOCUMENT_18": FLAG,
    "FLAG_DOCUMENT_19": FLAG,
    "FLAG_DOCUMENT_20": FLAG,
    "FLAG_DOCUMENT_21": FLAG,
    "AMT_REQ_CREDIT_BUREAU_HOUR": AMOUNT,
    "AMT_REQ_CREDIT_BUREAU_DAY": AMOUNT,
    "AMT_REQ_CREDIT_BUREAU_WEEK": AMOUNT,
    "AMT_REQ_CREDIT_BUREAU_MON": AMOUNT,
    "AMT_REQ_CREDIT_BUREAU_QRT": AMOUNT,
    "AMT_REQ_CREDIT_BUREAU_YEAR": AMOUNT,
}

#: application_test has the same columns as application_train, without TARGET.
APPLICATION_TEST_COLUMNS = {
    column: kind for column, kind in APPLICATION_TRAIN_COLUMNS.items() if column != TARGET
}

BUREAU_COLUMNS = {
    "SK_ID_CURR": ID,
    "SK_ID_BUREAU": ID,
    "CREDIT_ACTIVE": CATEGORY,
    "CREDIT_CURRENCY": CATEGORY,
    "DAYS_CREDIT": INT,
    "CREDIT_DAY_OVERDUE": INT,
    "DAYS_CREDIT_ENDDATE": FLOAT,
    "DAYS_ENDDATE_FACT": FLOAT,
    "AMT_CREDIT_MAX_OVERDUE": AMOUNT,
    "CNT_CREDIT_PROLONG": INT,
    "AMT_CREDIT_SUM": AMOUNT,
    "AMT_CREDIT_SUM_DEBT": AMOUNT,
    "AMT_CREDIT_SUM_LIMIT": AMOUNT,
    "AMT_CREDIT_SUM_OVERDUE": AMOUNT,
    "CREDIT_TYPE": CATEGORY,
    "DAYS_CREDIT_UPDATE": INT,
    "AMT_ANNUITY": AMOUNT,
}

BUREAU_BALANCE_COLUMNS = {
    "SK_ID_BUREAU": ID,
    "MONTHS_BALANCE": INT,
    "STATUS": CATEGORY,
}

PREVIOUS_APPLICATION_COLUMNS = {
    "SK_ID_PREV": ID,
    "SK_ID_CURR": ID,
    "NAME_CONTRACT_TYPE": CATEGORY,
    "AMT_ANNUITY": AMOUNT,
    "AMT_APPLICATION": AMOUNT,
    "AMT_CREDIT": AMOUNT,
    "AMT_DOWN_PAYMENT": AMOUNT,
    "AMT_GOODS_PRICE": AMOUNT,
    "WEEKDAY_APPR_PROCESS_START": CATEGORY,
    "HOUR_APPR_PROCESS_START": INT,
    "FLAG_LAST_APPL_PER_CONTRACT": CATEGORY,
    "NFLAG_LAST_APPL_IN_DAY": FLAG,
    "RATE_DOWN_PAYMENT": FLOAT,
    "RATE_INTEREST_PRIMARY": FLOAT,
    "RATE_INTEREST_PRIVILEGED": FLOAT,
    "NAME_CASH_LOAN_PURPOSE": CATEGORY,
    "NAME_CONTRACT_STATUS": CATEGORY,
    "DAYS_DECISION": INT,
    "NAME_PAYMENT_TYPE": CATEGORY,
    "CODE_REJECT_REASON": CATEGORY,
    "NAME_TYPE_SUITE": CATEGORY,
    "NAME_CLIENT_TYPE": CATEGORY,
    "NAME_GOODS_CATEGORY": CATEGORY,
    "NAME_PORTFOLIO": CATEGORY,
    "NAME_PRODUCT_TYPE": CATEGORY,
    "CHANNEL_TYPE": CATEGORY,
    "SELLERPLACE_AREA": INT,
    "NAME_SELLER_INDUSTRY": CATEGORY,
    "CNT_PAYMENT": FLOAT,
    "NAME_YIELD_GROUP": CATEGORY,
    "PRODUCT_COMBINATION": CATEGORY,
    "DAYS_FIRST_DRAWING": FLOAT,
    "DAYS_FIRST_DUE": FLOAT,
    "DAYS_LAST_DUE_1ST_VERSION": FLOAT,
    "DAYS_LAST_DUE": FLOAT,
    "DAYS_TERMINATION": FLOAT,
    "NFLAG_INSURED_ON_APPROVAL": FLOAT,
}

POS_CASH_BALANCE_COLUMNS = {
    "SK_ID_PREV": ID,
    "SK_ID_CURR": ID,
    "MONTHS_BALANCE": INT,
    "CNT_INSTALMENT": FLOAT,
    "CNT_INSTALMENT_FUTURE": FLOAT,
    "NAME_CONTRACT_STATUS": CATEGORY,
    "SK_DPD": INT,
    "SK_DPD_DEF": INT,
}

INSTALLMENTS_PAYMENTS_COLUMNS = {
    "SK_ID_PREV": ID,
    "SK_ID_CURR": ID,
    "NUM_INSTALMENT_VERSION": FLOAT,
    "NUM_INSTALMENT_NUMBER": INT,
    "DAYS_INSTALMENT": FLOAT,
    "DAYS_ENTRY_PAYMENT": FLOAT,
    "AMT_INSTALMENT": AMOUNT,
    "AMT_PAYMENT": AMOUNT,
}

CREDIT_CARD_BALANCE_COLUMNS = {
    "SK_ID_PREV": ID,
    "SK_ID_CURR": ID,
    "MONTHS_BALANCE": INT,
    "AMT_BALANCE": AMOUNT,
    "AMT_CREDIT_LIMIT_ACTUAL": AMOUNT,
    "AMT_DRAWINGS_ATM_CURRENT": AMOUNT,
    "AMT_DRAWINGS_CURRENT": AMOUNT,
    "AMT_DRAWINGS_OTHER_CURRENT": AMOUNT,
    "AMT_DRAWINGS_POS_CURRENT": AMOUNT,
    "AMT_INST_MIN_REGULARITY": AMOUNT,
    "AMT_PAYMENT_CURRENT": AMOUNT,
    "AMT_PAYMENT_TOTAL_CURRENT": AMOUNT,
    "AMT_RECEIVABLE_PRINCIPAL": AMOUNT,
    "AMT_RECIVABLE": AMOUNT,
    "AMT_TOTAL_RECEIVABLE": AMOUNT,
    "CNT_DRAWINGS_ATM_CURRENT": FLOAT,
    "CNT_DRAWINGS_CURRENT": INT,
    "CNT_DRAWINGS_OTHER_CURRENT": FLOAT,
    "CNT_DRAWINGS_POS_CURRENT": FLOAT,
    "CNT_INSTALMENT_MATURE_CUM": FLOAT,
    "NAME_CONTRACT_STATUS": CATEGORY,
    "SK_DPD": INT,
    "SK_DPD_DEF": INT,
}


@dataclass(frozen=True)
class TableSpec:
    """One Kaggle table: its file, columns, unique key and the key that links it to its parent."""

    name: str
    columns: dict[str, str]
    #: Columns whose values identify a row uniquely (empty when rows have no unique key).
    unique_key: tuple[str, ...] = ()
    #: (column, parent table) pairs: each value of the column should exist in the parent table.
    parent_keys: tuple[tuple[str, str], ...] = ()
    required: bool = False
    description: str = field(default="", compare=False)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def dtypes(self) -> dict[str, object]:
        """The in-memory dtype of each column."""
        return {column: KIND_DTYPES[kind] for column, kind in self.columns.items()}

    def columns_of_kind(self, *kinds: str) -> list[str]:
        return [column for column, kind in self.columns.items() if kind in kinds]


APPLICATIONS = ("application_train", "application_test")

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "application_train",
            APPLICATION_TRAIN_COLUMNS,
            unique_key=(APPLICANT_KEY,),
            required=True,
            description="one row per past applicant, with TARGET (1 = payment difficulties)",
        ),
        TableSpec(
            "application_test",
            APPLICATION_TEST_COLUMNS,
            unique_key=(APPLICANT_KEY,),
            description="one row per new applicant, without TARGET",
        ),
        TableSpec(
            "bureau",
            BUREAU_COLUMNS,
            unique_key=(BUREAU_KEY,),
            parent_keys=((APPLICANT_KEY, "applications"),),
            description="credits at other institutions reported by the credit bureau",
        ),
        TableSpec(
            "bureau_balance",
            BUREAU_BALANCE_COLUMNS,
            unique_key=(BUREAU_KEY, "MONTHS_BALANCE"),
            parent_keys=((BUREAU_KEY, "bureau"),),
            description="monthly status of each credit bureau credit",
        ),
        TableSpec(
            "previous_application",
            PREVIOUS_APPLICATION_COLUMNS,
            unique_key=(PREVIOUS_KEY,),
            parent_keys=((APPLICANT_KEY, "applications"),),
            description="previous applications for Home Credit loans",
        ),
        TableSpec(
            "POS_CASH_balance",
            POS_CASH_BALANCE_COLUMNS,
            parent_keys=((APPLICANT_KEY, "applications"), (PREVIOUS_KEY, "previous_application")),
            description="monthly balance of previous point-of-sale and cash loans",
        ),
        TableSpec(
            "installments_payments",
            INSTALLMENTS_PAYMENTS_COLUMNS,
            parent_keys=((APPLICANT_KEY, "applications"), (PREVIOUS_KEY, "previous_application")),
            description="instalments due and paid on previous Home Credit loans",
        ),
        TableSpec(
            "credit_card_balance",
            CREDIT_CARD_BALANCE_COLUMNS,
            parent_keys=((APPLICANT_KEY, "applications"), (PREVIOUS_KEY, "previous_application")),
            description="monthly balance of previous Home Credit credit cards",
        ),
    )
}

SIDE_TABLES = tuple(name for name in TABLES if name not in APPLICATIONS)

#: The name of the Kaggle archive that holds all the CSV files.
KAGGLE_ARCHIVE = "home-credit-default-risk.zip"
