"""What-if: edit a few application values and see the new probability, decision and reasons.

Derived features are recomputed with the pipeline's own ``build_application_features`` on the
edited raw row; side-table features stay as they are. The final model scores both the unchanged
and the edited row, and the difference (in log-odds, and per feature for the contributions) is
added to the client's displayed score: with nothing edited, the new score equals the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.audit import record_action
from credit_scoring.dashboard.data import WHAT_IF_COLUMNS, DashboardData
from credit_scoring.dashboard.score import GRANTED_COLOUR, REFUSED_COLOUR, decide
from credit_scoring.dashboard.state import DashboardState, Panel, safe
from credit_scoring.errors import CreditScoringError


@dataclass(frozen=True)
class WhatIfResult:
    """The client's score before and after the edits."""

    current_probability: float
    new_probability: float
    new_raw_score: float
    new_contributions: np.ndarray
    changed_features: list[str]


def simulate(data: DashboardData, row: int, edits: dict[str, float]) -> WhatIfResult:
    """Score the client with ``edits`` applied to their application (raw Kaggle columns), by
    the Scorer and the client's own model: with nothing edited, the new score is the current
    one."""
    application = data.application(row)
    for column, value in edits.items():
        if column not in application.columns:
            raise CreditScoringError(f"{column} is not an application column")
        if value is None or not np.isfinite(value) or value < 0:
            raise CreditScoringError(f"{column} must be a positive number")
    stored = {name: data.value(name, row) for name in data.model_features}
    scored, features = data.scorer.score_edits(application, stored, [edits], explain=True)
    changed = [name for name in data.model_features if not _same(stored[name], features[name][0])]
    order = [scored.feature_names.index(name) for name in data.model_features]
    return WhatIfResult(
        current_probability=float(data.probability[row]),
        new_probability=float(scored.probabilities[0]),
        new_raw_score=float(scored.raw_scores[0]),
        new_contributions=np.asarray(scored.contributions[0], dtype=np.float64)[order],
        changed_features=changed,
    )


def _same(first, second) -> bool:
    first_missing, second_missing = bool(pd.isna(first)), bool(pd.isna(second))
    if first_missing or second_missing:
        return first_missing and second_missing
    if isinstance(first, str) or isinstance(second, str):
        return first == second
    try:
        return bool(np.isclose(float(first), float(second), equal_nan=True))
    except (TypeError, ValueError):
        return first == second


class WhatIfPanel(Panel):
    """Inputs for income, credit amount, annuity, goods price, children; new vs current score."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.result: WhatIfResult | None = None
        self.title = widgets.HTML()
        self.note = widgets.HTML()
        self.inputs: dict[str, widgets.FloatText] = {}
        for column in WHAT_IF_COLUMNS:
            if column in data.application_columns:
                box = widgets.FloatText(
                    layout=widgets.Layout(width="95%"), style={"description_width": "55%"}
                )
                box.add_class(f"cs-whatif-{column.lower()}")
                self.inputs[column] = box
        self.simulate_button = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.simulate_button.add_class("cs-simulate")
        self.reset_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.simulate_button.on_click(lambda _button: self.run())
        self.reset_button.on_click(lambda _button: self.reset())
        self.outcome = widgets.HTML()
        self.outcome.add_class("cs-whatif-result")
        self.widget = widgets.VBox(
            [
                self.title,
                self.note,
                widgets.HBox(
                    [
                        widgets.VBox(
                            list(self.inputs.values()), layout=widgets.Layout(width="50%")
                        ),
                        widgets.VBox([self.outcome], layout=widgets.Layout(width="50%")),
                    ]
                ),
                widgets.HBox([self.simulate_button, self.reset_button]),
                self.message,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        state.observe(self._client_changed, "client_id")
        state.observe(self._relabel, ["lang", "threshold"])
        self._relabel()
        self._client_changed()

    def _input_label(self, column: str) -> str:
        if column in self.data.entries:
            return self.data.label(column, self.state.lang)
        return self.words(f"whatif.{column}")

    @safe
    def _relabel(self, _change=None) -> None:
        self.title.value = f"<h3>{self.words('whatif.title')}</h3>"
        self.note.value = f'<div class="cs-hint">{self.words("whatif.note")}</div>'
        self.simulate_button.description = self.words("whatif.simulate")
        self.reset_button.description = self.words("whatif.reset")
        for column, box in self.inputs.items():
            box.description = self._input_label(column)
        self._show_result()

    @safe
    def _client_changed(self, _change=None) -> None:
        self.reset()

    def reset(self) -> None:
        """Put the client's own values back and clear the simulation."""
        self.result = None
        if self.state.client_id is None:
            return
        row = self.data.row_of(self.state.client_id)
        for column, box in self.inputs.items():
            value = self.data.application_value(column, row)
            box.value = 0.0 if pd.isna(value) else float(value)
        self.show_message("")
        self._show_result()

    def edits(self) -> dict[str, float]:
        """The values typed that differ from the client's application."""
        row = self.data.row_of(self.state.client_id)
        changed = {}
        for column, box in self.inputs.items():
            original = self.data.application_value(column, row)
            if pd.isna(original) and box.value == 0.0:
                continue
            if pd.isna(original) or not np.isclose(float(original), float(box.value)):
                changed[column] = float(box.value)
        return changed

    @safe
    def run(self) -> None:
        """Rescore the client with the values typed and show new vs current."""
        if self.state.client_id is None:
            return
        row = self.data.row_of(self.state.client_id)
        changed = self.edits()
        for column, value in changed.items():
            if value < 0:
                self.show_message(
                    self.words("error.negative_value", field=self._input_label(column))
                )
                return
        self.result = simulate(self.data, row, changed)
        record_action(self.state, "whatif_simulated", {"fields": sorted(changed)})
        self.show_message("" if changed else self.words("whatif.nothing_changed"), kind="info")
        self._show_result()

    def _show_result(self) -> None:
        if self.result is None or self.state.client_id is None:
            self.outcome.value = f'<div class="cs-hint">{self.words("whatif.empty")}</div>'
            return
        from credit_scoring.dashboard.explanation import reason_line, reasons_for, summary_for

        lang = self.state.lang
        threshold = self.state.threshold
        row = self.data.row_of(self.state.client_id)
        result = self.result
        current_decision = decide(result.current_probability, threshold)
        new_decision = decide(result.new_probability, threshold)

        def cell(probability: float, decision: str) -> str:
            colour = GRANTED_COLOUR if decision == "granted" else REFUSED_COLOUR
            return (
                f"<td><b>{fmt.percent(probability, lang)}</b><br>"
                f'<span style="color:{colour};font-weight:bold">'
                f"{fmt.escape(self.words('decision.' + decision + '_long'))}</span></td>"
            )

        reasons = reasons_for(self.data, row, 4, lang, result.new_contributions)
        reason_items = "".join(
            f"<li>{fmt.escape(reason_line(reason, lang))}</li>" for reason in reasons
        )
        summary = summary_for(
            self.data, row, threshold, lang, result.new_contributions, result.new_probability
        )
        self.outcome.value = (
            '<table class="cs-whatif-table"><tr>'
            f"<th>{self.words('whatif.current')}</th><th>{self.words('whatif.new')}</th></tr><tr>"
            + cell(result.current_probability, current_decision)
            + cell(result.new_probability, new_decision)
            + "</tr></table>"
            f"<p>{fmt.escape(summary)}</p><ul>{reason_items}</ul>"
        )


def _reason_text(reason, lang: str) -> str:
    """One reason as a line of text, whatever the shape top_reasons gives (dict or object)."""
    get = (
        reason.get
        if isinstance(reason, dict)
        else lambda key, default=None: getattr(reason, key, default)
    )
    label = get("label", "")
    value = get("value", get("formatted_value", ""))
    contribution = float(get("contribution", 0.0) or 0.0)
    from credit_scoring.i18n import translate

    direction = translate("why.raises" if contribution > 0 else "why.lowers", lang)
    separator = " : " if lang == "fr" else ": "
    return f"{label}{separator}{value} ({direction})"
