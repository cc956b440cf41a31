"""The dashboard assembled from its panels around one state object."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import ipywidgets as widgets

from credit_scoring.dashboard.audit import attach_audit
from credit_scoring.dashboard.compare import ComparisonPanel
from credit_scoring.dashboard.conversation import ConversationPanel
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.formatting import escape
from credit_scoring.dashboard.info import ClientInfoPanel
from credit_scoring.dashboard.picker import ClientPicker
from credit_scoring.dashboard.population import PopulationPanel
from credit_scoring.dashboard.report import ReportPanel
from credit_scoring.dashboard.score import ScorePanel
from credit_scoring.dashboard.state import DashboardState, Panel, log, safe
from credit_scoring.dashboard.whatif import WhatIfPanel
from credit_scoring.dashboard.why import WhyPanel
from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n import LANGUAGES, check_language, translate

ARTIFACTS_ENV = "CREDIT_SCORING_ARTIFACTS"

PAGE_STYLE = """
<style>
.cs-app { font-size: 15px; color: #1f2933; }
.cs-app h2 { margin: 4px 0 2px; font-size: 24px; }
.cs-app h3 { margin: 4px 0 6px; font-size: 18px; border-bottom: 2px solid #e0e6eb; }
.cs-app h4 { margin: 8px 0 4px; font-size: 15px; }
.cs-panel { background: #fff; border: 1px solid #dfe3e8; border-radius: 6px; padding: 8px 12px;
            margin: 0 0 10px 0; box-sizing: border-box; }
.cs-note { padding: 6px 10px; border-radius: 4px; margin: 4px 0; font-weight: bold; }
.cs-note-warning { background: #fff4e5; color: #8a4b00; border-left: 4px solid #f57c00; }
.cs-note-error { background: #fdecea; color: #8e1b1b; border-left: 4px solid #c62828; }
.cs-note-info { background: #e8f1fb; color: #0b4a85; border-left: 4px solid #1565c0; }
.cs-score-grid > div { margin: 3px 0; }
.cs-client-name { font-size: 15px; color: #52606d; }
.cs-probability { font-size: 20px; }
.cs-decision { display: inline-block; color: #fff; font-size: 22px; font-weight: bold;
               padding: 6px 14px; border-radius: 5px; }
.cs-distance, .cs-outcome { font-size: 15px; }
.cs-policy { font-size: 13px; color: #52606d; }
.cs-hint { font-size: 13px; color: #52606d; }
.cs-summary-text { font-size: 15px; background: #f5f7fa; padding: 6px 10px; border-radius: 4px; }
.cs-facts, .cs-field-table, .cs-whatif-table { border-collapse: collapse; width: 100%; }
.cs-facts th, .cs-facts td, .cs-field-table th, .cs-field-table td, .cs-whatif-table th,
.cs-whatif-table td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef1f4;
                      font-size: 14px; vertical-align: top; }
.cs-facts th, .cs-field-table th { font-weight: normal; color: #52606d; width: 55%; }
.cs-position-text { font-size: 14px; }
.cs-legend { font-size: 13px; }
.cs-report-link { font-weight: bold; font-size: 15px; margin-left: 12px; line-height: 32px; }
.cs-app .widget-label { font-size: 14px; }
</style>
"""


@cache
def load_data(artifacts_dir: str) -> DashboardData:
    """The artifacts of a folder, loaded once per kernel."""
    return DashboardData(artifacts_dir)


class DashboardApp(Panel):
    """The page: header with language switch, then the panels. ``widget`` is what Voilà shows."""

    def __init__(self, data: DashboardData, lang: str = "fr") -> None:
        state = DashboardState(lang=check_language(lang))
        super().__init__(state)
        self.data = data
        state.default_threshold = data.threshold
        state.threshold = data.threshold
        state.client_id = int(data.client_ids[0])
        self.picker = ClientPicker(state, data)
        self.score = ScorePanel(state, data)
        self.why = WhyPanel(state, data)
        self.info = ClientInfoPanel(state, data)
        self.compare = ComparisonPanel(state, data)
        self.whatif = WhatIfPanel(state, data)
        self.conversation = ConversationPanel(state, data)
        self.report = ReportPanel(state, data)
        self.population = PopulationPanel(state, data)
        self.header = widgets.HTML()
        self.language = widgets.ToggleButtons(
            options=[(translate("language_name", code), code) for code in LANGUAGES],
            value=state.lang,
            style={"button_width": "90px"},
        )
        self.language.add_class("cs-language")
        self.language_link = widgets.link((state, "lang"), (self.language, "value"))
        state.observe(self._relabel, "lang")
        self.selection_note = widgets.HTML()
        left = widgets.VBox(
            [self.picker.widget, self.population.widget],
            layout=widgets.Layout(width="30%", padding="0 10px 0 0"),
        )
        middle = widgets.VBox(
            [self.score.widget, self.report.widget], layout=widgets.Layout(width="70%")
        )
        self.panels = [
            self.picker,
            self.score,
            self.why,
            self.info,
            self.compare,
            self.whatif,
            self.conversation,
            self.report,
            self.population,
        ]
        self.widget = widgets.VBox(
            [
                widgets.HTML(PAGE_STYLE),
                widgets.HBox(
                    [self.header, self.language],
                    layout=widgets.Layout(justify_content="space-between", align_items="center"),
                ),
                self.message,
                widgets.HBox([left, middle], layout=widgets.Layout(width="100%")),
                widgets.HBox(
                    [
                        widgets.Box(
                            [self.why.widget],
                            layout=widgets.Layout(width="60%", padding="0 10px 0 0"),
                        ),
                        widgets.Box([self.info.widget], layout=widgets.Layout(width="40%")),
                    ],
                    layout=widgets.Layout(width="100%"),
                ),
                self.compare.widget,
                self.conversation.widget,
                self.whatif.widget,
            ],
            layout=widgets.Layout(width="100%", max_width="1500px"),
        )
        self.widget.add_class("cs-app")
        self._relabel()

    @safe
    def _relabel(self, _change=None) -> None:
        self.header.value = (
            f"<h2>{escape(self.words('app.title'))}</h2>"
            f'<div class="cs-hint">{escape(self.words("app.subtitle"))}</div>'
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def build_app(
    artifacts_dir: str | Path | None = None, lang: str = "fr"
) -> DashboardApp | widgets.HTML:
    """The dashboard for the artifacts in ``artifacts_dir`` (default: $CREDIT_SCORING_ARTIFACTS).

    When the artifacts cannot be used, returns a page with one clear message instead of failing.
    """
    folder = artifacts_dir or os.environ.get(ARTIFACTS_ENV) or "artifacts"
    lang = check_language(lang)
    try:
        data = load_data(str(Path(folder).resolve()))
    except CreditScoringError as error:
        log.error("the dashboard cannot use the artifacts in %s: %s", folder, error)
        return widgets.HTML(
            f'{PAGE_STYLE}<div class="cs-note cs-note-error">'
            f"{escape(translate('error.no_artifacts', lang))}</div>"
        )
    return attach_audit(DashboardApp(data, lang=lang))  # no client shown unrecorded
