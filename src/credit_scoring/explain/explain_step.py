"""The explanation step (notebooks/03_explain.ipynb): scores, SHAP contributions, global
importance, population summaries and the similar-clients space for every applicant."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.artifacts import (
    CALIBRATION,
    CONTRIBUTIONS,
    CONTRIBUTIONS_META,
    GLOBAL_IMPORTANCE,
    METRICS,
    MODEL,
    OOF,
    POPULATION_SUMMARIES,
    SCORES,
    SIMILAR_CLIENTS,
    SPLIT,
    THRESHOLD,
    TRAIN,
    read_json_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import ArtifactError
from credit_scoring.explain.contributions import (
    Explanations,
    explain_applicants,
    global_importance,
)
from credit_scoring.explain.neighbours import (
    DEFAULT_KEY_COUNT,
    SimilarSpace,
    build_similar_space,
    key_features,
    save_similar_space,
)
from credit_scoring.explain.summaries import DEFAULT_BINS, population_summaries
from credit_scoring.model.calibration import apply_calibration
from credit_scoring.model.threshold import RISK_BAND_CUTS, decide, risk_bands
from credit_scoring.model.train_step import json_safe, read_feature_table
from credit_scoring.model.training import load_fold_models, load_model

TO_BUILD = "run the training step first (`credit-scoring pipeline`)"


@dataclass
class ExplainRun:
    """Everything the explanation step computed."""

    scores: pd.DataFrame
    explanations: Explanations
    importance: list[dict]
    summaries: dict
    space: SimilarSpace
    timings_seconds: dict
    parameters: dict


def score_table(
    frame: pd.DataFrame, explanations: Explanations, calibration: dict, threshold: float
) -> pd.DataFrame:
    """scores.parquet: one row per applicant in frame order (artifacts.py contract)."""
    probabilities = apply_calibration(calibration, explanations.raw_scores)
    return pd.DataFrame(
        {
            APPLICANT_KEY: frame[APPLICANT_KEY].to_numpy(),
            SPLIT: frame[SPLIT].astype(str).to_numpy(),
            TARGET: frame[TARGET].to_numpy(dtype=np.float32),
            "raw_score": explanations.raw_scores,
            "base_value": explanations.base_values,
            "default_probability": probabilities,
            "decision": decide(probabilities, threshold),
            "risk_band": risk_bands(probabilities, threshold),
        }
    )


def run_explanations(
    artifacts_dir: Path | str,
    key_feature_count: int = DEFAULT_KEY_COUNT,
    summary_bins: int = DEFAULT_BINS,
) -> ExplainRun:
    """Explain every applicant of features.parquet with the trained models."""
    artifacts_dir = Path(artifacts_dir)
    timings = {}
    started = time.perf_counter()
    frame = read_feature_table(artifacts_dir)
    metrics = read_json_artifact(artifacts_dir, METRICS, TO_BUILD)
    calibration = read_json_artifact(artifacts_dir, CALIBRATION, TO_BUILD)
    threshold = float(read_json_artifact(artifacts_dir, THRESHOLD, TO_BUILD)["threshold"])
    final_model = load_model(artifacts_dir / MODEL)
    fold_models = load_fold_models(artifacts_dir, int(metrics["cross_validation"]["folds"]))
    oof_path = artifacts_dir / OOF
    if not oof_path.is_file():
        raise ArtifactError(f"{oof_path} is missing: run the training step first")
    oof = pd.read_parquet(oof_path, columns=[APPLICANT_KEY, "fold", "raw_score"])
    timings["load"] = time.perf_counter() - started

    is_training = (frame[SPLIT] == TRAIN).to_numpy()
    fold_of = pd.Series(oof["fold"].to_numpy(), index=oof[APPLICANT_KEY].to_numpy())
    fold_ids = frame[APPLICANT_KEY].map(fold_of).to_numpy()
    if np.isnan(fold_ids[is_training].astype(np.float64)).any():
        raise ArtifactError(
            "oof.parquet does not cover every training applicant of features.parquet: the "
            "features changed after training; rerun the training step"
        )
    fold_ids = np.nan_to_num(fold_ids.astype(np.float64), nan=-1).astype(int)

    started = time.perf_counter()
    explanations = explain_applicants(frame, is_training, fold_ids, fold_models, final_model)
    timings["contributions"] = time.perf_counter() - started
    # The SHAP raw scores of training rows must be the out-of-fold scores the threshold was
    # chosen on: anything else means the models and oof.parquet come from different runs.
    oof_raw = frame.loc[is_training, APPLICANT_KEY].map(
        pd.Series(oof["raw_score"].to_numpy(), index=oof[APPLICANT_KEY].to_numpy())
    )
    if np.abs(explanations.raw_scores[is_training] - oof_raw.to_numpy()).max() > 1e-4:
        raise ArtifactError(
            "the fold models do not reproduce oof.parquet: the training artifacts come from "
            "different runs; rerun the training step"
        )

    scores = score_table(frame, explanations, calibration, threshold)
    importance = global_importance(explanations.contributions, explanations.feature_names)

    started = time.perf_counter()
    feature_columns = metrics.get("feature_columns", explanations.feature_names)
    summaries = population_summaries(frame, feature_columns, summary_bins)
    timings["population_summaries"] = time.perf_counter() - started

    started = time.perf_counter()
    space = build_similar_space(frame, key_features(frame, importance, key_feature_count))
    timings["similar_clients"] = time.perf_counter() - started
    parameters = {
        "key_feature_count": key_feature_count,
        "summary_bins": summary_bins,
        "risk_band_cuts_times_threshold": list(RISK_BAND_CUTS),
    }
    return ExplainRun(scores, explanations, importance, summaries, space, timings, parameters)


def write_explain_artifacts(run: ExplainRun, artifacts_dir: Path | str) -> list[Path]:
    """scores.parquet, contributions.npy/.json, global_importance.json,
    population_summaries.json, similar_clients.npz."""
    artifacts_dir = Path(artifacts_dir)
    run.scores.to_parquet(artifacts_dir / SCORES, index=False)
    np.save(artifacts_dir / CONTRIBUTIONS, run.explanations.contributions.astype(np.float32))
    meta = {
        "feature_names": run.explanations.feature_names,
        "shape": list(run.explanations.contributions.shape),
        "dtype": "float32",
        "unit": "log-odds (base_value + row sum == raw_score, see scores.parquet)",
        "rows": "same order as features.parquet and scores.parquet",
        "parameters": run.parameters,
        "similar_clients_features": run.space.feature_names,
        "timings_seconds": run.timings_seconds,
    }
    files = {
        CONTRIBUTIONS_META: meta,
        GLOBAL_IMPORTANCE: run.importance,
        POPULATION_SUMMARIES: run.summaries,
    }
    for name, content in files.items():
        text = json.dumps(json_safe(content), ensure_ascii=False, allow_nan=False)
        (artifacts_dir / name).write_text(text + "\n", encoding="utf-8")
    save_similar_space(run.space, artifacts_dir / SIMILAR_CLIENTS)
    return [artifacts_dir / name for name in (SCORES, CONTRIBUTIONS, SIMILAR_CLIENTS, *files)]
