"""Shared fixtures: the real Kaggle sample (when available), small synthetic data and artifacts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import missing_part

SAMPLE_ENV = "HOMECREDIT_SAMPLE_DIR"


#: Fixtures that run the whole pipeline (minutes): every test using one, even indirectly, is slow.
PIPELINE_FIXTURES = frozenset({"pipeline_artifacts_dir"})


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` every test that uses a pipeline fixture, so that ``-m "not slow"`` skips it."""
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The real Kaggle sample named by HOMECREDIT_SAMPLE_DIR (a failure in CI without it)."""
    value = os.environ.get(SAMPLE_ENV)
    if not value:
        missing_part(f"{SAMPLE_ENV} is not set: no real Home Credit sample to test against")
    path = Path(value)
    if not (path / "application_train.csv").is_file():
        missing_part(f"{SAMPLE_ENV}={value} holds no application_train.csv")
    return path


def built_once(tmp_path_factory, worker_id: str, name: str, build: Callable[[Path], None]) -> Path:
    """A folder built by ``build`` once for the whole test run, shared read-only by every
    pytest-xdist worker (the first worker builds it under a file lock, the others wait)."""
    if worker_id == "master":  # not under xdist
        folder = tmp_path_factory.mktemp(name, numbered=False)
        build(folder)
        return folder
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above every worker's
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory, worker_id) -> Path:
    """A small synthetic dataset (2,000 applicants) in the Kaggle format, made once per run."""
    from credit_scoring.data.synthetic import generate_dataset

    def build(folder: Path) -> None:
        generate_dataset(folder / "raw", n_applicants=2_000, seed=7)

    return built_once(tmp_path_factory, worker_id, "synthetic", build) / "raw"


@pytest.fixture(scope="session")
def pipeline_artifacts_dir(synthetic_data_dir, tmp_path_factory, worker_id) -> Path:
    """Artifacts built by the real pipeline (Papermill notebooks) from the small synthetic data,
    once per run; tests that change artifacts work on a copy (``artifacts_copy``)."""
    from credit_scoring.pipeline import FAST_TEST_PARAMETERS, run_pipeline

    def build(folder: Path) -> None:
        run_pipeline(synthetic_data_dir, folder, parameters=FAST_TEST_PARAMETERS, html=False)

    return built_once(tmp_path_factory, worker_id, "artifacts", build)
