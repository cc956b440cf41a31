"""Tables, figures (matplotlib) and the model card of the evaluation report (04_evaluate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve

from credit_scoring.model.threshold import cost_curve

COMPARED_METRICS = (
    "roc_auc",
    "pr_auc",
    "brier",
    "threshold",
    "cost",
    "cost_per_applicant",
    "recall",
    "precision",
    "acceptance_rate",
)
BASELINE_LABELS = {
    "always_accept": "always accept",
    "logistic_regression": "logistic regression",
    "external_score_rule": "external-score rule",
}


def comparison_table(metrics: Mapping) -> pd.DataFrame:
    """CatBoost and each baseline side by side (each at its own cost-minimizing threshold), with
    the model's gain in ROC AUC and cost over each."""
    rows = {"CatBoost": metrics["model"]}
    for name, values in metrics.get("baselines", {}).items():
        rows[BASELINE_LABELS.get(name, name)] = values
    table = pd.DataFrame(
        {name: {k: v.get(k) for k in COMPARED_METRICS} for name, v in rows.items()}
    )
    table = table.T
    model = metrics["model"]
    table["auc_gain_of_catboost"] = [
        None if row["roc_auc"] is None else model["roc_auc"] - row["roc_auc"]
        for _, row in table.iterrows()
    ]
    table["cost_saved_by_catboost"] = [row["cost"] - model["cost"] for _, row in table.iterrows()]
    return table


def decision_cost_table(metrics: Mapping) -> pd.DataFrame:
    """The model's total cost at the chosen threshold, at 0.5, and accepting everyone."""
    model = metrics["model"]
    return pd.DataFrame(
        {
            "policy": ["chosen threshold", "threshold 0.5", "accept everyone"],
            "threshold": [model["threshold"], 0.5, None],
            "total_cost": [model["cost"], model["cost_at_half"], model["cost_accept_all"]],
        }
    )


def confusion_table(metrics: Mapping) -> pd.DataFrame:
    """The confusion matrix as a 2x2 table (rows: outcome, columns: decision)."""
    matrix = metrics["model"]["confusion_matrix"]
    return pd.DataFrame(
        [
            [matrix["true_negative"], matrix["false_positive"]],
            [matrix["false_negative"], matrix["true_positive"]],
        ],
        index=["repaid (0)", "defaulted (1)"],
        columns=["granted", "refused"],
    )


def plot_roc_pr(targets, probabilities, baselines: Mapping[str, np.ndarray] | None = None):
    """ROC and precision-recall curves of the model (and of the given baselines)."""
    import matplotlib.pyplot as plt

    figure, (roc_axis, pr_axis) = plt.subplots(1, 2, figsize=(11, 4.5))
    curves = {"CatBoost": probabilities} | dict(baselines or {})
    for name, scores in curves.items():
        false_positive, true_positive, _ = roc_curve(targets, scores)
        roc_axis.plot(false_positive, true_positive, label=name)
        precision, recall, _ = precision_recall_curve(targets, scores)
        pr_axis.plot(recall, precision, label=name)
    roc_axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
    roc_axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve")
    pr_axis.axhline(np.mean(targets), color="grey", linestyle=":")
    pr_axis.set(xlabel="recall", ylabel="precision", title="Precision-recall curve")
    roc_axis.legend(loc="lower right")
    figure.tight_layout()
    return figure


def plot_reliability(calibration: Mapping):
    """Reliability curves (observed default rate vs mean probability) before/after calibration."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5.5, 5))
    for key, label in (("reliability_raw", "raw model"), ("reliability_calibrated", "displayed")):
        curve = calibration.get(key)
        if curve:
            axis.plot(curve["mean_predicted"], curve["observed_rate"], marker="o", label=label)
    top = max(max(calibration["reliability_raw"]["observed_rate"]), 0.05) * 1.1
    axis.plot([0, top], [0, top], color="grey", linestyle=":", label="perfect calibration")
    axis.set(
        xlabel="mean predicted probability (decile)",
        ylabel="observed default rate",
        title=f"Calibration ({calibration['method']}; Brier {calibration['brier_calibrated']:.4f})",
    )
    axis.legend()
    figure.tight_layout()
    return figure


def plot_cost_curve(targets, probabilities, threshold_info: Mapping):
    """Total business cost against the threshold, with the chosen point."""
    import matplotlib.pyplot as plt

    thresholds, costs = cost_curve(
        targets,
        probabilities,
        threshold_info["cost_false_negative"],
        threshold_info["cost_false_positive"],
    )
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(thresholds, costs)
    axis.scatter([threshold_info["threshold"]], [threshold_info["cost"]], color="red", zorder=3)
    axis.annotate(
        f"chosen: {threshold_info['threshold']:.3f}",
        (threshold_info["threshold"], threshold_info["cost"]),
        textcoords="offset points",
        xytext=(10, 10),
    )
    axis.axhline(threshold_info["cost_accept_all"], color="grey", linestyle=":", label="accept all")
    axis.set(
        xlim=(0, min(1.0, 6 * threshold_info["threshold"] + 0.05)),
        xlabel="threshold on the default probability",
        ylabel="total cost (out-of-fold)",
        title="Business cost against the decision threshold",
    )
    axis.legend()
    figure.tight_layout()
    return figure


def plot_confusion(metrics: Mapping):
    """The confusion matrix at the chosen threshold as an annotated image."""
    import matplotlib.pyplot as plt

    table = confusion_table(metrics)
    figure, axis = plt.subplots(figsize=(4.5, 4))
    axis.imshow(table.to_numpy(), cmap="Blues")
    for (row, column), value in np.ndenumerate(table.to_numpy()):
        axis.text(column, row, f"{value:,}", ha="center", va="center", color="black")
    axis.set_xticks([0, 1], table.columns)
    axis.set_yticks([0, 1], table.index)
    axis.set_title("Confusion matrix (chosen threshold)")
    figure.tight_layout()
    return figure


def _labels(catalog: Mapping | None, lang: str) -> dict[str, str]:
    if not catalog:
        return {}
    return {e["name"]: e.get(f"label_{lang}", e["name"]) for e in catalog.get("features", [])}


def plot_importance(importance: Sequence[Mapping], catalog: Mapping | None = None, top: int = 20):
    """Global SHAP importance: mean absolute contribution of the ``top`` features."""
    import matplotlib.pyplot as plt

    labels = _labels(catalog, "en")
    shown = list(importance[:top])[::-1]
    figure, axis = plt.subplots(figsize=(8, 0.3 * len(shown) + 1.2))
    axis.barh(
        [labels.get(item["feature"], item["feature"]) for item in shown],
        [item["mean_abs_contribution"] for item in shown],
    )
    axis.set(xlabel="mean |SHAP contribution| (log-odds)", title="Global importance")
    figure.tight_layout()
    return figure


def _fmt(value, pattern: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return pattern.format(value)


def fairness_measure_lines(measures: Mapping) -> list[str]:
    """Model-card lines of the fairness measures (fairness.fairness_measures) and their flags."""
    if not measures:
        return []
    lines = [
        "",
        "Acceptance ratio: a group's acceptance rate over the most accepted group's (flagged "
        "under 0.8). TPR: share of defaulters refused; FPR: share of clients who repaid but "
        "are refused (equal opportunity compares 1 - FPR).",
        "",
        "| attribute | group | acceptance ratio | TPR | FPR |",
        "|---|---|---|---|---|",
    ]
    flags = []
    for attribute, summary in measures.items():
        for row in summary["groups"]:
            ratio = row["acceptance_ratio"]
            shown = "too few to compare" if ratio is None else f"{ratio:.2f}"
            shown += " ⚠" if row["flagged"] else ""
            lines.append(
                f"| {attribute} | {row['group']} | {shown} | "
                f"{_fmt(row['true_positive_rate'])} | {_fmt(row['false_positive_rate'])} |"
            )
        flags += summary["flags"]
    lines += ["", "**Flags:**" if flags else "No fairness measure crosses its screening line."]
    lines += [f"- {flag}" for flag in flags]
    return lines


#: How the final model was made, as the model card says it.
FINAL_MODEL_WORDS = {
    "average": "the average of the cross-validation's fold models, each fit on the other folds",
    "refit": "fit on all training applicants",
}


def model_card(
    metrics: Mapping,
    threshold_info: Mapping,
    calibration: Mapping,
    importance: Sequence[Mapping],
    data_source: str,
    row_counts: Mapping[str, int],
    catalog: Mapping | None = None,
) -> str:
    """The model card in Markdown: data, intended use, metrics, fairness, limits."""
    model = metrics["model"]
    parameters = metrics["parameters"]
    labels = _labels(catalog, "en")
    comparison = comparison_table(metrics)
    lines = [
        "# Model card: probability of default (Prêt à dépenser)",
        "",
        f"Generated {datetime.now(UTC).isoformat(timespec='seconds')}.",
        "",
        "## Model",
        f"- CatBoost gradient-boosted trees (native categorical features), depth "
        f"{parameters['depth']}, learning rate {parameters['learning_rate']}, "
        f"{metrics['cross_validation']['final_model_trees']} trees in the final model "
        f"({FINAL_MODEL_WORDS[metrics['cross_validation'].get('final_model', 'refit')]}), "
        "trained on the "
        f"{str(parameters.get('device_used', 'cpu')).upper()} "
        f"(device setting: {parameters.get('device', 'cpu')}).",
        f"- {len(metrics['features'])} input features; protected inputs kept out of the model: "
        f"{', '.join(parameters['protected_features']) or 'none'}; excluded: "
        f"{', '.join(parameters['excluded_features']) or 'none'}.",
        f"- Class imbalance: {metrics['class_imbalance']}.",
        f"- Calibration: {calibration['method']} (measured slope "
        f"{calibration['measured_slope']:.2f}; Brier {calibration['brier_raw']:.4f} raw, "
        f"{calibration['brier_calibrated']:.4f} displayed).",
        "",
        "## Data",
        f"- Source: {data_source}.",
        "- Rows: " + ", ".join(f"{name} {count:,}" for name, count in row_counts.items()) + ".",
        f"- Training default rate: {model['default_rate']:.2%}.",
        "",
        "## Intended use",
        "- Support a relationship manager's credit decision for consumer-credit applicants, and "
        "explain it to the client (top reasons, comparison with similar clients).",
        "- Not for: fully automatic refusals without human review; populations, products or "
        "periods unlike the training data; any use of the protected attributes.",
        "",
        "## Decision rule",
        f"- Refuse when the displayed default probability is >= {threshold_info['threshold']:.4f}"
        f", the threshold that minimizes the out-of-fold business cost with a missed defaulter "
        f"costing {threshold_info['cost_false_negative']:g} and a refused good client "
        f"{threshold_info['cost_false_positive']:g}.",
        f"- Total cost (out-of-fold): {model['cost']:,.0f} at the chosen threshold, "
        f"{model['cost_at_half']:,.0f} at 0.5, {model['cost_accept_all']:,.0f} accepting all.",
        "",
        f"## Metrics ({metrics['cross_validation']['folds']}-fold cross-validation, out-of-fold)",
        f"- ROC AUC {_fmt(model['roc_auc'])}, PR AUC {_fmt(model['pr_auc'])}, recall "
        f"{_fmt(model['recall'])}, precision {_fmt(model['precision'])}, acceptance rate "
        f"{_fmt(model['acceptance_rate'])}.",
        "",
        "| model | ROC AUC | total cost | recall | precision | acceptance |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in comparison.iterrows():
        lines.append(
            f"| {name} | {_fmt(row['roc_auc'])} | {row['cost']:,.0f} | {_fmt(row['recall'])} | "
            f"{_fmt(row['precision'])} | {_fmt(row['acceptance_rate'])} |"
        )
    lines += [
        "",
        "## Fairness (out-of-fold, at the chosen threshold)",
        "| attribute | group | applicants | default rate | ROC AUC | acceptance rate |",
        "|---|---|---|---|---|---|",
    ]
    for row in metrics.get("fairness", []):
        lines.append(
            f"| {row['attribute']} | {row['group']} | {row['applicants']:,} | "
            f"{row['default_rate']:.2%} | {_fmt(row['roc_auc'])} | {row['acceptance_rate']:.2%} |"
        )
    lines += fairness_measure_lines(metrics.get("fairness_measures", {}))
    lines += ["", "## Most important features (mean |SHAP|)"]
    for item in importance[:10]:
        lines.append(f"- {labels.get(item['feature'], item['feature'])} ({item['feature']})")
    lines += [
        "",
        "## Limits",
        "- Trained on past applicants who were granted a loan: the outcome of refused "
        "applicants is unknown (selection bias).",
        "- Removing the protected inputs does not remove their proxies (age-related, family "
        "and income features); the fairness table must be watched at each retraining.",
        "- SHAP contributions explain the model, not the causes of default; they are additive "
        "in log-odds, not in probability.",
        "- On synthetic data, the metrics only show that the pipeline works; they say nothing "
        "of real-world performance.",
        "",
    ]
    return "\n".join(lines)


def write_model_card(text: str, path: Path | str) -> Path:
    """Write the model card."""
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
