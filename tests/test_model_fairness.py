"""Fairness measures at the threshold (fairlearn MetricFrame) on a hand-computed tiny case."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.model.fairness import (
    fairness_findings,
    fairness_measures,
    fairness_measures_table,
)
from credit_scoring.model.report import fairness_measure_lines

# Group A: refused [1, 0, 1, 0] -> accepted 2/4; defaulters refused 1/2; repaid refused 1/2.
# Group B: refused [1, 0, 0, 0] -> accepted 3/4; defaulters refused 1/1; repaid refused 0/3.
# Group C: one applicant, under the minimum size: listed, not compared.
GROUPS = {"gender": np.array(["A"] * 4 + ["B"] * 4 + ["C"])}
TARGETS = [1, 1, 0, 0, 1, 0, 0, 0, 0]
PROBABILITIES = [0.9, 0.2, 0.6, 0.1, 0.8, 0.1, 0.2, 0.3, 0.99]


@pytest.fixture
def measures():
    return fairness_measures(GROUPS, TARGETS, PROBABILITIES, threshold=0.5, min_group_size=2)


def test_rates_ratio_and_gaps_match_the_hand_computation(measures):
    gender = measures["gender"]
    rows = {row["group"]: row for row in gender["groups"]}
    assert rows["A"]["acceptance_rate"] == pytest.approx(0.5)
    assert rows["B"]["acceptance_rate"] == pytest.approx(0.75)
    assert rows["A"]["acceptance_ratio"] == pytest.approx(0.5 / 0.75)
    assert rows["B"]["acceptance_ratio"] == pytest.approx(1.0)
    assert rows["A"]["true_positive_rate"] == pytest.approx(0.5)
    assert rows["B"]["true_positive_rate"] == pytest.approx(1.0)
    assert rows["A"]["false_positive_rate"] == pytest.approx(0.5)
    assert rows["B"]["false_positive_rate"] == pytest.approx(0.0)
    assert gender["min_acceptance_ratio"] == pytest.approx(2 / 3)
    assert gender["true_positive_rate_gap"] == pytest.approx(0.5)
    assert gender["false_positive_rate_gap"] == pytest.approx(0.5)


def test_flags_under_the_line_in_plain_words_and_small_groups_are_not_compared(measures):
    rows = {row["group"]: row for row in measures["gender"]["groups"]}
    assert rows["A"]["flagged"] and not rows["B"]["flagged"]
    # C is refused (0% accepted) but too small to be compared or to be the reference.
    assert rows["C"]["compared"] is False and rows["C"]["acceptance_ratio"] is None
    assert not rows["C"]["flagged"]
    flags = measures["gender"]["flags"]
    assert any("A: 50% accepted against 75% for B, a ratio of 0.67" in flag for flag in flags)
    assert any("defaulters refused differs by 50.0 percentage points" in flag for flag in flags)
    assert any("repaid but are refused differs by 50" in flag for flag in flags)


def test_no_flag_when_groups_are_treated_alike():
    groups = {"age_band": np.array(["< 30", "60+"] * 50)}
    targets = np.tile([0, 0, 1, 1], 25)
    probabilities = np.tile([0.1, 0.1, 0.9, 0.9], 25)
    measures = fairness_measures(groups, targets, probabilities, threshold=0.5)
    assert measures["age_band"]["min_acceptance_ratio"] == pytest.approx(1.0)
    assert measures["age_band"]["flags"] == []
    assert fairness_findings(measures) == ["No fairness measure crosses its screening line."]


def test_table_and_model_card_lines_carry_the_measures(measures):
    table = fairness_measures_table(measures)
    assert list(table["group"]) == ["A", "B", "C"]
    lines = fairness_measure_lines(measures)
    text = "\n".join(lines)
    assert "| gender | A | 0.67 ⚠ | 0.500 | 0.500 |" in text
    assert "| gender | C | too few to compare |" in text
    assert "**Flags:**" in text
    assert fairness_measure_lines({}) == []
