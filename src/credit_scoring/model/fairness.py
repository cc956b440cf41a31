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


#: Screening line of the acceptance-rate ratio (the "four-fifths rule").
ACCEPTANCE_RATIO_LINE = 0.8
#: A gap in true- or false-positive rate above this is worth a look (10 percentage points).
RATE_GAP_LINE = 0.10
#: Groups smaller than this are reported but neither flagged nor used as the reference.
MIN_GROUP_SIZE = 50


def _acceptance_rate(y_true, y_pred) -> float:
    return float(1.0 - np.mean(y_pred)) if len(y_pred) else float("nan")


def fairness_measures(
    groups: Mapping[str, np.ndarray],
    targets,
    probabilities,
    threshold: float,
    min_group_size: int = MIN_GROUP_SIZE,
) -> dict:
    """Fairness measures at the decision threshold, per attribute (gender, age band), with
    fairlearn's MetricFrame.

    The prediction is "refused" (default_probability >= threshold) and the outcome TARGET
    (1 = default). Per group: acceptance rate, its ratio to the most favoured group's (flagged
    under 0.8), true-positive rate (share of defaulters refused) and false-positive rate (share
    of clients who repaid but are refused: the harm that equal opportunity looks at, since
    1 - FPR is a good client's chance of being accepted). Per attribute: the smallest acceptance
    ratio and the gaps (largest minus smallest) of both rates between groups, flagged above 0.10.
    Groups with fewer than ``min_group_size`` applicants are listed but not compared.

    Returns {attribute: {"groups": [...], "min_acceptance_ratio", "true_positive_rate_gap",
    "false_positive_rate_gap", "flags": [plain-English sentences]}}.
    """
    from fairlearn.metrics import MetricFrame, false_positive_rate, true_positive_rate

    targets = np.asarray(targets, dtype=np.int64)
    refused = (np.asarray(probabilities, dtype=np.float64) >= threshold).astype(np.int64)
    metrics = {
        "acceptance_rate": _acceptance_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
    }
    result = {}
    for attribute, labels in groups.items():
        labels = np.asarray(labels).astype(str)
        sizes = pd.Series(labels).value_counts()
        compared = sizes.index[sizes >= min_group_size]
        frame = MetricFrame(
            metrics=metrics, y_true=targets, y_pred=refused, sensitive_features=labels
        ).by_group
        inside = np.isin(labels, compared)
        if inside.any():
            between = MetricFrame(
                metrics=metrics,
                y_true=targets[inside],
                y_pred=refused[inside],
                sensitive_features=labels[inside],
            )
            gaps = between.difference(method="between_groups")
            best = float(between.by_group["acceptance_rate"].max())
        else:
            gaps, best = pd.Series(np.nan, index=list(metrics)), np.nan
        rows = []
        for group, values in frame.iterrows():
            ratio = values["acceptance_rate"] / best if best and best == best else np.nan
            is_compared = group in set(compared)
            rows.append(
                {
                    "group": str(group),
                    "applicants": int(sizes[group]),
                    "compared": bool(is_compared),
                    "acceptance_rate": float(values["acceptance_rate"]),
                    "acceptance_ratio": float(ratio) if is_compared else None,
                    "true_positive_rate": float(values["true_positive_rate"]),
                    "false_positive_rate": float(values["false_positive_rate"]),
                    "flagged": bool(is_compared and ratio < ACCEPTANCE_RATIO_LINE),
                }
            )
        order = {label: rank for rank, label in enumerate(AGE_BAND_LABELS)}
        rows.sort(key=lambda row: (order.get(row["group"], len(order)), row["group"]))
        ratios = [row["acceptance_ratio"] for row in rows if row["compared"]]
        summary = {
            "groups": rows,
            "min_acceptance_ratio": float(min(ratios)) if ratios else None,
            "true_positive_rate_gap": float(gaps["true_positive_rate"]),
            "false_positive_rate_gap": float(gaps["false_positive_rate"]),
        }
        summary["flags"] = fairness_flags(attribute, summary)
        result[attribute] = summary
    return result


def fairness_flags(attribute: str, summary: Mapping) -> list[str]:
    """The findings of one attribute's measures in plain English (empty when nothing is flagged)."""
    name = attribute.replace("_", " ")
    rows = [row for row in summary["groups"] if row["compared"]]
    flags = []
    if rows:
        favoured = max(rows, key=lambda row: row["acceptance_rate"])
        for row in rows:
            if row["flagged"]:
                flags.append(
                    f"{name} {row['group']}: {row['acceptance_rate']:.0%} accepted against "
                    f"{favoured['acceptance_rate']:.0%} for {favoured['group']}, a ratio of "
                    f"{row['acceptance_ratio']:.2f}, under the {ACCEPTANCE_RATIO_LINE} screening "
                    "line: check whether the difference is justified by risk."
                )
    for key, words in (
        ("true_positive_rate_gap", "defaulters refused"),
        ("false_positive_rate_gap", "clients who repaid but are refused"),
    ):
        gap = summary.get(key)
        if gap is not None and gap == gap and gap > RATE_GAP_LINE:
            rate = key.removesuffix("_gap")
            high = max(rows, key=lambda row: row[rate])
            low = min(rows, key=lambda row: row[rate])
            flags.append(
                f"{name}: the share of {words} differs by {gap * 100:.1f} percentage points "
                f"between groups ({high['group']} {high[rate]:.0%}, {low['group']} "
                f"{low[rate]:.0%}), more than {RATE_GAP_LINE * 100:.0f}."
            )
    return flags


def fairness_measures_table(measures: Mapping) -> pd.DataFrame:
    """One row per (attribute, group) of fairness_measures' result, for display."""
    rows = [
        {"attribute": attribute, **row}
        for attribute, summary in measures.items()
        for row in summary["groups"]
    ]
    return pd.DataFrame(rows)


def fairness_findings(measures: Mapping) -> list[str]:
    """Every flag of fairness_measures' result in plain English, or one sentence saying that
    nothing crosses a screening line."""
    flags = [flag for summary in measures.values() for flag in summary["flags"]]
    return flags or ["No fairness measure crosses its screening line."]
