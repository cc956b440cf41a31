"""From raw model scores (log-odds) to the default probability shown to a client.

The model is trained on the unweighted log-loss, so its probabilities should already be
calibrated; the check below measures it on out-of-fold predictions (reliability curve, Brier
score, calibration slope and intercept). When the check fails, Platt scaling on the raw score
(``p = sigmoid(slope * raw + intercept)``, fit on out-of-fold scores) is applied: it is monotone,
so it never reorders applicants, and two numbers are enough to store it in calibration.json.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from credit_scoring.errors import ArtifactError

IDENTITY = "identity"
PLATT = "platt"

#: The raw probabilities are kept when the calibration slope is within 0.1 of 1 and the mean
#: probability within 10% (relative) of the observed default rate.
SLOPE_TOLERANCE = 0.1
MEAN_GAP_TOLERANCE = 0.1


def sigmoid(raw_scores) -> np.ndarray:
    """Logistic function, numerically safe."""
    raw_scores = np.asarray(raw_scores, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * raw_scores))


def brier_score(targets, probabilities) -> float:
    """Mean squared difference between outcome (0/1) and probability."""
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return float(np.mean((probabilities - targets) ** 2))


def reliability_curve(targets, probabilities, bins: int = 10) -> dict[str, list]:
    """Observed default rate against mean predicted probability, in bins of equal population
    (quantiles), so that every point rests on the same number of applicants."""
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    order = np.argsort(probabilities, kind="stable")
    groups = np.array_split(order, bins)
    groups = [group for group in groups if len(group)]
    return {
        "mean_predicted": [float(probabilities[g].mean()) for g in groups],
        "observed_rate": [float(targets[g].mean()) for g in groups],
        "count": [len(g) for g in groups],
    }


def fit_platt(targets, raw_scores) -> tuple[float, float]:
    """Slope and intercept of the logistic regression of the outcome on the raw score."""
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.asarray(raw_scores, dtype=np.float64).reshape(-1, 1), np.asarray(targets))
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def check_and_fit_calibration(targets, raw_scores) -> dict:
    """Check the calibration of ``sigmoid(raw_scores)`` and return the calibration to apply.

    The result (stored as calibration.json) holds the method ("identity" or "platt"), the
    slope/intercept used, the measured calibration slope and intercept of the raw model, and the
    Brier scores before and after.
    """
    targets = np.asarray(targets, dtype=np.float64)
    raw_scores = np.asarray(raw_scores, dtype=np.float64)
    measured_slope, measured_intercept = fit_platt(targets, raw_scores)
    # Calibrated means: slope close to 1 (not over/under-confident) and a mean probability close
    # to the observed default rate (no overall bias), which is what a client reads.
    raw_probabilities = sigmoid(raw_scores)
    mean_gap = abs(raw_probabilities.mean() - targets.mean())
    well_calibrated = abs(
        measured_slope - 1.0
    ) <= SLOPE_TOLERANCE and mean_gap <= MEAN_GAP_TOLERANCE * max(targets.mean(), 1e-9)
    calibration = {
        "method": IDENTITY if well_calibrated else PLATT,
        "slope": 1.0 if well_calibrated else measured_slope,
        "intercept": 0.0 if well_calibrated else measured_intercept,
        "measured_slope": measured_slope,
        "measured_intercept": measured_intercept,
        "observed_default_rate": float(targets.mean()),
        "mean_raw_probability": float(raw_probabilities.mean()),
        "brier_raw": brier_score(targets, raw_probabilities),
    }
    calibration["brier_calibrated"] = brier_score(
        targets, apply_calibration(calibration, raw_scores)
    )
    return calibration


def apply_calibration(calibration: dict, raw_scores) -> np.ndarray:
    """Displayed default probabilities from raw scores (log-odds), with a stored calibration."""
    method = calibration.get("method")
    if method not in (IDENTITY, PLATT):
        raise ArtifactError(
            f"calibration method '{method}' is unknown (expected '{IDENTITY}' or '{PLATT}'): "
            "the calibration.json file does not come from this version; rerun the pipeline"
        )
    raw_scores = np.asarray(raw_scores, dtype=np.float64)
    return sigmoid(calibration["slope"] * raw_scores + calibration["intercept"])
