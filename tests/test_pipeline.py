"""The pipeline runner: argument checks, and the real notebooks end to end on tiny data."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from credit_scoring import artifacts as names
from credit_scoring.cli import main
from credit_scoring.errors import CreditScoringError, DataError
from credit_scoring.pipeline import STEPS, parse_parameter, run_pipeline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("folds=5", ("folds", 5)),
        ("learning_rate=0.05", ("learning_rate", 0.05)),
        ('protected_features=["CODE_GENDER"]', ("protected_features", ["CODE_GENDER"])),
        ("data_dir=/tmp/x", ("data_dir", "/tmp/x")),
    ],
)
def test_parse_parameter_reads_json_values_and_keeps_text(text, expected):
    assert parse_parameter(text) == expected


def test_parse_parameter_rejects_text_without_equals():
    with pytest.raises(CreditScoringError, match="NAME=VALUE"):
        parse_parameter("folds")


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        run_pipeline(tmp_path / "nowhere", tmp_path / "artifacts")


def test_unknown_step_is_refused(tmp_path):
    with pytest.raises(CreditScoringError, match="unknown pipeline step"):
        run_pipeline(tmp_path, tmp_path / "artifacts", steps=["feature"])


def test_a_misspelled_parameter_is_refused_not_ignored(tmp_path):
    with pytest.raises(CreditScoringError, match="itertions"):
        run_pipeline(tmp_path, tmp_path / "artifacts", parameters={"itertions": 10})


def test_cli_reports_a_missing_data_folder_with_exit_code_2(tmp_path, capsys):
    code = main(["pipeline", "--data", str(tmp_path / "nowhere"), "--artifacts", str(tmp_path)])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_every_notebook_declares_the_path_parameters():
    from credit_scoring.pipeline import NOTEBOOKS_DIR, declared_parameters

    for step, notebook in STEPS.items():
        declared = declared_parameters(NOTEBOOKS_DIR / notebook)
        assert "artifacts_dir" in declared, notebook
        if step == "features":
            assert "data_dir" in declared, notebook


def test_notebooks_are_committed_without_outputs():
    from credit_scoring.pipeline import NOTEBOOKS_DIR

    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted(
        (NOTEBOOKS_DIR.parent / "dashboards").glob("*.ipynb")
    ):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


@pytest.mark.slow
def test_pipeline_builds_every_artifact_and_the_report(pipeline_artifacts_dir):
    expected = [
        names.FEATURES,
        names.FEATURE_CATALOG,
        names.APPLICATIONS,
        names.MODEL,
        names.METRICS,
        names.THRESHOLD,
        names.OOF,
        names.CALIBRATION,
        names.SCORES,
        names.CONTRIBUTIONS,
        names.CONTRIBUTIONS_META,
        names.GLOBAL_IMPORTANCE,
        names.POPULATION_SUMMARIES,
        names.SIMILAR_CLIENTS,
        names.APPLICATION_REFERENCE,
        names.MODEL_CARD,
        names.MANIFEST,
    ]
    missing = [name for name in expected if not (pipeline_artifacts_dir / name).is_file()]
    assert not missing, f"artifacts not built: {missing}"
    report = pipeline_artifacts_dir / names.REPORT_DIR
    for notebook in STEPS.values():
        executed = nbformat.read(report / notebook, as_version=4)
        code_cells = [c for c in executed.cells if c.cell_type == "code"]
        assert all(c.execution_count is not None for c in code_cells), notebook
    from credit_scoring.manifest import verify_artifacts

    manifest = verify_artifacts(pipeline_artifacts_dir)  # the pipeline wrote it after its last step
    features = pd.read_parquet(pipeline_artifacts_dir / names.FEATURES, columns=["SPLIT"])
    assert sum(manifest["row_counts"].values()) == len(features)
    assert set(manifest["parameters"]) >= {"features", "train", "explain", "evaluate"}


@pytest.mark.slow
def test_the_executed_notebooks_show_the_progress_of_their_long_steps(pipeline_artifacts_dir):
    """The fixture's run is not in a terminal: the notebooks kept plain progress lines."""

    def stderr_of(notebook: str) -> str:
        executed = nbformat.read(pipeline_artifacts_dir / names.REPORT_DIR / notebook, as_version=4)
        return "".join(
            output.get("text", "")
            for cell in executed.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if output.get("name") == "stderr"
        )

    features, train, explain = (stderr_of(STEPS[step]) for step in ("features", "train", "explain"))
    assert "reading tables: 100%" in features and "side-table features: 100%" in features
    metrics = json.loads((pipeline_artifacts_dir / names.METRICS).read_text())
    folds = metrics["cross_validation"]["folds"]
    for fold in range(1, folds + 1):
        assert f"fold {fold}/{folds}:" in train
    assert "best validation log-loss" in train
    assert "explanations: 100%" in explain
    assert "\r" not in train + explain


# --------------------------------------------------------------------------- the manifest


def _fake_notebook(folder, name, body, parameters='artifacts_dir = ""\ndata_dir = ""'):
    """A tiny notebook with a parameters cell, standing in for a pipeline step."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell(body)]
    nbformat.write(notebook, folder / name)


WRITE_EVERY_ARTIFACT = """
import json
from pathlib import Path

import pandas as pd

from credit_scoring.manifest import REQUIRED_FILES

folder = Path(artifacts_dir)
for name in REQUIRED_FILES:
    (folder / name).write_text(json.dumps({"parameters": {"made_by": name}}))
pd.DataFrame({"SPLIT": ["train", "train", "test"]}).to_parquet(folder / "features.parquet")
"""


@pytest.fixture
def fake_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _fake_notebook(folder, STEPS["train"], "pass")
    _fake_notebook(
        folder,
        STEPS["evaluate"],
        WRITE_EVERY_ARTIFACT,
        parameters='artifacts_dir = ""\ndata_dir = ""\ntop_features = 6',
    )
    return folder


@pytest.fixture
def stale_artifacts(tmp_path):
    folder = tmp_path / "artifacts"
    folder.mkdir()
    (folder / names.MANIFEST).write_text(json.dumps({"run_id": "stale", "files": {}}))
    return folder


def test_the_pipeline_writes_the_manifest_after_its_last_step(fake_notebooks, stale_artifacts):
    from credit_scoring.manifest import verify_artifacts

    run_pipeline(
        stale_artifacts,
        stale_artifacts,
        parameters={"top_features": 3},
        steps=["evaluate"],
        html=False,
        progress=False,
        notebooks_dir=fake_notebooks,
    )
    manifest = verify_artifacts(stale_artifacts)
    assert manifest["run_id"] != "stale"
    assert manifest["data_source"] == str(stale_artifacts.resolve())
    assert manifest["row_counts"] == {"training applicants": 2, "new applicants": 1}
    parameters = manifest["parameters"]
    assert parameters["evaluate"] == {"top_features": 3}
    assert parameters["train"] == {"made_by": names.METRICS}
    assert parameters["explain"] == {"made_by": names.CONTRIBUTIONS_META}
    assert parameters["papermill 04_evaluate"]["top_features"] == 3


def test_a_failed_step_leaves_no_manifest(fake_notebooks, stale_artifacts):
    _fake_notebook(fake_notebooks, STEPS["evaluate"], "raise RuntimeError('broken step')")
    with pytest.raises(CreditScoringError, match="pipeline step 'evaluate' failed.*broken step"):
        run_pipeline(
            stale_artifacts,
            stale_artifacts,
            steps=["evaluate"],
            html=False,
            progress=False,
            notebooks_dir=fake_notebooks,
        )
    assert not (stale_artifacts / names.MANIFEST).exists()


def test_a_run_that_stops_before_the_last_step_leaves_no_manifest(
    fake_notebooks, stale_artifacts, capsys
):
    run_pipeline(
        stale_artifacts,
        stale_artifacts,
        steps=["train"],
        html=False,
        notebooks_dir=fake_notebooks,
    )
    assert not (stale_artifacts / names.MANIFEST).exists()
    assert "No manifest written" in capsys.readouterr().out


SHOW_PROGRESS = """
import os
import sys

from credit_scoring.progress import progress

print("setting", os.environ.get("CREDIT_SCORING_PROGRESS"), file=sys.stderr)
with progress(3, "notebook work", "step") as bar:
    for _ in range(3):
        bar.update(1)
"""


@pytest.mark.parametrize("setting", ["lines", "bar"])
def test_the_notebooks_progress_reaches_the_terminal_as_it_comes(
    fake_notebooks, stale_artifacts, capsys, monkeypatch, setting
):
    _fake_notebook(fake_notebooks, STEPS["train"], SHOW_PROGRESS)
    monkeypatch.setenv("CREDIT_SCORING_PROGRESS", setting)
    run_pipeline(
        stale_artifacts, stale_artifacts, steps=["train"], html=False, notebooks_dir=fake_notebooks
    )
    err = capsys.readouterr().err
    assert f"setting {setting}" in err  # the kernel was told how to show it
    assert "notebook work: 100%" in err and "3/3" in err
    assert ("\r" in err) == (setting == "bar")
    # The executed notebook keeps the bar's last state only.
    executed = nbformat.read(stale_artifacts / names.REPORT_DIR / STEPS["train"], as_version=4)
    kept = "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    assert "notebook work: 100%" in kept and "\r" not in kept
    assert kept.count("notebook work") == (1 if setting == "bar" else 2)


def test_a_quiet_pipeline_shows_no_progress(fake_notebooks, stale_artifacts, capsys, monkeypatch):
    _fake_notebook(fake_notebooks, STEPS["train"], SHOW_PROGRESS)
    monkeypatch.delenv("CREDIT_SCORING_PROGRESS", raising=False)
    run_pipeline(
        stale_artifacts,
        stale_artifacts,
        steps=["train"],
        html=False,
        progress=False,
        notebooks_dir=fake_notebooks,
    )
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    executed = nbformat.read(stale_artifacts / names.REPORT_DIR / STEPS["train"], as_version=4)
    kept = "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    assert kept == "setting off\n"


READ_THE_DATA = """
import json
from pathlib import Path

from credit_scoring.data import load_tables

tables = load_tables(data_dir)
Path(artifacts_dir, "rows.json").write_text(json.dumps(tables.row_counts()))
"""


def test_the_kaggle_zip_is_accepted_as_data(tmp_path):
    """README: `--data` may be home-credit-default-risk.zip; the features step reads it through
    the data layer (notebooks/01_features.ipynb calls load_tables(data_dir) the same way)."""
    import zipfile

    from possible_tables import write_tiny_dataset

    raw = write_tiny_dataset(tmp_path / "raw")
    archive = tmp_path / "home-credit-default-risk.zip"
    with zipfile.ZipFile(archive, "w") as opened:
        for path in sorted(raw.glob("*.csv")):
            opened.write(path, path.name)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _fake_notebook(notebooks, STEPS["features"], READ_THE_DATA)
    artifacts = tmp_path / "artifacts"
    run_pipeline(
        archive, artifacts, steps=["features"], html=False, progress=False,
        notebooks_dir=notebooks,
    )  # fmt: skip
    rows = json.loads((artifacts / "rows.json").read_text())
    assert rows["application_train"] == 4 and rows["bureau"] == 3


def test_a_data_file_that_is_not_a_zip_is_a_clear_error(tmp_path, capsys):
    text = tmp_path / "application_train.csv"
    text.write_text("SK_ID_CURR\n1\n")
    with pytest.raises(DataError, match="neither a folder nor a zip archive"):
        run_pipeline(text, tmp_path / "artifacts", steps=["features"])
    assert main(["pipeline", "--data", str(text), "--artifacts", str(tmp_path)]) == 2
    assert "home-credit-default-risk.zip" in capsys.readouterr().err
