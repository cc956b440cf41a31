"""SHAP contributions: additivity against the models' own raw scores, fold models for training
rows, final model for new ones."""

import numpy as np
import pytest
from helpers import toy_feature_frame

from credit_scoring.artifacts import read_json_artifact
from credit_scoring.errors import ArtifactError
from credit_scoring.explain.contributions import explain_applicants, global_importance
from credit_scoring.model.train_step import run_training
from credit_scoring.model.training import TrainingParameters, raw_scores
from credit_scoring.scoring.explain_step import TO_BUILD, run_explanations


@pytest.fixture(scope="module")
def trained():
    frame = toy_feature_frame(2_000, 200, seed=5)
    parameters = TrainingParameters(iterations=120, depth=4, folds=3, seed=1)
    run = run_training(frame, parameters, run_baseline_models=False)
    return frame, run


def test_contributions_add_up_to_the_model_raw_score_row_by_row(trained):
    frame, run = trained
    is_training = (frame["SPLIT"] == "train").to_numpy()
    fold_ids = np.full(len(frame), -1)
    fold_ids[is_training] = run.oof["fold"].to_numpy()
    explanations = explain_applicants(
        frame, is_training, fold_ids, run.cross_validation.models, run.final_model
    )
    assert explanations.contributions.dtype == np.float32
    assert explanations.contributions.shape == (len(frame), len(run.final_model.feature_names_))
    rebuilt = explanations.base_values + explanations.contributions.sum(axis=1, dtype=np.float64)
    # training rows: the out-of-fold score of the fold model that did not see them
    assert rebuilt[is_training] == pytest.approx(run.oof["raw_score"].to_numpy(), abs=1e-4)
    # new rows: the final model's own prediction
    final = raw_scores(run.final_model, frame[~is_training])
    assert rebuilt[~is_training] == pytest.approx(final, abs=1e-4)
    # each fold model has its own expected value
    assert len(np.unique(np.round(explanations.base_values, 6))) == 4


def test_global_importance_ranks_the_informative_features_first(trained):
    frame, run = trained
    is_training = (frame["SPLIT"] == "train").to_numpy()
    explanations = explain_applicants(
        frame, is_training, np.zeros(len(frame), int), run.cross_validation.models[:1],
        run.final_model,
    )  # fmt: skip
    importance = global_importance(explanations.contributions, explanations.feature_names)
    ranking = [item["feature"] for item in importance]
    assert ranking[0] == "EXT_SOURCE_2"
    assert ranking.index("NOISE") > ranking.index("DAYS_LATE_MEAN")
    values = [item["mean_abs_contribution"] for item in importance]
    assert values == sorted(values, reverse=True)


def test_a_training_row_without_a_fold_model_is_an_artifact_error(trained):
    frame, run = trained
    is_training = (frame["SPLIT"] == "train").to_numpy()
    fold_ids = np.zeros(len(frame), int)
    fold_ids[0] = len(run.cross_validation.models)
    with pytest.raises(ArtifactError, match="1 training applicant.*no fold model"):
        explain_applicants(
            frame, is_training, fold_ids, run.cross_validation.models, run.final_model
        )


def test_missing_artifacts_name_the_step_to_run(tmp_path):
    with pytest.raises(ArtifactError, match="metrics.json is missing .*run the training step"):
        read_json_artifact(tmp_path, "metrics.json", TO_BUILD)


def test_a_corrupt_json_artifact_is_a_clear_error(tmp_path):
    (tmp_path / "threshold.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match="threshold.json is not valid JSON"):
        read_json_artifact(tmp_path, "threshold.json")
    with pytest.raises(
        ArtifactError, match="features.parquet is missing from .*: run the features step"
    ):
        run_explanations(tmp_path)


def test_global_importance_by_hand():
    contributions = np.array([[0.5, -1.0], [-0.5, 0.0]], dtype=np.float32)
    assert global_importance(contributions, ["a", "b"]) == [
        {"feature": "a", "mean_abs_contribution": 0.5},
        {"feature": "b", "mean_abs_contribution": 0.5},
    ]
