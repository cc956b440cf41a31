"""The assembly: one row per applicant, train then test, the catalog, the artifacts; no leakage,
determinism, missing tables; the synthetic data and the real Kaggle sample end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import make_table

from credit_scoring import artifacts
from credit_scoring.data.loading import load_tables
from credit_scoring.errors import ArtifactError, DataError
from credit_scoring.features import (
    build_features,
    catalog_problems,
    combine_applications,
    read_feature_catalog,
    read_features,
    write_feature_artifacts,
)
from credit_scoring.features.catalog import GROUPS, entries_by_name, format_value


def applicant(sk_id: int, **values) -> dict:
    row = {
        "SK_ID_CURR": sk_id,
        "DAYS_BIRTH": -12000 - sk_id,
        "DAYS_EMPLOYED": -1000,
        "AMT_INCOME_TOTAL": 100_000.0 + sk_id,
        "AMT_CREDIT": 200_000.0,
        "AMT_ANNUITY": 10_000.0,
        "NAME_CONTRACT_TYPE": "Cash loans",
        "CODE_GENDER": "M",
    }
    row.update(values)
    return row


@pytest.fixture()
def tiny_tables() -> dict[str, pd.DataFrame]:
    """Train applicants 3, 1, 2 (unsorted) and test applicants 9, 7; only 1 and 7 have history."""
    return {
        "application_train": make_table(
            "application_train",
            [applicant(3, TARGET=1), applicant(1, TARGET=0), applicant(2, TARGET=1)],
        ),
        "application_test": make_table("application_test", [applicant(9), applicant(7)]),
        "bureau": make_table(
            "bureau",
            [
                {
                    "SK_ID_CURR": 1,
                    "SK_ID_BUREAU": 50,
                    "CREDIT_ACTIVE": "Active",
                    "DAYS_CREDIT": -10,
                    "AMT_CREDIT_SUM": 10.0,
                },
                {
                    "SK_ID_CURR": 7,
                    "SK_ID_BUREAU": 51,
                    "CREDIT_ACTIVE": "Closed",
                    "DAYS_CREDIT": -900,
                    "AMT_CREDIT_SUM": 20.0,
                },
            ],
        ),
        "bureau_balance": make_table(
            "bureau_balance", [{"SK_ID_BUREAU": 50, "MONTHS_BALANCE": -1, "STATUS": "1"}]
        ),
        "previous_application": make_table(
            "previous_application",
            [
                {
                    "SK_ID_PREV": 5,
                    "SK_ID_CURR": 7,
                    "NAME_CONTRACT_STATUS": "Refused",
                    "DAYS_DECISION": -30,
                }
            ],
        ),
        "POS_CASH_balance": make_table(
            "POS_CASH_balance", [{"SK_ID_PREV": 5, "SK_ID_CURR": 1, "MONTHS_BALANCE": -1}]
        ),
        "installments_payments": make_table(
            "installments_payments",
            [
                {
                    "SK_ID_PREV": 5,
                    "SK_ID_CURR": 1,
                    "NUM_INSTALMENT_NUMBER": 1,
                    "DAYS_INSTALMENT": -20.0,
                    "DAYS_ENTRY_PAYMENT": -18.0,
                    "AMT_INSTALMENT": 5.0,
                    "AMT_PAYMENT": 5.0,
                }
            ],
        ),
        "credit_card_balance": make_table(
            "credit_card_balance",
            [
                {
                    "SK_ID_PREV": 6,
                    "SK_ID_CURR": 7,
                    "MONTHS_BALANCE": -1,
                    "AMT_BALANCE": 5.0,
                    "AMT_CREDIT_LIMIT_ACTUAL": 10.0,
                }
            ],
        ),
    }


def test_layout_follows_the_artifact_contract(tiny_tables):
    feature_set = build_features(tiny_tables)
    frame = feature_set.frame
    assert list(frame.columns[:3]) == ["SK_ID_CURR", "SPLIT", "TARGET"]
    assert frame["SK_ID_CURR"].tolist() == [1, 2, 3, 7, 9]
    assert frame["SPLIT"].tolist() == ["train"] * 3 + ["test"] * 2
    assert frame["SK_ID_CURR"].dtype == np.int32
    assert frame["TARGET"].dtype == np.float32
    assert frame["TARGET"].tolist()[:3] == [0.0, 1.0, 1.0]
    assert frame["TARGET"].iloc[3:].isna().all()
    for name in feature_set.feature_names:
        dtype = frame[name].dtype
        assert dtype == np.float32 or isinstance(dtype, pd.CategoricalDtype), name
    assert set(feature_set.categorical_features) == {
        n for n in feature_set.feature_names if isinstance(frame[n].dtype, pd.CategoricalDtype)
    }
    assert 150 <= len(feature_set.feature_names) <= 250


def test_applicants_without_history_are_kept_with_flags(tiny_tables):
    frame = build_features(tiny_tables).frame.set_index("SK_ID_CURR")
    assert frame.loc[1, "BUREAU_NO_HISTORY"] == 0 and frame.loc[1, "BUREAU_CREDIT_COUNT"] == 1
    assert frame.loc[1, "BUREAU_LATE_MONTHS"] == 1
    assert frame.loc[7, "BUREAU_NO_HISTORY"] == 0 and np.isnan(frame.loc[7, "BUREAU_LATE_MONTHS"])
    assert frame.loc[7, "PREV_REFUSED_COUNT"] == 1
    for sk_id in (2, 3, 9):
        for source in ("BUREAU", "PREV", "POS", "INST", "CC"):
            assert frame.loc[sk_id, f"{source}_NO_HISTORY"] == 1, (sk_id, source)
        assert frame.loc[sk_id, "BUREAU_CREDIT_COUNT"] == 0
        assert np.isnan(frame.loc[sk_id, "BUREAU_TOTAL_CREDIT_AMOUNT"])
        assert frame.loc[sk_id, "INST_LATE_COUNT"] == 0


def test_a_missing_side_table_gives_no_columns(tiny_tables):
    del tiny_tables["bureau"], tiny_tables["credit_card_balance"]
    feature_set = build_features(tiny_tables)
    names = feature_set.feature_names
    assert not [n for n in names if n.startswith(("BUREAU_", "CC_"))]
    assert "PREV_APPLICATION_COUNT" in names and "INST_LATE_COUNT" in names
    assert catalog_problems(feature_set.catalog, names) == []
    assert set(feature_set.sources) == {
        "application",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
    }


def test_bureau_balance_alone_is_ignored_and_bureau_alone_has_no_monthly_columns(tiny_tables):
    del tiny_tables["bureau_balance"]
    names = build_features(tiny_tables).feature_names
    assert "BUREAU_CREDIT_COUNT" in names and "BUREAU_LATE_MONTHS" not in names


def test_application_test_alone_scores_new_applications(tiny_tables):
    del tiny_tables["application_train"]
    frame = build_features(tiny_tables).frame
    assert frame["SK_ID_CURR"].tolist() == [7, 9]
    assert (frame["SPLIT"] == "test").all() and frame["TARGET"].isna().all()


def test_application_train_alone(tiny_tables):
    only = {"application_train": tiny_tables["application_train"]}
    feature_set = build_features(only)
    assert feature_set.frame["SK_ID_CURR"].tolist() == [1, 2, 3]
    assert list(feature_set.sources) == ["application"]


def test_target_is_never_a_feature_nor_used(tiny_tables):
    feature_set = build_features(tiny_tables)
    assert "TARGET" not in feature_set.feature_names
    assert "TARGET" not in {e["name"] for e in feature_set.catalog["features"]}
    train = tiny_tables["application_train"]
    tiny_tables["application_train"] = train.assign(TARGET=(1 - train["TARGET"]).astype("int8"))
    flipped = build_features(tiny_tables)
    names = feature_set.feature_names
    pd.testing.assert_frame_equal(feature_set.frame[names], flipped.frame[names])


def test_deterministic_and_independent_of_row_order(tiny_tables):
    first = build_features(tiny_tables).frame
    pd.testing.assert_frame_equal(first, build_features(tiny_tables).frame)
    shuffled = {
        name: table.sample(frac=1.0, random_state=3).reset_index(drop=True)
        for name, table in tiny_tables.items()
    }
    pd.testing.assert_frame_equal(first, build_features(shuffled).frame)


def test_user_errors_are_data_errors(tiny_tables):
    with pytest.raises(DataError, match="no application rows"):
        build_features({"bureau": tiny_tables["bureau"]})
    twice = dict(tiny_tables)
    twice["application_test"] = make_table("application_test", [applicant(1)])
    with pytest.raises(DataError, match="appear twice"):
        build_features(twice)
    with pytest.raises(DataError, match="recent_months"):
        build_features(tiny_tables, recent_months=0)


def test_recent_window_appears_in_the_labels(tiny_tables):
    catalog = build_features(tiny_tables, recent_months=6).catalog
    entries = entries_by_name(catalog)
    assert "6 derniers mois" in entries["INST_RECENT_LATE_COUNT"]["label_fr"]
    assert "last 6 months" in entries["INST_RECENT_LATE_COUNT"]["label_en"]


def test_artifacts_written_and_read_back(tiny_tables, tmp_path):
    feature_set = build_features(tiny_tables)
    paths = write_feature_artifacts(feature_set, tiny_tables, tmp_path / "artifacts")
    assert set(paths) == {artifacts.FEATURES, artifacts.FEATURE_CATALOG, artifacts.APPLICATIONS}
    features = read_features(tmp_path / "artifacts")
    pd.testing.assert_frame_equal(features, feature_set.frame, check_categorical=False)
    assert isinstance(features["CODE_GENDER"].dtype, pd.CategoricalDtype)
    catalog = read_feature_catalog(tmp_path / "artifacts")
    assert catalog == json.loads(json.dumps(feature_set.catalog))
    assert set(catalog["groups"]) == set(GROUPS)
    applications = pd.read_parquet(paths[artifacts.APPLICATIONS])
    assert applications["SK_ID_CURR"].tolist() == [1, 2, 3, 7, 9]
    assert applications["SPLIT"].tolist() == ["train"] * 3 + ["test"] * 2
    assert "DAYS_BIRTH" in applications and "TARGET" in applications
    pd.testing.assert_frame_equal(
        applications,
        combine_applications(tiny_tables),
        check_categorical=False,
        check_dtype=False,
    )


def test_reading_absent_artifacts_says_what_to_do(tmp_path):
    with pytest.raises(ArtifactError, match="features step"):
        read_feature_catalog(tmp_path)
    with pytest.raises(ArtifactError, match="features step"):
        read_features(tmp_path)
    (tmp_path / artifacts.FEATURE_CATALOG).write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        read_feature_catalog(tmp_path)


def test_synthetic_data_both_engines_agree_and_catalog_is_complete(synthetic_data_dir):
    tables = load_tables(synthetic_data_dir)
    with_duckdb = build_features(tables, engine="duckdb")
    with_pandas = build_features(tables, engine="pandas")
    pd.testing.assert_frame_equal(with_duckdb.frame, with_pandas.frame, rtol=1e-6)
    assert catalog_problems(with_duckdb.catalog, with_duckdb.feature_names) == []
    frame = with_duckdb.frame
    assert len(frame) == sum(len(tables[n]) for n in ("application_train", "application_test"))
    assert frame["SK_ID_CURR"].is_unique
    # every feature shows in both languages
    entries = entries_by_name(with_duckdb.catalog)
    row = frame.iloc[0]
    for name in with_duckdb.feature_names:
        for lang in ("fr", "en"):
            assert format_value(row[name], entries[name], lang).strip(), name


def test_real_sample_through_the_whole_build(sample_dir, tmp_path):
    tables = load_tables(sample_dir)
    feature_set = build_features(tables)
    frame = feature_set.frame
    n_train, n_test = len(tables["application_train"]), len(tables["application_test"])
    assert (frame["SPLIT"] == "train").sum() == n_train
    assert (frame["SPLIT"] == "test").sum() == n_test
    assert catalog_problems(feature_set.catalog, feature_set.feature_names) == []
    numeric = frame[feature_set.feature_names].select_dtypes("number")
    assert np.isfinite(numeric.to_numpy(dtype="float64")[numeric.notna().to_numpy()]).all()
    # the placeholder is gone: nobody has 1,000 years of employment
    assert frame["EMPLOYMENT_YEARS"].max() < 80
    assert frame["EMPLOYMENT_NOT_APPLICABLE"].sum() > 0
    assert (frame["AGE_YEARS"].dropna() > 0).all()
    # applicants with bureau rows in the sample get them counted, the others a flag
    with_bureau = set(tables["bureau"]["SK_ID_CURR"]) & set(frame["SK_ID_CURR"])
    counted = frame.loc[frame["BUREAU_NO_HISTORY"] == 0, "SK_ID_CURR"]
    assert set(counted) == with_bureau
    write_feature_artifacts(feature_set, tables, tmp_path)
    assert len(pd.read_parquet(tmp_path / artifacts.FEATURES)) == n_train + n_test
