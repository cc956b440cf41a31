"""The explanation of a client's score, without widgets: the waterfall's steps from the average
client to this client, the plain-language reasons and summary, the distance to the threshold."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.i18n import translate
from credit_scoring.model.threshold import decide

LABEL_CHARACTERS = 40
#: Distances to the threshold (in points) below which a decision is close, then clear.
CLOSE_MARGIN_POINTS = 2.0
CLEAR_MARGIN_POINTS = 10.0


@dataclass(frozen=True)
class WaterfallStep:
    """One bar: a feature (or the start / other factors / end) and the probabilities it joins."""

    key: str  # feature name, or "__start__", "__other__", "__end__"
    label: str
    start: float
    end: float

    @property
    def is_total(self) -> bool:
        """The first and last bars: probabilities, not changes."""
        return self.key in ("__start__", "__end__")


def top_features(contributions: np.ndarray, n: int) -> list[int]:
    """Indices of the ``n`` largest contributions in size (largest first), zeros left out."""
    order = np.argsort(-np.abs(contributions), kind="stable")
    return [int(i) for i in order[: max(int(n), 1)] if contributions[i] != 0.0]


def waterfall_steps(
    data: DashboardData,
    row: int,
    n: int,
    lang: str,
    contributions: np.ndarray | None = None,
    base_value: float | None = None,
) -> list[WaterfallStep]:
    """Steps from the average client's probability to this client's, top ``n`` features + the rest.

    Contributions are in log-odds; each cumulative point goes through the calibration, so the
    first bar is the calibrated probability at the base value and the last the client's probability.
    """
    values = data.contributions_of(row) if contributions is None else np.asarray(contributions)
    base = float(data.base_value[row]) if base_value is None else float(base_value)
    top = top_features(values, n)
    rest = float(values.sum() - values[top].sum())
    start_probability = float(data.calibration(base))
    steps = [
        WaterfallStep("__start__", translate("why.average_client", lang), 0.0, start_probability)
    ]
    cumulative = base
    previous = start_probability
    for index in top:
        cumulative += float(values[index])
        current = float(data.calibration(cumulative))
        name = data.model_features[index]
        value_text = data.display_value(name, data.value(name, row), lang)
        label = fmt.label_value(shorten(data.label(name, lang)), value_text, lang)
        steps.append(WaterfallStep(name, label, previous, current))
        previous = current
    if len(top) < len(values):
        cumulative += rest
        current = float(data.calibration(cumulative))
        steps.append(
            WaterfallStep("__other__", translate("why.other_factors", lang), previous, current)
        )
        previous = current
    steps.append(WaterfallStep("__end__", translate("why.this_client", lang), 0.0, previous))
    return steps


def waterfall_series(steps: list[WaterfallStep]) -> list[list[float]]:
    """The four stacked series of the waterfall's bars: an invisible offset, then the part that
    raises the risk, the part that lowers it, and the totals (first and last bars)."""
    offsets, raises, lowers, totals = [], [], [], []
    for step in steps:
        if step.is_total:
            offsets.append(0.0), raises.append(0.0), lowers.append(0.0), totals.append(step.end)
            continue
        low, high = sorted((step.start, step.end))
        offsets.append(low)
        raises.append(high - low if step.end >= step.start else 0.0)
        lowers.append(high - low if step.end < step.start else 0.0)
        totals.append(0.0)
    return [offsets, raises, lowers, totals]


def step_text(step: WaterfallStep, lang: str) -> str:
    """The number beside a bar: the probability of a total, the change in points of a step."""
    if step.is_total:
        return fmt.percent(step.end, lang)
    return fmt.signed_points(step.end - step.start, lang)


def shorten(text: str, characters: int = LABEL_CHARACTERS) -> str:
    """``text`` cut to ``characters`` with an ellipsis."""
    return text if len(text) <= characters else text[: characters - 1] + "…"


def reasons_for(
    data: DashboardData, row: int, n: int, lang: str, contributions: np.ndarray | None = None
) -> list:
    """The plain-language reasons (explain.reasons.top_reasons) of a client's score."""
    from credit_scoring.explain.reasons import top_reasons

    values = data.contributions_of(row) if contributions is None else np.asarray(contributions)
    feature_values = {name: data.value(name, row) for name in data.model_features}
    return top_reasons(values, data.model_features, feature_values, data.catalog, n, lang)


def summary_for(
    data: DashboardData,
    row: int,
    threshold: float,
    lang: str,
    contributions: np.ndarray | None = None,
    probability: float | None = None,
    model_threshold: float | None = None,
) -> str:
    """One to three sentences on the decision at ``threshold`` and its main reasons.

    The sentence follows the direction of the contributions honestly: a client refused although
    their risk is below the average client's is not told that their risk is "mostly raised by"
    anything; and when ``threshold`` is not the model's (``model_threshold``, default: the
    artifacts'), the text says the decision is simulated and, when it differs, what the model's
    threshold decides.
    """
    reasons = reasons_for(data, row, 3, lang, contributions)
    shown = float(data.probability[row]) if probability is None else float(probability)
    average = float(data.calibration(float(data.base_value[row])))
    text = decision_summary(reasons, shown, average, threshold, lang)
    model = data.threshold if model_threshold is None else float(model_threshold)
    return text + simulation_sentence(shown, threshold, model, lang)


def decision_summary(
    reasons: list, probability: float, average: float, threshold: float, lang: str
) -> str:
    """The decision at ``threshold`` and its reasons, consistent with where the client stands
    against the average client (``average``: the probability before any contribution)."""
    from credit_scoring.explain.reasons import DECREASES_RISK, INCREASES_RISK, summarize_reasons

    decision = decide(probability, threshold)
    numbers = {
        "probability": fmt.percent(probability, lang),
        "average": fmt.percent(average, lang),
        "threshold": fmt.percent(threshold, lang),
    }
    if decision == "refused" and probability < average:
        # refused, yet less risky than the average client: the threshold refuses, not the reasons
        lowering = [reason for reason in reasons if reason.direction == DECREASES_RISK]
        text = translate("why.summary_refused_below_average", lang, **numbers)
        if lowering:
            text += " " + translate("why.lowered_by", lang, reasons=join_reasons(lowering, lang))
        return text
    if decision == "granted" and probability > average:
        raising = [reason for reason in reasons if reason.direction == INCREASES_RISK]
        text = translate("why.summary_granted_above_average", lang, **numbers)
        if raising:
            text += " " + translate("why.raised_by", lang, reasons=join_reasons(raising, lang))
        return text
    return summarize_reasons(reasons, decision, lang)


def simulation_sentence(probability: float, threshold: float, model: float, lang: str) -> str:
    """Empty at the model's threshold; else (with a leading space) that the decision is simulated
    and, when the model's threshold decides otherwise, what it decides."""
    if math.isclose(threshold, model, abs_tol=1e-9):
        return ""
    decision, model_decision = decide(probability, threshold), decide(probability, model)
    key = "why.simulated_same" if decision == model_decision else "why.simulated_differs"
    return " " + translate(
        key,
        lang,
        threshold=fmt.percent(threshold, lang),
        model=fmt.percent(model, lang),
        decision=translate(f"decision.{model_decision}", lang),
    )


def join_reasons(reasons: list, lang: str) -> str:
    """Reasons as one phrase: "Âge (30 ans), Revenu (20 000 €) et Dette (2 000 €)"."""
    items = [
        translate("reason_item", lang, label=reason.label, value=reason.value) for reason in reasons
    ]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + translate("reason_and", lang) + items[-1]


def distance_words(probability: float, threshold: float, lang: str) -> str:
    """The distance to the threshold in words: how far, and on which side."""
    gap = (probability - threshold) * 100
    size = abs(gap)
    if size < CLOSE_MARGIN_POINTS:
        margin = translate("score.margin_close", lang)
    elif size < CLEAR_MARGIN_POINTS:
        margin = translate("score.margin_clear", lang)
    else:
        margin = translate("score.margin_far", lang)
    key = "score.distance_above" if gap >= 0 else "score.distance_below"
    return translate(key, lang, points=fmt.points(gap / 100, lang), margin=margin)


def reason_line(reason, lang: str) -> str:
    """One reason as a line of text, whatever the shape top_reasons gives (dict or object)."""
    get = (
        reason.get
        if isinstance(reason, dict)
        else lambda key, default=None: getattr(reason, key, default)
    )
    label = get("label", "")
    value = get("value", get("formatted_value", ""))
    contribution = float(get("contribution", 0.0) or 0.0)
    direction = translate("why.raises" if contribution > 0 else "why.lowers", lang)
    return f"{fmt.label_value(label, value, lang)} ({direction})"
