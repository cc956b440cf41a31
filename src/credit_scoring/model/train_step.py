"""The training step (notebooks/02_train.ipynb): cross-validation, baselines, calibration,
business-cost threshold, fairness report and final model, and the artifacts they produce."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from credit_scoring.artifacts import (
    APPLICATIONS,
    CALIBRATION,
    METRICS,
    MODEL,
    OOF,
    THRESHOLD,
    write_json_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.model.baselines import run_baselines
from credit_scoring.model.calibration import (
    apply_calibration,
    check_and_fit_calibration,
    reliability_curve,
    sigmoid,
)
from credit_scoring.model.fairness import fairness_groups, fairness_measures, fairness_table
from credit_scoring.model.metrics import decision_metrics
from credit_scoring.model.threshold import choose_threshold
from credit_scoring.model.training import (
    NON_FEATURE_COLUMNS,
    CrossValidation,
    TrainingParameters,
    average_models,
    cross_validate,
    final_tree_count,
    fit_final_model,
    model_feature_names,
    save_fold_models,
    training_rows,
)


@dataclass
class TrainingRun:
    """Everything the training step computed."""

    cross_validation: CrossValidation
    final_model: CatBoostClassifier
    calibration: dict
    threshold: dict
    metrics: dict
    fairness: pd.DataFrame
    oof: pd.DataFrame


def read_application_groups(artifacts_dir: Path | str, ids) -> pd.DataFrame | None:
    """CODE_GENDER and DAYS_BIRTH of the given applicants from applications.parquet, in the order
    of ``ids`` (None when the file is absent)."""
    path = Path(artifacts_dir) / APPLICATIONS
    wanted = pd.DataFrame({APPLICANT_KEY: np.asarray(ids)})
    if not path.is_file():
        return None
    columns = [APPLICANT_KEY, "CODE_GENDER", "DAYS_BIRTH"]
    applications = pd.read_parquet(path, columns=columns).drop_duplicates(APPLICANT_KEY)
    return wanted.merge(applications, on=APPLICANT_KEY, how="left")


def run_training(
    frame: pd.DataFrame,
    parameters: TrainingParameters,
    cost_false_negative: float = 10.0,
    cost_false_positive: float = 1.0,
    protected_features: Iterable[str] = ("CODE_GENDER",),
    excluded_features: Iterable[str] = (),
    group_columns: pd.DataFrame | None = None,
    run_baseline_models: bool = True,
) -> TrainingRun:
    """Cross-validate, compare with the baselines, calibrate, choose the threshold, report
    fairness and fit the final model. ``group_columns`` (CODE_GENDER, DAYS_BIRTH or AGE_YEARS of
    the training applicants, in frame order) defaults to the feature table's own columns."""
    protected_features = list(protected_features)
    excluded_features = list(excluded_features)
    features = model_feature_names(frame, protected_features, excluded_features)
    started = time.perf_counter()
    cv = cross_validate(frame, features, parameters, protected_features)
    cv_seconds = time.perf_counter() - started
    targets = cv.oof[TARGET].to_numpy(np.float64)
    raw = cv.oof["raw_score"].to_numpy()
    fold_ids = cv.oof["fold"].to_numpy()

    calibration = check_and_fit_calibration(targets, raw)
    probabilities = apply_calibration(calibration, raw)
    calibration["reliability_raw"] = reliability_curve(targets, sigmoid(raw))
    calibration["reliability_calibrated"] = reliability_curve(targets, probabilities)
    choice = choose_threshold(targets, probabilities, cost_false_negative, cost_false_positive)
    threshold = choice.to_dict() | {
        "probability": "default_probability (calibrated, see calibration.json)",
        "rule": "refused when default_probability >= threshold",
        "bayes_threshold": cost_false_positive / (cost_false_positive + cost_false_negative),
    }
    model_metrics = decision_metrics(
        targets, probabilities, choice.threshold, cost_false_negative, cost_false_positive
    )

    baselines = {}
    baseline_seconds = 0.0
    if run_baseline_models:
        started = time.perf_counter()
        train = training_rows(frame)
        for name, baseline in run_baselines(
            train, targets, features, fold_ids, parameters.seed
        ).items():
            own = choose_threshold(targets, baseline, cost_false_negative, cost_false_positive)
            baselines[name] = decision_metrics(
                targets, baseline, own.threshold, cost_false_negative, cost_false_positive
            )
        baseline_seconds = time.perf_counter() - started

    train = training_rows(frame)
    groups_source = group_columns if group_columns is not None else train
    groups = fairness_groups(groups_source.reset_index(drop=True))
    fairness = fairness_table(groups, targets, probabilities, choice.threshold)
    measures = fairness_measures(groups, targets, probabilities, choice.threshold)

    started = time.perf_counter()
    final_model = average_models(cv.models) if parameters.final_model == "average" else None
    final_kind = "average"
    if final_model is None:
        if parameters.final_model == "average":
            print(
                "final model: the fold models keep statistics of the same categories, which "
                "CatBoost cannot average into one model; fitting one on every training applicant "
                "instead (raise one_hot_max_size above the categories' level counts to average)",
                file=sys.stderr,
            )
        final_kind = "refit"
        final_model = fit_final_model(
            frame,
            features,
            cv.categorical,
            parameters,
            final_tree_count(cv.tree_counts, parameters.folds),
            protected_features,
        )
    iterations = int(final_model.tree_count_)
    final_seconds = time.perf_counter() - started

    oof = cv.oof.assign(oof_probability=probabilities)
    feature_columns = [name for name in frame.columns if name not in NON_FEATURE_COLUMNS]
    metrics = {
        "model": model_metrics,
        "baselines": baselines,
        "fairness": fairness.to_dict(orient="records"),
        "fairness_measures": measures,
        "calibration": {
            key: calibration[key]
            for key in ("method", "measured_slope", "brier_raw", "brier_calibrated")
        },
        "cross_validation": {
            "folds": parameters.folds,
            "tree_counts": cv.tree_counts,
            "fold_roc_auc": [
                decision_metrics(
                    targets[fold_ids == fold], probabilities[fold_ids == fold], choice.threshold
                )["roc_auc"]
                for fold in range(parameters.folds)
            ],
            "final_model_trees": iterations,
            "final_model": final_kind,
        },
        "timings_seconds": {
            "cross_validation": cv_seconds,
            "baselines": baseline_seconds,
            "final_model": final_seconds,
        },
        "parameters": parameters.to_dict()
        | {
            "device_used": parameters.task_type().lower(),
            "cost_false_negative": cost_false_negative,
            "cost_false_positive": cost_false_positive,
            "protected_features": protected_features,
            "excluded_features": excluded_features,
        },
        "class_imbalance": (
            "no reweighting: unweighted log-loss keeps probabilities calibrated; stratified "
            "folds; the business-cost threshold handles the imbalance"
        ),
        "features": features,
        "categorical_features": cv.categorical,
        "feature_columns": feature_columns,
        "training_applicants": int(len(targets)),
    }
    return TrainingRun(cv, final_model, calibration, threshold, metrics, fairness, oof)


def write_training_artifacts(run: TrainingRun, artifacts_dir: Path | str) -> list[Path]:
    """model.cbm, fold models, oof.parquet, calibration.json, threshold.json, metrics.json."""
    artifacts_dir = Path(artifacts_dir)
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    run.final_model.save_model(str(artifacts_dir / MODEL))
    written = [artifacts_dir / MODEL]
    written += save_fold_models(run.cross_validation.models, artifacts_dir)
    run.oof.to_parquet(artifacts_dir / OOF, index=False)
    for name, content in (
        (CALIBRATION, run.calibration),
        (THRESHOLD, run.threshold),
        (METRICS, run.metrics),
    ):
        written.append(write_json_artifact(artifacts_dir, name, content))
    return written + [artifacts_dir / OOF]
