"""The client's one-page report (printable HTML) and the panel that offers it as a download."""

from __future__ import annotations

import base64
from datetime import date

import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.audit import record_action
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
from credit_scoring.dashboard.state import DashboardState, Panel, safe
from credit_scoring.i18n import translate
from credit_scoring.model.threshold import decide

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
@media print { body { margin: 0; } @page { size: A4; margin: 14mm; } }
"""


def client_report_html(
    data: DashboardData, client_id: int, lang: str, threshold: float, n_reasons: int = 5
) -> str:
    """A one-page HTML report for the client, in ``lang``: decision, probability, reasons, facts."""

    def words(key: str, **fields) -> str:
        return translate(key, lang, **fields)

    row = data.row_of(client_id)
    probability = float(data.probability[row])
    decision = decide(probability, threshold)
    colour = GRANTED_COLOUR if decision == "granted" else REFUSED_COLOUR
    reasons = reasons_for(data, row, n_reasons, lang)
    summary = summary_for(data, row, threshold, lang)
    facts = "".join(
        f"<tr><th>{escape(data.label(name, lang))}</th>"
        f"<td>{escape(data.display_value(name, data.value(name, row), lang))}</td></tr>"
        for name in key_facts(data)
    )
    reason_items = "".join(f"<li>{escape(reason_line(reason, lang))}</li>" for reason in reasons)
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
<p>{
        escape(
            words(
                "report.probability",
                probability=fmt.percent(probability, lang),
                threshold=fmt.percent(threshold, lang),
            )
        )
    }</p>
<p>{escape(distance_words(probability, threshold, lang))}</p>
<h2>{escape(words("report.reasons"))}</h2>
<p>{escape(summary)}</p>
<ul>{reason_items}</ul>
<h2>{escape(words("report.information"))}</h2>
<table>{facts}</table>
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
        state.observe(self._outdated, ["client_id", "lang", "threshold", "n_contributions"])
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
        self.html = client_report_html(
            self.data,
            self.state.client_id,
            self.state.lang,
            self.state.threshold,
            max(self.state.n_contributions, 3),
        )
        record_action(self.state, "report_downloaded")  # the report leaves the server now
        file_name = f"{self.words('report.file_prefix')}_{self.state.client_id}.html"
        self.link.value = download_link(self.html, file_name, self.words("report.download"))
