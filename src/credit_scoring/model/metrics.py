"""Metrics of a probability of default against known outcomes, at a decision threshold."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from credit_scoring.model.calibration import brier_score
from credit_scoring.model.threshold import (
    DEFAULT_COST_FALSE_NEGATIVE,
    DEFAULT_COST_FALSE_POSITIVE,
    expected_cost,
)


def safe_roc_auc(targets, scores) -> float | None:
    """ROC AUC, or None when only one class is present (e.g. a tiny fairness group)."""
    targets = np.asarray(targets)
    if len(np.unique(targets)) < 2:
        return None
    return float(roc_auc_score(targets, scores))


def confusion(targets, probabilities, threshold: float) -> dict[str, int]:
    """Counts of true/false positives/negatives, "positive" meaning refused (predicted default)."""
    targets = np.asarray(targets, dtype=np.float64)
    refused = np.asarray(probabilities, dtype=np.float64) >= threshold
    return {
        "true_negative": int(np.sum(~refused & (targets == 0))),
        "false_positive": int(np.sum(refused & (targets == 0))),
        "false_negative": int(np.sum(~refused & (targets == 1))),
        "true_positive": int(np.sum(refused & (targets == 1))),
    }


def decision_metrics(
    targets,
    probabilities,
    threshold: float,
    cost_false_negative: float = DEFAULT_COST_FALSE_NEGATIVE,
    cost_false_positive: float = DEFAULT_COST_FALSE_POSITIVE,
) -> dict:
    """ROC AUC, PR AUC, Brier score, and at the threshold: cost, recall and precision of the
    refusals, acceptance rate and confusion matrix; plus the costs at 0.5 and of accepting all."""
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    matrix = confusion(targets, probabilities, threshold)
    refused = matrix["true_positive"] + matrix["false_positive"]
    defaulters = matrix["true_positive"] + matrix["false_negative"]
    costs = (cost_false_negative, cost_false_positive)
    cost = expected_cost(targets, probabilities, threshold, *costs)
    return {
        "applicants": int(len(targets)),
        "default_rate": float(targets.mean()),
        "roc_auc": safe_roc_auc(targets, probabilities),
        "pr_auc": float(average_precision_score(targets, probabilities)) if defaulters else None,
        "brier": brier_score(targets, probabilities),
        "threshold": float(threshold),
        "cost": cost,
        "cost_per_applicant": cost / len(targets),
        "cost_at_half": expected_cost(
            targets, probabilities, 0.5, cost_false_negative, cost_false_positive
        ),
        "cost_accept_all": float(cost_false_negative * targets.sum()),
        "recall": matrix["true_positive"] / defaulters if defaulters else None,
        "precision": matrix["true_positive"] / refused if refused else None,
        "acceptance_rate": 1.0 - refused / len(targets),
        "confusion_matrix": matrix,
    }
