"""Planted drift scenarios of the generator: only the new applicants move, as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring.cli import main
from credit_scoring.data.synthetic import generate_dataset
from credit_scoring.data.synthetic_drift import DRIFT_SCENARIOS, younger_ages
from credit_scoring.errors import DataError

APPLICANTS = 3_000
SEED = 5
MONEY = ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The same seed without drift and with each scenario."""
    root = tmp_path_factory.mktemp("drift")
    generate_dataset(root / "none", n_applicants=APPLICANTS, seed=SEED)
    for name in DRIFT_SCENARIOS:
        generate_dataset(root / name, n_applicants=APPLICANTS, seed=SEED, drift=name)
    return root


def _read(folder, table):
    return pd.read_csv(folder / f"{table}.csv", low_memory=False)


def test_training_applications_do_not_move(folders):
    plain = (folders / "none" / "application_train.csv").read_bytes()
    for name in DRIFT_SCENARIOS:
        assert (folders / name / "application_train.csv").read_bytes() == plain, name


def test_incomes_inflates_money_of_new_applicants_by_30_percent(folders):
    plain, drifted = (
        _read(folders / "none", "application_test"),
        _read(folders / "incomes", "application_test"),
    )
    assert (plain["SK_ID_CURR"].to_numpy() == drifted["SK_ID_CURR"].to_numpy()).all()
    for column in MONEY:
        ratio = drifted[column].median() / plain[column].median()
        assert 1.25 < ratio < 1.35, (column, ratio)
    # Ratios do not move; the goods price never exceeds the credit.
    share = drifted["AMT_CREDIT"] / drifted["AMT_INCOME_TOTAL"]
    plain_share = plain["AMT_CREDIT"] / plain["AMT_INCOME_TOTAL"]
    assert abs(share.median() / plain_share.median() - 1) < 0.03
    assert (
        drifted["AMT_GOODS_PRICE"].dropna()
        <= drifted["AMT_CREDIT"][drifted["AMT_GOODS_PRICE"].notna()]
    ).all()
    # Non-money columns are untouched.
    assert plain["DAYS_BIRTH"].equals(drifted["DAYS_BIRTH"])
    # Their credit history is drawn from the inflated income.
    new_ids = set(plain["SK_ID_CURR"])
    amounts = {}
    for folder in ("none", "incomes"):
        bureau = _read(folders / folder, "bureau")
        amounts[folder] = bureau.loc[bureau["SK_ID_CURR"].isin(new_ids), "AMT_CREDIT_SUM"].median()
    assert 1.2 < amounts["incomes"] / amounts["none"] < 1.4


def _young_share(frame):
    return float((-frame["DAYS_BIRTH"] / 365.25 < 30).mean())


def test_young_doubles_the_share_under_30_among_new_applicants(folders):
    plain, drifted = (
        _read(folders / "none", "application_test"),
        _read(folders / "young", "application_test"),
    )
    before, after = _young_share(plain), _young_share(drifted)
    assert 0.08 < before < 0.3
    assert 1.7 < after / before < 2.3, (before, after)
    assert plain["AMT_INCOME_TOTAL"].shape == drifted["AMT_INCOME_TOTAL"].shape


def test_external_scores_are_lowered_by_a_quarter(folders):
    plain = _read(folders / "none", "application_test")
    drifted = _read(folders / "external_scores", "application_test")
    for column in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        ratio = drifted[column] / plain[column]
        assert np.allclose(ratio.dropna(), 0.75, atol=1e-3), column


def test_younger_ages_only_moves_new_applicants_older_than_30():
    rng = np.random.default_rng(0)
    ages = rng.uniform(20, 70, 10_000)
    is_test = rng.random(10_000) < 0.3
    moved = younger_ages(np.random.default_rng(1), ages, is_test)
    assert np.array_equal(moved[~is_test], ages[~is_test])
    assert np.array_equal(moved[ages < 30], ages[ages < 30])
    share_before = (ages[is_test] < 30).mean()
    assert (moved[is_test] < 30).mean() == pytest.approx(2 * share_before, abs=0.03)


def test_unknown_scenario_is_refused_with_the_known_names(tmp_path, capsys):
    with pytest.raises(DataError, match="incomes"):
        generate_dataset(tmp_path / "x", n_applicants=10, drift="inflation")
    assert (
        main(["generate", "--out", str(tmp_path / "y"), "--applicants", "10", "--drift", "bad"])
        == 2
    )
    assert "unknown drift scenario 'bad'" in capsys.readouterr().err


def test_cli_generate_says_which_drift_was_planted(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--applicants", "50", "--drift", "young"]) == 0
    assert "planted drift 'young'" in capsys.readouterr().out
