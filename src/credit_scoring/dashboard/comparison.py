"""The statistics of the comparison panel, without widgets: which clients form the group, the
bins of a feature, counts and default rates per bar, where the client falls, a scatter sample.

Functions on arrays are the core; the few that take ``DashboardData`` only look values up in it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from credit_scoring.dashboard.data import DashboardData
from credit_scoring.errors import EmptyGroupError

HISTOGRAM_BINS = 15
#: Default rates of bars with fewer known-outcome clients are too noisy to draw.
MIN_CLIENTS_FOR_RATE = 10
SCATTER_SAMPLE = 2_000
#: Outcome codes of the scatter's colours.
REPAID, DEFAULTED, UNKNOWN = 0, 1, 2


@dataclass(frozen=True)
class Distribution:
    """A feature's distribution in a group: bars, counts, default rates and the client's bar."""

    labels: list[str]
    edges: np.ndarray | None  # bin edges (numeric) or None (categorical)
    counts: np.ndarray
    default_rates: np.ndarray  # NaN where no known-outcome client
    client_bar: int | None  # index of the client's bar (None when the value is missing)
    client_value: float | str | None
    tick_labels: list[str]  # short labels under the bars
    known_counts: np.ndarray  # known-outcome clients per bar


# ----- the group ---------------------------------------------------------------------------------
def group_rows(
    data: DashboardData,
    mode: str,
    *,
    filters: dict[str, str] | None = None,
    client_id: int | None = None,
    k_similar: int = 50,
    brushed_rows: np.ndarray | None = None,
) -> np.ndarray:
    """Rows of the comparison group: "all", "filtered", "similar" (the ``k_similar`` nearest
    clients of ``client_id``) or "brushed"; EmptyGroupError when it holds no client."""
    if mode == "all":
        rows = np.arange(data.n_clients)
    elif mode == "filtered":
        rows = data.filter_rows(filters or {})
    elif mode == "similar":
        if client_id is None:
            rows = np.arange(0)
        else:
            rows = data.similar_rows(data.row_of(client_id), k_similar)
    elif mode == "brushed":
        rows = np.asarray(brushed_rows if brushed_rows is not None else [], dtype=int)
    else:
        raise ValueError(f"unknown comparison group '{mode}'")
    if len(rows) == 0:
        raise EmptyGroupError(f"the comparison group '{mode}' holds no client")
    return rows


#: Filters whose levels depend on the decision threshold (they follow the slider).
THRESHOLD_FILTERS = ("decision", "risk_band")


def group_key(
    mode: str,
    filters: dict[str, str] | None = None,
    brushed_rows: np.ndarray | None = None,
    threshold: float | None = None,
) -> tuple | None:
    """What identifies a group that does not depend on the client (None: it does, "similar").

    A filtered group on the decision or the risk band also depends on the ``threshold``.
    """
    if mode == "similar":
        return None
    if mode == "filtered":
        chosen = tuple(sorted((filters or {}).items()))
        follows_threshold = any(column in dict(chosen) for column in THRESHOLD_FILTERS)
        return (mode, chosen, threshold if follows_threshold else None)
    if mode == "brushed":
        return (mode, id(brushed_rows))
    return (mode,)


def default_rate(target: np.ndarray) -> float:
    """Share of defaults among the clients whose outcome is known (NaN when none is)."""
    known = ~np.isnan(target)
    return float(target[known].mean()) if known.any() else float("nan")


# ----- bins and bars -----------------------------------------------------------------------------
def robust_edges(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    """Histogram edges over the values' robust range (0.5 %–99.5 % quantiles); one bar per whole
    number when the values are at most ``bins`` whole numbers (children, counts of credits)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return np.array([0.0, 1.0])
    low, high = np.quantile(finite, [0.005, 0.995])
    if high <= low:
        low, high = float(finite.min()), float(finite.max())
    if high <= low:
        low, high = low - 0.5, high + 0.5
    levels = np.unique(finite) if len(finite) < 50_000 else np.unique(finite[:50_000])
    if len(levels) <= bins and np.allclose(levels, np.round(levels)):
        return np.arange(levels.min() - 0.5, levels.max() + 1.5)
    return np.linspace(low, high, bins + 1)


def bin_edges(data: DashboardData, feature: str) -> np.ndarray:
    """Histogram edges of a numeric feature over the whole population (computed once)."""
    cache = data.__dict__.setdefault("_bin_edges", {})
    if feature not in cache:
        cache[feature] = robust_edges(data.numeric[feature])
    return cache[feature]


def bar_of(value: float, edges: np.ndarray) -> int | None:
    """Index of the bar holding ``value`` (values off the edges go to the first or last bar);
    None for a missing value."""
    if np.isnan(value):
        return None
    position = np.searchsorted(edges, np.clip(value, edges[0], edges[-1]), side="right") - 1
    return int(min(max(position, 0), len(edges) - 2))


def numeric_counts(
    values: np.ndarray, target: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bar: clients, clients of known outcome, defaults (missing values are left out; values
    off the edges count in the first or last bar)."""
    present = ~np.isnan(values)
    clipped = np.clip(values[present], edges[0], edges[-1])
    known = ~np.isnan(target[present])
    counts, _ = np.histogram(clipped, bins=edges)
    known_counts, _ = np.histogram(clipped[known], bins=edges)
    defaults, _ = np.histogram(clipped[known], bins=edges, weights=target[present][known])
    return counts, known_counts, defaults


def level_counts(
    codes: np.ndarray, n_levels: int, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per category level (codes 0..n_levels-1, negative for missing): clients, clients of known
    outcome, defaults."""
    present = codes >= 0
    known = ~np.isnan(target[present])
    level = codes[present]
    counts = np.bincount(level, minlength=n_levels)
    known_counts = np.bincount(level[known], minlength=n_levels)
    defaults = np.bincount(level[known], weights=target[present][known], minlength=n_levels)
    return counts, known_counts, defaults


def rates(defaults: np.ndarray, known_counts: np.ndarray) -> np.ndarray:
    """Default rate per bar, NaN where no client of the bar has a known outcome."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known_counts > 0, defaults / np.maximum(known_counts, 1), np.nan)


def drawn_rate_bars(found: Distribution, minimum: int = MIN_CLIENTS_FOR_RATE) -> list[int]:
    """The bars whose default rate is worth drawing (enough clients of known outcome)."""
    return [
        index
        for index in range(len(found.counts))
        if found.known_counts[index] >= minimum and not np.isnan(found.default_rates[index])
    ]


def distribution(
    data: DashboardData, feature: str, rows: np.ndarray, client_row: int | None, lang: str
) -> Distribution:
    """Counts and default rates of ``feature`` in the group ``rows``, the client's bar marked."""
    target = data.target[rows]
    if feature in data.numeric:
        edges = bin_edges(data, feature)
        counts, known_counts, defaults = numeric_counts(data.numeric[feature][rows], target, edges)
        bounds = list(zip(edges[:-1], edges[1:], strict=True))
        labels = [_range_label(data, feature, low, high, lang) for low, high in bounds]
        short_labels = [_short_label(data, feature, low, high, lang) for low, high in bounds]
        levels: list[str] = []
    else:
        codes, levels = data.categorical[feature]
        counts, known_counts, defaults = level_counts(codes[rows], len(levels), target)
        edges = None
        labels = [data.display_value(feature, level, lang) for level in levels]
        short_labels = labels
    found = Distribution(
        labels,
        edges,
        counts.astype(np.int64),
        rates(defaults, known_counts),
        None,
        None,
        short_labels,
        known_counts.astype(np.int64),
    )
    return locate_client(data, feature, found, client_row)


def locate_client(
    data: DashboardData, feature: str, found: Distribution, client_row: int | None
) -> Distribution:
    """The same group distribution with another client's bar and value."""
    if client_row is None:
        return replace(found, client_bar=None, client_value=None)
    if found.edges is not None:
        value = float(data.numeric[feature][client_row])
        return replace(found, client_bar=bar_of(value, found.edges), client_value=value)
    value = data.value(feature, client_row)
    _, levels = data.categorical[feature]
    bar = levels.index(value) if value in levels else None
    return replace(found, client_bar=bar, client_value=value)


def _whole_number_bin(low: float, high: float) -> bool:
    return high - low == 1.0 and float(low + 0.5).is_integer()


def _short_label(data: DashboardData, feature: str, low: float, high: float, lang: str) -> str:
    """The lower bound of a bin (or its single value), for the axis under the bars."""
    if _whole_number_bin(low, high):
        return data.display_value(feature, low + 0.5, lang)
    return data.display_value(feature, low, lang)


def _range_label(data: DashboardData, feature: str, low: float, high: float, lang: str) -> str:
    """A bin in words: its single value, or "low – high"."""
    if _whole_number_bin(low, high):
        return data.display_value(feature, low + 0.5, lang)
    return f"{data.display_value(feature, low, lang)} – {data.display_value(feature, high, lang)}"


# ----- scatter and brush -------------------------------------------------------------------------
def scatter_sample(rows: np.ndarray, size: int = SCATTER_SAMPLE, seed: int = 0) -> np.ndarray:
    """At most ``size`` rows of the group, drawn without replacement (the same draw each time)."""
    if len(rows) <= size:
        return rows
    generator = np.random.default_rng(seed)
    return np.sort(generator.choice(rows, size=size, replace=False))


def scatter_points(
    x_values: np.ndarray, y_values: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points with both values known, and their outcome (REPAID, DEFAULTED or UNKNOWN)."""
    keep = ~(np.isnan(x_values) | np.isnan(y_values))
    kept_target = target[keep]
    outcome = np.where(
        np.isnan(kept_target), UNKNOWN, np.where(kept_target >= 0.5, DEFAULTED, REPAID)
    )
    return x_values[keep].astype(float), y_values[keep].astype(float), outcome


def inside_rectangle(
    x_values: np.ndarray,
    y_values: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> np.ndarray:
    """Mask of the points inside the rectangle (bounds included, in any order)."""
    x_low, x_high = sorted(float(v) for v in x_range)
    y_low, y_high = sorted(float(v) for v in y_range)
    return (x_values >= x_low) & (x_values <= x_high) & (y_values >= y_low) & (y_values <= y_high)
