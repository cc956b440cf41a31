"""Chart axes, without widgets: round tick values, distinct category names, clamping."""

from __future__ import annotations

import math

import numpy as np


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) within
    [low, high], so that axes read 0, 0.25, 0.5... rather than the padded scale's bounds."""
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return np.array([low])
    raw_step = span / max(count - 1, 1)
    magnitude = 10.0 ** np.floor(np.log10(raw_step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(np.log(s / raw_step)))
    first = np.ceil(low / step - 1e-9) * step
    ticks = np.arange(first, high + step * 1e-9, step)
    return np.round(ticks, 10) + 0.0  # + 0.0 turns -0.0 into 0.0


def gauge_top(probability: float, threshold: float) -> float:
    """Right end of the score gauge: room for the client and the threshold with a margin, by
    tenths, between 40 % and 100 %."""
    return min(1.0, max(0.4, math.ceil(max(probability, threshold) * 15) / 10))


def tenths(top: float) -> list[float]:
    """Ticks 0, 0.1, 0.2... up to ``top``."""
    return [round(tick, 2) for tick in np.arange(0.0, top + 1e-9, 0.1)]


def unique_labels(labels: list[str]) -> list[str]:
    """Labels made unique (an ordinal scale needs distinct names) with invisible suffixes."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        repeats = seen.get(label, 0)
        seen[label] = repeats + 1
        unique.append(label + "\u200b" * repeats)
    return unique


def clamp(value: float, low: float, high: float) -> float:
    """``value`` brought inside [low, high] (a mark off the scales is drawn at the edge)."""
    return float(min(max(value, low), high))


def value_range(values: np.ndarray) -> tuple[float, float]:
    """The [min, max] of the values, widened to one unit around a single value, (0, 1) if empty."""
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return low, high
