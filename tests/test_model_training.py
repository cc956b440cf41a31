"""Cross-validated CatBoost on a toy feature table with a known signal."""

import numpy as np
import pytest
from helpers import toy_feature_frame
from sklearn.metrics import roc_auc_score

from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.model.baselines import external_score, run_baselines
from credit_scoring.model.fairness import age_bands, fairness_table
from credit_scoring.model.train_step import run_training
from credit_scoring.model.training import (
    TrainingParameters,
    assign_folds,
    check_no_protected,
    cross_validate,
    final_tree_count,
    load_model,
    make_pool,
    model_feature_names,
    model_input,
    raw_scores,
    training_rows,
)

FAST = TrainingParameters(iterations=150, learning_rate=0.1, depth=4, folds=3, seed=3)


@pytest.fixture(scope="module")
def frame():
    return toy_feature_frame(3_000, 300, seed=2)


@pytest.fixture(scope="module")
def training_run(frame):
    return run_training(frame, FAST, group_columns=None)


def test_protected_feature_never_reaches_the_model(frame, training_run):
    assert "CODE_GENDER" in frame.columns
    features = model_feature_names(frame)
    assert "CODE_GENDER" not in features
    for model in [*training_run.cross_validation.models, training_run.final_model]:
        assert "CODE_GENDER" not in model.feature_names_
        assert list(model.feature_names_) == features
    with pytest.raises(CreditScoringError, match="protected feature"):
        check_no_protected(["EXT_SOURCE_2", "CODE_GENDER"], ["CODE_GENDER"])


def test_the_target_can_never_be_a_model_input(frame):
    assert "TARGET" not in model_feature_names(frame)
    with pytest.raises(CreditScoringError, match="TARGET would leak"):
        check_no_protected(["EXT_SOURCE_2", "TARGET"], [])
    with pytest.raises(CreditScoringError, match="TARGET would leak"):
        cross_validate(frame, ["EXT_SOURCE_2", "TARGET"], FAST)


def test_other_protected_and_excluded_features_are_left_out(frame):
    features = model_feature_names(frame, ["CODE_GENDER", "DAYS_BIRTH"], ["NOISE"])
    assert set(features) == {
        "AMT_INCOME_TOTAL",
        "EXT_SOURCE_2",
        "DAYS_LATE_MEAN",
        "NAME_CONTRACT_TYPE",
    }
    with pytest.raises(CreditScoringError, match="NOT_A_COLUMN"):
        model_feature_names(frame, excluded_features=["NOT_A_COLUMN"])


def test_out_of_fold_scores_carry_the_signal_and_come_from_the_other_folds(frame, training_run):
    oof = training_run.oof
    train = frame[frame["SPLIT"] == "train"]
    assert oof["SK_ID_CURR"].tolist() == train["SK_ID_CURR"].tolist()
    assert 0.68 < roc_auc_score(oof["TARGET"], oof["raw_score"]) < 0.95
    # Each applicant's out-of-fold score is the prediction of the model of its fold.
    cv = training_run.cross_validation
    for fold, model in enumerate(cv.models):
        rows = (oof["fold"] == fold).to_numpy()
        assert raw_scores(model, train[rows]) == pytest.approx(oof.loc[rows, "raw_score"])
    # Early stopping picked a number of trees per fold, below the upper bound.
    assert all(1 <= count <= FAST.iterations for count in cv.tree_counts)


def test_the_final_model_is_the_mean_of_the_fold_models(frame, training_run):
    cv = training_run.cross_validation
    final = training_run.final_model
    assert final.tree_count_ == sum(cv.tree_counts)
    assert list(final.feature_names_) == cv.features
    fold_mean = np.mean([raw_scores(model, frame) for model in cv.models], axis=0)
    assert raw_scores(final, frame) == pytest.approx(fold_mean, abs=1e-9)
    # Its SHAP contributions still add up to its raw score.
    features, categorical = cv.features, cv.categorical
    shap = final.get_feature_importance(make_pool(frame, features, categorical), type="ShapValues")
    assert shap.sum(axis=1) == pytest.approx(raw_scores(final, frame), abs=1e-6)
    assert training_run.metrics["cross_validation"]["final_model_trees"] == sum(cv.tree_counts)


def test_a_refit_final_model_has_the_folds_scaled_tree_count(frame):
    parameters = TrainingParameters(**(FAST.to_dict() | {"final_model": "refit"}))
    run = run_training(frame, parameters, run_baseline_models=False)
    counts = run.cross_validation.tree_counts
    assert run.final_model.tree_count_ == final_tree_count(counts, FAST.folds)
    with pytest.raises(CreditScoringError, match="final_model must be one of average, refit"):
        TrainingParameters(final_model="mean")


def test_folds_are_stratified():
    targets = np.array([1] * 30 + [0] * 270)
    folds = assign_folds(targets, 3, seed=0)
    assert [int(targets[folds == k].sum()) for k in range(3)] == [10, 10, 10]
    with pytest.raises(CreditScoringError, match="at least 5 defaulters"):
        assign_folds(np.array([1, 1, 0, 0, 0, 0, 0]), 5, seed=0)


def test_training_input_errors_are_clear(frame, tmp_path):
    with pytest.raises(CreditScoringError, match="at least 2"):
        assign_folds(np.array([1, 0, 1, 0]), 1, seed=0)
    with pytest.raises(CreditScoringError, match="no training applicant"):
        training_rows(frame[frame["SPLIT"] == "test"])
    unlabelled = frame.copy()
    unlabelled.loc[0, "TARGET"] = np.nan
    with pytest.raises(CreditScoringError, match="have no TARGET"):
        training_rows(unlabelled)
    with pytest.raises(CreditScoringError, match="no feature left"):
        model_feature_names(frame[["SK_ID_CURR", "SPLIT", "TARGET", "CODE_GENDER"]])
    with pytest.raises(ArtifactError, match="run the training step"):
        load_model(tmp_path / "model.cbm")


def test_model_beats_the_baselines_and_the_threshold_is_reported(training_run):
    metrics = training_run.metrics
    assert set(metrics["baselines"]) == {
        "always_accept",
        "logistic_regression",
        "external_score_rule",
    }
    assert metrics["baselines"]["always_accept"]["roc_auc"] == pytest.approx(0.5, abs=0.02)
    assert metrics["model"]["roc_auc"] > metrics["baselines"]["external_score_rule"]["roc_auc"]
    model = metrics["model"]
    assert model["cost"] <= model["cost_at_half"]
    assert model["cost"] <= model["cost_accept_all"]
    assert training_run.threshold["threshold"] == pytest.approx(model["threshold"])
    assert 0 < training_run.threshold["threshold"] < 0.5


def test_categorical_missing_values_become_an_explicit_level(frame):
    sample = frame.head(5).copy()
    sample["NAME_CONTRACT_TYPE"] = sample["NAME_CONTRACT_TYPE"].astype(object)
    sample.loc[sample.index[0], "NAME_CONTRACT_TYPE"] = None
    table = model_input(sample, ["NAME_CONTRACT_TYPE", "EXT_SOURCE_2"], ["NAME_CONTRACT_TYPE"])
    assert table["NAME_CONTRACT_TYPE"].iloc[0] == "MISSING"
    assert table["EXT_SOURCE_2"].dtype == np.float32


def test_external_score_is_the_mean_of_the_available_scores():
    import pandas as pd

    table = pd.DataFrame(
        {"EXT_SOURCE_1": [0.2, np.nan, np.nan], "EXT_SOURCE_3": [0.4, 0.6, np.nan]}
    )
    assert external_score(table)[:2] == pytest.approx([0.3, 0.6])
    assert np.isnan(external_score(table)[2])
    assert external_score(pd.DataFrame({"A": [1.0]})) is None


def test_baselines_share_the_folds(frame):
    train = frame[frame["SPLIT"] == "train"].reset_index(drop=True)
    targets = train["TARGET"].to_numpy()
    folds = assign_folds(targets, 3, 0)
    baselines = run_baselines(train, targets, model_feature_names(frame), folds)
    # always-accept: each fold gets the default rate of the two other folds
    for fold in range(3):
        assert baselines["always_accept"][folds == fold] == pytest.approx(
            targets[folds != fold].mean()
        )
    assert roc_auc_score(targets, baselines["logistic_regression"]) > 0.65


def test_fairness_table_by_hand():
    groups = {"gender": np.array(["F", "F", "M", "M"])}
    table = fairness_table(groups, [0, 1, 0, 0], [0.1, 0.5, 0.05, 0.3], threshold=0.2)
    female = table[table["group"] == "F"].iloc[0]
    male = table[table["group"] == "M"].iloc[0]
    assert female["acceptance_rate"] == 0.5 and female["roc_auc"] == 1.0
    assert male["acceptance_rate"] == 0.5 and np.isnan(male["roc_auc"])  # one outcome only
    assert age_bands([-365.25 * 25, -365.25 * 45, -365.25 * 65]).tolist() == [
        "< 30",
        "40-49",
        "60+",
    ]


@pytest.mark.parametrize("gpus", [0, 1])
def test_the_device_reaches_catboost_and_auto_falls_back_to_the_cpu_with_a_line(
    capsys, monkeypatch, gpus
):
    """Both branches, whatever this machine has: CatBoost is told how many GPUs it sees."""
    from credit_scoring.model import training
    from credit_scoring.model.training import resolve_device

    monkeypatch.setattr(training, "gpu_count", lambda: gpus)
    resolve_device.cache_clear()
    try:
        assert TrainingParameters(device="cpu").catboost_options()["task_type"] == "CPU"
        expected = "GPU" if gpus else "CPU"
        assert TrainingParameters(device="auto").catboost_options()["task_type"] == expected
        said = capsys.readouterr().err
        if gpus:
            assert TrainingParameters(device="gpu").catboost_options()["task_type"] == "GPU"
            assert "training on the CPU" not in said
        else:  # the fallback is said once, in plain words
            assert "CatBoost sees no GPU, training on the CPU" in said
            with pytest.raises(CreditScoringError, match="device=gpu but CatBoost sees no usable"):
                TrainingParameters(device="gpu").catboost_options()
        with pytest.raises(CreditScoringError, match="device must be one of cpu, gpu, auto"):
            TrainingParameters(device="tpu").catboost_options()
    finally:
        resolve_device.cache_clear()


def test_the_device_used_is_recorded_in_the_metrics_and_the_model_card():
    from credit_scoring.model.report import model_card

    frame = toy_feature_frame(1_000, 100, seed=3)
    run = run_training(
        frame,
        TrainingParameters(iterations=20, folds=2, early_stopping_rounds=5, device="cpu"),
        run_baseline_models=False,
    )
    assert all(model.get_params()["task_type"] == "CPU" for model in run.cross_validation.models)
    assert run.metrics["parameters"]["device"] == "cpu"
    assert run.metrics["parameters"]["device_used"] == "cpu"
    card = model_card(run.metrics, run.threshold, run.calibration, [], "toy data", {"toy": 1_000})
    assert "trained on the CPU (device setting: cpu)" in card
