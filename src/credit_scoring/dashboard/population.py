"""Population panel: is the tool still trustworthy? The model's date, the latest monitoring of
new applicants (``credit-scoring monitor``) and the drift of the score, in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.state import DashboardState, Panel, safe
from credit_scoring.errors import ArtifactError
from credit_scoring.i18n import translate
from credit_scoring.i18n.formatting import format_count, format_date, format_number
from credit_scoring.monitor.monitoring import read_monitoring

#: Note kind (page colour) of each monitoring verdict.
VERDICT_KIND = {"stable": "info", "moderate": "warning", "significant": "error"}


def _date(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def population_lines(
    manifest: Mapping, monitoring: Mapping | None, lang: str
) -> list[tuple[str, str]]:
    """(kind, sentence) pairs of the panel: "text" lines, or a note kind for the verdict."""
    lines = []
    model_date = _date(manifest.get("created_at"))
    if model_date is not None:
        lines.append(
            ("text", translate("monitoring.model_date", lang, date=format_date(model_date, lang)))
        )
    if monitoring is None:
        lines.append(("text", translate("monitoring.none", lang)))
        return lines
    summary = monitoring.get("summary", {})
    checked = _date(monitoring.get("created_at"))
    lines.append(
        (
            "text",
            translate(
                "monitoring.latest",
                lang,
                date=format_date(checked, lang) if checked else "?",
                applicants=format_count(int(summary.get("new_applicants", 0)), lang),
            ),
        )
    )
    if checked is not None and model_date is not None and checked < model_date:
        lines.append(("warning", translate("monitoring.older_than_model", lang)))
    verdict = summary.get("verdict", "stable")
    lines.append(
        (VERDICT_KIND.get(verdict, "warning"), translate(f"monitoring.verdict.{verdict}", lang))
    )
    if summary.get("score_psi") is not None:
        level = translate(f"monitoring.level.{summary.get('score_verdict', 'stable')}", lang)
        psi = format_number(float(summary["score_psi"]), 2, lang)
        lines.append(("text", translate("monitoring.score_drift", lang, psi=psi, verdict=level)))
    return lines


class PopulationPanel(Panel):
    """The model's date, the latest monitoring verdict and the score's drift."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        try:
            self.monitoring = read_monitoring(data.artifacts_dir)
        except ArtifactError:  # no monitoring run yet: the panel says so
            self.monitoring = None
        self.title = widgets.HTML()
        self.body = widgets.HTML()
        self.body.add_class("cs-population")
        self.widget = widgets.VBox([self.title, self.body, self.message])
        self.widget.add_class("cs-panel")
        state.observe(self.redraw, "lang")
        self.redraw()

    @safe
    def redraw(self, _change=None) -> None:
        """Draw the panel in the current language."""
        self.title.value = f"<h3>{self.words('monitoring.title')}</h3>"
        parts = []
        for kind, text in population_lines(self.data.manifest, self.monitoring, self.state.lang):
            if kind == "text":
                parts.append(f'<div class="cs-hint">{fmt.escape(text)}</div>')
            else:
                parts.append(f'<div class="cs-note cs-note-{kind}">{fmt.escape(text)}</div>')
        self.body.value = "".join(parts)
