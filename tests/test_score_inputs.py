"""Application values a score must not be given silently (scoring/inputs.py): impossible values
refused per row, implausible ones flagged, in words (FR/EN) and machine codes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from credit_scoring.errors import ArtifactError, DataError
from credit_scoring.i18n import languages
from credit_scoring.scoring.batch import align_features, untrained_tables, unusable_tables
from credit_scoring.scoring.inputs import (
    ABOVE_RANGE,
    BELOW_RANGE,
    ERROR,
    UNSEEN_LEVEL,
    WARNING,
    build_application_reference,
    check_applications,
    check_edited_application,
    read_application_reference,
    refused_rows,
    write_application_reference,
)


def _applications(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Training and new application rows with the loader's dtypes (a few Kaggle columns)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100_000, 100_000 + n, dtype=np.int32),
            "SPLIT": np.where(np.arange(n) < n - 100, "train", "test"),
            "NAME_CONTRACT_TYPE": pd.Categorical(rng.choice(["Cash loans", "Revolving loans"], n)),
            "CNT_CHILDREN": rng.integers(0, 4, n).astype(np.int32),
            "AMT_INCOME_TOTAL": rng.uniform(30_000, 600_000, n),
            "AMT_CREDIT": rng.uniform(45_000, 2_000_000, n),
            "AMT_ANNUITY": rng.uniform(2_000, 90_000, n),
            "CNT_FAM_MEMBERS": rng.integers(1, 6, n).astype(np.float32),
            "DAYS_BIRTH": -rng.integers(7_500, 25_000, n).astype(np.int32),
            "FLAG_MOBIL": np.ones(n, dtype=np.int8),
        }
    )


@pytest.fixture(scope="module")
def applications() -> pd.DataFrame:
    return _applications()


@pytest.fixture(scope="module")
def reference(applications) -> dict:
    return build_application_reference(applications)


def test_the_reference_holds_training_ranges_and_levels_only(applications, reference):
    training = applications[applications["SPLIT"] == "train"]
    assert reference["training_applicants"] == len(training)
    income = reference["numeric"]["AMT_INCOME_TOTAL"]
    p999 = np.quantile(training["AMT_INCOME_TOTAL"], 0.999)
    p001 = np.quantile(training["AMT_INCOME_TOTAL"], 0.001)
    assert income["high"] == pytest.approx(10 * p999) and income["low"] == pytest.approx(p001 / 10)
    # a negative percentile (day offsets): 10 times further from 0 below, 10 times closer above
    birth = reference["numeric"]["DAYS_BIRTH"]
    assert birth["low"] == pytest.approx(10 * np.quantile(training["DAYS_BIRTH"], 0.001))
    assert birth["high"] == pytest.approx(np.quantile(training["DAYS_BIRTH"], 0.999) / 10)
    assert "FLAG_MOBIL" not in reference["numeric"]  # flags: 0 or 1, no range
    assert reference["levels"]["NAME_CONTRACT_TYPE"] == ["Cash loans", "Revolving loans"]
    assert "SPLIT" not in reference["numeric"] and "SPLIT" not in reference["levels"]


def test_possible_values_give_no_finding(applications, reference):
    assert check_applications(applications, reference) == []
    with_gaps = applications.head(5).copy()
    with_gaps.loc[0, "AMT_ANNUITY"] = np.nan
    with_gaps.loc[1, "NAME_CONTRACT_TYPE"] = np.nan
    assert check_applications(with_gaps, reference) == []


def test_impossible_values_are_errors_for_their_row_and_column(applications, reference):
    rows = applications.head(6).copy()
    rows["CNT_FAM_MEMBERS"] = rows["CNT_FAM_MEMBERS"].astype(np.float64)
    rows.loc[0, "AMT_INCOME_TOTAL"] = -5_000.0
    rows.loc[1, "AMT_CREDIT"] = 0.0
    rows.loc[2, "CNT_FAM_MEMBERS"] = 2.7
    rows.loc[3, "CNT_CHILDREN"] = -1
    rows.loc[4, "DAYS_BIRTH"] = 300
    findings = check_applications(rows, reference)
    found = {(f.row, f.column, f.code, f.severity) for f in findings}
    assert found == {
        (0, "AMT_INCOME_TOTAL", "amount_not_positive", ERROR),
        (1, "AMT_CREDIT", "amount_not_positive", ERROR),
        (2, "CNT_FAM_MEMBERS", "count_not_whole", ERROR),
        (3, "CNT_CHILDREN", "count_negative", ERROR),
        (4, "DAYS_BIRTH", "day_in_future", ERROR),
    }
    assert refused_rows(findings) == {0, 1, 2, 3, 4}
    income = findings[0]
    assert income.client_id == int(rows.loc[0, "SK_ID_CURR"])
    assert income.message("en") == (
        "Client's yearly income: -5,000 is not possible, an amount is above 0"
    )
    assert income.message("fr").startswith("Revenu annuel du client : -5\u202f000 n'est pas")
    assert "2.7" in findings[2].message("en") and "2,7" in findings[2].message("fr")
    assert income.to_dict("en")["code"] == "amount_not_positive"
    json.dumps([finding.to_dict(lang) for finding in findings for lang in languages()])


def test_implausible_values_and_unseen_levels_are_warnings(reference):
    rows = _applications(3, seed=1)
    rows["NAME_CONTRACT_TYPE"] = rows["NAME_CONTRACT_TYPE"].astype(str)
    rows.loc[0, "AMT_CREDIT"] = 1e30
    rows.loc[1, "AMT_INCOME_TOTAL"] = 1.0
    rows.loc[2, "NAME_CONTRACT_TYPE"] = "Mortgage"
    findings = check_applications(rows, reference)
    assert [(f.row, f.column, f.code, f.severity) for f in findings] == [
        (0, "AMT_CREDIT", ABOVE_RANGE, WARNING),
        (1, "AMT_INCOME_TOTAL", BELOW_RANGE, WARNING),
        (2, "NAME_CONTRACT_TYPE", UNSEEN_LEVEL, WARNING),
    ]
    assert refused_rows(findings) == set()
    assert findings[0].limit == reference["numeric"]["AMT_CREDIT"]["high"]
    assert "far above" in findings[0].message("en") and "Mortgage" in findings[2].message("fr")


def test_without_a_reference_only_impossible_values_are_checked():
    rows = _applications(2, seed=2)
    rows.loc[0, "AMT_CREDIT"] = 1e30
    rows.loc[1, "AMT_INCOME_TOTAL"] = 0.0
    findings = check_applications(rows, None)
    assert [(f.row, f.code) for f in findings] == [(1, "amount_not_positive")]


def test_what_if_edits_are_checked_before_any_cast(applications, reference):
    """The what-if's findings: an income of 0 is refused, 2.7 or 1e30 children too (instead of
    being truncated or wrapping around to -2,147,483,648), a credit of 1e30 is flagged."""
    row = applications.iloc[[0]]
    assert check_edited_application(row, {"AMT_INCOME_TOTAL": 150_000}, reference) == []
    edits = [("AMT_INCOME_TOTAL", 0), ("CNT_CHILDREN", 2.7), ("CNT_CHILDREN", 1e30)]
    edits.append(("AMT_CREDIT", 1e30))
    codes = {
        (column, value): [
            (f.code, f.severity) for f in check_edited_application(row, {column: value}, reference)
        ]
        for column, value in edits
    }
    assert codes == {
        ("AMT_INCOME_TOTAL", 0): [("amount_not_positive", ERROR)],
        ("CNT_CHILDREN", 2.7): [("count_not_whole", ERROR)],
        ("CNT_CHILDREN", 1e30): [("too_large", ERROR)],
        ("AMT_CREDIT", 1e30): [(ABOVE_RANGE, WARNING)],
    }
    assert row["CNT_CHILDREN"].dtype == np.int32  # the client's row is left as it was
    with pytest.raises(DataError, match="NOT_A_COLUMN"):
        check_edited_application(row, {"NOT_A_COLUMN": 1}, reference)
    with pytest.raises(DataError, match="not a number"):
        check_edited_application(row, {"AMT_CREDIT": "lots"}, reference)


def test_the_reference_artifact_is_optional_but_never_silently_corrupt(tmp_path, applications):
    assert read_application_reference(tmp_path) is None  # artifacts that predate it
    path = write_application_reference(applications, tmp_path)
    assert read_application_reference(tmp_path) == json.loads(path.read_text())
    path.write_text("{not json")
    with pytest.raises(ArtifactError, match="rerun the pipeline"):
        read_application_reference(tmp_path)


# ----------------------------------------------------------------- tables absent at training


CATALOG = {
    "features": [
        {"name": "AMT_CREDIT", "source": "application"},
        {"name": "PREV_COUNT", "source": "previous_application"},
    ]
}


def test_a_side_table_missing_at_training_is_told_apart_from_a_feature_code_change():
    """New data holding a table the training data lacked: its features are left out (the model
    never learned them) instead of "the feature code changed since training"."""
    frame = pd.DataFrame(
        {"SK_ID_CURR": [1], "AMT_CREDIT": [1.0], "PREV_COUNT": [2.0], "BUREAU_COUNT": [3.0]}
    )
    new_sources = {
        "AMT_CREDIT": "application",
        "PREV_COUNT": "previous_application",
        "BUREAU_COUNT": "bureau",
    }
    training = ["AMT_CREDIT", "PREV_COUNT"]
    assert untrained_tables(frame.columns, training, CATALOG, new_sources) == {
        "bureau": ["BUREAU_COUNT"]
    }
    aligned = align_features(frame, training, training, CATALOG, set(), new_sources)
    assert list(aligned.columns) == ["SK_ID_CURR", "AMT_CREDIT", "PREV_COUNT"]
    # a new feature of a table the model was trained with: the feature code changed
    frame["PREV_NEW"] = 4.0
    new_sources["PREV_NEW"] = "previous_application"
    with pytest.raises(DataError, match="PREV_NEW. The feature code changed") as error:
        align_features(frame, training, training, CATALOG, set(), new_sources)
    assert "BUREAU_COUNT" not in str(error.value)


def test_a_side_table_is_unusable_without_the_only_table_linking_it_to_applicants():
    assert unusable_tables({"bureau"}) == {"bureau_balance"}
    assert unusable_tables({"previous_application"}) == set()  # they carry SK_ID_CURR too
    assert unusable_tables(set()) == set()


def test_the_scorer_never_lets_a_what_if_count_wrap_around(applications):
    """Even unchecked, an edit of 1e30 children is refused by the Scorer before any cast
    (it used to become -2,147,483,648); the check happens before any model is used."""
    from credit_scoring.scoring.scorer import Scorer

    scorer = object.__new__(Scorer)
    row = applications.iloc[[0]]
    with pytest.raises(DataError, match="CNT_CHILDREN is too large"):
        scorer.edited_features(row, {}, [{"CNT_CHILDREN": 1e30}])
    with pytest.raises(DataError, match="CNT_CHILDREN must be a whole number"):
        scorer.edited_features(row, {}, [{"CNT_CHILDREN": 2.7}])
