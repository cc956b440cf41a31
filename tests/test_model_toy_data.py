"""A small feature table in the artifacts.py format, with a known signal, for the model tests.

Other test modules import ``toy_feature_frame`` from here; the test below checks its promises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def toy_feature_frame(n_train: int = 3_000, n_test: int = 300, seed: int = 0) -> pd.DataFrame:
    """Training and test applicants: two informative numeric features (one with missing values),
    an external score, an informative categorical column, the gender (not informative) and noise."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    income = rng.lognormal(11.5, 0.5, n)
    external = rng.uniform(0.05, 0.95, n)
    days_late = rng.poisson(1.0, n).astype(float)
    days_late[rng.random(n) < 0.3] = np.nan
    contract = rng.choice(["Cash loans", "Revolving loans"], n, p=[0.8, 0.2])
    gender = rng.choice(["F", "M"], n)
    log_odds = (
        -2.6
        - 3.0 * (external - 0.5)
        + 0.5 * np.nan_to_num(days_late - 1.0)
        - 0.4 * (np.log(income) - 11.5)
        + 0.6 * (contract == "Revolving loans")
    )
    target = (rng.random(n) < 1.0 / (1.0 + np.exp(-log_odds))).astype(np.float32)
    split = np.array(["train"] * n_train + ["test"] * n_test)
    target[n_train:] = np.nan
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100_000, 100_000 + n, dtype=np.int32),
            "SPLIT": split,
            "TARGET": target,
            "AMT_INCOME_TOTAL": income.astype(np.float32),
            "EXT_SOURCE_2": external.astype(np.float32),
            "DAYS_LATE_MEAN": days_late.astype(np.float32),
            "NAME_CONTRACT_TYPE": pd.Categorical(contract),
            "CODE_GENDER": pd.Categorical(gender),
            "DAYS_BIRTH": (-rng.uniform(20, 69, n) * 365.25).astype(np.float32),
            "NOISE": rng.normal(size=n).astype(np.float32),
        }
    )
    return frame


def test_toy_frame_follows_the_artifacts_layout():
    frame = toy_feature_frame(1_000, 100)
    assert list(frame.columns[:3]) == ["SK_ID_CURR", "SPLIT", "TARGET"]
    assert frame["SK_ID_CURR"].is_unique
    train = frame[frame["SPLIT"] == "train"]
    assert train["TARGET"].notna().all()
    assert frame.loc[frame["SPLIT"] == "test", "TARGET"].isna().all()
    assert 0.03 < train["TARGET"].mean() < 0.2
    assert frame["DAYS_LATE_MEAN"].isna().any()
