"""Planted drift scenarios for the synthetic generator (``credit-scoring generate --drift NAME``).

A scenario changes only the new applicants (application_test.csv) and, through them, their own
side-table rows, so that the monitor (credit_scoring.monitor) is tested on a known answer: the
training applicants' application rows are the same as without drift (their side-table rows, drawn
in blocks with the new applicants', follow the same distribution but are not the same draws when
a scenario changes how many rows a new applicant has). Without a scenario the generator's output
is unchanged, bit for bit.

incomes
    Money inflation: the new applicants' income (AMT_INCOME_TOTAL) and credit amounts
    (AMT_CREDIT, AMT_ANNUITY, AMT_GOODS_PRICE) are 30% higher; their credit history (bureau credit
    sums, previous applications) is drawn from the inflated income, so those amounts follow.
    Ratios (credit / income, annuity / income...) do not move.
young
    Twice the share of applicants under 30 among the new applicants: older new applicants are
    made younger (an age drawn from the under-30 applicants) until the share doubles; everything
    that depends on age (employment length, pension, family, external score 1, credit history)
    is drawn from the new age.
external_scores
    The new applicants' external credit scores (EXT_SOURCE_1, EXT_SOURCE_2, EXT_SOURCE_3) are 25%
    lower, as if a score provider changed its scale: the model's strongest inputs and so the
    default probabilities move (the scenario that must raise the monitor's alert).

The random draws of a scenario come from their own stream (``drift_rng``), so a scenario moves
only what it documents.
"""

from __future__ import annotations

import numpy as np

from credit_scoring.data.synthetic_common import round_to
from credit_scoring.errors import DataError

#: Scenario name -> one-line description (shown by ``credit-scoring generate``).
DRIFT_SCENARIOS = {
    "incomes": (
        "new applicants' incomes and credit amounts (AMT_INCOME_TOTAL, AMT_CREDIT, AMT_ANNUITY, "
        "AMT_GOODS_PRICE, and the amounts of their credit history) inflated by 30%"
    ),
    "young": "twice the share of applicants under 30 among the new applicants",
    "external_scores": (
        "new applicants' external credit scores (EXT_SOURCE_1, EXT_SOURCE_2, EXT_SOURCE_3) "
        "25% lower, as if a score provider changed its scale"
    ),
}
INFLATION = 1.30
SCORE_FACTOR = 0.75
YOUNG_AGE = 30.0


def check_drift(name: str | None) -> None:
    """DataError, listing the known scenarios, when ``name`` is not one (None means no drift)."""
    if name is not None and name not in DRIFT_SCENARIOS:
        raise DataError(
            f"unknown drift scenario {name!r}: choose one of {', '.join(DRIFT_SCENARIOS)} "
            "(or leave --drift out for data without drift)"
        )


def younger_ages(
    rng: np.random.Generator, age_years: np.ndarray, is_test: np.ndarray
) -> np.ndarray:
    """Ages where the share of new applicants under 30 is doubled (capped at all of them).

    Each new applicant aged 30 or more becomes young with probability p / (1 - p), p the share of
    new applicants under 30, which doubles that share on average; the new age is drawn from the
    ages of all applicants under 30, so the shape of the young ages is kept.
    """
    ages = np.array(age_years, dtype=np.float64, copy=True)
    young = ages < YOUNG_AGE
    share = float(young[is_test].mean()) if is_test.any() else 0.0
    if share == 0.0 or not young.any():
        return ages
    chance = min(share / (1.0 - share), 1.0) if share < 1.0 else 0.0
    moved = is_test & ~young & (rng.random(len(ages)) < chance)
    ages[moved] = rng.choice(ages[young], size=int(moved.sum()))
    return ages


def inflate(values: np.ndarray, is_test: np.ndarray, step: float) -> np.ndarray:
    """``values`` of the new applicants times 1.3, rounded to ``step`` (NaN stays NaN)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(is_test, round_to(values * INFLATION, step), values)


def lower_scores(scores: np.ndarray, is_test: np.ndarray) -> np.ndarray:
    """External scores of the new applicants times 0.75 (others unchanged)."""
    scores = np.asarray(scores, dtype=np.float64)
    return np.where(is_test, scores * SCORE_FACTOR, scores)
