"""What produced the artifacts (manifest.json), and the check that they still match it.

Hashing: files up to ``FULL_HASH_LIMIT`` bytes (64 MiB) get a SHA-256 of their whole content;
larger files (the contributions matrix and the feature table at full size) get a SHA-256 of their
size, their first and last 4 MiB and 16 evenly spaced 1 MiB blocks ("partial" in the manifest).
A partial hash catches a truncated, replaced or regenerated file (any rerun changes the
contributions' first bytes), in about a second for ~1 GB, at the price of missing an edit that
touches only unsampled blocks. The executed notebooks (report/) and the manifest itself are not
hashed: the report is written around the run.

Model files (``*.cbm``: the final model and the fold models) are always hashed in full, whatever
their size: a single flipped byte in a model can crash CatBoost's loader or change every score
silently, so no block of a model may go unchecked.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from credit_scoring import __version__
from credit_scoring.artifacts import (
    APPLICATIONS_TABLE,
    CALIBRATION,
    CLIENT_TABLE,
    CONTRIBUTIONS,
    CONTRIBUTIONS_META,
    FAMILIARITY,
    FAMILIARITY_THRESHOLDS,
    FEATURE_CATALOG,
    FEATURES,
    GLOBAL_IMPORTANCE,
    MANIFEST,
    METRICS,
    MODEL,
    POPULATION_SUMMARIES,
    REPORT_DIR,
    SCORES,
    SIMILAR_CLIENTS,
    THRESHOLD,
    read_json_artifact,
    write_json_artifact,
)
from credit_scoring.errors import ArtifactError

FULL_HASH_LIMIT = 64 * 1024 * 1024
EDGE_BYTES = 4 * 1024 * 1024
BLOCK_BYTES = 1024 * 1024
SAMPLED_BLOCKS = 16
#: Suffixes of the files hashed in full whatever their size (the models).
FULLY_HASHED_SUFFIXES = (".cbm",)

#: Files the dashboard cannot work without: the manifest must list them and they must exist.
REQUIRED_FILES = (
    FEATURES,
    FEATURE_CATALOG,
    MODEL,
    METRICS,
    THRESHOLD,
    CALIBRATION,
    SCORES,
    CONTRIBUTIONS,
    CONTRIBUTIONS_META,
    GLOBAL_IMPORTANCE,
    POPULATION_SUMMARIES,
    SIMILAR_CLIENTS,
    CLIENT_TABLE,
    APPLICATIONS_TABLE,
    FAMILIARITY,
    FAMILIARITY_THRESHOLDS,
)


def must_hash_fully(path: Path) -> bool:
    """True for the files hashed in full whatever their size (the models)."""
    return path.suffix.lower() in FULLY_HASHED_SUFFIXES


def file_digest(path: Path, full: bool | None = None) -> dict[str, object]:
    """{"sha256", "size", "method": "full" | "partial"} of one file (see the module docstring).

    ``full`` forces (True) or forbids (False) hashing the whole file; by default a model file
    or a file of at most ``FULL_HASH_LIMIT`` bytes is hashed in full, a larger one partially.
    """
    size = path.stat().st_size
    if full is None:
        full = must_hash_fully(path) or size <= FULL_HASH_LIMIT
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        if full:
            for block in iter(lambda: handle.read(BLOCK_BYTES * 4), b""):
                digest.update(block)
            return {"sha256": digest.hexdigest(), "size": size, "method": "full"}
        digest.update(str(size).encode())
        reads = [(0, EDGE_BYTES), (size - EDGE_BYTES, EDGE_BYTES)]
        reads += [
            ((size - BLOCK_BYTES) * i // (SAMPLED_BLOCKS + 1), BLOCK_BYTES)
            for i in range(1, SAMPLED_BLOCKS + 1)
        ]
        for offset, length in reads:
            handle.seek(offset)
            digest.update(handle.read(length))
    return {"sha256": digest.hexdigest(), "size": size, "method": "partial"}


def artifact_files(artifacts_dir: Path) -> list[Path]:
    """Every artifact file to hash, relative to the folder (report/ and the manifest excluded)."""
    files = []
    for path in sorted(artifacts_dir.rglob("*")):
        relative = path.relative_to(artifacts_dir)
        if not path.is_file() or relative.parts[0] in (REPORT_DIR, MANIFEST):
            continue
        if relative.name.startswith(".") or relative.name == "README.md":
            continue
        files.append(relative)
    return files


def _feature_list(artifacts_dir: Path) -> list[str]:
    if (artifacts_dir / CONTRIBUTIONS_META).is_file():
        return list(read_json_artifact(artifacts_dir, CONTRIBUTIONS_META).get("feature_names", []))
    return []


def write_manifest(
    artifacts_dir: Path | str,
    data_source: str,
    row_counts: Mapping[str, int],
    parameters: Mapping[str, Mapping[str, object]],
) -> dict:
    """Write manifest.json: package version, creation time, a run id, data source and row counts,
    the parameters of every step, the model's feature list and the hash of every artifact file."""
    artifacts_dir = Path(artifacts_dir)
    missing = [name for name in REQUIRED_FILES if not (artifacts_dir / name).is_file()]
    if missing:
        raise ArtifactError(
            f"cannot write the manifest: {', '.join(missing)} missing in {artifacts_dir}; "
            "run every pipeline step first"
        )
    manifest = {
        "package_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": uuid.uuid4().hex,
        "data_source": str(data_source),
        "row_counts": {name: int(count) for name, count in row_counts.items()},
        "parameters": {step: dict(values) for step, values in parameters.items()},
        "features": _feature_list(artifacts_dir),
        "files": {
            path.as_posix(): file_digest(artifacts_dir / path)
            for path in artifact_files(artifacts_dir)
        },
    }
    write_json_artifact(artifacts_dir, MANIFEST, manifest)
    return manifest


def read_manifest(artifacts_dir: Path | str) -> dict:
    """The manifest of an artifacts folder; ArtifactError when absent or unreadable."""
    path = Path(artifacts_dir) / MANIFEST
    if not path.is_file():
        raise ArtifactError(
            f"{path} is missing: these artifacts were not produced by a complete pipeline run; "
            "run `credit-scoring pipeline` (or `make run`)"
        )
    manifest = read_json_artifact(artifacts_dir, MANIFEST, "rerun the pipeline")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ArtifactError(f"{path} is not a manifest (no list of files): rerun the pipeline")
    return manifest


def verify_artifacts(artifacts_dir: Path | str) -> dict:
    """Check every file listed in the manifest (present, same size and hash) and that no required
    file is missing from it; return the manifest. ArtifactError names the first problems found."""
    artifacts_dir = Path(artifacts_dir)
    manifest = read_manifest(artifacts_dir)
    listed = manifest["files"]
    problems = []
    for name in REQUIRED_FILES:
        if name not in listed:
            problems.append(f"{name} is not listed in the manifest")
    for name, expected in listed.items():
        path = artifacts_dir / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        if path.stat().st_size != expected.get("size"):
            problems.append(f"{name} was modified or comes from another run (its size differs)")
            continue
        # The method recorded in the manifest, except that a model is always checked in full.
        full = expected.get("method") != "partial" or must_hash_fully(path)
        if file_digest(path, full=full)["sha256"] != expected.get("sha256"):
            problems.append(f"{name} was modified or comes from another run (its hash differs)")
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise ArtifactError(
            f"the artifacts in {artifacts_dir} do not match their manifest ({shown}). "
            "Rerun the pipeline (`credit-scoring pipeline --artifacts "
            f"{artifacts_dir}`) to rebuild a consistent set."
        )
    return manifest


def executed_notebook_parameters(artifacts_dir: Path | str) -> dict[str, dict]:
    """Parameters Papermill injected into each executed notebook of report/, by notebook stem
    (empty when the notebooks were run by hand)."""
    parameters = {}
    for path in sorted((Path(artifacts_dir) / REPORT_DIR).glob("*.ipynb")):
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        injected = notebook.get("metadata", {}).get("papermill", {}).get("parameters")
        if injected is not None:
            parameters[path.stem] = injected
    return parameters
