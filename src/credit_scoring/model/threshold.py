"""The decision threshold that minimizes the business cost of wrong decisions.

A credit is *refused* when the displayed default probability is at or above the threshold. A false
negative is a defaulter who was granted the credit (cost ``cost_false_negative``); a false positive
is a good client who was refused (cost ``cost_false_positive``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from credit_scoring.errors import CreditScoringError

DEFAULT_COST_FALSE_NEGATIVE = 10.0
DEFAULT_COST_FALSE_POSITIVE = 1.0


def _check_inputs(targets, probabilities) -> tuple[np.ndarray, np.ndarray]:
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if targets.shape != probabilities.shape or targets.ndim != 1:
        raise CreditScoringError(
            f"targets {targets.shape} and probabilities {probabilities.shape} must be two 1-D "
            "arrays of the same length"
        )
    if len(targets) == 0:
        raise CreditScoringError("no applicant with a known outcome: cannot choose a threshold")
    if not np.isin(targets, (0.0, 1.0)).all():
        raise CreditScoringError(
            "targets must be 0 (repaid) or 1 (defaulted), without missing values"
        )
    return targets, probabilities


def expected_cost(
    targets,
    probabilities,
    threshold: float,
    cost_false_negative: float = DEFAULT_COST_FALSE_NEGATIVE,
    cost_false_positive: float = DEFAULT_COST_FALSE_POSITIVE,
) -> float:
    """Total cost of refusing every applicant whose probability is >= ``threshold``."""
    targets, probabilities = _check_inputs(targets, probabilities)
    refused = probabilities >= threshold
    false_negatives = np.sum(~refused & (targets == 1))
    false_positives = np.sum(refused & (targets == 0))
    return float(cost_false_negative * false_negatives + cost_false_positive * false_positives)


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen threshold with its cost, and the costs of the two naive policies."""

    threshold: float
    cost: float
    cost_per_applicant: float
    cost_at_half: float
    cost_accept_all: float
    cost_false_negative: float
    cost_false_positive: float
    applicants: int

    def to_dict(self) -> dict:
        """Plain dict for threshold.json."""
        return asdict(self)


def cost_curve(
    targets,
    probabilities,
    cost_false_negative: float = DEFAULT_COST_FALSE_NEGATIVE,
    cost_false_positive: float = DEFAULT_COST_FALSE_POSITIVE,
) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct candidate threshold (the distinct probabilities, plus one above them all,
    meaning "accept everyone") and the total cost at each, computed exactly in one pass."""
    targets, probabilities = _check_inputs(targets, probabilities)
    order = np.argsort(-probabilities, kind="stable")
    sorted_probabilities = probabilities[order]
    sorted_targets = targets[order]
    # Refusing the first i applicants (highest probabilities): cumulative defaulters/good refused.
    defaulters_refused = np.concatenate([[0.0], np.cumsum(sorted_targets)])
    good_refused = np.concatenate([[0.0], np.cumsum(1.0 - sorted_targets)])
    total_defaulters = defaulters_refused[-1]
    # A threshold equal to a probability refuses every applicant at or above it: only the last
    # position of each run of equal probabilities is a reachable cut.
    distinct_end = np.flatnonzero(np.diff(sorted_probabilities, append=-np.inf) != 0) + 1
    refused_counts = np.concatenate([[0], distinct_end])
    thresholds = np.concatenate(
        [[np.nextafter(sorted_probabilities[0], np.inf)], sorted_probabilities[distinct_end - 1]]
    )
    costs = (
        cost_false_negative * (total_defaulters - defaulters_refused[refused_counts])
        + cost_false_positive * good_refused[refused_counts]
    )
    return thresholds[::-1].copy(), costs[::-1].copy()


def choose_threshold(
    targets,
    probabilities,
    cost_false_negative: float = DEFAULT_COST_FALSE_NEGATIVE,
    cost_false_positive: float = DEFAULT_COST_FALSE_POSITIVE,
) -> ThresholdChoice:
    """The threshold minimizing the expected cost on known outcomes (ties: the lowest threshold
    among equal costs, i.e. the more prudent one)."""
    if cost_false_negative <= 0 or cost_false_positive <= 0:
        raise CreditScoringError(
            "costs of a false negative and of a false positive must both be positive "
            f"(got {cost_false_negative} and {cost_false_positive})"
        )
    targets, probabilities = _check_inputs(targets, probabilities)
    thresholds, costs = cost_curve(targets, probabilities, cost_false_negative, cost_false_positive)
    best = int(np.argmin(costs))
    return ThresholdChoice(
        threshold=float(thresholds[best]),
        cost=float(costs[best]),
        cost_per_applicant=float(costs[best] / len(targets)),
        cost_at_half=expected_cost(
            targets, probabilities, 0.5, cost_false_negative, cost_false_positive
        ),
        cost_accept_all=float(cost_false_negative * targets.sum()),
        cost_false_negative=float(cost_false_negative),
        cost_false_positive=float(cost_false_positive),
        applicants=int(len(targets)),
    )


def decide(probabilities, threshold: float):
    """ "refused" where the probability is at or above the threshold, else "granted" (an array,
    or one text for one probability)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    decisions = np.where(probabilities >= threshold, "refused", "granted")
    return str(decisions) if decisions.ndim == 0 else decisions


#: Risk bands as multiples of the threshold t: granted below t/3, 2t/3, t; refused below 2t, above.
RISK_BAND_CUTS = (1 / 3, 2 / 3, 1.0, 2.0)
RISK_BANDS = ("very_low", "low", "medium", "high", "very_high")


def risk_bands(probabilities, threshold: float):
    """Risk band of each probability, derived from the threshold so that it never contradicts the
    decision: granted → very_low (< t/3), low (< 2t/3), medium (< t); refused → high (< 2t),
    very_high (>= 2t)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    cuts = np.array(RISK_BAND_CUTS) * threshold
    index = np.searchsorted(cuts, probabilities, side="right")
    bands = np.asarray(RISK_BANDS)[index]
    return str(bands) if bands.ndim == 0 else bands
