"""Test helpers shared by several test modules: tiny Kaggle tables (as CSV files or as loaded
frames) and a toy feature table in the artifacts.py format, with a known signal."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.data.schema import (
    AMOUNT,
    CATEGORY,
    DAYS_PLACEHOLDER,
    FLAG,
    FLOAT,
    INT,
    KIND_DTYPES,
    TABLES,
)


def missing_part(message: str) -> None:
    """A part the tests need is missing (the real sample, Chromium, the hub's proxy): a failure
    in CI, where .ci/run installs every part; elsewhere a skip saying why."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


DEFAULT_BY_KIND = {FLAG: "0", INT: "-100", AMOUNT: "1000.0", FLOAT: "0.5", CATEGORY: "A"}


def write_table(folder: Path, name: str, rows: list[dict], header: list[str] | None = None) -> Path:
    """Write one table in Kaggle's format; cells not given get a plain value of their kind."""
    columns = TABLES[name].columns
    header = header or list(columns)
    path = folder / f"{name}.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [
                    row.get(column, DEFAULT_BY_KIND.get(columns.get(column), "1"))
                    for column in header
                ]
            )
    return path


def write_tiny_dataset(folder: Path) -> Path:
    """Four known applicants (one without any history), two new ones, a little history."""
    folder.mkdir(parents=True, exist_ok=True)
    write_table(
        folder,
        "application_train",
        [
            {"SK_ID_CURR": "100002", "TARGET": "1", "AMT_CREDIT": "406597.5", "EXT_SOURCE_1": ""},
            {"SK_ID_CURR": "100003", "TARGET": "0", "DAYS_EMPLOYED": str(DAYS_PLACEHOLDER)},
            {"SK_ID_CURR": "100004", "TARGET": "0", "ORGANIZATION_TYPE": "XNA"},
            {"SK_ID_CURR": "100006", "TARGET": "0", "NAME_TYPE_SUITE": "", "CODE_GENDER": "M"},
        ],
    )
    write_table(folder, "application_test", [{"SK_ID_CURR": "100001"}, {"SK_ID_CURR": "100005"}])
    write_table(
        folder,
        "bureau",
        [
            {"SK_ID_CURR": "100002", "SK_ID_BUREAU": "5000001"},
            {"SK_ID_CURR": "100002", "SK_ID_BUREAU": "5000002", "AMT_ANNUITY": ""},
            {"SK_ID_CURR": "100001", "SK_ID_BUREAU": "5000003"},
        ],
    )
    write_table(
        folder,
        "bureau_balance",
        [
            {"SK_ID_BUREAU": "5000001", "MONTHS_BALANCE": "0", "STATUS": "C"},
            {"SK_ID_BUREAU": "5000001", "MONTHS_BALANCE": "-1", "STATUS": "0"},
            {"SK_ID_BUREAU": "5000002", "MONTHS_BALANCE": "0", "STATUS": "X"},
        ],
    )
    write_table(
        folder,
        "previous_application",
        [
            {"SK_ID_PREV": "2000001", "SK_ID_CURR": "100003", "CODE_REJECT_REASON": "XAP"},
            {
                "SK_ID_PREV": "2000002",
                "SK_ID_CURR": "100004",
                "DAYS_FIRST_DRAWING": str(DAYS_PLACEHOLDER) + ".0",
            },
        ],
    )
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        write_table(folder, name, [{"SK_ID_PREV": "2000001", "SK_ID_CURR": "100003"}])
    return folder


def make_table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A table with every Kaggle column in the loader's dtypes; unspecified cells are empty
    (or 0 for the never-empty integer kinds)."""
    columns = {}
    for column, kind in TABLES[name].columns.items():
        default = 0 if kind in ("ID", "FLAG", "INT") else None
        values = [row.get(column, default) for row in rows]
        if kind == "CATEGORY":
            columns[column] = pd.Categorical(values)
        else:
            columns[column] = pd.Series(
                [np.nan if v is None else v for v in values], dtype=KIND_DTYPES[kind]
            )
    return pd.DataFrame(columns)


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


# ----- dashboard tests ---------------------------------------------------------------------------
def text_of(html: str) -> str:
    """Visible text of an HTML snippet (tags removed, no-break-space entities as spaces)."""
    import re

    return re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ")


def row_with(data, decision: str) -> int:
    """The first row of the dashboard data whose decision (at the model's threshold) is this."""
    return int(np.flatnonzero(data.decision == decision)[0])


def show(app, row: int) -> None:
    """Put the client of ``row`` on the dashboard's page."""
    app.state.client_id = int(app.data.client_ids[row])
