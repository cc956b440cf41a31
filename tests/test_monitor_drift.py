"""Drift measures on hand-computed cases: PSI, its bands, bins, missing values, unseen levels,
and the verdict rules of a monitoring result."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from credit_scoring.monitor import (
    EXIT_DRIFT,
    categorical_drift,
    compare_populations,
    numeric_drift,
    psi,
    psi_band,
)
from credit_scoring.monitor.report import render_html


def test_psi_matches_the_hand_computation():
    # (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
    expected = 0.25 * math.log(2) + 0.25 * math.log(1.5)
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected)
    assert psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0


def test_psi_floors_empty_bins():
    # An empty training bin counts as 0.0001: (0.1 - 0.0001) ln(0.1 / 0.0001) + (0.9 - 1) ln(0.9)
    expected = (0.1 - 1e-4) * math.log(0.1 / 1e-4) + (0.9 - 1.0) * math.log(0.9)
    assert psi([0.0, 1.0], [0.1, 0.9]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.1, "moderate"),
        (0.25, "moderate"),
        (0.2501, "significant"),
    ],
)
def test_psi_bands(value, verdict):
    assert psi_band(value) == verdict


def test_numeric_bins_are_training_deciles_plus_a_missing_bin():
    train = np.arange(1000, dtype=float)
    same = numeric_drift("x", train, train)
    assert same.psi == 0.0 and same.verdict == "stable"
    assert len(same.bins) == 11 and same.bins[-1] == "(missing)"
    assert same.shares_train[:10] == pytest.approx([0.1] * 10)
    # Every new value above the training range: all in the last bin.
    high = numeric_drift("x", train, np.full(200, 5000.0))
    assert high.shares_new[9] == 1.0
    assert high.psi == pytest.approx(psi(high.shares_train, high.shares_new))
    assert high.verdict == "significant"
    assert high.p_value < 1e-10


def test_a_rise_of_missing_values_is_drift_and_is_reported():
    rng = np.random.default_rng(0)
    train = rng.normal(size=5000)
    new = rng.normal(size=2000)
    new[:1000] = np.nan
    drift = numeric_drift("x", train, new)
    assert drift.missing_rate_train == 0.0
    assert drift.missing_rate_new == pytest.approx(0.5)
    assert drift.missing_rate_change == pytest.approx(0.5)
    assert drift.verdict == "significant"


def test_same_distribution_large_sample_is_stable_even_when_the_test_is_not_needed():
    rng = np.random.default_rng(1)
    drift = numeric_drift("x", rng.normal(size=50_000), rng.normal(size=50_000))
    assert drift.verdict == "stable" and drift.psi < 0.01
    # A shift of 0.05 standard deviations: the KS test calls it certain, PSI calls it stable.
    shifted = numeric_drift("x", rng.normal(size=200_000), rng.normal(0.05, 1, size=200_000))
    assert shifted.p_value < 1e-6
    assert shifted.verdict == "stable"


def test_categorical_unseen_and_rare_levels_are_pooled_and_listed():
    train = pd.Series(["a"] * 600 + ["b"] * 395 + ["rare"] * 5 + [None] * 0, dtype="str")
    new = pd.Series(["a"] * 300 + ["b"] * 200 + ["never"] * 100)
    drift = categorical_drift("c", train, new)
    assert drift.bins == ["a", "b", "(other)"]
    assert drift.unseen_levels == ["never"]
    assert drift.unseen_share == pytest.approx(100 / 600)
    # Shares by hand: training a .6, b .395, other .005; new a .5, b 1/3, other 1/6.
    assert drift.shares_new == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert drift.psi == pytest.approx(psi([0.6, 0.395, 0.005], [0.5, 1 / 3, 1 / 6]))
    assert drift.verdict == "significant"
    assert drift.test == "chi_square" and drift.p_value < 1e-6


def test_categorical_missing_values_are_a_level():
    train = pd.Series(["a"] * 50 + [None] * 50, dtype="str")
    new = pd.Series(["a"] * 100, dtype="str")
    drift = categorical_drift("c", train, new)
    assert drift.missing_rate_train == 0.5 and drift.missing_rate_new == 0.0
    assert "(missing)" in drift.bins


def _frames(shift_top: float = 0.0, shift_other: float = 0.0, n: int = 4000):
    rng = np.random.default_rng(2)
    train = pd.DataFrame({"top": rng.normal(size=n), "other": rng.normal(size=n)})
    new = pd.DataFrame(
        {"top": rng.normal(shift_top, 1, size=n), "other": rng.normal(shift_other, 1, size=n)}
    )
    return train, new


def test_significant_drift_of_a_top_feature_is_an_alert():
    train, new = _frames(shift_top=1.0)
    scores = np.linspace(0, 1, 4000)
    result = compare_populations(train, new, ["top", "other"], [], scores, scores, ["top"])
    assert result.alerts == ["top"]
    assert result.verdict == "significant"
    assert result.exit_code == EXIT_DRIFT


def test_significant_drift_of_another_feature_is_moderate_and_no_alert():
    train, new = _frames(shift_other=1.0)
    scores = np.linspace(0, 1, 4000)
    result = compare_populations(train, new, ["top", "other"], [], scores, scores, ["top"])
    assert result.alerts == []
    assert result.verdict == "moderate"
    assert result.exit_code == 0


def test_score_drift_alone_is_an_alert_and_no_drift_is_stable():
    train, new = _frames()
    rng = np.random.default_rng(3)
    stable = compare_populations(
        train, new, ["top", "other"], [], rng.random(4000), rng.random(4000), ["top"]
    )
    assert stable.verdict == "stable" and stable.exit_code == 0
    moved = compare_populations(
        train, new, ["top", "other"], [], rng.random(4000), rng.random(4000) ** 3, ["top"]
    )
    assert moved.alerts == ["default_probability"]


def test_result_is_valid_json_and_an_html_page():
    train, new = _frames(shift_top=1.0)
    new.loc[:10, "other"] = np.nan
    scores = np.linspace(0, 1, 4000)
    result = compare_populations(train, new, ["top", "other"], [], scores, scores, ["top"])
    content = json.loads(json.dumps(result.to_dict(), allow_nan=True))
    assert content["summary"]["alerts"] == ["top"]
    assert [item["name"] for item in content["features"]] == ["top", "other"]
    table = result.table()
    assert list(table["name"]) == ["default_probability", "top", "other"]
    page = render_html(result, {"top": "The top feature"})
    assert "Significant drift" in page and "The top feature" in page
    assert page.count("<img") == 3  # the score and both features, most drifted first
    assert page.index('alt="top') < page.index('alt="other')


def test_missing_feature_column_in_new_rows_is_a_data_error():
    from credit_scoring.errors import DataError

    train, new = _frames()
    with pytest.raises(DataError, match="same feature code"):
        compare_populations(train, new.drop(columns="other"), ["top", "other"], [])


def test_moderate_drift_of_a_feature_outside_the_top_makes_the_verdict_moderate():
    train, new = _frames(shift_other=0.45)
    scores = np.linspace(0, 1, 4000)
    result = compare_populations(train, new, ["top", "other"], [], scores, scores, ["top"])
    assert [item.verdict for item in result.features] == ["stable", "moderate"]
    assert result.verdict == "moderate" and result.exit_code == 0
