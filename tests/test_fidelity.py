"""The fidelity check: distances on hand-made samples; synthetic data against the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.data import schema
from credit_scoring.data.fidelity import (
    DEFAULT_REAL_DIR,
    DEFAULT_SYNTHETIC_DIR,
    compare_columns,
    compare_with_real,
    ks_statistic,
    linked_share,
    total_variation_distance,
)
from credit_scoring.data.synthetic import generate_dataset
from credit_scoring.errors import DataError


def test_ks_statistic_by_hand():
    assert ks_statistic(np.array([1, 2, 3]), np.array([3, 2, 1])) == 0.0
    assert ks_statistic(np.array([1, 2, 3]), np.array([4, 5, 6])) == 1.0
    # CDFs at 2: 0.5 vs 0.0; at 4: 1.0 vs 0.5 -> largest gap 0.5.
    assert ks_statistic(np.array([1, 2, 3, 4]), np.array([3, 4, 5, 6])) == 0.5
    assert np.isnan(ks_statistic(np.array([]), np.array([1.0])))


def test_total_variation_distance_by_hand():
    first = pd.Series(["a", "a", "b", "b"])
    second = pd.Series(["a", "b", "b", "b", None])
    # (|0.5 - 0.25| + |0.5 - 0.75|) / 2
    assert total_variation_distance(first, second) == pytest.approx(0.25)
    assert total_variation_distance(first, first) == 0.0
    assert total_variation_distance(pd.Series(["x"]), pd.Series(["y"])) == 1.0


def test_compare_columns_by_hand():
    synthetic = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3, 4],
            "AMT_CREDIT": [1.0, 2.0, np.nan, np.nan],
            "CODE_GENDER": ["F", "F", "M", None],
            "ONLY_SYNTHETIC": [1, 2, 3, 4],
        }
    )
    real = pd.DataFrame(
        {
            "SK_ID_CURR": [5, 6],
            "AMT_CREDIT": [1.0, 2.0],
            "CODE_GENDER": ["F", "M"],
        }
    )
    table = compare_columns(synthetic, real).set_index("column")
    assert list(table.index) == ["AMT_CREDIT", "CODE_GENDER"]
    assert table.loc["AMT_CREDIT", "missing_synthetic"] == 0.5
    assert table.loc["AMT_CREDIT", "missing_real"] == 0.0
    assert table.loc["AMT_CREDIT", "missing_difference"] == 0.5
    assert table.loc["AMT_CREDIT", "distance"] == 0.0
    assert table.loc["AMT_CREDIT", "kind"] == "numeric"
    assert table.loc["CODE_GENDER", "kind"] == "categorical"
    assert table.loc["CODE_GENDER", "missing_synthetic"] == 0.25
    # Shares F 2/3, M 1/3 vs F 1/2, M 1/2.
    assert table.loc["CODE_GENDER", "distance"] == pytest.approx(1 / 6)


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    """20,000 applicants: enough for the train-on-synthetic model to learn Kaggle's lessons."""
    out = tmp_path_factory.mktemp("fidelity") / "raw"
    generate_dataset(out, n_applicants=20_000, seed=42)
    return out


def test_complete_synthetic_side_tables_are_fully_linked(synthetic_dir):
    for table in schema.SIDE_TABLES:
        assert linked_share(synthetic_dir, table) == 1.0, table


def test_fidelity_against_the_real_sample(synthetic_dir, sample_dir):
    report = compare_with_real(synthetic_dir, sample_dir)
    summary = report.summary()
    assert summary["synthetic_applicants"] == 20_000
    assert summary["real_applicants"] == 6_999 + 199
    assert summary["default_rate_real"] == pytest.approx(0.0772, abs=0.001)
    assert abs(summary["default_rate_synthetic"] - summary["default_rate_real"]) < 0.02
    # Train on synthetic, test on real: the synthetic data teaches the real lessons.
    assert summary["train_on_synthetic_test_on_real_auc"] >= 0.70
    assert summary["real_external_scores_auc"] == pytest.approx(0.73, abs=0.01)
    assert summary["mean_abs_missing_rate_difference"] < 0.02
    assert summary["median_ks_numeric"] < 0.15
    assert summary["median_tvd_categorical"] < 0.1
    assert 60 <= summary["columns_with_gaps_synthetic"] <= 72

    columns = report.columns.set_index("column")
    assert len(columns) == len(schema.APPLICATION_TRAIN_COLUMNS) - 1  # all but SK_ID_CURR
    assert abs(columns.loc["EXT_SOURCE_1", "missing_difference"]) < 0.05
    assert columns["distance"].between(0, 1).all()

    # The real side tables are random samples: flagged, with a note, not a failure.
    sides = report.side_tables.set_index("table")
    assert list(sides.index) == list(schema.SIDE_TABLES)
    assert sides["real_is_sample"].all()
    assert (sides["linked_share_synthetic"] == 1.0).all()
    assert report.notes and "random samples" in report.notes[0]
    per_applicant = sides["rows_per_applicant_synthetic"] / sides["rows_per_applicant_kaggle"]
    assert per_applicant.between(0.75, 1.3).all(), per_applicant


def test_missing_folder_is_a_clear_error(tmp_path, synthetic_dir):
    with pytest.raises(DataError, match="needs the real data.*put the Kaggle files"):
        compare_with_real(synthetic_dir, tmp_path / "nowhere")
    with pytest.raises(DataError, match="needs the synthetic data.*make data"):
        compare_with_real(tmp_path / "nowhere", synthetic_dir)


def test_a_folder_without_applications_is_a_clear_error(tmp_path, synthetic_dir):
    (tmp_path / "real").mkdir()
    shutil.copy(synthetic_dir / "bureau.csv", tmp_path / "real" / "bureau.csv")
    with pytest.raises(DataError, match="No application_train.csv in"):
        compare_with_real(synthetic_dir, tmp_path / "real")


def test_the_defaults_are_inside_the_repository():
    import nbformat

    root = Path(__file__).resolve().parents[1]
    assert root / "data" / "raw" == DEFAULT_SYNTHETIC_DIR
    assert DEFAULT_REAL_DIR.is_relative_to(root)
    notebook = nbformat.read(root / "notebooks" / "00_data_fidelity.ipynb", as_version=4)
    defaults = {}
    exec(notebook.cells[1].source, {}, defaults)  # the parameters cell: plain assignments
    for name in ("synthetic_dir", "real_dir"):
        resolved = (root / "notebooks" / defaults[name]).resolve()
        assert resolved.is_relative_to(root), (name, resolved)
    assert (root / "notebooks" / defaults["real_dir"]).resolve() == DEFAULT_REAL_DIR
    assert "read_csv" not in "".join(cell.source for cell in notebook.cells)


def test_real_data_with_one_class_is_a_clear_error(tmp_path, synthetic_dir):
    real = tmp_path / "real"
    real.mkdir()
    train = pd.read_csv(synthetic_dir / "application_train.csv", nrows=300)
    train["TARGET"] = 0
    train.to_csv(real / "application_train.csv", index=False)
    shutil.copy(synthetic_dir / "application_test.csv", real / "application_test.csv")
    with pytest.raises(DataError, match="single TARGET value"):
        compare_with_real(synthetic_dir, real)


@pytest.mark.slow  # a notebook under Papermill: not in make test-fast
def test_fidelity_notebook_runs_under_papermill(synthetic_dir, sample_dir, tmp_path):
    import nbformat
    import papermill

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "00_data_fidelity.ipynb"
    committed = nbformat.read(notebook, as_version=4)
    assert all(not cell.get("outputs") for cell in committed.cells if cell.cell_type == "code")
    assert "parameters" in committed.cells[1].metadata.get("tags", [])
    executed = tmp_path / "00_data_fidelity.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters={"synthetic_dir": str(synthetic_dir), "real_dir": str(sample_dir)},
        cwd=str(notebook.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    text = executed.read_text()
    assert "train_on_synthetic_test_on_real_auc" in text
    assert "image/png" in text
