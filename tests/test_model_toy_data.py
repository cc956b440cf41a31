"""A small feature table in the artifacts.py format, with a known signal, for the model tests.

Other test modules import ``toy_feature_frame`` from here; the test below checks its promises.
"""

from __future__ import annotations

import json
from pathlib import Path

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


TOY_UNITS = {
    "AMT_INCOME_TOTAL": ("amount", 0, "income"),
    "EXT_SOURCE_2": ("score", 2, "external_scores"),
    "DAYS_LATE_MEAN": ("days", 1, "payment_behaviour"),
    "NAME_CONTRACT_TYPE": ("category", 0, "credit_requested"),
    "CODE_GENDER": ("category", 0, "identity"),
    "DAYS_BIRTH": ("number", 0, "identity"),
    "NOISE": ("number", 2, "identity"),
}


def toy_catalog() -> dict:
    """A feature catalog (artifacts.py format) for the toy frame's features."""
    features = []
    for name, (unit, decimals, group) in TOY_UNITS.items():
        features.append(
            {
                "name": name,
                "label_fr": f"libellé {name}",
                "label_en": f"label {name}",
                "unit": unit,
                "decimals": decimals,
                "source": "application",
                "group": group,
                "kind": "categorical" if unit == "category" else "numeric",
            }
        )
    return {"groups": {}, "features": features}


def write_toy_feature_artifacts(artifacts_dir: Path, frame: pd.DataFrame | None = None) -> Path:
    """What the features step writes, for the toy frame: features.parquet, feature_catalog.json
    and applications.parquet (gender and birth days of every applicant)."""
    frame = toy_feature_frame() if frame is None else frame
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(artifacts_dir / "features.parquet", index=False)
    (artifacts_dir / "feature_catalog.json").write_text(json.dumps(toy_catalog()), "utf-8")
    frame[["SK_ID_CURR", "SPLIT", "CODE_GENDER", "DAYS_BIRTH"]].to_parquet(
        artifacts_dir / "applications.parquet", index=False
    )
    return artifacts_dir


def test_toy_frame_follows_the_artifacts_layout():
    frame = toy_feature_frame(1_000, 100)
    assert list(frame.columns[:3]) == ["SK_ID_CURR", "SPLIT", "TARGET"]
    assert frame["SK_ID_CURR"].is_unique
    train = frame[frame["SPLIT"] == "train"]
    assert train["TARGET"].notna().all()
    assert frame.loc[frame["SPLIT"] == "test", "TARGET"].isna().all()
    assert 0.03 < train["TARGET"].mean() < 0.2
    assert frame["DAYS_LATE_MEAN"].isna().any()
