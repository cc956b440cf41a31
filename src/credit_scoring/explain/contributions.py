"""SHAP contributions with CatBoost's own ShapValues (exact TreeSHAP, the numbers shap's
TreeExplainer gives), in log-odds: ``base_value + contributions.sum() == raw_score`` per row.

Training applicants are explained by the fold model that did not see them (the same model that gave
their out-of-fold score), new applicants by the final model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from credit_scoring.errors import ArtifactError
from credit_scoring.model.training import make_pool, model_features
from credit_scoring.progress import progress

#: Rows explained per call to ShapValues (bounds the float64 intermediate matrix).
CHUNK_ROWS = 50_000


@dataclass
class Explanations:
    """Contributions (float32, rows x features), base value and raw score of each row."""

    contributions: np.ndarray
    base_values: np.ndarray
    raw_scores: np.ndarray
    feature_names: list[str]


def shap_contributions(model: CatBoostClassifier, frame: pd.DataFrame, bar=None) -> Explanations:
    """SHAP contributions of ``model`` for every row of ``frame`` (chunked to bound memory; each
    chunk's rows are added to the progress ``bar`` when there is one)."""
    names, categorical = model_features(model)
    contributions = np.empty((len(frame), len(names)), dtype=np.float32)
    base_values = np.empty(len(frame), dtype=np.float64)
    raw = np.empty(len(frame), dtype=np.float64)
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        values = model.get_feature_importance(
            make_pool(chunk, names, categorical), type="ShapValues"
        )
        stop = start + len(chunk)
        contributions[start:stop] = values[:, :-1]
        base_values[start:stop] = values[:, -1]
        raw[start:stop] = values.sum(axis=1)
        if bar is not None:
            bar.update(len(chunk))
    return Explanations(contributions, base_values, raw, names)


def explain_applicants(
    frame: pd.DataFrame,
    is_training: np.ndarray,
    fold_ids: np.ndarray,
    fold_models: Sequence[CatBoostClassifier],
    final_model: CatBoostClassifier,
    show_progress: bool = False,
) -> Explanations:
    """Contributions for every row of ``frame``: training rows (``is_training``) by the model of
    their fold (``fold_ids``, ignored elsewhere), other rows by the final model. With
    ``show_progress`` (a whole population, not one client) the rows explained so far are shown."""
    names, _ = model_features(final_model)
    for model in fold_models:
        if list(model.feature_names_) != names:
            raise ArtifactError(
                "the fold models and the final model do not share their feature list: they "
                "come from different training runs; rerun the training step"
            )
    contributions = np.empty((len(frame), len(names)), dtype=np.float32)
    base_values = np.empty(len(frame), dtype=np.float64)
    raw = np.empty(len(frame), dtype=np.float64)
    is_training = np.asarray(is_training, dtype=bool)
    fold_ids = np.asarray(fold_ids)
    without_model = is_training & ~np.isin(fold_ids, np.arange(len(fold_models)))
    if without_model.any():
        # Their rows would otherwise be left uninitialized.
        raise ArtifactError(
            f"{int(without_model.sum())} training applicant(s) have no fold model (fold ids "
            f"must be 0 to {len(fold_models) - 1}): the fold models and oof.parquet come from "
            "different training runs; rerun the training step"
        )
    groups = [(~is_training, final_model)] + [
        (is_training & (fold_ids == fold), model) for fold, model in enumerate(fold_models)
    ]
    with progress(
        len(frame), "explanations", "applicant", mode=None if show_progress else "off"
    ) as bar:
        for rows, model in groups:
            if not rows.any():
                continue
            part = shap_contributions(model, frame[rows], bar)
            contributions[rows] = part.contributions
            base_values[rows] = part.base_values
            raw[rows] = part.raw_scores
    return Explanations(contributions, base_values, raw, names)


def global_importance(contributions: np.ndarray, feature_names: Sequence[str]) -> list[dict]:
    """Mean absolute contribution per feature, most important first."""
    mean_abs = np.abs(contributions, dtype=np.float64).mean(axis=0)
    order = np.argsort(-mean_abs, kind="stable")
    return [
        {"feature": feature_names[i], "mean_abs_contribution": float(mean_abs[i])} for i in order
    ]
