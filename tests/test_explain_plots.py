"""SHAP plots from stored contributions: an Explanation of the right rows, and figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from credit_scoring.errors import ArtifactError
from credit_scoring.explain.plots import (
    plot_shap_dependence,
    plot_shap_summary,
    stored_explanation,
    top_feature_positions,
)

CATALOG = {
    "features": [
        {"name": "INCOME", "label_en": "Income", "label_fr": "Revenu"},
        {"name": "EDUCATION", "label_en": "Education", "label_fr": "Études"},
        {"name": "LATE_SHARE", "label_en": "Share paid late", "label_fr": "Part en retard"},
    ]
}


@pytest.fixture
def stored():
    rng = np.random.default_rng(3)
    n = 60
    features = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n, dtype=np.int32),
            "SPLIT": ["train"] * n,
            "TARGET": rng.integers(0, 2, n).astype(np.float32),
            "INCOME": rng.normal(3e4, 5e3, n).astype(np.float32),
            "EDUCATION": pd.Categorical(
                rng.choice(["Higher", "Secondary", None], n), categories=["Higher", "Secondary"]
            ),
            "LATE_SHARE": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)).astype(np.float32),
        }
    )
    names = ["INCOME", "EDUCATION", "LATE_SHARE"]
    contributions = np.column_stack(
        [rng.normal(0, 0.1, n), rng.normal(0, 0.3, n), rng.normal(0, 1.0, n)]
    ).astype(np.float32)
    return contributions, names, features


def test_the_explanation_holds_the_stored_rows_and_labelled_features(stored):
    contributions, names, features = stored
    explanation = stored_explanation(contributions, names, features, -2.5, CATALOG, sample=None)
    assert explanation.feature_names == ["Income", "Education", "Share paid late"]
    np.testing.assert_allclose(explanation.values, contributions, rtol=1e-6)
    np.testing.assert_allclose(explanation.base_values, -2.5)
    # a categorical feature: level number for shap (NaN when missing), the level as display data
    education = features["EDUCATION"]
    codes = explanation.data[:, 1]
    assert np.isnan(codes[education.isna().to_numpy()]).all()
    assert set(codes[education.notna().to_numpy()]) <= {0.0, 1.0}
    assert explanation.display_data[education.isna().to_numpy(), 1].tolist() == ["MISSING"] * int(
        education.isna().sum()
    )
    np.testing.assert_allclose(explanation.data[:, 0], features["INCOME"].to_numpy(), rtol=1e-6)


def test_a_sample_keeps_matching_rows(stored):
    contributions, names, features = stored
    base = np.linspace(-3, -2, len(features))
    explanation = stored_explanation(contributions, names, features, base, sample=20, seed=1)
    assert explanation.shape == (20, 3)
    # each kept row carries its own contributions, values and base value
    rows = [int(np.flatnonzero(base == value)[0]) for value in explanation.base_values]
    np.testing.assert_allclose(explanation.values, contributions[rows], rtol=1e-6)
    np.testing.assert_allclose(explanation.data[:, 0], features["INCOME"].to_numpy()[rows])


def test_contributions_of_another_run_are_refused(stored):
    contributions, names, features = stored
    with pytest.raises(ArtifactError, match="rerun the pipeline"):
        stored_explanation(contributions[:-1], names, features)
    with pytest.raises(ArtifactError, match="lacks the model feature"):
        stored_explanation(contributions, ["INCOME", "EDUCATION", "GONE"], features)


def test_top_features_are_the_largest_mean_absolute_contributions(stored):
    contributions, names, features = stored
    explanation = stored_explanation(contributions, names, features, sample=None)
    assert top_feature_positions(explanation, 2) == [2, 1]


def test_summary_and_dependence_plots_are_figures(stored):
    import matplotlib.pyplot as plt

    contributions, names, features = stored
    explanation = stored_explanation(contributions, names, features, -2.0, CATALOG)
    summary = plot_shap_summary(explanation, max_display=3)
    assert isinstance(summary, Figure)
    # the most important feature on top (ticks are listed from the bottom up)
    shown = [label.get_text() for label in summary.axes[0].get_yticklabels()]
    assert shown == ["Income", "Education", "Share paid late"]
    dependence = plot_shap_dependence(explanation, ["Share paid late", 1])
    assert isinstance(dependence, Figure)
    titles = [axis.get_title() for axis in dependence.axes if axis.get_title()]
    assert titles == ["Share paid late", "Education"]
    plt.close("all")
