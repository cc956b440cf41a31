"""Chart axes, without widgets: round tick values, distinct category names, clamping."""

from __future__ import annotations

import math

import numpy as np

from credit_scoring.dashboard import formatting as fmt

#: Arrows pointing from the edge of a chart to a mark beyond it, by (x side, y side).
OFF_SCALE_ARROWS = {
    (1, 0): "→", (-1, 0): "←", (0, 1): "↑", (0, -1): "↓",
    (1, 1): "↗", (-1, 1): "↖", (1, -1): "↘", (-1, -1): "↙",
}  # fmt: skip


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


def tick_decimals(ticks: np.ndarray, most: int = 6) -> int:
    """The fewest decimals that write every tick exactly (0.25 needs 2, 200 000 needs 0)."""
    for decimals in range(most + 1):
        if np.allclose(np.round(ticks, decimals), ticks, rtol=0, atol=10.0 ** -(most + 2)):
            return decimals
    return most


def js_number_text(value: float) -> str:
    """A number as JavaScript writes it (String(0.25) == "0.25", String(200000) == "200000"):
    the key under which bqplot looks a tick's label up."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-6 <= abs(value) < 1e21:
        return np.format_float_positional(value, trim="-")
    mantissa, exponent = f"{value!r}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


def tick_labels(ticks: np.ndarray, lang: str) -> dict[str, str]:
    """The label of every tick in the reader's language, as many decimals as the ticks need
    ("0,25", not the "0,3" of a format guessed for the chart's first range)."""
    decimals = tick_decimals(np.asarray(ticks, dtype=float))
    return {js_number_text(tick): fmt.number(float(tick), decimals, lang) for tick in ticks}


def off_scale_arrow(
    x: float, y: float, x_range: tuple[float, float], y_range: tuple[float, float]
) -> str:
    """An arrow toward a point beyond the chart's ranges ("→": further right), "" inside."""
    side_x = 1 if x > x_range[1] else -1 if x < x_range[0] else 0
    side_y = 1 if y > y_range[1] else -1 if y < y_range[0] else 0
    return OFF_SCALE_ARROWS.get((side_x, side_y), "")
