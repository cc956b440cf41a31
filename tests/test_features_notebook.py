"""Notebook 01 executed by Papermill on tiny synthetic data, and the analyst's tables it shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring import artifacts
from credit_scoring.artifacts import PROJECT_ROOT
from credit_scoring.features import build_features, catalog_problems, read_feature_catalog
from credit_scoring.features.assembly import FeatureSet
from credit_scoring.features.catalog import catalog_as_dict
from credit_scoring.features.report import (
    default_rate_by_decile,
    feature_target_strength,
    missing_rates,
    table_row_counts,
)

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


@pytest.mark.slow
def test_notebook_runs_under_papermill_on_synthetic_data(synthetic_data_dir, tmp_path):
    import nbformat
    import papermill

    out_dir = tmp_path / "artifacts"
    executed = tmp_path / "01_features.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "01_features.ipynb"),
        str(executed),
        parameters={
            "data_dir": str(synthetic_data_dir),
            "artifacts_dir": str(out_dir),
            "recent_months": 6,
        },
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        kernel_name="python3",
    )
    features = pd.read_parquet(out_dir / artifacts.FEATURES)
    catalog = read_feature_catalog(out_dir)
    names = [c for c in features.columns if c not in ("SK_ID_CURR", "SPLIT", "TARGET")]
    assert catalog_problems(catalog, names) == []
    assert "6 derniers mois" in " ".join(e["label_fr"] for e in catalog["features"])
    assert (out_dir / artifacts.APPLICATIONS).is_file()
    outputs = "".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
        for cell in nbformat.read(executed, as_version=4).cells
        for output in cell.get("outputs", [])
    )
    assert "VALID" in outputs and "features" in outputs and "default_rate" in outputs


def test_committed_notebook_is_thin_and_has_no_outputs():
    import nbformat

    notebook = nbformat.read(NOTEBOOKS_DIR / "01_features.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ("data_dir", "artifacts_dir", "recent_months"):
        assert name in code[0].source
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)
    assert "sys.path" not in "".join(cell.source for cell in code)


def _tiny_feature_set() -> FeatureSet:
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(1, 9, dtype="int32"),
            "SPLIT": ["train"] * 6 + ["test"] * 2,
            "TARGET": np.array([0, 0, 0, 1, 1, 0, np.nan, np.nan], dtype="float32"),
            # perfectly ordered with TARGET on train rows: AUC 1
            "AGE_YEARS": np.array([1, 2, 3, 4, 5, np.nan, 1, 1], dtype="float32"),
            "CNT_CHILDREN": np.array([0, 0, 0, 0, 0, 0, 0, 0], dtype="float32"),
        }
    )
    from credit_scoring.features.application import CATALOG_ENTRIES

    entries = [e for e in CATALOG_ENTRIES if e.name in ("AGE_YEARS", "CNT_CHILDREN")]
    return FeatureSet(frame, catalog_as_dict(entries), {"application": ["AGE_YEARS"]})


def test_report_tables_by_hand():
    feature_set = _tiny_feature_set()
    rates = missing_rates(feature_set)
    assert rates.iloc[0]["feature"] == "AGE_YEARS" and rates.iloc[0]["missing_rate"] == 1 / 8
    strength = feature_target_strength(feature_set)
    # a constant feature says nothing and is left out; AGE_YEARS separates TARGET perfectly
    assert strength["feature"].tolist() == ["AGE_YEARS"]
    assert strength.loc[0, "auc"] == 1.0 and strength.loc[0, "strength"] == 0.5
    deciles = default_rate_by_decile(feature_set, "AGE_YEARS", bins=5)
    assert deciles["applicants"].tolist() == [1, 1, 1, 1, 1, 1]  # 5 groups + missing
    assert deciles["default_rate"].tolist() == [0, 0, 0, 1, 1, 0]
    assert deciles["from"].tolist()[:5] == [1, 2, 3, 4, 5]


def test_row_counts_name_missing_tables(synthetic_data_dir):
    from credit_scoring.data.loading import load_tables

    tables = load_tables(synthetic_data_dir, tables=["application_train", "bureau"])
    counts = table_row_counts(tables).set_index("table")
    assert counts.loc["bureau", "rows"] == len(tables["bureau"])
    assert counts.loc["credit_card_balance", "status"] == "missing"
    assert build_features(tables).sources.keys() == {"application", "bureau"}
