"""Shared fixtures: the real Kaggle sample (when available), small synthetic data and artifacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    """The real Kaggle sample named by HOMECREDIT_SAMPLE_DIR; the test is skipped without it."""
    value = os.environ.get(SAMPLE_ENV)
    if not value:
        pytest.skip(f"{SAMPLE_ENV} is not set: no real Home Credit sample to test against")
    path = Path(value)
    if not (path / "application_train.csv").is_file():
        pytest.skip(f"{SAMPLE_ENV}={value} holds no application_train.csv")
    return path


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory) -> Path:
    """A small synthetic dataset (2,000 applicants) in the Kaggle format, made once per session."""
    from credit_scoring.data.synthetic import generate_dataset

    out = tmp_path_factory.mktemp("synthetic") / "raw"
    generate_dataset(out, n_applicants=2_000, seed=7)
    return out


@pytest.fixture(scope="session")
def pipeline_artifacts_dir(synthetic_data_dir, tmp_path_factory) -> Path:
    """Artifacts built by the real pipeline (Papermill notebooks) from the small synthetic data."""
    from credit_scoring.pipeline import FAST_TEST_PARAMETERS, run_pipeline

    out = tmp_path_factory.mktemp("artifacts")
    run_pipeline(synthetic_data_dir, out, parameters=FAST_TEST_PARAMETERS, html=False)
    return out
