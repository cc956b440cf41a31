"""What an analyst reads in notebook 01: row counts per table, features per source, missing
rates, and how the strongest features relate to TARGET (training applicants only)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from credit_scoring.data.schema import TABLES, TARGET
from credit_scoring.features.assembly import FeatureSet
from credit_scoring.features.catalog import GROUPS, entries_by_name


def table_row_counts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per Kaggle table: loaded or missing, rows, columns, applicants it covers."""
    records = []
    for name in TABLES:
        if name in tables:
            table = tables[name]
            applicants = table["SK_ID_CURR"].nunique() if "SK_ID_CURR" in table else np.nan
            records.append((name, "loaded", len(table), table.shape[1], applicants))
        else:
            records.append((name, "missing", 0, 0, np.nan))
    return pd.DataFrame(records, columns=["table", "status", "rows", "columns", "applicants"])


def features_per_source(feature_set: FeatureSet) -> pd.DataFrame:
    """Number of features built from each source table, with a few example names."""
    return pd.DataFrame(
        [
            (source, len(names), ", ".join(names[:4]) + (", ..." if len(names) > 4 else ""))
            for source, names in feature_set.sources.items()
        ],
        columns=["source", "features", "examples"],
    )


def features_per_group(feature_set: FeatureSet, lang: str = "en") -> pd.DataFrame:
    """Number of features in each catalog group (the groups the dashboard shows)."""
    counts = pd.Series([e["group"] for e in feature_set.catalog["features"]]).value_counts()
    return pd.DataFrame(
        {
            "group": list(GROUPS),
            "label": [GROUPS[g][lang] for g in GROUPS],
            "features": [int(counts.get(g, 0)) for g in GROUPS],
        }
    )


def missing_rates(feature_set: FeatureSet, lang: str = "en", top: int | None = 20) -> pd.DataFrame:
    """Share of applicants with a missing value, per feature, highest first."""
    entries = entries_by_name(feature_set.catalog)
    names = feature_set.feature_names
    rates = feature_set.frame[names].isna().mean()
    table = pd.DataFrame(
        {
            "feature": names,
            "label": [entries[n][f"label_{lang}"] for n in names],
            "source": [entries[n]["source"] for n in names],
            "missing_rate": rates.to_numpy(),
        }
    ).sort_values(["missing_rate", "feature"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    return table if top is None else table.head(top)


def _auc(values: np.ndarray, target: np.ndarray) -> float:
    """ROC AUC of ``values`` as a score for ``target`` (ties counted half), by ranks."""
    positives = target == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return np.nan
    ranks = pd.Series(values).rank(method="average").to_numpy()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def feature_target_strength(feature_set: FeatureSet, lang: str = "en") -> pd.DataFrame:
    """Per numeric feature, over training applicants with a value: its univariate ROC AUC
    against TARGET, and the strength |AUC - 0.5| (0 = no signal, 0.5 = perfect); strongest
    first. Analysis only: nothing here feeds back into the features."""
    frame = feature_set.frame
    train = frame[frame[TARGET].notna()]
    entries = entries_by_name(feature_set.catalog)
    records = []
    for name in feature_set.feature_names:
        if entries[name]["kind"] != "numeric":
            continue
        values = train[name].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        if known.sum() < 2 or np.nanstd(values) == 0:
            continue
        auc = _auc(values[known], train[TARGET].to_numpy()[known])
        records.append((name, entries[name][f"label_{lang}"], known.mean(), auc))
    table = pd.DataFrame(records, columns=["feature", "label", "filled_rate", "auc"])
    table["strength"] = (table["auc"] - 0.5).abs()
    return table.sort_values("strength", ascending=False, kind="stable").reset_index(drop=True)


def default_rate_by_decile(feature_set: FeatureSet, feature: str, bins: int = 10) -> pd.DataFrame:
    """Training applicants cut into (at most) ``bins`` equal-size groups of ``feature``, with
    each group's range, size and default rate; missing values form their own group."""
    frame = feature_set.frame
    train = frame[frame[TARGET].notna()]
    values = train[feature].astype("float64")
    groups = pd.qcut(values, q=bins, duplicates="drop")
    grouped = train.assign(group=groups, value=values).groupby("group", observed=True)
    summary = pd.DataFrame(
        {
            "from": grouped["value"].min(),
            "to": grouped["value"].max(),
            "applicants": grouped[TARGET].size(),
            "default_rate": grouped[TARGET].mean(),
        }
    ).reset_index(drop=True)
    missing = values.isna()
    if missing.any():
        summary.loc[len(summary)] = [
            np.nan,
            np.nan,
            int(missing.sum()),
            float(train.loc[missing, TARGET].mean()),
        ]
    return summary
