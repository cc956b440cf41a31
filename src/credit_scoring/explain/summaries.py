"""Per-feature summaries of the whole population, so the dashboard compares a client with everyone
without scanning all rows.

Numeric features: ``bins`` equal-width bins over a robust range (the 1st to 99th percentile; values
outside it are counted in the first or last bin, and the true min/max are given), with counts for
all applicants and, for known-outcome ones, counts, defaults and default rates. Categorical
features: every level (missing as "MISSING") with the same counts. Default rates of groups with no
known outcome are None.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit_scoring.artifacts import SPLIT, TRAIN
from credit_scoring.data.schema import TARGET
from credit_scoring.model.training import MISSING_LEVEL, categorical_feature_names

DEFAULT_BINS = 25
ROBUST_QUANTILES = (0.01, 0.99)


def _rates(defaults: np.ndarray, known: np.ndarray) -> list[float | None]:
    return [float(d / k) if k else None for d, k in zip(defaults, known, strict=True)]


def numeric_summary(values, targets, known, bins: int = DEFAULT_BINS) -> dict:
    """Histogram of one numeric feature with default counts and rates per bin."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, copy=True)
    values[~np.isfinite(values)] = np.nan
    present = ~np.isnan(values)
    summary = {"kind": "numeric", "missing_count": int((~present).sum())}
    missing_known = ~present & known
    summary["missing_known_count"] = int(missing_known.sum())
    summary["missing_default_count"] = int(targets[missing_known].sum())
    if not present.any():
        return summary | {"edges": [], "counts": [], "known_counts": [], "default_counts": []}
    observed = values[present]
    low, high = np.quantile(observed, ROBUST_QUANTILES)
    if high <= low:
        low, high = float(observed.min()), float(observed.max())
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, bins + 1)
    index = np.clip(np.searchsorted(edges, values[present], side="right") - 1, 0, bins - 1)
    present_known = known[present]
    counts = np.bincount(index, minlength=bins)
    known_counts = np.bincount(index[present_known], minlength=bins)
    default_counts = np.bincount(
        index[present_known], weights=targets[present][present_known], minlength=bins
    ).astype(int)
    quantiles = np.quantile(observed, [0.1, 0.25, 0.5, 0.75, 0.9])
    return summary | {
        "edges": [float(edge) for edge in edges],
        "counts": counts.tolist(),
        "known_counts": known_counts.tolist(),
        "default_counts": default_counts.tolist(),
        "default_rates": _rates(default_counts, known_counts),
        "min": float(observed.min()),
        "max": float(observed.max()),
        "mean": float(observed.mean()),
        "quantiles": {
            name: float(value)
            for name, value in zip(("p10", "p25", "p50", "p75", "p90"), quantiles, strict=True)
        },
    }


def categorical_summary(values, targets, known) -> dict:
    """Levels of one categorical feature (most frequent first) with counts and default rates."""
    series = pd.Series(values)
    text = series.astype(object).where(series.notna(), MISSING_LEVEL).astype(str).to_numpy()
    levels, index = np.unique(text, return_inverse=True)
    counts = np.bincount(index, minlength=len(levels))
    known_counts = np.bincount(index[known], minlength=len(levels))
    default_counts = np.bincount(
        index[known], weights=targets[known], minlength=len(levels)
    ).astype(int)
    order = np.argsort(-counts, kind="stable")
    return {
        "kind": "categorical",
        "levels": [str(levels[i]) for i in order],
        "counts": counts[order].tolist(),
        "known_counts": known_counts[order].tolist(),
        "default_counts": default_counts[order].tolist(),
        "default_rates": _rates(default_counts[order], known_counts[order]),
    }


def population_summaries(
    frame: pd.DataFrame, features: Sequence[str], bins: int = DEFAULT_BINS
) -> dict:
    """Summaries of ``features`` over every applicant of the feature frame
    (population_summaries.json)."""
    known = (frame[SPLIT] == TRAIN).to_numpy() & frame[TARGET].notna().to_numpy()
    targets = np.nan_to_num(frame[TARGET].to_numpy(dtype=np.float64))
    categorical = set(categorical_feature_names(frame, features))
    summaries = {}
    for name in features:
        if name in categorical:
            summaries[name] = categorical_summary(frame[name], targets, known)
        else:
            summaries[name] = numeric_summary(frame[name], targets, known, bins)
    return {
        "applicants": int(len(frame)),
        "known_outcome_applicants": int(known.sum()),
        "default_rate": float(targets[known].mean()) if known.any() else None,
        "bins": int(bins),
        "features": summaries,
    }
