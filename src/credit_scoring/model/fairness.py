"""Fairness report: how the model ranks and decides within gender and age groups.

The protected inputs themselves are kept out of the model (training.model_feature_names); this
report shows whether the decisions still differ across groups.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from credit_scoring.model.metrics import safe_roc_auc

#: Age bands in years (lower bounds); the last band is open.
AGE_BAND_EDGES = (0, 30, 40, 50, 60)
AGE_BAND_LABELS = ("< 30", "30-39", "40-49", "50-59", "60+")
DAYS_PER_YEAR = 365.25


def age_bands(days_birth) -> np.ndarray:
    """Age band of each applicant from DAYS_BIRTH (negative days before the application)."""
    years = -np.asarray(days_birth, dtype=np.float64) / DAYS_PER_YEAR
    index = np.searchsorted(np.array(AGE_BAND_EDGES[1:]), years, side="right")
    labels = np.asarray(AGE_BAND_LABELS, dtype=object)[index]
    labels[np.isnan(years)] = "unknown"
    return labels.astype(str)


def fairness_groups(applications: pd.DataFrame) -> dict[str, np.ndarray]:
    """Group of each applicant by gender (CODE_GENDER) and age band (DAYS_BIRTH, or AGE_YEARS
    of the feature table), for the columns present in the rows given."""
    groups = {}
    if "CODE_GENDER" in applications:
        gender = applications["CODE_GENDER"]
        gender = gender.astype(object).where(gender.notna(), "unknown")
        groups["gender"] = gender.astype(str).to_numpy()
    if "DAYS_BIRTH" in applications:
        groups["age_band"] = age_bands(applications["DAYS_BIRTH"])
    elif "AGE_YEARS" in applications:
        years = pd.to_numeric(applications["AGE_YEARS"], errors="coerce").to_numpy(np.float64)
        groups["age_band"] = age_bands(-years * DAYS_PER_YEAR)
    return groups


def fairness_table(
    groups: Mapping[str, np.ndarray], targets, probabilities, threshold: float
) -> pd.DataFrame:
    """One row per (attribute, group): applicants, default rate, mean probability, ROC AUC (None
    when the group holds a single outcome) and acceptance rate at the threshold."""
    targets = np.asarray(targets, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    rows = []
    for attribute, labels in groups.items():
        labels = np.asarray(labels)
        order = {label: rank for rank, label in enumerate(AGE_BAND_LABELS)}
        for group in sorted(np.unique(labels), key=lambda g: (order.get(g, len(order)), g)):
            inside = labels == group
            rows.append(
                {
                    "attribute": attribute,
                    "group": str(group),
                    "applicants": int(inside.sum()),
                    "default_rate": float(targets[inside].mean()),
                    "mean_probability": float(probabilities[inside].mean()),
                    "roc_auc": safe_roc_auc(targets[inside], probabilities[inside]),
                    "acceptance_rate": float(np.mean(probabilities[inside] < threshold)),
                }
            )
    return pd.DataFrame(rows)
