"""Side-table aggregates, per applicant, against values computed by hand on tiny tables.

Every test runs with both aggregation engines (plain pandas groupby and DuckDB).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import make_table

from credit_scoring.errors import CreditScoringError
from credit_scoring.features import bureau, credit_card, installments, pos_cash, previous
from credit_scoring.features.aggregation import ENGINES, Aggregation, aggregate
from credit_scoring.features.bureau import build_bureau_features
from credit_scoring.features.catalog import catalog_as_dict, catalog_problems
from credit_scoring.features.credit_card import build_credit_card_features
from credit_scoring.features.installments import build_installments_features
from credit_scoring.features.pos_cash import build_pos_cash_features
from credit_scoring.features.previous import build_previous_features
from credit_scoring.i18n import LANGUAGES
from credit_scoring.i18n import catalog as word_catalog

NAN = float("nan")
YEAR = 365.25


def assert_values(row: pd.Series, expected: dict[str, float]) -> None:
    for name, value in expected.items():
        if np.isnan(value):
            assert np.isnan(row[name]), f"{name}: {row[name]} instead of missing"
        else:
            assert row[name] == pytest.approx(value, rel=1e-5), name


engines = pytest.mark.parametrize("engine", ENGINES)


@engines
def test_aggregation_engines_share_their_semantics(engine):
    frame = pd.DataFrame(
        {"key": np.array([1, 1, 2], dtype="int32"), "value": [2.0, NAN, NAN], "id": [7, 7, 8]}
    )
    result = aggregate(
        frame,
        "key",
        [
            Aggregation("rows", None, "size", "count"),
            Aggregation("total", "value", "sum", "amount"),
            Aggregation("filled", "value", "count", "count"),
            Aggregation("distinct", "id", "nunique", "count"),
            Aggregation("mean", "value", "mean", "amount"),
        ],
        engine,
    )
    assert result.loc[1].tolist() == [2.0, 2.0, 1.0, 1.0, 2.0]
    # a group with only missing values: its sum is missing, not 0
    assert result.loc[2, "rows"] == 1.0 and np.isnan(result.loc[2, "total"])
    assert result.loc[2, "filled"] == 0.0


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(CreditScoringError, match="unknown aggregation engine"):
        build_previous_features(make_table("previous_application", []), engine="spark")


BUREAU_ROWS = [
    {  # applicant 1, active, overdue today, with monthly rows
        "SK_ID_CURR": 1,
        "SK_ID_BUREAU": 10,
        "CREDIT_ACTIVE": "Active",
        "DAYS_CREDIT": -100,
        "CREDIT_DAY_OVERDUE": 10,
        "DAYS_CREDIT_ENDDATE": 730.5,
        "AMT_CREDIT_MAX_OVERDUE": 80.0,
        "CNT_CREDIT_PROLONG": 1,
        "AMT_CREDIT_SUM": 1000.0,
        "AMT_CREDIT_SUM_DEBT": 400.0,
        "AMT_CREDIT_SUM_LIMIT": 0.0,
        "AMT_CREDIT_SUM_OVERDUE": 50.0,
        "CREDIT_TYPE": "Consumer credit",
        "DAYS_CREDIT_UPDATE": -10,
        "AMT_ANNUITY": 100.0,
    },
    {  # applicant 1, closed credit card, no monthly rows
        "SK_ID_CURR": 1,
        "SK_ID_BUREAU": 11,
        "CREDIT_ACTIVE": "Closed",
        "DAYS_CREDIT": -1000,
        "DAYS_CREDIT_ENDDATE": -500.0,
        "AMT_CREDIT_SUM": 3000.0,
        "AMT_CREDIT_SUM_DEBT": 0.0,
        "AMT_CREDIT_SUM_OVERDUE": 0.0,
        "CREDIT_TYPE": "Credit card",
        "DAYS_CREDIT_UPDATE": -400,
    },
    {  # applicant 2: one active credit with no monthly rows and no debt given
        "SK_ID_CURR": 2,
        "SK_ID_BUREAU": 20,
        "CREDIT_ACTIVE": "Active",
        "DAYS_CREDIT": -2000,
        "AMT_CREDIT_SUM": 500.0,
        "CREDIT_TYPE": "Car loan",
        "DAYS_CREDIT_UPDATE": -30,
    },
]
BUREAU_BALANCE_ROWS = [
    {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": 0, "STATUS": "0"},
    {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -1, "STATUS": "1"},
    {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -2, "STATUS": "2"},
    {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -20, "STATUS": "1"},
    {"SK_ID_BUREAU": 10, "MONTHS_BALANCE": -21, "STATUS": "C"},
]


@engines
def test_bureau_features_by_hand(engine):
    features = build_bureau_features(
        make_table("bureau", BUREAU_ROWS),
        make_table("bureau_balance", BUREAU_BALANCE_ROWS),
        applicant_ids=pd.Index([1, 2, 3]),
        engine=engine,
    )
    assert features.index.tolist() == [1, 2, 3]
    assert (features.dtypes == np.float32).all()
    assert_values(
        features.loc[1],
        {
            "BUREAU_CREDIT_COUNT": 2,
            "BUREAU_ACTIVE_COUNT": 1,
            "BUREAU_CLOSED_COUNT": 1,
            "BUREAU_CREDIT_CARD_COUNT": 1,
            "BUREAU_RECENT_CREDIT_COUNT": 1,
            "BUREAU_YEARS_SINCE_LAST_CREDIT": 100 / YEAR,
            "BUREAU_YEARS_SINCE_FIRST_CREDIT": 1000 / YEAR,
            "BUREAU_MEAN_YEARS_REMAINING": 2.0,
            "BUREAU_MAX_YEARS_REMAINING": 2.0,
            "BUREAU_YEARS_SINCE_LAST_UPDATE": 10 / YEAR,
            "BUREAU_OVERDUE_CREDIT_COUNT": 1,
            "BUREAU_MAX_DAYS_OVERDUE": 10,
            "BUREAU_MAX_OVERDUE_AMOUNT": 80,
            "BUREAU_CURRENT_OVERDUE_AMOUNT": 50,
            "BUREAU_PROLONGATION_COUNT": 1,
            "BUREAU_TOTAL_CREDIT_AMOUNT": 4000,
            "BUREAU_MEAN_CREDIT_AMOUNT": 2000,
            "BUREAU_ACTIVE_CREDIT_AMOUNT": 1000,
            "BUREAU_ACTIVE_DEBT": 400,
            "BUREAU_ACTIVE_LIMIT": 0,
            "BUREAU_ACTIVE_ANNUITY": 100,
            "BUREAU_ACTIVE_SHARE": 0.5,
            "BUREAU_DEBT_TO_CREDIT": 0.4,
            "BUREAU_OVERDUE_TO_DEBT": 0.125,
            "BUREAU_NO_HISTORY": 0,
            # monthly rows of credit 10 only (credit 11 has none): 5 months, late at -1, -2, -20
            "BUREAU_MONTHS_REPORTED": 5,
            "BUREAU_LATE_MONTHS": 3,
            "BUREAU_SERIOUS_LATE_MONTHS": 1,
            "BUREAU_RECENT_LATE_MONTHS": 2,
            "BUREAU_WORST_STATUS": 2,
            "BUREAU_LATE_MONTHS_SHARE": 0.6,
        },
    )
    # a credit with no monthly rows: monthly counts unknown, not 0
    assert_values(
        features.loc[2],
        {
            "BUREAU_CREDIT_COUNT": 1,
            "BUREAU_ACTIVE_COUNT": 1,
            "BUREAU_ACTIVE_DEBT": NAN,
            "BUREAU_DEBT_TO_CREDIT": NAN,
            "BUREAU_MONTHS_REPORTED": NAN,
            "BUREAU_LATE_MONTHS": NAN,
            "BUREAU_WORST_STATUS": NAN,
            "BUREAU_RECENT_CREDIT_COUNT": 0,
            "BUREAU_MEAN_YEARS_REMAINING": NAN,
        },
    )
    # an applicant with no bureau credit: counts 0, the flag, other aggregates missing
    assert_values(
        features.loc[3],
        {
            "BUREAU_CREDIT_COUNT": 0,
            "BUREAU_ACTIVE_COUNT": 0,
            "BUREAU_OVERDUE_CREDIT_COUNT": 0,
            "BUREAU_NO_HISTORY": 1,
            "BUREAU_TOTAL_CREDIT_AMOUNT": NAN,
            "BUREAU_YEARS_SINCE_LAST_CREDIT": NAN,
            "BUREAU_ACTIVE_SHARE": NAN,
            "BUREAU_MONTHS_REPORTED": NAN,
            "BUREAU_LATE_MONTHS": NAN,
        },
    )


@engines
def test_bureau_recent_window_is_a_parameter(engine):
    features = build_bureau_features(
        make_table("bureau", BUREAU_ROWS),
        make_table("bureau_balance", BUREAU_BALANCE_ROWS),
        recent_months=24,
        engine=engine,
    )
    assert features.loc[1, "BUREAU_RECENT_LATE_MONTHS"] == 3


def test_bureau_without_bureau_balance_has_no_monthly_columns():
    features = build_bureau_features(make_table("bureau", BUREAU_ROWS))
    assert "BUREAU_LATE_MONTHS" not in features
    assert "BUREAU_MONTHS_REPORTED" not in features
    assert features.loc[1, "BUREAU_CREDIT_COUNT"] == 2


PREVIOUS_ROWS = [
    {
        "SK_ID_PREV": 1,
        "SK_ID_CURR": 1,
        "NAME_CONTRACT_STATUS": "Approved",
        "DAYS_DECISION": -100,
        "AMT_APPLICATION": 1000.0,
        "AMT_CREDIT": 900.0,
        "AMT_ANNUITY": 100.0,
        "CNT_PAYMENT": 12.0,
        "RATE_DOWN_PAYMENT": 0.1,
        "NAME_YIELD_GROUP": "high",
        "NAME_CONTRACT_TYPE": "Cash loans",
        "NFLAG_INSURED_ON_APPROVAL": 1.0,
        "DAYS_TERMINATION": 365243.0,
    },
    {
        "SK_ID_PREV": 2,
        "SK_ID_CURR": 1,
        "NAME_CONTRACT_STATUS": "Refused",
        "DAYS_DECISION": -800,
        "AMT_APPLICATION": 2000.0,
        "AMT_CREDIT": 2000.0,
        "CNT_PAYMENT": 24.0,
        "NAME_YIELD_GROUP": "XNA",
        "NAME_CONTRACT_TYPE": "Consumer loans",
    },
    {
        "SK_ID_PREV": 3,
        "SK_ID_CURR": 1,
        "NAME_CONTRACT_STATUS": "Canceled",
        "DAYS_DECISION": -50,
        "AMT_APPLICATION": 0.0,
        "AMT_CREDIT": 0.0,
        "NAME_YIELD_GROUP": "XNA",
        "NAME_CONTRACT_TYPE": "XNA",
    },
]


@engines
def test_previous_application_features_by_hand(engine):
    features = build_previous_features(
        make_table("previous_application", PREVIOUS_ROWS),
        applicant_ids=pd.Index([1, 2]),
        engine=engine,
    )
    assert_values(
        features.loc[1],
        {
            "PREV_APPLICATION_COUNT": 3,
            "PREV_APPROVED_COUNT": 1,
            "PREV_REFUSED_COUNT": 1,
            "PREV_CANCELED_COUNT": 1,
            "PREV_RECENT_COUNT": 2,
            "PREV_RECENT_REFUSED_COUNT": 0,
            "PREV_YEARS_SINCE_LAST_APPLICATION": 50 / YEAR,
            "PREV_YEARS_SINCE_LAST_REFUSAL": 800 / YEAR,
            "PREV_MEAN_AMOUNT_ASKED": 1000,
            "PREV_MEAN_AMOUNT_GRANTED": 900,
            "PREV_TOTAL_AMOUNT_GRANTED": 900,
            "PREV_GRANTED_TO_ASKED": 0.9,
            "PREV_MEAN_ANNUITY": 100,
            "PREV_MEAN_TERM_MONTHS": 18,
            "PREV_MEAN_DOWN_PAYMENT_RATE": 0.1,
            "PREV_HIGH_RATE_COUNT": 1,
            "PREV_CASH_LOAN_COUNT": 1,
            "PREV_REVOLVING_COUNT": 0,
            "PREV_INSURED_SHARE": 1.0,
            "PREV_APPROVED_SHARE": 1 / 3,
            "PREV_REFUSED_SHARE": 1 / 3,
            "PREV_NO_HISTORY": 0,
        },
    )
    assert_values(
        features.loc[2],
        {
            "PREV_APPLICATION_COUNT": 0,
            "PREV_REFUSED_COUNT": 0,
            "PREV_NO_HISTORY": 1,
            "PREV_APPROVED_SHARE": NAN,
            "PREV_MEAN_AMOUNT_ASKED": NAN,
            "PREV_YEARS_SINCE_LAST_APPLICATION": NAN,
        },
    )


POS_ROWS = [
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -1,
        "SK_DPD": 0,
        "SK_DPD_DEF": 0,
        "NAME_CONTRACT_STATUS": "Active",
        "CNT_INSTALMENT_FUTURE": 5.0,
    },
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -2,
        "SK_DPD": 5,
        "SK_DPD_DEF": 0,
        "NAME_CONTRACT_STATUS": "Active",
        "CNT_INSTALMENT_FUTURE": 6.0,
    },
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -30,
        "SK_DPD": 40,
        "SK_DPD_DEF": 10,
        "NAME_CONTRACT_STATUS": "Active",
        "CNT_INSTALMENT_FUTURE": 20.0,
    },
    {
        "SK_ID_PREV": 11,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -3,
        "SK_DPD": 0,
        "SK_DPD_DEF": 0,
        "NAME_CONTRACT_STATUS": "Completed",
        "CNT_INSTALMENT_FUTURE": 0.0,
    },
]


@engines
def test_pos_cash_features_by_hand(engine):
    features = build_pos_cash_features(
        make_table("POS_CASH_balance", POS_ROWS), applicant_ids=pd.Index([1, 2]), engine=engine
    )
    assert_values(
        features.loc[1],
        {
            "POS_MONTHS_COUNT": 4,
            "POS_LOAN_COUNT": 2,
            "POS_COMPLETED_LOAN_COUNT": 1,
            "POS_LATE_MONTHS": 2,
            "POS_SERIOUS_LATE_MONTHS": 1,
            "POS_MAX_DAYS_PAST_DUE": 40,
            "POS_MEAN_DAYS_PAST_DUE": 11.25,
            "POS_RECENT_MONTHS": 3,
            "POS_RECENT_LATE_MONTHS": 1,
            "POS_RECENT_MAX_DAYS_PAST_DUE": 5,
            "POS_RECENT_INSTALMENTS_LEFT": 11 / 3,
            "POS_LATE_MONTHS_SHARE": 0.5,
            "POS_NO_HISTORY": 0,
        },
    )
    assert_values(
        features.loc[2],
        {
            "POS_MONTHS_COUNT": 0,
            "POS_LOAN_COUNT": 0,
            "POS_NO_HISTORY": 1,
            "POS_MAX_DAYS_PAST_DUE": NAN,
            "POS_LATE_MONTHS_SHARE": NAN,
        },
    )


INSTALMENT_ROWS = [
    # instalment 1 (long ago), paid in two parts, the last 5 days late: late, not short
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "NUM_INSTALMENT_VERSION": 1.0,
        "NUM_INSTALMENT_NUMBER": 1,
        "DAYS_INSTALMENT": -400.0,
        "DAYS_ENTRY_PAYMENT": -405.0,
        "AMT_INSTALMENT": 100.0,
        "AMT_PAYMENT": 60.0,
    },
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "NUM_INSTALMENT_VERSION": 1.0,
        "NUM_INSTALMENT_NUMBER": 1,
        "DAYS_INSTALMENT": -400.0,
        "DAYS_ENTRY_PAYMENT": -395.0,
        "AMT_INSTALMENT": 100.0,
        "AMT_PAYMENT": 40.0,
    },
    # instalment 2 (recent), paid 5 days early but only half
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "NUM_INSTALMENT_VERSION": 1.0,
        "NUM_INSTALMENT_NUMBER": 2,
        "DAYS_INSTALMENT": -30.0,
        "DAYS_ENTRY_PAYMENT": -35.0,
        "AMT_INSTALMENT": 100.0,
        "AMT_PAYMENT": 50.0,
    },
    # instalment 3 (recent), not paid at all
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "NUM_INSTALMENT_VERSION": 1.0,
        "NUM_INSTALMENT_NUMBER": 3,
        "DAYS_INSTALMENT": -10.0,
        "AMT_INSTALMENT": 100.0,
    },
]


@engines
def test_installments_features_by_hand(engine):
    features = build_installments_features(
        make_table("installments_payments", INSTALMENT_ROWS),
        applicant_ids=pd.Index([1, 2]),
        engine=engine,
    )
    assert_values(
        features.loc[1],
        {
            "INST_INSTALMENT_COUNT": 3,
            "INST_LATE_COUNT": 1,
            "INST_SHORT_COUNT": 2,
            "INST_UNPAID_COUNT": 1,
            "INST_MEAN_DAYS_LATE": 2.5,
            "INST_MAX_DAYS_LATE": 5,
            "INST_MEAN_DAYS_EARLY": 2.5,
            "INST_TOTAL_DUE": 300,
            "INST_TOTAL_PAID": 150,
            "INST_TOTAL_SHORTFALL": 150,
            "INST_YEARS_SINCE_LAST_PAYMENT": 35 / YEAR,
            "INST_RECENT_COUNT": 2,
            "INST_RECENT_LATE_COUNT": 0,
            "INST_RECENT_SHORT_COUNT": 2,
            "INST_RECENT_MAX_DAYS_LATE": 0,
            "INST_RECENT_DUE": 200,
            "INST_RECENT_PAID": 50,
            "INST_LATE_SHARE": 1 / 3,
            "INST_SHORT_SHARE": 2 / 3,
            "INST_PAID_TO_DUE": 0.5,
            "INST_RECENT_LATE_SHARE": 0,
            "INST_RECENT_PAID_TO_DUE": 0.25,
            "INST_NO_HISTORY": 0,
        },
    )
    assert_values(
        features.loc[2],
        {
            "INST_INSTALMENT_COUNT": 0,
            "INST_LATE_COUNT": 0,
            "INST_NO_HISTORY": 1,
            "INST_LATE_SHARE": NAN,
            "INST_TOTAL_DUE": NAN,
        },
    )


CARD_ROWS = [
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -1,
        "AMT_BALANCE": 500.0,
        "AMT_CREDIT_LIMIT_ACTUAL": 1000.0,
        "AMT_DRAWINGS_CURRENT": 200.0,
        "AMT_DRAWINGS_ATM_CURRENT": 100.0,
        "AMT_INST_MIN_REGULARITY": 50.0,
        "AMT_PAYMENT_TOTAL_CURRENT": 20.0,
        "SK_DPD": 0,
        "NAME_CONTRACT_STATUS": "Active",
    },
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -2,
        "AMT_BALANCE": 1000.0,
        "AMT_CREDIT_LIMIT_ACTUAL": 1000.0,
        "AMT_DRAWINGS_CURRENT": 0.0,
        "AMT_DRAWINGS_ATM_CURRENT": 0.0,
        "AMT_INST_MIN_REGULARITY": 50.0,
        "AMT_PAYMENT_TOTAL_CURRENT": 100.0,
        "SK_DPD": 3,
        "NAME_CONTRACT_STATUS": "Active",
    },
    # a month with no limit: no utilisation, not a division by zero
    {
        "SK_ID_PREV": 10,
        "SK_ID_CURR": 1,
        "MONTHS_BALANCE": -20,
        "AMT_BALANCE": 100.0,
        "AMT_CREDIT_LIMIT_ACTUAL": 0.0,
        "AMT_INST_MIN_REGULARITY": 0.0,
        "SK_DPD": 0,
        "NAME_CONTRACT_STATUS": "Active",
    },
]


@engines
def test_credit_card_features_by_hand(engine):
    features = build_credit_card_features(
        make_table("credit_card_balance", CARD_ROWS),
        applicant_ids=pd.Index([1, 2]),
        engine=engine,
    )
    assert_values(
        features.loc[1],
        {
            "CC_MONTHS_COUNT": 3,
            "CC_CARD_COUNT": 1,
            "CC_MEAN_UTILISATION": 0.75,
            "CC_MAX_UTILISATION": 1.0,
            "CC_RECENT_MEAN_UTILISATION": 0.75,
            "CC_MEAN_BALANCE": 1600 / 3,
            "CC_MAX_LIMIT": 1000,
            "CC_MEAN_DRAWINGS": 100,
            "CC_MEAN_ATM_DRAWINGS": 50,
            "CC_MEAN_PAYMENT": 60,
            "CC_BELOW_MINIMUM_MONTHS": 1,
            "CC_LATE_MONTHS": 1,
            "CC_MAX_DAYS_PAST_DUE": 3,
            "CC_RECENT_LATE_MONTHS": 1,
            "CC_RECENT_BELOW_MINIMUM_MONTHS": 1,
            "CC_NO_HISTORY": 0,
        },
    )
    assert_values(
        features.loc[2],
        {
            "CC_MONTHS_COUNT": 0,
            "CC_CARD_COUNT": 0,
            "CC_NO_HISTORY": 1,
            "CC_MEAN_UTILISATION": NAN,
        },
    )


@engines
@pytest.mark.parametrize(
    ("builder", "table"),
    [
        (build_bureau_features, "bureau"),
        (build_previous_features, "previous_application"),
        (build_pos_cash_features, "POS_CASH_balance"),
        (build_installments_features, "installments_payments"),
        (build_credit_card_features, "credit_card_balance"),
    ],
)
def test_an_empty_side_table_gives_no_history_for_everyone(engine, builder, table):
    features = builder(make_table(table, []), applicant_ids=pd.Index([5, 6]), engine=engine)
    no_history = [c for c in features.columns if c.endswith("_NO_HISTORY")]
    assert features.index.tolist() == [5, 6]
    assert features[no_history[0]].tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("module", "table"),
    [
        (bureau, "bureau"),
        (previous, "previous_application"),
        (pos_cash, "POS_CASH_balance"),
        (installments, "installments_payments"),
        (credit_card, "credit_card_balance"),
    ],
)
def test_side_table_labels_are_the_words_of_every_language_with_the_window(module, table):
    builder = getattr(module, f"build_{module.__name__.rpartition('.')[2]}_features")
    tables = [make_table(table, [])]
    if module is bureau:
        tables.append(make_table("bureau_balance", []))
    features = builder(*tables, recent_months=7, applicant_ids=pd.Index([5]))
    entries = module.catalog_entries(7)
    names = [entry.name for entry in entries]
    assert list(features.columns) == names
    assert catalog_problems(catalog_as_dict(entries), names) == []
    windowed = 0
    for entry in entries:
        for lang in LANGUAGES:
            words = word_catalog()[lang][f"feature.{entry.name}"]
            assert entry.label(lang) == words.replace("{months}", "7"), (entry.name, lang)
        windowed += "{months}" in word_catalog()["en"][f"feature.{entry.name}"]
    assert windowed >= 1  # each side table has features over the recent window


@pytest.mark.parametrize("version", [[1.0, 1.0, np.nan, 2.0], [1.0, 1.5, np.nan, 1.5]])
def test_instalment_ids_make_the_same_groups_as_the_four_keys(version):
    from credit_scoring.features.installments import INSTALMENT_KEYS, _instalment_ids

    table = pd.DataFrame(
        {
            "SK_ID_CURR": np.array([1, 1, 1, 2], dtype="int32"),
            "SK_ID_PREV": np.array([9, 9, 9, 9], dtype="int32"),
            "NUM_INSTALMENT_VERSION": np.array(version, dtype="float32"),
            "NUM_INSTALMENT_NUMBER": np.array([3, 3, 3, 3], dtype="int32"),
        }
    )
    ids = _instalment_ids(table)
    expected = table[INSTALMENT_KEYS].fillna(-1.0).groupby(INSTALMENT_KEYS).ngroup().to_numpy()
    # same partition of the rows: equal ids exactly where the expected groups are equal
    assert ((ids[:, None] == ids[None, :]) == (expected[:, None] == expected[None, :])).all()
