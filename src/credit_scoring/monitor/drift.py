"""Drift of one variable between the training population and a batch of new applicants.

Population stability index (PSI) decides the verdict, with the usual bands: under 0.1 stable,
0.1 to 0.25 moderate, over 0.25 significant. Why PSI and not a test: PSI measures how much the
distribution moved, whatever the sample size, while a test measures how sure we are that it moved
at all; with tens of thousands of applicants a Kolmogorov-Smirnov or chi-square test calls a
shift of a fraction of a percent significant, so every feature would be flagged. The test is
still reported (two-sample Kolmogorov-Smirnov for numbers, chi-square on the PSI's bins for
categories) for small batches, where its p-value says whether a PSI can be trusted at all.

Bins: numbers are cut at the training deciles (ties merged, so a feature that is mostly 0 has
fewer bins), with one more bin for missing values; categories use their training levels, those
under 1% of training pooled with the levels never seen in training into one "other" bin (so that
sampling noise over 50 rare levels does not read as drift). An empty bin counts as a share of
0.0001 (the usual floor that keeps the logarithm finite).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

VERDICTS = ("stable", "moderate", "significant")
DEFAULT_BINS = 10
SHARE_FLOOR = 1e-4
RARE_LEVEL_SHARE = 0.01
MISSING = "(missing)"
OTHER = "(other)"


def psi(expected_shares, actual_shares, floor: float = SHARE_FLOOR) -> float:
    """Population stability index between two distributions over the same bins.

    sum over bins of (actual - expected) * ln(actual / expected), shares floored at ``floor``.
    """
    expected = np.maximum(np.asarray(expected_shares, dtype=np.float64), floor)
    actual = np.maximum(np.asarray(actual_shares, dtype=np.float64), floor)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def psi_band(value: float) -> str:
    """ "stable" (< 0.1), "moderate" (0.1 to 0.25) or "significant" (> 0.25)."""
    if value < 0.1:
        return "stable"
    return "moderate" if value <= 0.25 else "significant"


def worst_verdict(verdicts) -> str:
    """The most severe of some verdicts ("stable" when there are none)."""
    ranks = [VERDICTS.index(verdict) for verdict in verdicts]
    return VERDICTS[max(ranks, default=0)]


@dataclass
class VariableDrift:
    """How one variable moved between training and the new batch."""

    name: str
    kind: str  # numeric | categorical
    psi: float
    verdict: str
    test: str
    test_statistic: float | None
    p_value: float | None
    missing_rate_train: float
    missing_rate_new: float
    #: Bin labels with the training and new shares (what the report draws).
    bins: list[str] = field(default_factory=list)
    shares_train: list[float] = field(default_factory=list)
    shares_new: list[float] = field(default_factory=list)
    unseen_levels: list[str] = field(default_factory=list)
    unseen_share: float = 0.0
    mean_train: float | None = None
    mean_new: float | None = None

    @property
    def missing_rate_change(self) -> float:
        """New missing rate minus training missing rate."""
        return self.missing_rate_new - self.missing_rate_train

    def to_dict(self) -> dict:
        """JSON-ready content (monitoring.json)."""
        return asdict(self) | {"missing_rate_change": self.missing_rate_change}


def _numeric(values) -> np.ndarray:
    array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64, copy=True)
    array[~np.isfinite(array)] = np.nan
    return array


def numeric_drift(name: str, train_values, new_values, n_bins: int = DEFAULT_BINS) -> VariableDrift:
    """Drift of a numeric variable: PSI over training quantile bins plus a missing bin, and a
    two-sample Kolmogorov-Smirnov test on the values present."""
    train, new = _numeric(train_values), _numeric(new_values)
    train_present, new_present = train[~np.isnan(train)], new[~np.isnan(new)]
    if len(train_present):
        quantiles = np.quantile(train_present, np.linspace(0, 1, n_bins + 1)[1:-1])
        edges = np.unique(quantiles)
    else:
        edges = np.zeros(0)

    def shares(values: np.ndarray, present: np.ndarray) -> np.ndarray:
        counts = np.bincount(np.searchsorted(edges, present, side="left"), minlength=len(edges) + 1)
        counts = np.append(counts, np.isnan(values).sum())
        return counts / max(len(values), 1)

    shares_train, shares_new = shares(train, train_present), shares(new, new_present)
    labels = [f"≤ {edge:.4g}" for edge in edges] + [
        f"> {edges[-1]:.4g}" if len(edges) else "all",
        MISSING,
    ]
    value = psi(shares_train, shares_new)
    statistic = p_value = None
    if len(train_present) and len(new_present):
        result = stats.ks_2samp(train_present, new_present)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return VariableDrift(
        name=name,
        kind="numeric",
        psi=value,
        verdict=psi_band(value),
        test="kolmogorov_smirnov",
        test_statistic=statistic,
        p_value=p_value,
        missing_rate_train=float(np.isnan(train).mean()) if len(train) else 0.0,
        missing_rate_new=float(np.isnan(new).mean()) if len(new) else 0.0,
        bins=labels,
        shares_train=shares_train.tolist(),
        shares_new=shares_new.tolist(),
        mean_train=float(train_present.mean()) if len(train_present) else None,
        mean_new=float(new_present.mean()) if len(new_present) else None,
    )


def _levels(values) -> pd.Series:
    series = pd.Series(values)
    return series.astype(object).where(series.notna(), MISSING).astype(str)


def categorical_drift(name: str, train_values, new_values) -> VariableDrift:
    """Drift of a categorical variable: PSI over its training levels (rare and unseen levels
    pooled), the levels never seen in training, and a chi-square test on the same bins."""
    train, new = _levels(train_values), _levels(new_values)
    train_shares = train.value_counts(normalize=True)
    kept = [level for level, share in train_shares.items() if share >= RARE_LEVEL_SHARE]
    kept = sorted(kept, key=lambda level: (level == MISSING, level))
    seen = set(train_shares.index)
    unseen = sorted(set(new.unique()) - seen)

    def shares(levels: pd.Series) -> np.ndarray:
        pooled = levels.where(levels.isin(kept), OTHER)
        counts = pooled.value_counts().reindex([*kept, OTHER], fill_value=0).to_numpy()
        return counts / max(len(levels), 1), counts

    (shares_train, counts_train), (shares_new, counts_new) = shares(train), shares(new)
    value = psi(shares_train, shares_new)
    statistic = p_value = None
    table = np.vstack([counts_train, counts_new])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] > 1 and len(train) and len(new):
        result = stats.chi2_contingency(table)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return VariableDrift(
        name=name,
        kind="categorical",
        psi=value,
        verdict=psi_band(value),
        test="chi_square",
        test_statistic=statistic,
        p_value=p_value,
        missing_rate_train=float((train == MISSING).mean()) if len(train) else 0.0,
        missing_rate_new=float((new == MISSING).mean()) if len(new) else 0.0,
        bins=[*kept, OTHER],
        shares_train=shares_train.tolist(),
        shares_new=shares_new.tolist(),
        unseen_levels=unseen,
        unseen_share=float(new.isin(unseen).mean()) if len(new) else 0.0,
    )


def variable_drift(name: str, train_values, new_values, categorical: bool) -> VariableDrift:
    """Drift of one variable, numeric or categorical."""
    if categorical:
        return categorical_drift(name, train_values, new_values)
    return numeric_drift(name, train_values, new_values)
