"""The client's one-page report (printable HTML) and the panel that offers it as a download."""

from __future__ import annotations

import base64
from datetime import date

import ipywidgets as widgets

from credit_scoring.artifacts import METRICS, read_json_artifact
from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.audit import record_action
from credit_scoring.dashboard.conversation import (
    page_latest_review,
    principal_reasons_of,
    recourse_of,
    review_lines,
)
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.explanation import (
    distance_words,
    reason_line,
    reasons_for,
    summary_for,
)
from credit_scoring.dashboard.formatting import escape
from credit_scoring.dashboard.info import key_facts
from credit_scoring.dashboard.score import GRANTED_COLOUR, REFUSED_COLOUR
from credit_scoring.dashboard.state import DashboardState, Panel, log, safe
from credit_scoring.i18n import translate
from credit_scoring.model.threshold import decide
from credit_scoring.scoring.recourse import Recourse
from credit_scoring.service.audit import AuditError
from credit_scoring.service.reviews import Review

REPORT_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #222; max-width: 760px; margin: 24px auto;
       font-size: 13px; }
h1 { font-size: 20px; margin-bottom: 2px; } h2 { font-size: 15px; margin: 16px 0 6px; }
.decision { display: inline-block; color: #fff; padding: 6px 12px; border-radius: 4px;
            font-weight: bold; font-size: 15px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { width: 55%; font-weight: normal; }
.small { color: #555; font-size: 11px; }
.simulation { border: 2px dashed #f57c00; background: #fff4e5; padding: 4px 10px; }
.review { background: #f5f7fa; padding: 2px 10px; }
@media print { body { margin: 0; } @page { size: A4; margin: 14mm; } }
"""


def protected_features(data: DashboardData) -> list[str]:
    """The fields kept out of the model on purpose (the manifest's training parameters, else
    metrics.json's): never "taken into account"."""
    train = data.manifest.get("parameters", {}).get("train", {})
    names = train.get("protected_features")
    if names is None:
        metrics = read_json_artifact(data.artifacts_dir, METRICS)
        names = metrics.get("parameters", {}).get("protected_features", [])
    return [str(name) for name in names]


def facts_taken_into_account(data: DashboardData) -> tuple[list[str], list[str]]:
    """The key facts of the report that the model uses, and the protected fields not used."""
    used = set(data.model_features)
    protected = protected_features(data)
    facts = [name for name in key_facts(data) if name in used and name not in protected]
    shown_apart = [name for name in protected if name in data.entries]
    return facts, shown_apart


def client_report_html(
    data: DashboardData,
    client_id: int,
    lang: str,
    threshold: float | None = None,
    n_reasons: int = 5,
    review: Review | None = None,
    recourse: Recourse | None = None,
) -> str:
    """A one-page HTML report for the client, in ``lang``.

    The decision is the model's, at the model's threshold (or the manager's, when a review
    ``review`` overrode it); a different ``threshold`` (the page's slider moved) is shown apart,
    as a simulation, never as the decision. Then the principal reasons of a refusal, what would
    change the decision (``recourse``, searched at the model's threshold when not given), the
    latest review, and the client's information that the model uses.
    """

    def words(key: str, **fields) -> str:
        return translate(key, lang, **fields)

    row = data.row_of(client_id)
    model_threshold = float(data.threshold)
    probability = float(data.probability[row])
    model_decision = data.decision_of(row)
    decision = model_decision if review is None else review.final_decision
    colour = GRANTED_COLOUR if decision == "granted" else REFUSED_COLOUR
    overridden = ""
    if decision != model_decision:
        overridden = "<p><b>{}</b></p>".format(
            escape(words("report.overridden", decision=words(f"decision.{model_decision}_long")))
        )
    simulation = ""
    if threshold is not None and abs(float(threshold) - model_threshold) > 1e-9:
        simulated = decide(probability, float(threshold))
        simulation = (
            '<div class="simulation">'
            f"<h2>{escape(words('report.simulation_title'))}</h2><p>"
            + escape(
                words(
                    "report.simulation",
                    threshold=fmt.percent(float(threshold), lang),
                    model_threshold=fmt.percent(model_threshold, lang),
                    decision=words(f"decision.{simulated}"),
                )
            )
            + "</p></div>"
        )
    if model_decision == "refused":
        principal = principal_reasons_of(data, row, lang)
        reason_items = "".join(f"<li>{escape(reason.text)}</li>" for reason in principal)
        reasons_html = f"<ol>{reason_items}</ol>"
    else:
        summary = summary_for(data, row, model_threshold, lang)
        reasons = reasons_for(data, row, n_reasons, lang)
        reason_items = "".join(f"<li>{escape(reason_line(item, lang))}</li>" for item in reasons)
        reasons_html = f"<p>{escape(summary)}</p><ul>{reason_items}</ul>"
    recourse = recourse if recourse is not None else recourse_of(data, row, model_threshold)
    option_items = "".join(
        "<li>{} → {}</li>".format(
            escape(option.text(lang)),
            escape(
                translate(
                    "conversation.option_score",
                    lang,
                    probability=fmt.percent(option.default_probability, lang),
                    decision=words(f"decision.{option.decision}_long").lower(),
                )
            ),
        )
        for option in recourse.options
    )
    if not recourse.options:  # the honest "nothing within the lender's bounds works"
        changes_html = f"<p>{escape(recourse.text(lang))}</p>"
    elif recourse.decision == "refused":
        changes_html = f"<p>{escape(words('report.changes_intro'))}</p><ul>{option_items}</ul>"
    else:
        changes_html = f"<ul>{option_items}</ul>"
    if review is None:
        review_html = f"<p>{escape(words('report.no_review'))}</p>"
    else:
        review_html = "".join(f"<p>{escape(line)}</p>" for line in review_lines(review, lang))
    facts_used, not_used = facts_taken_into_account(data)
    facts = "".join(
        f"<tr><th>{escape(data.label(name, lang))}</th>"
        f"<td>{escape(data.display_value(name, data.value(name, row), lang))}</td></tr>"
        for name in facts_used
    )
    not_used_html = ""
    if not_used:
        labels = ", ".join(data.label(name, lang) for name in not_used)
        not_used_html = f'<p class="small">{escape(words("report.not_used", fields=labels))}</p>'
    today = date.today().isoformat()
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{escape(words("report.title", client=client_id))}</title>
<style>{REPORT_STYLE}</style></head>
<body>
<h1>{escape(words("report.title", client=client_id))}</h1>
<div class="small">{escape(words("report.issued", date=today))}</div>
<h2>{escape(words("report.decision"))}</h2>
<p><span class="decision" style="background:{colour}">{
        escape(words("decision." + decision + "_long"))
    }</span></p>
{overridden}
<p>{
        escape(
            words(
                "report.probability",
                probability=fmt.percent(probability, lang),
                threshold=fmt.percent(model_threshold, lang),
            )
        )
    }</p>
<p>{escape(distance_words(probability, model_threshold, lang))}</p>
<p class="small">{escape(words("report.support"))}</p>
{simulation}
<h2>{escape(words("report.reasons"))}</h2>
{reasons_html}
<h2>{escape(words("report.changes"))}</h2>
{changes_html}
<h2>{escape(words("report.review"))}</h2>
<div class="review">{review_html}</div>
<h2>{escape(words("report.information"))}</h2>
<table>{facts}</table>
{not_used_html}
<p class="small">{escape(words("report.footer"))}</p>
</body></html>
"""


def download_link(html: str, file_name: str, text: str) -> str:
    """An HTML link that downloads ``html`` as a file (data: URI, no server round trip)."""
    payload = base64.b64encode(html.encode("utf-8")).decode("ascii")
    return (
        f'<a class="cs-report-link" download="{escape(file_name)}" '
        f'href="data:text/html;charset=utf-8;base64,{payload}" target="_blank">{escape(text)}</a>'
    )


class ReportPanel(Panel):
    """A button that prepares the client's report and a link to download it."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.html = ""
        self.button = widgets.Button(icon="file-text", layout=widgets.Layout(width="auto"))
        self.button.add_class("cs-report-button")
        self.link = widgets.HTML()
        self.button.on_click(lambda _button: self.prepare())
        self.widget = widgets.VBox([widgets.HBox([self.button, self.link]), self.message])
        self.widget.add_class("cs-panel")
        state.observe(
            self._outdated,
            ["client_id", "lang", "threshold", "n_contributions", "reviews_recorded"],
        )
        self._outdated()

    @safe
    def _outdated(self, _change=None) -> None:
        self.button.description = self.words("report.button")
        self.link.value = ""
        self.html = ""

    @safe
    def prepare(self) -> None:
        """Write the report of the current client and offer it for download."""
        if self.state.client_id is None:
            return
        try:
            review = page_latest_review(self.state.client_id)
        except AuditError as error:  # the report says "not reviewed" only when it knows
            log.error("reviews: %s", error)
            self.say("review.error.store", kind="error")
            return
        self.html = client_report_html(
            self.data,
            self.state.client_id,
            self.state.lang,
            self.state.threshold,
            max(self.state.n_contributions, 3),
            review=review,
        )
        record_action(self.state, "report_downloaded")  # the report leaves the server now
        file_name = f"{self.words('report.file_prefix')}_{self.state.client_id}.html"
        self.link.value = download_link(self.html, file_name, self.words("report.download"))
