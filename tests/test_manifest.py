"""manifest.json: written with hashes of every artifact, and verify_artifacts catching changes."""

import json

import numpy as np
import pytest

from credit_scoring import manifest
from credit_scoring.errors import ArtifactError
from credit_scoring.manifest import (
    REQUIRED_FILES,
    file_digest,
    read_manifest,
    verify_artifacts,
    write_manifest,
)


@pytest.fixture
def artifacts(tmp_path):
    for name in REQUIRED_FILES:
        (tmp_path / name).write_bytes(f"content of {name}".encode())
    (tmp_path / "contributions.json").write_text(json.dumps({"feature_names": ["A", "B"]}))
    (tmp_path / "fold_models").mkdir()
    (tmp_path / "fold_models" / "fold_0.cbm").write_bytes(b"fold model")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "02_train.ipynb").write_text("{}")
    write_manifest(tmp_path, "/data/raw", {"train": 10, "test": 2}, {"train": {"folds": 5}})
    return tmp_path


def test_manifest_records_the_run(artifacts):
    written = read_manifest(artifacts)
    assert written["data_source"] == "/data/raw"
    assert written["row_counts"] == {"train": 10, "test": 2}
    assert written["parameters"] == {"train": {"folds": 5}}
    assert written["features"] == ["A", "B"]
    assert written["package_version"]
    assert set(written["files"]) == set(REQUIRED_FILES) | {"fold_models/fold_0.cbm"}
    assert all(entry["method"] == "full" for entry in written["files"].values())
    assert verify_artifacts(artifacts)["run_id"] == written["run_id"]


def test_a_modified_file_is_detected(artifacts):
    (artifacts / "scores.parquet").write_bytes(b"content of scores.parquEt")  # same size
    with pytest.raises(ArtifactError, match="scores.parquet was modified or comes from another"):
        verify_artifacts(artifacts)


def test_a_missing_file_is_detected(artifacts):
    (artifacts / "fold_models" / "fold_0.cbm").unlink()
    with pytest.raises(ArtifactError, match="fold_models/fold_0.cbm is missing"):
        verify_artifacts(artifacts)


def test_a_missing_manifest_is_explained(tmp_path):
    with pytest.raises(ArtifactError, match="credit-scoring pipeline"):
        verify_artifacts(tmp_path)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"files": null}'])
def test_an_unreadable_manifest_is_an_artifact_error(artifacts, content):
    (artifacts / "manifest.json").write_text(content)
    with pytest.raises(ArtifactError, match="rerun the pipeline"):
        verify_artifacts(artifacts)


def test_a_required_file_the_manifest_does_not_list_is_detected(artifacts):
    written = read_manifest(artifacts)
    del written["files"]["scores.parquet"]
    (artifacts / "manifest.json").write_text(json.dumps(written))
    with pytest.raises(ArtifactError, match="scores.parquet is not listed in the manifest"):
        verify_artifacts(artifacts)


def test_the_report_may_change_after_the_manifest(artifacts):
    written = read_manifest(artifacts)
    assert not [name for name in written["files"] if name.startswith("report/")]
    (artifacts / "report" / "02_train.ipynb").write_text('{"changed": true}')
    (artifacts / "report" / "02_train.html").write_text("<html></html>")  # exported afterwards
    assert verify_artifacts(artifacts)["run_id"] == written["run_id"]


def test_writing_needs_every_required_file(artifacts):
    (artifacts / "model.cbm").unlink()
    with pytest.raises(ArtifactError, match="model.cbm missing"):
        write_manifest(artifacts, "x", {}, {})


def test_large_files_get_a_partial_hash_that_still_sees_a_change(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "FULL_HASH_LIMIT", 1000)
    monkeypatch.setattr(manifest, "EDGE_BYTES", 100)
    monkeypatch.setattr(manifest, "BLOCK_BYTES", 50)
    path = tmp_path / "big.npy"
    data = np.random.default_rng(0).integers(0, 255, 20_000, dtype=np.uint8)
    path.write_bytes(data.tobytes())
    before = file_digest(path)
    assert before["method"] == "partial"
    data[5] ^= 1  # within the first bytes, which are always read
    path.write_bytes(data.tobytes())
    assert file_digest(path)["sha256"] != before["sha256"]
    data[5] ^= 1
    path.write_bytes(data.tobytes())
    assert file_digest(path) == before
