"""Application features: row-wise, values computed by hand on a tiny table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import make_table

from credit_scoring.errors import DataError
from credit_scoring.features.application import (
    CATALOG_ENTRIES,
    CATEGORICAL_FEATURES,
    build_application_features,
)

WORKER = {
    "SK_ID_CURR": 100001,
    "TARGET": 1,
    "CODE_GENDER": "F",
    "FLAG_OWN_CAR": "Y",
    "FLAG_OWN_REALTY": "N",
    "DAYS_BIRTH": -14610,  # 40 years of 365.25 days
    "DAYS_EMPLOYED": -7305,  # 20 years
    "DAYS_REGISTRATION": 0.0,
    "DAYS_ID_PUBLISH": -730,
    "AMT_INCOME_TOTAL": 100_000.0,
    "AMT_CREDIT": 300_000.0,
    "AMT_ANNUITY": 15_000.0,
    "AMT_GOODS_PRICE": 270_000.0,
    "CNT_FAM_MEMBERS": 2.0,
    "EXT_SOURCE_1": 0.2,
    "EXT_SOURCE_3": 0.6,
    "ORGANIZATION_TYPE": "Business Entity Type 3",
    "FLAG_DOCUMENT_3": 1,
    "FLAG_DOCUMENT_8": 1,
}
PENSIONER = {
    "SK_ID_CURR": 100002,
    "TARGET": 0,
    "CODE_GENDER": "XNA",
    "FLAG_OWN_CAR": "N",
    "FLAG_OWN_REALTY": "Y",
    "DAYS_BIRTH": -25000,
    "DAYS_EMPLOYED": 365243,  # Kaggle's "not applicable" placeholder
    "AMT_INCOME_TOTAL": 0.0,
    "AMT_CREDIT": 100_000.0,
    "AMT_ANNUITY": 5_000.0,
    "ORGANIZATION_TYPE": "XNA",
}


@pytest.fixture()
def applications() -> pd.DataFrame:
    return make_table("application_train", [WORKER, PENSIONER])


def test_durations_ratios_and_scores_by_hand(applications):
    features = build_application_features(applications).set_index("SK_ID_CURR")
    worker = features.loc[100001]
    expected = {
        "AGE_YEARS": 40.0,
        "EMPLOYMENT_YEARS": 20.0,
        "EMPLOYMENT_NOT_APPLICABLE": 0.0,
        "EMPLOYMENT_TO_AGE": 0.5,
        "YEARS_SINCE_REGISTRATION": 0.0,
        "YEARS_SINCE_ID_PUBLISH": 730 / 365.25,
        "INCOME_PER_FAMILY_MEMBER": 50_000.0,
        "ANNUITY_TO_INCOME": 0.15,
        "CREDIT_TO_INCOME": 3.0,
        "ANNUITY_TO_CREDIT": 0.05,
        "GOODS_TO_CREDIT": 0.9,
        "EXT_SCORES_MEAN": 0.4,
        "EXT_SCORES_MIN": 0.2,
        "EXT_SCORES_MAX": 0.6,
        "EXT_SCORES_SPREAD": 0.2,
        "EXT_SCORES_MISSING_COUNT": 1.0,
        "FLAG_OWN_CAR": 1.0,
        "FLAG_OWN_REALTY": 0.0,
        "DOCUMENTS_PROVIDED_COUNT": 2.0,
    }
    for name, value in expected.items():
        assert worker[name] == pytest.approx(value, rel=1e-6), name
    assert math.copysign(1.0, worker["YEARS_SINCE_REGISTRATION"]) == 1.0  # no "-0 years"
    assert worker["CODE_GENDER"] == "F"
    assert worker["ORGANIZATION_TYPE"] == "Business Entity Type 3"


def test_placeholder_days_and_xna_become_missing_with_a_flag(applications):
    pensioner = build_application_features(applications).set_index("SK_ID_CURR").loc[100002]
    assert pensioner["EMPLOYMENT_NOT_APPLICABLE"] == 1.0
    assert np.isnan(pensioner["EMPLOYMENT_YEARS"])
    assert np.isnan(pensioner["EMPLOYMENT_TO_AGE"])
    assert pd.isna(pensioner["CODE_GENDER"])
    assert pd.isna(pensioner["ORGANIZATION_TYPE"])
    # zero income and no family size: ratios are missing, not infinite
    assert np.isnan(pensioner["ANNUITY_TO_INCOME"])
    assert np.isnan(pensioner["INCOME_PER_FAMILY_MEMBER"])
    assert np.isnan(pensioner["EXT_SCORES_MEAN"])
    assert np.isnan(pensioner["EXT_SCORES_SPREAD"])
    assert pensioner["EXT_SCORES_MISSING_COUNT"] == 3.0


def test_columns_dtypes_and_no_raw_days_or_target(applications):
    features = build_application_features(applications)
    assert list(features.columns) == ["SK_ID_CURR"] + [e.name for e in CATALOG_ENTRIES]
    assert features["SK_ID_CURR"].dtype == np.int32
    assert "TARGET" not in features
    assert not [c for c in features.columns if c.startswith("DAYS_")]
    for column in features.columns[1:]:
        if column in CATEGORICAL_FEATURES:
            assert isinstance(features[column].dtype, pd.CategoricalDtype), column
        else:
            assert features[column].dtype == np.float32, column
    assert features["ANNUITY_TO_INCOME"].replace([np.inf, -np.inf], np.nan).notna().sum() == 1


def test_strictly_row_wise_one_row_gives_the_same_values(applications):
    together = build_application_features(applications)
    for position in range(len(applications)):
        alone = build_application_features(applications.iloc[[position]])
        for column in together.columns:
            left, right = together[column].iloc[position], alone[column].iloc[0]
            assert (pd.isna(left) and pd.isna(right)) or left == right, column


def test_target_does_not_change_any_feature(applications):
    flipped = applications.assign(TARGET=1 - applications["TARGET"])
    pd.testing.assert_frame_equal(
        build_application_features(applications), build_application_features(flipped)
    )


def test_text_columns_instead_of_categoricals_give_the_same_features(applications):
    as_text = applications.astype(
        {c: "str" for c in applications.select_dtypes(exclude="number").columns}
    )
    left = build_application_features(applications)
    right = build_application_features(as_text)
    for column in left.columns:
        assert left[column].astype("object").equals(right[column].astype("object")), column


def test_missing_required_column_is_a_data_error(applications):
    with pytest.raises(DataError, match="DAYS_BIRTH"):
        build_application_features(applications.drop(columns=["DAYS_BIRTH"]))


def test_every_application_feature_has_words_in_every_language():
    # No word without a feature: checked over every table's features in test_catalog.py.
    from credit_scoring.features.catalog import catalog_as_dict, catalog_problems
    from credit_scoring.i18n import LANGUAGES, catalog

    names = [entry.name for entry in CATALOG_ENTRIES]
    assert catalog_problems(catalog_as_dict(CATALOG_ENTRIES), names) == []
    for lang in LANGUAGES:
        labelled = {
            key.removeprefix("feature.") for key in catalog()[lang] if key.startswith("feature.")
        }
        assert set(names) <= labelled, lang
    assert CATALOG_ENTRIES[1].to_dict() == {
        "name": "AGE_YEARS",
        "label_fr": "Âge du client",
        "label_en": "Client's age",
        "unit": "years",
        "decimals": 0,
        "source": "application",
        "group": "identity",
        "kind": "numeric",
    }
