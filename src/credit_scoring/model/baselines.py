"""Baselines scored in the same folds as the model, to show how far the model is ahead.

- always-accept: every applicant gets the fold's training default rate (AUC 0.5; its cost is the
  cost of accepting everyone);
- logistic regression: median imputation + standardization of numeric features, one-hot encoding
  of categorical ones (rare levels grouped), L2-regularized;
- external-score rule: the mean of the available EXT_SOURCE_* scores (the credit bureaus' own
  scores), turned into a probability by a one-variable logistic regression fit in the fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from credit_scoring.model.training import categorical_feature_names
from credit_scoring.progress import track

EXTERNAL_SCORE_PREFIX = "EXT_SOURCE_"


def always_accept(targets, fold_ids) -> np.ndarray:
    """Out-of-fold constant probability: the default rate of the other folds."""
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.empty(len(targets))
    for fold in np.unique(fold_ids):
        inside = fold_ids == fold
        probabilities[inside] = targets[~inside].mean()
    return probabilities


def _numeric_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    numeric = frame[list(columns)].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    return numeric.replace([np.inf, -np.inf], np.nan)


def logistic_regression(
    train: pd.DataFrame, targets, features: Sequence[str], fold_ids, seed: int = 0
) -> np.ndarray:
    """Out-of-fold probabilities of an imputed, scaled, one-hot logistic regression."""
    targets = np.asarray(targets, dtype=np.int8)
    categorical = categorical_feature_names(train, features)
    numeric = [name for name in features if name not in categorical]
    table = _numeric_matrix(train, numeric)
    # Columns empty everywhere carry nothing and would be dropped by the imputer anyway.
    numeric = [name for name in numeric if table[name].notna().any()]
    table = table[numeric]
    for name in categorical:
        values = train[name]
        table[name] = values.astype(object).where(values.notna(), "MISSING").astype(str)
    encoder = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=0.005, sparse_output=False
                ),
                categorical,
            ),
        ],
        sparse_threshold=0.0,  # dense: lbfgs is several times faster on a few hundred columns
    )
    probabilities = np.empty(len(train))
    folds = [int(fold) for fold in np.unique(fold_ids)]
    for fold in track(folds, "baseline: logistic regression", "fold", show_item=False):
        inside = fold_ids != fold
        model = make_pipeline(encoder, LogisticRegression(C=0.1, max_iter=300, random_state=seed))
        model.fit(table[inside], targets[inside])
        probabilities[~inside] = model.predict_proba(table[~inside])[:, 1]
    return probabilities


def external_score(frame: pd.DataFrame) -> np.ndarray | None:
    """Mean of the available EXT_SOURCE_* scores per applicant (NaN when none), or None when the
    feature table has no such column."""
    columns = [name for name in frame.columns if name.startswith(EXTERNAL_SCORE_PREFIX)]
    if not columns:
        return None
    return _numeric_matrix(frame, columns).mean(axis=1, skipna=True).to_numpy()


def external_score_rule(train: pd.DataFrame, targets, fold_ids) -> np.ndarray | None:
    """Out-of-fold probabilities from the external scores alone (None without such columns).

    A low external score means a risky applicant; applicants without any external score get the
    fold's training default rate."""
    score = external_score(train)
    if score is None:
        return None
    targets = np.asarray(targets, dtype=np.int8)
    known = ~np.isnan(score)
    probabilities = np.empty(len(train))
    for fold in np.unique(fold_ids):
        inside = fold_ids != fold
        fit_rows = inside & known
        probabilities[~inside] = targets[inside].mean()
        if fit_rows.sum() and len(np.unique(targets[fit_rows])) == 2:
            model = LogisticRegression()
            model.fit(score[fit_rows].reshape(-1, 1), targets[fit_rows])
            scored = ~inside & known
            probabilities[scored] = model.predict_proba(score[scored].reshape(-1, 1))[:, 1]
    return probabilities


def run_baselines(
    train: pd.DataFrame, targets, features: Sequence[str], fold_ids, seed: int = 0
) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every baseline, by name (the external-score rule only when
    the features hold EXT_SOURCE_* columns)."""
    fold_ids = np.asarray(fold_ids)
    baselines = {
        "always_accept": always_accept(targets, fold_ids),
        "logistic_regression": logistic_regression(train, targets, features, fold_ids, seed),
    }
    rule = external_score_rule(train, targets, fold_ids)
    if rule is not None:
        baselines["external_score_rule"] = rule
    return baselines
