"""Unfamiliar clients: far from the known-outcome clients, or outside the training range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring.errors import ArtifactError
from credit_scoring.explain.familiarity import (
    FAR,
    OUT_OF_RANGE,
    familiarity_table,
    load_familiarity,
    save_familiarity,
)
from credit_scoring.explain.neighbours import build_similar_space

FEATURES = ["income", "age", "score"]


@pytest.fixture(scope="module")
def population():
    """2,000 known-outcome clients, then three new ones: typical, far from everyone, and one
    out of range on a single feature only."""
    rng = np.random.default_rng(0)
    known = pd.DataFrame(rng.normal(size=(2000, 3)), columns=FEATURES)
    known["SK_ID_CURR"] = np.arange(1, 2001)
    known["SPLIT"] = "train"
    known["TARGET"] = rng.integers(0, 2, 2000).astype("float32")
    new = pd.DataFrame(
        {
            "SK_ID_CURR": [5001, 5002, 5003],
            "SPLIT": "test",
            "TARGET": np.nan,
            "income": [0.0, 4.5, 0.0],
            "age": [0.1, -4.5, 0.0],
            "score": [-0.1, 4.5, 3.6],
        }
    )
    frame = pd.concat([known, new], ignore_index=True)
    space = build_similar_space(frame, FEATURES)
    return frame, space


def test_client_built_far_from_everyone_is_flagged_for_both_reasons(population):
    frame, space = population
    table, thresholds = familiarity_table(frame, space)
    far = table.set_index("SK_ID_CURR").loc[5002]
    assert far["unfamiliar"] and far["far_from_known_clients"]
    assert far["neighbour_distance"] > 3 * thresholds.distance_threshold
    assert far["reason"] == f"{FAR}+{OUT_OF_RANGE}"
    assert far["outside_range_features"] == "income, age, score"


def test_typical_client_is_not_flagged(population):
    frame, space = population
    table, _ = familiarity_table(frame, space)
    typical = table.set_index("SK_ID_CURR").loc[5001]
    assert not typical["unfamiliar"] and typical["reason"] == ""
    assert typical["outside_range_features"] == ""


def test_one_value_outside_the_range_is_enough(population):
    frame, space = population
    table, thresholds = familiarity_table(frame, space)
    row = table.set_index("SK_ID_CURR").loc[5003]
    low, high = thresholds.ranges["score"]
    assert high < 3.6
    assert row["unfamiliar"] and row["outside_range_features"] == "score"
    assert OUT_OF_RANGE in row["reason"]


def test_threshold_is_the_99th_percentile_of_leave_one_out_distances(population):
    frame, space = population
    table, thresholds = familiarity_table(frame, space)
    known = table[table["SK_ID_CURR"] <= 2000]
    # Leave-one-out: no training client is at distance 0 from itself.
    assert (known["neighbour_distance"] > 0).all()
    assert known["far_from_known_clients"].mean() == pytest.approx(0.01, abs=0.002)
    expected = np.quantile(known["neighbour_distance"].to_numpy(np.float64), 0.99)
    assert thresholds.distance_threshold == pytest.approx(expected, rel=1e-5)
    # 0.5th-99.5th percentile ranges: about 1% of clients outside on each feature.
    assert (known["outside_range_features"] != "").mean() == pytest.approx(0.03, abs=0.01)
    assert list(table["SK_ID_CURR"]) == list(frame["SK_ID_CURR"])


def test_save_and_load_round_trip(population, tmp_path):
    frame, space = population
    table, thresholds = familiarity_table(frame, space)
    save_familiarity(table, thresholds, tmp_path)
    loaded, loaded_thresholds = load_familiarity(tmp_path)
    pd.testing.assert_frame_equal(loaded, table)
    assert loaded_thresholds == thresholds


def test_missing_artifact_says_how_to_build_it(tmp_path):
    with pytest.raises(ArtifactError, match="explain step"):
        load_familiarity(tmp_path)


def test_feature_table_without_the_space_features_is_an_artifact_error(population):
    frame, space = population
    with pytest.raises(ArtifactError, match="rebuild the artifacts"):
        familiarity_table(frame.drop(columns="age"), space)


def test_warning_in_plain_words_for_unfamiliar_clients_only(population):
    from credit_scoring.explain.familiarity import describe_familiarity

    frame, space = population
    table, _ = familiarity_table(frame, space)
    rows = table.set_index("SK_ID_CURR")
    assert describe_familiarity(rows.loc[5001], "fr") is None
    french = describe_familiarity(rows.loc[5003], "fr", {"score": "Score externe"})
    assert french.startswith("Ce client ressemble peu aux clients sur lesquels le modèle a appris")
    assert "Score externe" in french
    assert ("loin" in french) == bool(rows.loc[5003, "far_from_known_clients"])
    english = describe_familiarity(rows.loc[5002], "en")
    assert "unlike the clients the model learned from" in english
    assert "far from" in english and "income, age, score" in english
