"""Quality on the real Kaggle sample (skipped without HOMECREDIT_SAMPLE_DIR): cross-validated
ROC AUC of at least 0.74 and ahead of the logistic regression, with the default parameters."""

import pytest

from credit_scoring.data import load_tables
from credit_scoring.features import build_features
from credit_scoring.model.train_step import run_training
from credit_scoring.model.training import TrainingParameters

pytestmark = pytest.mark.slow


def test_catboost_reaches_the_target_and_beats_the_baselines_on_real_rows(sample_dir):
    tables = load_tables(sample_dir)
    known = {name: frame for name, frame in tables.items() if name != "application_test"}
    frame = build_features(known).frame
    run = run_training(frame, TrainingParameters())
    metrics = run.metrics
    assert "CODE_GENDER" not in run.final_model.feature_names_
    assert metrics["model"]["roc_auc"] >= 0.74
    for baseline in metrics["baselines"].values():
        assert metrics["model"]["roc_auc"] > baseline["roc_auc"]
    assert metrics["model"]["cost"] < metrics["model"]["cost_accept_all"]
    # the probability stays calibrated without reweighting: mean close to the default rate
    assert abs(run.oof["oof_probability"].mean() - metrics["model"]["default_rate"]) < 0.01
