"""Calibration check and Platt scaling on simulated scores with a known truth."""

import numpy as np
import pytest

from credit_scoring.errors import ArtifactError
from credit_scoring.model.calibration import (
    apply_calibration,
    brier_score,
    check_and_fit_calibration,
    reliability_curve,
    sigmoid,
)


def _outcomes(true_log_odds, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random(len(true_log_odds)) < sigmoid(true_log_odds)).astype(float)


@pytest.fixture(scope="module")
def true_log_odds():
    return np.random.default_rng(1).normal(-2.6, 1.0, 40_000)


def test_a_calibrated_score_is_kept_as_it_is(true_log_odds):
    targets = _outcomes(true_log_odds)
    calibration = check_and_fit_calibration(targets, true_log_odds)
    assert calibration["method"] == "identity"
    assert calibration["measured_slope"] == pytest.approx(1.0, abs=0.1)
    assert apply_calibration(calibration, true_log_odds) == pytest.approx(sigmoid(true_log_odds))


def test_an_overconfident_score_is_recalibrated(true_log_odds):
    targets = _outcomes(true_log_odds)
    overconfident = 2.0 * (true_log_odds + 2.6) - 2.6  # twice too far from the mean log-odds
    calibration = check_and_fit_calibration(targets, overconfident)
    assert calibration["method"] == "platt"
    assert calibration["slope"] == pytest.approx(0.5, abs=0.05)
    assert calibration["brier_calibrated"] < calibration["brier_raw"]
    fixed = apply_calibration(calibration, overconfident)
    assert fixed.mean() == pytest.approx(targets.mean(), abs=0.003)
    # Platt scaling is monotone: it never reorders applicants.
    order = np.argsort(overconfident)
    assert np.all(np.diff(fixed[order]) >= 0)


def test_reliability_curve_bins_hold_equal_populations():
    probabilities = np.linspace(0.0, 0.5, 1000)
    targets = (np.arange(1000) % 4 == 0).astype(float)
    curve = reliability_curve(targets, probabilities, bins=10)
    assert curve["count"] == [100] * 10
    assert curve["mean_predicted"][0] == pytest.approx(probabilities[:100].mean())
    assert curve["observed_rate"] == pytest.approx([0.25] * 10)


def test_brier_score_by_hand():
    assert brier_score([0, 1], [0.2, 0.6]) == pytest.approx((0.04 + 0.16) / 2)


def test_an_unknown_calibration_method_is_an_artifact_error():
    with pytest.raises(ArtifactError, match="rerun the pipeline"):
        apply_calibration({"method": "isotonic"}, [0.0])
