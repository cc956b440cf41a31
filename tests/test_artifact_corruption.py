"""A corrupt model is never loaded: `score` and `recourse` verify the artifacts against their
manifest first, so one flipped byte anywhere in a model is a clear ArtifactError (exit code 2),
never a segmentation fault (exit 139) nor a silent score."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from credit_scoring import manifest
from credit_scoring.cli import main
from credit_scoring.errors import ArtifactError

CONSOLE_SCRIPT = Path(sys.executable).with_name("credit-scoring")


def _flip(path: Path, offset: int) -> bytes:
    """Flip every bit of one byte of a file; return the original content."""
    original = path.read_bytes()
    changed = bytearray(original)
    changed[offset] ^= 0xFF
    path.write_bytes(bytes(changed))
    return original


@pytest.fixture
def small_hash_limits(monkeypatch):
    """Hashing limits of a few KiB, so that small files are "large" (partially hashed)."""
    monkeypatch.setattr(manifest, "FULL_HASH_LIMIT", 4096)
    monkeypatch.setattr(manifest, "EDGE_BYTES", 256)
    monkeypatch.setattr(manifest, "BLOCK_BYTES", 256)


def _fake_artifacts(folder: Path) -> Path:
    folder.mkdir()
    for name in manifest.REQUIRED_FILES:
        (folder / name).write_bytes(b"{}")
    size = 64 * 1024  # 16 times the (patched) full-hash limit
    (folder / "model.cbm").write_bytes(bytes(range(256)) * (size // 256))
    (folder / "fold_models").mkdir()
    (folder / "fold_models" / "fold_0.cbm").write_bytes(bytes(range(256)) * (size // 256))
    (folder / "contributions.npy").write_bytes(bytes(range(256)) * (size // 256))
    return folder


def test_model_files_are_hashed_in_full_whatever_their_size(tmp_path, small_hash_limits):
    folder = _fake_artifacts(tmp_path / "artifacts")
    written = manifest.write_manifest(folder, "data", {}, {})
    methods = {name: entry["method"] for name, entry in written["files"].items()}
    assert methods["model.cbm"] == methods["fold_models/fold_0.cbm"] == "full"
    assert methods["contributions.npy"] == "partial"  # a large data file: sampled blocks
    # A byte between the sampled blocks: a partial hash would miss it, a model's full hash not.
    offset = 1000
    original = _flip(folder / "contributions.npy", offset)
    manifest.verify_artifacts(folder)  # documented limit of partial hashing (data files only)
    (folder / "contributions.npy").write_bytes(original)
    for name in ("model.cbm", "fold_models/fold_0.cbm"):
        original = _flip(folder / name, offset)
        with pytest.raises(ArtifactError, match=f"{name} was modified"):
            manifest.verify_artifacts(folder)
        (folder / name).write_bytes(original)
    manifest.verify_artifacts(folder)


def test_a_model_recorded_with_a_partial_hash_is_still_checked_in_full(tmp_path, small_hash_limits):
    folder = _fake_artifacts(tmp_path / "artifacts")
    written = manifest.write_manifest(folder, "data", {}, {})
    entry = written["files"]["model.cbm"]
    # a manifest written before models were always hashed in full
    entry.update(manifest.file_digest(folder / "model.cbm", full=False))
    (folder / manifest.MANIFEST).write_text(json.dumps(written))
    with pytest.raises(ArtifactError, match="model.cbm was modified"):
        manifest.verify_artifacts(folder)


# --------------------------------------------------------------------------- the commands


@pytest.fixture(scope="module")
def new_applications(synthetic_data_dir, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new")
    shutil.copy(synthetic_data_dir / "application_test.csv", folder)
    return folder


@pytest.fixture
def artifacts_copy(pipeline_artifacts_dir, tmp_path) -> Path:
    """The artifacts with their models copied (the tests flip their bytes in place) and every
    other file hard-linked: cheap, and the shared artifacts stay untouched."""
    copy = tmp_path / "artifacts"

    def link_or_copy(source: str, target: str) -> None:
        if source.endswith(".cbm"):
            shutil.copy2(source, target)
        else:
            os.link(source, target)

    shutil.copytree(pipeline_artifacts_dir, copy, copy_function=link_or_copy)
    return copy


@pytest.mark.parametrize("model", ["model.cbm", "fold_models/fold_1.cbm"])
def test_a_flipped_model_byte_is_a_clear_error_for_score_and_recourse(
    artifacts_copy, new_applications, tmp_path, capsys, model
):
    path = artifacts_copy / model
    size = path.stat().st_size
    client = int(pd.read_parquet(artifacts_copy / "scores.parquet")["SK_ID_CURR"].iloc[0])
    out = tmp_path / "scored.csv"
    for offset in (0, 1, 7, 64, size // 3, size // 2, size - 1):  # the header, the trees, the end
        original = _flip(path, offset)
        code = main(["score", "--artifacts", str(artifacts_copy),
                     "--data", str(new_applications), "--out", str(out)])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2, (offset, err)
        assert f"{model} was modified" in err and "Rerun the pipeline" in err
        assert not out.exists()  # nothing scored silently
        code = main(["recourse", "--artifacts", str(artifacts_copy), "--client", str(client)])
        assert code == 2 and f"{model} was modified" in capsys.readouterr().err
        path.write_bytes(original)
    assert main(["score", "--artifacts", str(artifacts_copy),
                 "--data", str(new_applications), "--out", str(out)]) == 0  # fmt: skip


def test_the_console_script_exits_2_not_with_a_crash(artifacts_copy, new_applications, tmp_path):
    _flip(artifacts_copy / "model.cbm", 0)
    command = [str(CONSOLE_SCRIPT), "score", "--artifacts", str(artifacts_copy)]
    command += ["--data", str(new_applications), "--out", str(tmp_path / "scored.csv")]
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 2, finished.stderr  # not -11 / 139 (segmentation fault)
    assert finished.stderr.startswith("error: ") and "model.cbm" in finished.stderr
    assert "Traceback" not in finished.stderr
