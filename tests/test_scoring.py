"""`credit-scoring score`: new applications through the same feature code, no train/serve skew."""

import shutil

import numpy as np
import pandas as pd
import pytest

from credit_scoring.cli import main
from credit_scoring.data import load_tables
from credit_scoring.errors import DataError
from credit_scoring.model.training import load_model, raw_scores
from credit_scoring.scoring.batch import score_applications, score_folder

pytestmark = pytest.mark.slow


def test_past_clients_get_the_out_of_fold_score_the_page_shows(
    pipeline_artifacts_dir, synthetic_data_dir
):
    """One number per client: `score` on training applicants gives scores.parquet's numbers
    (their fold model), never the final model that learned their outcome."""
    tables = load_tables(synthetic_data_dir)
    train_rows = dict(tables.items())
    train_rows.pop("application_test")
    scored = score_applications(pipeline_artifacts_dir, train_rows, top_reasons=2, lang="en")
    page = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    page = page[page["SPLIT"] == "train"].set_index("SK_ID_CURR")
    mine = scored.set_index("SK_ID_CURR").loc[page.index]
    assert mine["default_probability"].to_numpy() == pytest.approx(
        page["default_probability"].to_numpy(), abs=1e-9
    )
    assert (mine["decision"] == page["decision"]).all()
    assert mine["model"].str.fullmatch(r"fold_\d").all()
    features = pd.read_parquet(pipeline_artifacts_dir / "features.parquet")
    training = features[features["SPLIT"] == "train"]
    final = raw_scores(load_model(pipeline_artifacts_dir / "model.cbm"), training)
    assert not np.allclose(mine["raw_score"].to_numpy(), final)


def test_unseen_applications_get_probability_decision_and_reasons(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    out = tmp_path / "scored.csv"
    assert main(["score", "--artifacts", str(pipeline_artifacts_dir),
                 "--data", str(synthetic_data_dir), "--out", str(out)]) == 0  # fmt: skip
    scored = pd.read_csv(out)
    test_ids = pd.read_csv(synthetic_data_dir / "application_test.csv", usecols=["SK_ID_CURR"])
    assert sorted(scored["SK_ID_CURR"]) == sorted(test_ids["SK_ID_CURR"])
    assert scored["default_probability"].between(0, 1).all()
    assert set(scored["decision"]) <= {"granted", "refused"}
    assert (scored["reason_1"].str.len() > 0).all()
    assert scored["summary"].str.startswith("Crédit").all()  # French by default
    # the same applicants as scored by the pipeline (final model, same features)
    pipeline = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    pipeline = pipeline[pipeline["SPLIT"] == "test"].set_index("SK_ID_CURR")
    mine = scored.set_index("SK_ID_CURR").loc[pipeline.index]
    assert mine["default_probability"].to_numpy() == pytest.approx(
        pipeline["default_probability"].to_numpy(), abs=1e-6
    )
    assert (mine["decision"] == pipeline["decision"]).all()
    assert (mine["model"] == "final").all()


def test_a_folder_with_a_missing_side_table_is_scored(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    folder = tmp_path / "new"
    folder.mkdir()
    for name in ("application_test", "previous_application", "installments_payments"):
        shutil.copy(synthetic_data_dir / f"{name}.csv", folder)
    scored = score_folder(pipeline_artifacts_dir, folder, tmp_path / "out.parquet", top_reasons=1)
    assert (tmp_path / "out.parquet").is_file()
    assert len(scored) == len(pd.read_csv(folder / "application_test.csv"))
    assert np.isfinite(scored["default_probability"]).all()
    assert {"reason_1", "reason_1_feature", "reason_1_contribution", "summary"} <= set(scored)


def test_clear_errors_for_a_bad_output_name_or_no_applications(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    with pytest.raises(DataError, match=".csv or .parquet"):
        score_folder(pipeline_artifacts_dir, synthetic_data_dir, tmp_path / "out.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(synthetic_data_dir / "bureau.csv", empty)
    with pytest.raises(DataError, match="application_test"):
        score_folder(pipeline_artifacts_dir, empty, tmp_path / "out.csv")
    with pytest.raises(DataError, match="no applications to score"):
        score_applications(
            pipeline_artifacts_dir, dict(load_tables(empty, ["bureau"], validate=False).items())
        )


def test_features_the_model_never_saw_are_refused(pipeline_artifacts_dir, synthetic_data_dir):
    from credit_scoring.scoring.batch import align_features

    frame = pd.DataFrame({"SK_ID_CURR": [1], "NEW_FEATURE": [1.0]})
    with pytest.raises(DataError, match="NEW_FEATURE"):
        align_features(frame, ["A"], ["A"], {"features": []}, set())
    with pytest.raises(DataError, match="lack column"):
        align_features(frame.drop(columns="NEW_FEATURE"), ["A"], ["A"], {"features": []}, set())
    aligned = align_features(
        frame.drop(columns="NEW_FEATURE"),
        ["A"],
        ["A"],
        {"features": [{"name": "A", "source": "bureau"}]},
        {"bureau"},
    )
    assert aligned["A"].isna().all()
