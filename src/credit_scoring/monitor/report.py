"""The monitoring report: one self-contained HTML page (charts embedded as PNG), in English for
the analyst: the verdict in plain words, the score and the most drifted features drawn (training
against new), and the table of every feature."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np

from credit_scoring.monitor.drift import VariableDrift
from credit_scoring.monitor.monitoring import MONITORING, MonitoringResult, write_monitoring_json

DRAWN_FEATURES = 8
COLOURS = {"stable": "#2e7d32", "moderate": "#ef6c00", "significant": "#c62828"}
HEADLINES = {
    "stable": "Stable: the new applicants look like the training population.",
    "moderate": (
        "Moderate drift: some inputs moved. The model still applies, but watch the features "
        "below and plan a retraining if the shift grows."
    ),
    "significant": (
        "Significant drift: the score or an important feature moved a lot. The model's "
        "decisions on these applicants are less reliable: check the data, then retrain."
    ),
}


def drift_figure(item: VariableDrift, title: str | None = None):
    """A matplotlib figure of one variable's bins: training against new shares (in %)."""
    from matplotlib import pyplot as plt

    title = title or f"{item.name}: PSI {item.psi:.3f}, {item.verdict}"

    keep = [i for i, label in enumerate(item.bins) if item.shares_train[i] or item.shares_new[i]]
    labels = [item.bins[i] for i in keep]
    train = np.array([item.shares_train[i] for i in keep]) * 100
    new = np.array([item.shares_new[i] for i in keep]) * 100
    positions = np.arange(len(labels))
    figure, axis = plt.subplots(figsize=(6.2, 2.9), dpi=90)
    axis.bar(positions - 0.2, train, 0.4, label="training", color="#90a4ae")
    axis.bar(positions + 0.2, new, 0.4, label="new applicants", color=COLOURS[item.verdict])
    axis.set_xticks(positions, labels, rotation=35, ha="right", fontsize=7)
    axis.set_ylabel("% of applicants", fontsize=8)
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _chart(item: VariableDrift, title: str) -> str:
    from matplotlib import pyplot as plt

    figure = drift_figure(item, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}">'


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def _badge(verdict: str) -> str:
    return f'<span class="badge" style="background:{COLOURS[verdict]}">{verdict}</span>'


def render_html(result: MonitoringResult, labels: dict[str, str] | None = None) -> str:
    """The report as an HTML page. ``labels``: feature name → words shown beside it."""
    labels = labels or {}
    summary = result.summary()
    verdict = result.verdict
    counts = summary["features_by_verdict"]
    alerts = ", ".join(result.alerts) or "none"
    small = (
        f"<p class='warn'>Only {result.new_applicants} new applicants: with fewer than 500 the "
        "PSI is noisy; read the verdicts with the p-values.</p>"
        if result.small_batch
        else ""
    )
    refusal = ""
    if result.refusal_rate_train is not None and result.refusal_rate_new is not None:
        refusal = (
            f"<li>Refused at the model's threshold: {result.refusal_rate_train:.1%} of training "
            f"applicants, {result.refusal_rate_new:.1%} of new applicants.</li>"
        )
    drifted = sorted(result.features, key=lambda item: item.psi, reverse=True)[:DRAWN_FEATURES]

    def title(item: VariableDrift) -> str:
        words = labels.get(item.name)
        named = f"{item.name} ({words})" if words else item.name
        return f"{named}: PSI {item.psi:.3f}, {item.verdict}"

    charts = []
    if result.score is not None:
        charts.append(_chart(result.score, f"Default probability: PSI {result.score.psi:.3f}"))
    charts += [_chart(item, title(item)) for item in drifted]
    score_line = (
        f"<li>Score (default probability): PSI {result.score.psi:.3f}, "
        f"{_badge(result.score.verdict)}.</li>"
        if result.score is not None
        else "<li>Score: not compared.</li>"
    )
    table = result.table()
    top = set(result.top_features)
    rows = []
    for record in table.to_dict(orient="records"):
        name = record["name"]
        rank = record["importance_rank"]
        rank = "" if rank is None or rank != rank else f"#{int(rank)}"
        rows.append(
            "<tr{cls}><td>{name}</td><td>{words}</td><td>{rank}</td><td>{psi}</td>"
            "<td>{badge}</td><td>{p}</td><td>{mt}</td><td>{mn}</td><td>{miss}</td>"
            "<td>{unseen}</td></tr>".format(
                cls=' class="top"' if name in top or record["kind"] == "score" else "",
                name=html.escape(name),
                words=html.escape(labels.get(name, "")),
                rank=rank,
                psi=f"{record['psi']:.3f}",
                badge=_badge(record["verdict"]),
                p=_number(record["p_value"], 2),
                mt=_number(record["mean_train"]),
                mn=_number(record["mean_new"]),
                miss=f"{record['missing_rate_train']:.1%} → {record['missing_rate_new']:.1%}",
                unseen=html.escape(record["unseen_levels"] or ""),
            )
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Monitoring of new applicants</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }}
.verdict {{ padding: 12px 16px; border-left: 8px solid {COLOURS[verdict]};
  background: #f7f7f7; font-size: 1.1em; }}
.badge {{ color: white; padding: 1px 7px; border-radius: 8px; font-size: 0.85em; }}
.warn {{ color: #8a4b00; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 8px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }}
tr.top td:first-child {{ font-weight: bold; }}
</style></head><body>
<h1>Monitoring of new applicants</h1>
<p class="verdict">{_badge(verdict)} {html.escape(HEADLINES[verdict])}</p>
{small}
<ul>
<li>{result.new_applicants:,} new applicants ({html.escape(result.data_source)}) compared with
{result.training_applicants:,} training applicants ({html.escape(result.artifacts)}),
on {result.created_at}.</li>
{score_line}
{refusal}
<li>Features: {counts["significant"]} significant, {counts["moderate"]} moderate,
{counts["stable"]} stable. Alerts (score or top-{len(result.top_features)} feature,
significant): {html.escape(alerts)}.</li>
</ul>
<p>How to read it: the population stability index (PSI) measures how far each distribution
moved (under 0.1 stable, 0.1 to 0.25 moderate, over 0.25 significant) and decides the verdict.
The p-value of a Kolmogorov-Smirnov (numbers) or chi-square (categories) test is shown too:
with thousands of applicants it is tiny for shifts too small to matter, so it does not decide.
Bold rows are the score and the features the model relies on most.</p>
<h2>The score and the most drifted features (training against new)</h2>
<div class="charts">{"".join(charts)}</div>
<h2>Every feature</h2>
<table><thead><tr><th>feature</th><th>meaning</th><th>importance</th><th>PSI</th>
<th>verdict</th><th>p-value</th><th>mean (training)</th><th>mean (new)</th><th>missing</th>
<th>levels never seen in training</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""


def write_report(
    result: MonitoringResult,
    json_path: Path | str,
    html_path: Path | str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Write monitoring.json and, when ``html_path`` is given, the HTML report."""
    written = {MONITORING: write_monitoring_json(result, json_path)}
    if html_path is not None:
        html_path = Path(html_path)
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(result, labels), encoding="utf-8")
        written["report"] = html_path
    return written
