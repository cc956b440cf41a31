"""SHAP plots for the analyst, drawn by the ``shap`` library from the STORED contributions.

Nothing is recomputed here: the pipeline's contributions matrix (``contributions.npy``, one row per
applicant of ``features.parquet``, columns named by ``contributions.json``) becomes a
``shap.Explanation`` with the applicants' feature values, and shap draws the summary (beeswarm)
and the dependence plots. Categorical features are given to shap as their level number (missing
= NaN) for the colours and the x axis; the level names are kept as display data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from credit_scoring.errors import ArtifactError


def _labels(catalog: Mapping | None, lang: str) -> dict[str, str]:
    if not catalog:
        return {}
    return {
        entry["name"]: entry.get(f"label_{lang}", entry["name"]) for entry in catalog["features"]
    }


def stored_explanation(
    contributions: np.ndarray,
    feature_names: Sequence[str],
    features: pd.DataFrame,
    base_values: np.ndarray | float | None = None,
    catalog: Mapping | None = None,
    lang: str = "en",
    sample: int | None = 5_000,
    seed: int = 0,
):
    """A ``shap.Explanation`` of the stored contributions (a random sample of ``sample`` rows).

    Parameters
    ----------
    contributions : (applicants x model features) SHAP values in log-odds, rows in the order of
        ``features`` (as contributions.npy and features.parquet are).
    feature_names : the model features, in the column order of ``contributions``.
    features : the feature table (features.parquet); it must hold every model feature.
    base_values : the expected raw score (one per applicant, or one for all), when known.
    catalog : the feature catalog; its labels (in ``lang``) name the features in the plots.
    sample : how many applicants to keep (None: all); a beeswarm of more is slow and no clearer.

    Returns the Explanation; ArtifactError when the shapes or feature names do not match.
    """
    import shap

    feature_names = list(feature_names)
    contributions = np.asarray(contributions)
    if contributions.ndim != 2 or contributions.shape != (len(features), len(feature_names)):
        raise ArtifactError(
            f"the contributions' shape {contributions.shape} does not match {len(features)} "
            f"applicants x {len(feature_names)} features: the artifacts come from different "
            "runs; rerun the pipeline"
        )
    absent = [name for name in feature_names if name not in features.columns]
    if absent:
        raise ArtifactError(
            f"the feature table lacks the model feature(s) {', '.join(absent[:5])}: the artifacts "
            "come from different runs; rerun the pipeline"
        )
    rows = np.arange(len(features))
    if sample is not None and sample < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=sample, replace=False))
    data = np.empty((len(rows), len(feature_names)), dtype=np.float64)
    display = np.empty((len(rows), len(feature_names)), dtype=object)
    for position, name in enumerate(feature_names):
        values = features[name].iloc[rows]
        if pd.api.types.is_numeric_dtype(values) and not isinstance(
            values.dtype, pd.CategoricalDtype
        ):
            data[:, position] = values.to_numpy(dtype=np.float64, na_value=np.nan)
            display[:, position] = data[:, position]
        else:
            levels = values.astype("category")
            codes = levels.cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            data[:, position] = codes
            display[:, position] = levels.astype(object).where(levels.notna(), "MISSING")
    if base_values is not None:
        base_values = np.broadcast_to(np.asarray(base_values, dtype=np.float64), len(features))
        base_values = base_values[rows]
    labels = _labels(catalog, lang)
    return shap.Explanation(
        values=np.asarray(contributions[rows], dtype=np.float64),
        base_values=base_values,
        data=data,
        display_data=display,
        feature_names=[labels.get(name, name) for name in feature_names],
    )


def plot_shap_summary(explanation, max_display: int = 15):
    """The SHAP summary (beeswarm): each applicant's contribution per feature, coloured by the
    feature's value, the ``max_display`` most important features first. Returns the figure."""
    import matplotlib.pyplot as plt
    import shap

    figure = plt.figure(figsize=(9, 0.4 * min(max_display, explanation.shape[1]) + 1.5))
    shap.plots.beeswarm(explanation, max_display=max_display, show=False, plot_size=None)
    figure.axes[0].set_xlabel("SHAP contribution (log-odds of default)")
    figure.tight_layout()
    return figure


def top_feature_positions(explanation, count: int) -> list[int]:
    """Columns of the ``count`` features with the largest mean absolute contribution."""
    importance = np.abs(np.asarray(explanation.values)).mean(axis=0)
    return [int(i) for i in np.argsort(-importance, kind="stable")[:count]]


def plot_shap_dependence(explanation, features: Sequence[int | str], columns: int = 3):
    """SHAP dependence plots, one panel per feature (a column number or a name of the
    explanation): contribution against the feature's value, coloured by the feature that
    interacts most with it (shap's choice). Returns the figure."""
    import matplotlib.pyplot as plt
    import shap

    names = list(explanation.feature_names)
    positions = [names.index(f) if isinstance(f, str) else int(f) for f in features]
    lines = max(1, int(np.ceil(len(positions) / columns)))
    figure, axes = plt.subplots(lines, columns, figsize=(4.6 * columns, 3.6 * lines), squeeze=False)
    for axis, position in zip(axes.ravel(), positions, strict=False):
        color = explanation if explanation.shape[1] > 1 else None
        shap.plots.scatter(explanation[:, position], color=color, ax=axis, show=False)
        axis.set_title(names[position], fontsize=9)
        axis.set_xlabel("")
        axis.set_ylabel("SHAP (log-odds)")
        axis.axhline(0, color="grey", linewidth=0.8)
    for axis in axes.ravel()[len(positions) :]:
        axis.set_visible(False)
    for colorbar in figure.axes[axes.size :]:  # shap adds one colour bar per panel
        colorbar.yaxis.label.set_fontsize(7)
    figure.tight_layout()
    return figure
