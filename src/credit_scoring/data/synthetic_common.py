"""Building blocks of the synthetic generator: latent draws, categorical draws, Arrow columns.

Every draw is vectorized (numpy, one call per column, never a Python loop per row). The hidden
risk ``z`` of an applicant (standard normal, higher = riskier) reaches a column through
``latent_uniform`` (numeric columns) or ``draw_category`` (levels whose odds move with ``z``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from scipy import special

#: A month in days, as the monthly tables count them.
DAYS_PER_MONTH = 30.4375


def latent_uniform(z: np.ndarray, risk_correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform(0, 1) values whose normal scores correlate with ``-z`` by ``risk_correlation``.

    A positive ``risk_correlation`` makes high values more common among low-risk applicants.
    """
    noise = rng.standard_normal(z.shape[0])
    score = -risk_correlation * z + np.sqrt(1.0 - risk_correlation**2) * noise
    return np.clip(special.ndtr(score), 1e-9, 1 - 1e-9)


def beta_quantile(uniform: np.ndarray, a: float, b: float) -> np.ndarray:
    """The Beta(a, b) quantile of uniform values (an inverse-CDF draw)."""
    return special.betaincinv(a, b, uniform)


def lognormal_quantile(uniform: np.ndarray, median: float, sigma: float) -> np.ndarray:
    """The log-normal quantile (given median and log-sd) of uniform values."""
    return median * np.exp(sigma * special.ndtri(uniform))


def draw_category(
    rng: np.random.Generator,
    probabilities: Sequence[float],
    size: int,
    z: np.ndarray | None = None,
    risk_effects: Sequence[float] | None = None,
) -> np.ndarray:
    """Level codes (int16) drawn with the given base probabilities.

    With ``z`` and ``risk_effects``, level k's log-odds move by ``risk_effects[k] * z``
    (Gumbel-max trick, vectorized): a positive effect makes the level commoner among risky
    applicants.
    """
    base = np.asarray(probabilities, dtype=np.float64)
    base = base / base.sum()
    if z is None or risk_effects is None:
        cumulative = np.cumsum(base)
        cumulative[-1] = 1.0
        return np.searchsorted(cumulative, rng.random(size), side="right").astype(np.int16)
    logits = np.log(base)[None, :] + np.outer(z, np.asarray(risk_effects, dtype=np.float64))
    gumbel = -np.log(-np.log(rng.random((size, base.size))))
    return np.argmax(logits + gumbel, axis=1).astype(np.int16)


def missing_mask(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """True where a cell is to be left empty, with the given rate."""
    return rng.random(size) < rate


def with_missing(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Float copy of ``values`` with NaN where ``mask`` is true."""
    result = values.astype(np.float64, copy=True)
    result[mask] = np.nan
    return result


def category_column(codes: np.ndarray, levels: Sequence[str]) -> pa.Array:
    """An Arrow dictionary column from level codes; a negative code is an empty cell."""
    codes = np.asarray(codes)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(levels), pa.string()))


def float_column(values: np.ndarray) -> pa.Array:
    """An Arrow float64 column; NaN becomes an empty cell (written as e.g. ``135000.0``)."""
    values = np.asarray(values, dtype=np.float64)
    return pa.array(values, mask=np.isnan(values))


def int_column(values: np.ndarray) -> pa.Array:
    """An Arrow int64 column (written without a decimal point, never empty)."""
    return pa.array(np.asarray(values).astype(np.int64))


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each child's parent index and rank within its parent, for parents with ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(parent.size) - np.repeat(starts, counts)
    return parent, rank


def round_to(values: np.ndarray, step: float) -> np.ndarray:
    """Values rounded to a multiple of ``step`` (money written like Kaggle's: 4500.0, 24700.5)."""
    return np.round(np.asarray(values) / step) * step


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return special.expit(x)
