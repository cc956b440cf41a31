"""What would change the decision: the smallest changes to the negotiable terms of a credit that
bring a client's decision to the other side of the threshold.

Only the terms the manager and the client can negotiate on the spot move: the credit amount (a
down payment on the same goods), the price of the goods financed (a cheaper purchase), and the
repayment period (hence the monthly instalment). Everything else (age, history, external scores,
income...) is fixed. For a granted client, the largest amount that keeps the credit granted.

The instalment follows the lender's rate: at the same term the instalment is proportional to the
amount; for a new term it is the annuity of the amount at ``annual_rate`` over that many months,
the client's current term being the one implied by their amount and instalment at that rate.

Every candidate is scored by the Scorer (the same feature code and model as the what-if panel and
``credit-scoring score``), all at once, and only scored candidates are proposed: writing an
option's ``changes`` into the client's application and scoring it gives the option's probability.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from credit_scoring.errors import DataError
from credit_scoring.i18n import translate
from credit_scoring.i18n.formatting import format_count, format_number, format_percent
from credit_scoring.scoring.scorer import Scorer

CREDIT, ANNUITY, GOODS_PRICE = "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"
#: The only application columns a recourse option ever changes.
NEGOTIABLE_COLUMNS = (CREDIT, ANNUITY, GOODS_PRICE)
REVOLVING = "Revolving loans"
#: Candidate values tried per kind of change (the search is one scoring call for all of them).
GRID_SIZE = 60
COMBINED_GRID_SIZE = 12


@dataclass(frozen=True)
class RecourseBounds:
    """The lender's bounds on what may be proposed (documented defaults; set the lender's own).

    annual_rate: the lender's yearly interest rate, used to turn a term into an instalment.
    min_term_months, max_term_months: the shortest and longest repayment periods offered.
    min_amount: the smallest credit the lender grants.
    min_amount_share: never propose less than this share of the amount asked for.
    max_amount_factor: for a granted client, look up to this multiple of the amount asked for.
    """

    annual_rate: float = 0.10
    min_term_months: int = 6
    max_term_months: int = 60
    min_amount: float = 25_000.0
    min_amount_share: float = 0.5
    max_amount_factor: float = 2.0

    def __post_init__(self) -> None:
        if not 0 <= self.annual_rate < 1:
            raise DataError(f"annual_rate must be between 0 and 1 (got {self.annual_rate})")
        if not 1 <= self.min_term_months <= self.max_term_months:
            raise DataError("the terms must satisfy 1 <= min_term_months <= max_term_months")
        if not 0 < self.min_amount_share <= 1 or self.max_amount_factor < 1 or self.min_amount < 0:
            raise DataError(
                "min_amount_share must be in (0, 1], max_amount_factor >= 1, min_amount >= 0"
            )


@dataclass(frozen=True)
class RecourseOption:
    """One feasible change and the score it gives."""

    kind: str  # "amount" | "goods_price" | "term" | "amount_and_term" | "more_amount"
    changes: dict[str, float]  # raw Kaggle application columns → new values
    default_probability: float
    decision: str
    before: dict[str, float]  # amount, goods_price, term_months, annuity before the change
    after: dict[str, float]  # the same after it

    def text(self, lang: str) -> str:
        """The change in plain words ("si le montant passe de 225 000 à 180 000 (−20 %)")."""
        parts = []
        if self.kind in ("amount", "more_amount", "amount_and_term"):
            parts.append(_change_words("amount", self.before, self.after, lang))
        if self.kind == "goods_price":
            parts.append(_change_words("goods_price", self.before, self.after, lang))
        if self.kind in ("term", "amount_and_term"):
            parts.append(_change_words("term", self.before, self.after, lang))
        joined = translate("recourse.and", lang).join(parts)
        return translate(f"recourse.option.{self.kind}", lang, change=joined)

    def to_dict(self, lang: str) -> dict:
        """The option as in ``credit-scoring recourse --format json``."""
        return asdict(self) | {"text": self.text(lang)}


@dataclass(frozen=True)
class Recourse:
    """What would change a client's decision."""

    client_id: int
    decision: str
    default_probability: float
    threshold: float
    options: list[RecourseOption]
    term_months: float | None
    bounds: RecourseBounds = field(default_factory=RecourseBounds)

    def text(self, lang: str) -> str:
        """One sentence: the options joined by "or", or the honest "nothing works"."""
        if not self.options:
            return translate(f"recourse.none.{self.decision}", lang)
        if self.decision == "granted":
            return self.options[0].text(lang)
        texts = [option.text(lang) for option in self.options]
        return translate(
            "recourse.granted_if", lang, options=translate("recourse.or", lang).join(texts)
        )

    def report(self, lang: str) -> str:
        """A few lines for a terminal: the client, the score and decision, then the options."""
        lines = [
            translate(
                "recourse.report_head",
                lang,
                client=self.client_id,
                probability=format_percent(self.default_probability, lang),
                decision=translate(f"decision.{self.decision}", lang),
                threshold=format_percent(self.threshold, lang),
            ),
            self.text(lang),
        ]
        for option in self.options:
            lines.append(
                f"  - {option.text(lang)} → {format_percent(option.default_probability, lang)}, "
                + translate(f"decision.{option.decision}", lang)
            )
        return "\n".join(lines)

    def to_dict(self, lang: str) -> dict:
        """``{"client", "decision", "default_probability", "threshold", "options", "text"}``."""
        return {
            "client": int(self.client_id),
            "decision": self.decision,
            "default_probability": float(self.default_probability),
            "threshold": float(self.threshold),
            "term_months": None if self.term_months is None else float(self.term_months),
            "bounds": asdict(self.bounds),
            "options": [option.to_dict(lang) for option in self.options],
            "text": self.text(lang),
        }


# ----- the lender's arithmetic -------------------------------------------------------------
def annuity(amount, months, annual_rate: float):
    """Monthly instalment repaying ``amount`` over ``months`` at ``annual_rate``."""
    amount = np.asarray(amount, dtype=np.float64)
    months = np.asarray(months, dtype=np.float64)
    rate = annual_rate / 12
    if rate == 0:
        return amount / months
    return amount * rate / (1 - (1 + rate) ** -months)


def implied_term(amount: float, instalment: float, annual_rate: float) -> float | None:
    """Months needed to repay ``amount`` with ``instalment`` at ``annual_rate``; None when the
    instalment is missing or never repays the amount at that rate."""
    if not (np.isfinite(amount) and np.isfinite(instalment)) or amount <= 0 or instalment <= 0:
        return None
    rate = annual_rate / 12
    if rate == 0:
        return amount / instalment
    share = amount * rate / instalment
    if share >= 1:
        return None
    return -math.log(1 - share) / math.log(1 + rate)


def _round_step(amount: float) -> float:
    """The rounding of proposed amounts: 1 000 below 500 000, 5 000 below 2 million, else 10 000."""
    return 1_000.0 if amount < 500_000 else 5_000.0 if amount < 2_000_000 else 10_000.0


def _amounts_below(amount: float, bounds: RecourseBounds, size: int) -> np.ndarray:
    """Round amounts under ``amount`` down to the lender's lower bound, largest first."""
    low = max(bounds.min_amount, bounds.min_amount_share * amount)
    step = _round_step(amount)
    values = np.floor(np.linspace(amount, low, size) / step) * step
    values = np.unique(values[(values < amount) & (values >= low)])
    return values[::-1]


def _amounts_above(amount: float, bounds: RecourseBounds, size: int) -> np.ndarray:
    """Round amounts over ``amount`` up to ``max_amount_factor`` times it, smallest first."""
    step = _round_step(amount)
    values = np.floor(np.linspace(amount, bounds.max_amount_factor * amount, size) / step) * step
    return np.unique(values[values > amount])


def _terms_above(term: float, bounds: RecourseBounds, size: int) -> np.ndarray:
    """Whole months longer than ``term`` up to the longest term offered, shortest first."""
    first = max(math.floor(term) + 1, bounds.min_term_months)
    months = np.arange(first, bounds.max_term_months + 1, dtype=np.float64)
    if len(months) > size:
        months = np.unique(np.round(np.linspace(first, bounds.max_term_months, size)))
    return months


# ----- the search ---------------------------------------------------------------------------
def find_recourse(
    scorer: Scorer,
    application: pd.DataFrame,
    stored_features: Mapping[str, object],
    bounds: RecourseBounds | None = None,
    threshold: float | None = None,
) -> Recourse:
    """The smallest feasible changes of each kind that flip the client's decision (refused →
    granted), or for a granted client the largest amount still granted.

    ``application`` is the client's raw application row, ``stored_features`` their feature values
    (as for :meth:`Scorer.score_edits`); ``threshold`` defaults to the model's.
    """
    bounds = bounds or RecourseBounds()
    threshold = scorer.threshold if threshold is None else float(threshold)
    row = application.iloc[0]
    client_id = int(row["SK_ID_CURR"])
    amount = _number(row.get(CREDIT))
    instalment = _number(row.get(ANNUITY))
    goods_price = _number(row.get(GOODS_PRICE))
    if not np.isfinite(amount) or amount <= 0:
        raise DataError(f"client {client_id} has no credit amount: nothing to negotiate")
    revolving = str(row.get("NAME_CONTRACT_TYPE")) == REVOLVING
    term = None if revolving else implied_term(amount, instalment, bounds.annual_rate)
    before = {
        "amount": amount,
        "goods_price": goods_price,
        "term_months": np.nan if term is None else term,
        "annuity": instalment,
    }

    def at_same_term(new_amount: float) -> dict[str, float]:
        changes = {CREDIT: float(new_amount)}
        if np.isfinite(instalment):
            changes[ANNUITY] = round(float(instalment * new_amount / amount), 2)
        return changes

    # Both directions' candidates are scored in one batch with the client as they are (one call
    # of the feature code and of the model, whose cost hardly depends on the number of rows).
    candidates: list[tuple[str, dict[str, float]]] = [("current", {})]
    for value in _amounts_below(amount, bounds, GRID_SIZE):
        candidates.append(("amount", at_same_term(value)))
    if np.isfinite(goods_price) and goods_price > 0:
        for value in _amounts_below(amount, bounds, GRID_SIZE):
            cheaper = round(float(goods_price * value / amount), 2)
            candidates.append(("goods_price", at_same_term(value) | {GOODS_PRICE: cheaper}))
    if term is not None:
        for months in _terms_above(term, bounds, GRID_SIZE):
            longer = round(float(annuity(amount, months, bounds.annual_rate)), 2)
            candidates.append(("term", {ANNUITY: longer}))
        for value in _amounts_below(amount, bounds, COMBINED_GRID_SIZE):
            for months in _terms_above(term, bounds, COMBINED_GRID_SIZE):
                both = round(float(annuity(value, months, bounds.annual_rate)), 2)
                candidates.append(("amount_and_term", {CREDIT: float(value), ANNUITY: both}))
    for value in _amounts_above(amount, bounds, GRID_SIZE):
        changes = at_same_term(value)
        if np.isfinite(goods_price) and goods_price > 0:
            changes[GOODS_PRICE] = round(float(goods_price * value / amount), 2)
        candidates.append(("more_amount", changes))

    scored, _ = scorer.score_edits(application, stored_features, [c for _, c in candidates])
    probabilities = scored.probabilities
    current_probability = float(probabilities[0])
    decision = "refused" if current_probability >= threshold else "granted"
    kinds = np.array([kind for kind, _ in candidates])
    flips = probabilities < threshold if decision == "refused" else probabilities >= threshold

    options = []
    if decision == "refused":
        for kind in ("amount", "goods_price", "term"):
            # candidates of a kind are ordered from the smallest change to the largest
            positions = np.flatnonzero((kinds == kind) & flips)
            if len(positions):
                options.append(_option(kind, candidates, positions[0], probabilities, threshold,
                                       before, bounds))  # fmt: skip
        if not options:
            positions = np.flatnonzero((kinds == "amount_and_term") & flips)
            if len(positions):
                best = min(positions, key=lambda p: _combined_cost(candidates[p][1], amount))
                options.append(_option("amount_and_term", candidates, best, probabilities,
                                       threshold, before, bounds))  # fmt: skip
    else:
        positions = np.flatnonzero(kinds == "more_amount")
        still_granted = ~flips[positions]
        # the largest amount such that every amount up to it stays granted
        contiguous = (
            positions[: int(np.argmin(still_granted))] if not still_granted.all() else positions
        )
        if len(contiguous):
            options.append(_option("more_amount", candidates, contiguous[-1], probabilities,
                                   threshold, before, bounds))  # fmt: skip
    return Recourse(
        client_id=client_id,
        decision=decision,
        default_probability=current_probability,
        threshold=threshold,
        options=options,
        term_months=term,
        bounds=bounds,
    )


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _combined_cost(changes: Mapping[str, float], amount: float) -> float:
    """Ranks combined changes: the amount given up first, then the instalment."""
    return (amount - changes[CREDIT]) / amount - 1e-6 * changes[ANNUITY]


def _option(kind, candidates, position, probabilities, threshold, before, bounds):
    changes = candidates[position][1]
    amount = changes.get(CREDIT, before["amount"])
    instalment = changes.get(ANNUITY, before["annuity"])
    if kind in ("term", "amount_and_term"):
        term = implied_term(amount, instalment, bounds.annual_rate)
    else:
        term = before["term_months"]
    after = {
        "amount": amount,
        "goods_price": changes.get(GOODS_PRICE, before["goods_price"]),
        "term_months": np.nan if term is None else term,
        "annuity": instalment,
    }
    probability = float(probabilities[position])
    return RecourseOption(
        kind=kind,
        changes={column: float(value) for column, value in changes.items()},
        default_probability=probability,
        decision="refused" if probability >= threshold else "granted",
        before={key: float(value) for key, value in before.items()},
        after={key: float(value) for key, value in after.items()},
    )


def _change_words(what: str, before: Mapping, after: Mapping, lang: str) -> str:
    if what == "term":
        return translate(
            "recourse.change.term",
            lang,
            before=format_count(round(before["term_months"]), lang),
            after=format_count(round(after["term_months"]), lang),
            annuity=format_number(after["annuity"], 0, lang),
        )
    old, new = before[what], after[what]
    return translate(
        f"recourse.change.{what}",
        lang,
        before=format_number(old, 0, lang),
        after=format_number(new, 0, lang),
        change=("+" if new > old else "\u2212") + format_percent(abs(new / old - 1), lang, 0),
    )


def recourse_for_client(
    artifacts_dir, client_id, bounds: RecourseBounds | None = None, scorer: Scorer | None = None
) -> Recourse:
    """:func:`find_recourse` for a client of an artifacts folder (verified against its manifest
    when no Scorer is given); UnknownClientError for an id that is not there."""
    from credit_scoring.scoring.scorer import client_record

    scorer = scorer or Scorer.from_artifacts(artifacts_dir)
    application, stored = client_record(artifacts_dir, client_id)
    return find_recourse(scorer, application, stored, bounds)
