"""Notebooks 02-04 executed by Papermill on a toy feature table: every artifact of the contract."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import toy_feature_frame, write_toy_feature_artifacts

from credit_scoring.manifest import verify_artifacts
from credit_scoring.model.threshold import decide, risk_bands
from credit_scoring.pipeline import run_pipeline

FAST = {"iterations": 60, "folds": 3, "early_stopping_rounds": 20}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """The pipeline's train, explain and evaluate steps (real notebooks) on a toy feature table."""
    folder = tmp_path_factory.mktemp("toy_artifacts")
    write_toy_feature_artifacts(folder, toy_feature_frame(1_500, 150, seed=8))
    run_pipeline(
        folder,
        folder,
        parameters=FAST | {"shap_sample": 400},
        steps=["train", "explain", "evaluate"],
        html=False,
        progress=False,
    )
    return folder


pytestmark = pytest.mark.slow


def test_every_artifact_is_written_and_matches_the_manifest(artifacts):
    manifest = verify_artifacts(artifacts)
    assert manifest["parameters"]["train"]["folds"] == 3
    assert manifest["parameters"]["papermill 02_train"]["iterations"] == 60
    assert manifest["parameters"]["evaluate"] == {"top_features": 6, "shap_sample": 400}
    assert manifest["row_counts"] == {"training applicants": 1_500, "new applicants": 150}
    assert "CODE_GENDER" not in manifest["features"]
    card = (artifacts / "model_card.md").read_text(encoding="utf-8")
    assert "Intended use" in card and "Fairness" in card and "Limits" in card


def test_scores_follow_the_contract(artifacts):
    features = pd.read_parquet(artifacts / "features.parquet")
    scores = pd.read_parquet(artifacts / "scores.parquet")
    threshold = json.loads((artifacts / "threshold.json").read_text())["threshold"]
    assert scores["SK_ID_CURR"].tolist() == features["SK_ID_CURR"].tolist()
    assert list(scores.columns) == [
        "SK_ID_CURR", "SPLIT", "TARGET", "raw_score", "base_value",
        "default_probability", "decision", "risk_band",
    ]  # fmt: skip
    assert (scores["decision"] == decide(scores["default_probability"], threshold)).all()
    assert (scores["risk_band"] == risk_bands(scores["default_probability"], threshold)).all()
    # training applicants carry their out-of-fold score
    oof = pd.read_parquet(artifacts / "oof.parquet")
    train = scores[scores["SPLIT"] == "train"]
    assert train["raw_score"].to_numpy() == pytest.approx(oof["raw_score"].to_numpy(), abs=1e-4)
    assert train["default_probability"].to_numpy() == pytest.approx(
        oof["oof_probability"].to_numpy(), abs=1e-6
    )


def test_contributions_add_up_to_the_scores(artifacts):
    contributions = np.load(artifacts / "contributions.npy")
    meta = json.loads((artifacts / "contributions.json").read_text())
    scores = pd.read_parquet(artifacts / "scores.parquet")
    assert contributions.dtype == np.float32
    assert contributions.shape == (len(scores), len(meta["feature_names"]))
    rebuilt = scores["base_value"] + contributions.sum(axis=1, dtype=np.float64)
    assert rebuilt.to_numpy() == pytest.approx(scores["raw_score"].to_numpy(), abs=1e-4)


def test_the_report_shows_its_figures(artifacts):
    executed = json.loads((artifacts / "report" / "04_evaluate.ipynb").read_text())
    images = [
        output
        for cell in executed["cells"]
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    # ROC/PR, calibration, cost, confusion, importance, SHAP summary, SHAP dependence
    assert len(images) >= 7
    assert not [cell for cell in executed["cells"] if "write_manifest" in "".join(cell["source"])]


def test_the_real_pipeline_writes_verifiable_artifacts(pipeline_artifacts_dir):
    manifest = verify_artifacts(pipeline_artifacts_dir)
    scores = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    features = pd.read_parquet(pipeline_artifacts_dir / "features.parquet")
    assert scores["SK_ID_CURR"].tolist() == features["SK_ID_CURR"].tolist()
    assert set(scores["decision"]) == {"granted", "refused"}
    assert (
        manifest["features"]
        == json.loads((pipeline_artifacts_dir / "contributions.json").read_text())["feature_names"]
    )
    assert "CODE_GENDER" not in manifest["features"]
    summaries = json.loads((pipeline_artifacts_dir / "population_summaries.json").read_text())
    assert "CODE_GENDER" in summaries["features"]  # compared in the dashboard, never a model input


def test_new_applicants_are_scored_by_the_mean_of_the_fold_models(artifacts):
    """The final model (model.cbm) is the average of the fold models: a new applicant's raw
    score is the mean of theirs, and its SHAP contributions add up to it."""
    from credit_scoring.model.training import load_fold_models, load_model, raw_scores

    features = pd.read_parquet(artifacts / "features.parquet")
    scores = pd.read_parquet(artifacts / "scores.parquet")
    new = (features["SPLIT"] == "test").to_numpy()
    final = load_model(artifacts / "model.cbm")
    folds = load_fold_models(artifacts, 3)
    fold_mean = np.mean([raw_scores(model, features[new]) for model in folds], axis=0)
    assert raw_scores(final, features[new]) == pytest.approx(fold_mean, abs=1e-9)
    assert scores.loc[new, "raw_score"].to_numpy() == pytest.approx(fold_mean, abs=1e-6)
    metrics = json.loads((artifacts / "metrics.json").read_text())
    assert metrics["cross_validation"]["final_model"] == "average"
    assert final.tree_count_ == sum(metrics["cross_validation"]["tree_counts"])
    card = (artifacts / "model_card.md").read_text(encoding="utf-8")
    assert "the average of the cross-validation's fold models" in card
