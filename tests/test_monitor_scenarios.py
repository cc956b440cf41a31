"""The monitor finds each planted drift of the generator on the right features, and nothing on an
unshifted batch of the same seed (features built by the same feature code as training)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from credit_scoring.data import load_tables
from credit_scoring.data.synthetic import generate_dataset
from credit_scoring.features import build_features
from credit_scoring.monitor import compare_populations

APPLICANTS = 8_000
SEED = 3
#: The demo model's most important features (global_importance.json of the demo artifacts).
TOP_FEATURES = [
    "EXT_SCORES_MEAN",
    "PREV_REFUSED_SHARE",
    "INST_LATE_SHARE",
    "EXT_SCORES_MIN",
    "GOODS_TO_CREDIT",
    "EXT_SCORES_MAX",
    "AGE_YEARS",
    "YEARS_SINCE_ID_PUBLISH",
    "EXT_SOURCE_3",
    "EXT_SOURCE_2",
]
MONEY = re.compile(r"AMT_|INCOME|AMOUNT|ANNUITY|CREDIT_SUM|LIMIT|BALANCE|PAYMENT|GOODS_PRICE")
AGE_RELATED = re.compile(r"AGE|BIRTH|EMPLOY|REGISTRATION|ID_PUBLISH|BUREAU|PENSION")


def _features(folder):
    tables = load_tables(folder, validate=False)
    built = build_features(tables)
    frame = built.frame
    return frame, built.catalog


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """The training population: training rows of the unshifted data, with the catalog."""
    folder = tmp_path_factory.mktemp("none")
    generate_dataset(folder, n_applicants=APPLICANTS, seed=SEED)
    frame, catalog = _features(folder)
    return folder, frame, catalog


def _monitor(training, tmp_path_factory, drift):
    plain_folder, frame, catalog = training
    if drift is None:
        new_frame = frame
    else:
        folder = tmp_path_factory.mktemp(drift)
        generate_dataset(folder, n_applicants=APPLICANTS, seed=SEED, drift=drift)
        new_frame, _ = _features(folder)
    train = frame[frame["SPLIT"] == "train"]
    new = new_frame[new_frame["SPLIT"] == "test"]
    entries = catalog["features"]
    names = [entry["name"] for entry in entries]
    categorical = [entry["name"] for entry in entries if entry["kind"] == "categorical"]
    return compare_populations(train, new, names, categorical, top_features=TOP_FEATURES)


def _moved(result) -> dict[str, str]:
    return {item.name: item.verdict for item in result.features if item.verdict != "stable"}


def test_unshifted_batch_raises_nothing(training, tmp_path_factory):
    result = _monitor(training, tmp_path_factory, None)
    assert result.new_applicants > 1000
    assert _moved(result) == {}
    assert result.verdict == "stable" and result.exit_code == 0


def test_incomes_is_found_on_money_features_only(training, tmp_path_factory):
    moved = _moved(_monitor(training, tmp_path_factory, "incomes"))
    for name in ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_GOODS_PRICE"):
        assert name in moved, moved
    assert moved["AMT_INCOME_TOTAL"] == "significant"
    assert all(MONEY.search(name) for name in moved), moved
    assert "GOODS_TO_CREDIT" not in moved  # ratios do not move


def test_young_is_found_on_age(training, tmp_path_factory):
    result = _monitor(training, tmp_path_factory, "young")
    moved = _moved(result)
    assert "AGE_YEARS" in moved, moved
    assert all(AGE_RELATED.search(name) for name in moved), moved
    # Doubling the young share moves AGE_YEARS by a PSI of about 0.13: moderate, no alert.
    assert result.verdict == "moderate"


def test_external_scores_raise_the_alert(training, tmp_path_factory):
    result = _monitor(training, tmp_path_factory, "external_scores")
    moved = _moved(result)
    for name in ("EXT_SOURCE_2", "EXT_SOURCE_3", "EXT_SCORES_MEAN"):
        assert moved.get(name) == "significant", moved
    assert all(name.startswith("EXT_") for name in moved), moved
    assert "EXT_SCORES_MEAN" in result.alerts and result.exit_code == 3
    assert isinstance(result.table(), pd.DataFrame)
