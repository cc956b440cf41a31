"""What-if: edit a few application values and see the new probability, decision and reasons.

The values typed are checked first (scoring.inputs: an impossible value such as a zero income or
2.7 children is refused and never scored; an implausible one is scored with a visible warning).
The edited row then goes through the Scorer, the same path as ``credit-scoring score``: derived
features are recomputed with the pipeline's own feature code, side-table features stay as they
are, and the client's own model (their fold model for a past client) scores it, so that with
nothing edited the new score equals the current one.
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
from credit_scoring.scoring.inputs import ABOVE_RANGE, BELOW_RANGE, check_edited_application


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


def _blocks(finding) -> bool:
    """Typed values the what-if refuses to score: impossible ones, and (stricter than batch
    scoring, since a manager typing 1e30 made a typo) values far outside the training range."""
    return finding.is_error or finding.code in (ABOVE_RANGE, BELOW_RANGE)


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
        self.findings: list = []  # checks of the values typed (scoring.inputs)
        self.no_reference = False
        self.nothing_changed = False
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
        state.observe(self._apply_edits, "whatif_edits")
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
        self._show_findings()
        self._show_result()

    @safe
    def _client_changed(self, _change=None) -> None:
        self.reset()

    @safe
    def _apply_edits(self, change) -> None:
        """Type the values another panel asked for (``state.whatif_edits``) and simulate."""
        if not change["new"] or self.state.client_id is None:
            return
        self.reset()
        for column, value in change["new"].items():
            if column in self.inputs:
                self.inputs[column].value = float(value)
        self.run()

    def reset(self) -> None:
        """Put the client's own values back and clear the simulation."""
        self.result = None
        self.findings = []
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
        reference = self.data.scorer.application_reference
        self.findings = check_edited_application(self.data.application(row), changed, reference)
        self.no_reference = reference is None
        if any(_blocks(finding) for finding in self.findings):
            self.result = None  # an impossible or far-out-of-range value is never scored
        else:
            self.result = simulate(self.data, row, changed)
            record_action(self.state, "whatif_simulated", {"fields": sorted(changed)})
        self.nothing_changed = not changed
        self._show_findings()
        self._show_result()

    def _show_findings(self) -> None:
        """The checks of the values typed, in the current language (errors block the score)."""
        lang = self.state.lang
        errors = [finding.message(lang) for finding in self.findings if _blocks(finding)]
        warnings = [finding.message(lang) for finding in self.findings if not _blocks(finding)]
        if self.no_reference and self.result is not None:
            warnings.append(self.words("inputs.no_application_reference"))
        if errors:
            self.show_message(" ".join(errors), kind="error")
        elif warnings:
            self.show_message(" ".join(warnings), kind="warning")
        elif self.result is not None and self.nothing_changed:
            self.show_message(self.words("whatif.nothing_changed"), kind="info")
        else:
            self.show_message("")

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
