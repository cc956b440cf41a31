"""Business-cost threshold, decisions and risk bands, on hand-made cases."""

import numpy as np
import pytest

from credit_scoring.errors import CreditScoringError
from credit_scoring.model.metrics import decision_metrics
from credit_scoring.model.threshold import (
    RISK_BANDS,
    choose_threshold,
    cost_curve,
    decide,
    expected_cost,
    risk_bands,
)

TARGETS = [0, 0, 1, 0, 1, 1]
PROBABILITIES = [0.1, 0.2, 0.3, 0.4, 0.6, 0.8]


def test_threshold_minimizes_the_hand_computed_cost():
    # Refusing p >= t, with a missed defaulter costing 3 and a refused good client 1:
    # accept all: 3 FN = 9; t=0.8: 2 FN = 6; t=0.6: 1 FN = 3; t=0.4: 1 FN + 1 FP = 4;
    # t=0.3: 1 FP = 1; t=0.2: 2 FP = 2; t=0.1: 3 FP = 3.  Best: t=0.3, cost 1.
    choice = choose_threshold(TARGETS, PROBABILITIES, cost_false_negative=3, cost_false_positive=1)
    assert choice.threshold == pytest.approx(0.3)
    assert choice.cost == 1
    assert choice.cost_accept_all == 9
    assert choice.cost_at_half == 3  # refuses 0.6 and 0.8: one defaulter (0.3) accepted
    assert choice.cost_per_applicant == pytest.approx(1 / 6)


def test_cost_curve_lists_every_cut_with_its_cost():
    thresholds, costs = cost_curve(TARGETS, PROBABILITIES, 3, 1)
    assert thresholds[:-1] == pytest.approx(PROBABILITIES)
    assert thresholds[-1] > 0.8  # above everyone: accept all
    assert costs.tolist() == [3, 2, 1, 4, 3, 6, 9]
    for threshold, cost in zip(thresholds, costs, strict=True):
        assert expected_cost(TARGETS, PROBABILITIES, threshold, 3, 1) == cost


def test_tied_probabilities_are_refused_together_and_ties_in_cost_take_the_lower_threshold():
    # p = 0.5 twice (one defaulter, one good client): a threshold cannot separate them.
    choice = choose_threshold([0, 1, 0, 1], [0.2, 0.5, 0.5, 0.9], 2, 1)
    assert choice.threshold == pytest.approx(0.5)
    assert choice.cost == 1
    # Equal costs 1 at t=0.6 and t=0.3 with unit costs: the lower (more prudent) one wins.
    assert choose_threshold(TARGETS, PROBABILITIES, 1, 1).threshold == pytest.approx(0.3)


def test_bad_inputs_are_refused_with_a_clear_message():
    with pytest.raises(CreditScoringError, match="positive"):
        choose_threshold(TARGETS, PROBABILITIES, 0, 1)
    with pytest.raises(CreditScoringError, match="0 \\(repaid\\) or 1"):
        choose_threshold([0, 2], [0.1, 0.2])
    with pytest.raises(CreditScoringError, match="same length"):
        choose_threshold([0, 1], [0.1])
    with pytest.raises(CreditScoringError, match="no applicant"):
        choose_threshold([], [])


def test_risk_bands_never_contradict_the_decision():
    threshold = 0.09
    probabilities = np.array([0.0, 0.029, 0.031, 0.059, 0.061, 0.0899, 0.09, 0.179, 0.18, 0.99])
    bands = risk_bands(probabilities, threshold)
    assert bands.tolist() == [
        "very_low", "very_low", "low", "low", "medium", "medium",
        "high", "high", "very_high", "very_high",
    ]  # fmt: skip
    decisions = decide(probabilities, threshold)
    refused_bands = {"high", "very_high"}
    refused = decisions == "refused"
    assert (refused == np.isin(bands, list(refused_bands))).all()
    assert set(bands) <= set(RISK_BANDS)


def test_decision_metrics_on_the_hand_case():
    metrics = decision_metrics(TARGETS, PROBABILITIES, 0.3, 3, 1)
    assert metrics["confusion_matrix"] == {
        "true_negative": 2,
        "false_positive": 1,
        "false_negative": 0,
        "true_positive": 3,
    }
    assert metrics["recall"] == 1.0
    assert metrics["precision"] == pytest.approx(0.75)
    assert metrics["acceptance_rate"] == pytest.approx(2 / 6)
    assert metrics["roc_auc"] == pytest.approx(8 / 9)  # one discordant pair: (0.4 good, 0.3 bad)
    assert metrics["cost"] == 1
