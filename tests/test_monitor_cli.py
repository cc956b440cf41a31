"""`credit-scoring monitor` and notebooks/05_monitor.ipynb on the pipeline's tiny artifacts:
exit 0 on an unshifted batch, 3 on a planted drift of the model's strongest inputs, 2 on a user
error; monitoring.json and the HTML report written where documented."""

from __future__ import annotations

import json
import shutil

import pytest

from credit_scoring.artifacts import MONITORING
from credit_scoring.cli import main
from credit_scoring.data.synthetic import generate_dataset
from credit_scoring.pipeline import NOTEBOOKS_DIR


@pytest.fixture
def artifacts(pipeline_artifacts_dir, tmp_path):
    """A copy of the pipeline's artifacts (the monitor writes monitoring.json into it)."""
    return shutil.copytree(pipeline_artifacts_dir, tmp_path / "artifacts")


@pytest.fixture(scope="module")
def drifted_dir(tmp_path_factory):
    """The same seed and size as the pipeline's data, new applicants' external scores lowered."""
    out = tmp_path_factory.mktemp("drifted")
    generate_dataset(out, n_applicants=2_000, seed=7, drift="external_scores")
    return out


def test_unshifted_batch_exits_0_and_writes_monitoring_json_in_the_artifacts(
    artifacts, synthetic_data_dir, capsys
):
    code = main(["monitor", "--artifacts", str(artifacts), "--data", str(synthetic_data_dir)])
    out = capsys.readouterr().out
    assert code == 0, out
    content = json.loads((artifacts / MONITORING).read_text(encoding="utf-8"))
    assert content["summary"]["alert"] is False
    assert content["summary"]["new_applicants"] == 274
    assert content["score"]["verdict"] != "significant"
    assert "new applicants against" in out


def test_planted_drift_exits_3_with_the_report_beside_its_json(
    artifacts, drifted_dir, tmp_path, capsys
):
    report = tmp_path / "out" / "report.html"
    code = main(
        ["monitor", "--artifacts", str(artifacts), "--data", str(drifted_dir), "--out", str(report)]
    )
    out = capsys.readouterr().out
    assert code == 3, out
    content = json.loads((report.parent / MONITORING).read_text(encoding="utf-8"))
    assert content["summary"]["alert"] is True
    assert any(name.startswith("EXT_") for name in content["summary"]["alerts"])
    assert not (artifacts / MONITORING).exists()
    page = report.read_text(encoding="utf-8")
    assert "Significant drift" in page and "<img" in page
    assert "significant drift of: " in out


def test_user_errors_exit_2_with_a_message(artifacts, tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["monitor", "--artifacts", str(artifacts), "--data", str(missing)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["monitor", "--artifacts", str(artifacts), "--data", str(empty)]) == 2
    assert "application_test.csv" in capsys.readouterr().err
    no_artifacts = tmp_path / "no_artifacts"
    no_artifacts.mkdir()
    assert main(["monitor", "--artifacts", str(no_artifacts), "--data", str(empty)]) == 2
    assert "run the pipeline" in capsys.readouterr().err


def test_notebook_runs_with_papermill(artifacts, drifted_dir, tmp_path):
    import papermill

    report = tmp_path / "report" / "monitoring.html"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "05_monitor.ipynb"),
        str(tmp_path / "05_monitor.ipynb"),
        parameters={
            "artifacts_dir": str(artifacts),
            "data_dir": str(drifted_dir),
            "report_path": str(report),
        },
        kernel_name="python3",
        progress_bar=False,
    )
    assert report.is_file()
    content = json.loads((report.parent / MONITORING).read_text(encoding="utf-8"))
    assert content["summary"]["verdict"] == "significant"
