"""The explanation step (notebooks/03_explain.ipynb): scores, SHAP contributions, global
importance, population summaries and the similar-clients space for every applicant."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.artifacts import (
    APPLICATIONS,
    CONTRIBUTIONS,
    CONTRIBUTIONS_META,
    GLOBAL_IMPORTANCE,
    OOF,
    POPULATION_SUMMARIES,
    SCORES,
    SIMILAR_CLIENTS,
    SPLIT,
    TRAIN,
    read_features,
    read_parquet_artifact,
    write_json_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import ArtifactError
from credit_scoring.explain.client_tables import write_client_tables
from credit_scoring.explain.contributions import Explanations, global_importance
from credit_scoring.explain.familiarity import (
    FamiliarityThresholds,
    familiarity_table,
    save_familiarity,
)
from credit_scoring.explain.neighbours import (
    DEFAULT_KEY_COUNT,
    SimilarSpace,
    build_similar_space,
    key_features,
    save_similar_space,
)
from credit_scoring.explain.summaries import DEFAULT_BINS, population_summaries
from credit_scoring.model.threshold import RISK_BAND_CUTS
from credit_scoring.scoring.inputs import write_application_reference
from credit_scoring.scoring.scorer import Scored, Scorer

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
    familiarity: pd.DataFrame
    familiarity_thresholds: FamiliarityThresholds


def score_table(frame: pd.DataFrame, scored: Scored) -> pd.DataFrame:
    """scores.parquet: one row per applicant in frame order (artifacts.py contract)."""
    table = scored.table()
    table.insert(1, SPLIT, frame[SPLIT].astype(str).to_numpy())
    table.insert(2, TARGET, frame[TARGET].to_numpy(dtype=np.float32))
    return table


def run_explanations(
    artifacts_dir: Path | str,
    key_feature_count: int = DEFAULT_KEY_COUNT,
    summary_bins: int = DEFAULT_BINS,
) -> ExplainRun:
    """Explain every applicant of features.parquet with the trained models."""
    artifacts_dir = Path(artifacts_dir)
    timings = {}
    started = time.perf_counter()
    frame = read_features(artifacts_dir)
    scorer = Scorer.from_artifacts(artifacts_dir, verify=False)
    oof = read_parquet_artifact(artifacts_dir, OOF, [APPLICANT_KEY, "raw_score"], TO_BUILD)
    timings["load"] = time.perf_counter() - started

    is_training = (frame[SPLIT] == TRAIN).to_numpy()
    folds = scorer.folds_of(frame[APPLICANT_KEY])
    if (folds[is_training] < 0).any():
        raise ArtifactError(
            "oof.parquet does not cover every training applicant of features.parquet: the "
            "features changed after training; rerun the training step"
        )
    folds[~is_training] = -1

    started = time.perf_counter()
    scored = scorer.score(frame, explain=True, folds=folds, show_progress=True)
    timings["contributions"] = time.perf_counter() - started
    # The SHAP raw scores of training rows must be the out-of-fold scores the threshold was
    # chosen on: anything else means the models and oof.parquet come from different runs.
    oof_raw = frame.loc[is_training, APPLICANT_KEY].map(
        pd.Series(oof["raw_score"].to_numpy(), index=oof[APPLICANT_KEY].to_numpy())
    )
    if np.abs(scored.raw_scores[is_training] - oof_raw.to_numpy()).max(initial=0.0) > 1e-4:
        raise ArtifactError(
            "the fold models do not reproduce oof.parquet: the training artifacts come from "
            "different runs; rerun the training step"
        )
    explanations = Explanations(
        scored.contributions, scored.base_values, scored.raw_scores, scored.feature_names
    )
    scores = score_table(frame, scored)
    importance = global_importance(explanations.contributions, explanations.feature_names)

    started = time.perf_counter()
    feature_columns = scorer.feature_columns
    summaries = population_summaries(frame, feature_columns, summary_bins)
    timings["population_summaries"] = time.perf_counter() - started

    started = time.perf_counter()
    space = build_similar_space(frame, key_features(frame, importance, key_feature_count))
    timings["similar_clients"] = time.perf_counter() - started

    started = time.perf_counter()
    familiarity, familiarity_thresholds = familiarity_table(frame, space)
    timings["familiarity"] = time.perf_counter() - started
    parameters = {
        "key_feature_count": key_feature_count,
        "summary_bins": summary_bins,
        "risk_band_cuts_times_threshold": list(RISK_BAND_CUTS),
    }
    return ExplainRun(
        scores,
        explanations,
        importance,
        summaries,
        space,
        timings,
        parameters,
        familiarity,
        familiarity_thresholds,
    )


def write_explain_artifacts(run: ExplainRun, artifacts_dir: Path | str) -> list[Path]:
    """scores.parquet, contributions.npy/.json, global_importance.json,
    population_summaries.json, similar_clients.npz, application_reference.json."""
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
        write_json_artifact(artifacts_dir, name, content, indent=None)
    save_similar_space(run.space, artifacts_dir / SIMILAR_CLIENTS)
    familiarity = save_familiarity(run.familiarity, run.familiarity_thresholds, artifacts_dir)
    applications = read_parquet_artifact(artifacts_dir, APPLICATIONS)
    tables = write_client_tables(
        read_features(artifacts_dir), run.scores, applications, artifacts_dir
    )
    # The training ranges and levels `score` and the what-if check new values against.
    reference = write_application_reference(applications, artifacts_dir)
    return (
        [artifacts_dir / name for name in (SCORES, CONTRIBUTIONS, SIMILAR_CLIENTS, *files)]
        + tables
        + familiarity
        + [reference]
    )
