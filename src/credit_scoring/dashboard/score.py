"""Score panel: probability of default, gauge with the threshold, decision, risk band, outcome.

One number per client: a past (training) client's probability comes from the cross-validation
model that did not see them (out-of-fold), a new client's from the final model, as
``credit-scoring score`` prints it; the panel says which in one line. The threshold slider is a
simulation: the decision and the risk band follow it, and the panel says plainly when it is on.
"""

from __future__ import annotations

import math

import bqplot as bq
import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.axes import gauge_top, tenths
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.explanation import distance_words
from credit_scoring.dashboard.state import DashboardState, Panel, safe
from credit_scoring.model.threshold import decide

GRANTED_COLOUR = "#1a7f37"
REFUSED_COLOUR = "#c62828"


class ScorePanel(Panel):
    """Shows the client's probability, a gauge with the threshold, the decision and its margin."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.title = widgets.HTML()
        self.summary = widgets.HTML()
        self.summary.add_class("cs-score")
        self.x_scale = bq.LinearScale(min=0.0, max=1.0)
        self.y_scale = bq.LinearScale(min=-1.0, max=1.0)
        self.zones = bq.Lines(
            x=[[0.0, 0.5], [0.5, 1.0]],
            y=[[0.0, 0.0], [0.0, 0.0]],
            colors=[GRANTED_COLOUR, REFUSED_COLOUR],
            stroke_width=26,
            opacities=[0.35, 0.35],
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.threshold_line = bq.Lines(
            x=[0.5, 0.5],
            y=[-0.75, 0.75],
            colors=["#222222"],
            stroke_width=3,
            line_style="dashed",
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.threshold_label = bq.Label(
            x=[0.5],
            y=[-0.95],
            text=[""],
            colors=["#222222"],
            default_size=14,
            align="middle",
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.marker = bq.Scatter(
            x=[0.0],
            y=[0.3],
            marker="triangle-down",
            default_size=260,
            colors=["#111111"],
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.marker_label = bq.Label(
            x=[0.0],
            y=[0.62 + 0.1],
            text=[""],
            colors=["#111111"],
            default_size=16,
            font_weight="bold",
            align="middle",
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.x_axis = bq.Axis(
            scale=self.x_scale, tick_format=".0%", tick_style={"font-size": "13px"}
        )
        self.gauge = bq.Figure(
            marks=[
                self.zones,
                self.threshold_line,
                self.marker,
                self.marker_label,
                self.threshold_label,
            ],
            axes=[self.x_axis],
            fig_margin={"top": 10, "bottom": 30, "left": 20, "right": 20},
            layout=widgets.Layout(width="100%", height="140px"),
            animation_duration=0,
            padding_x=0.0,
            padding_y=0.0,
        )
        self.gauge.add_class("cs-gauge")
        self.threshold_slider = widgets.FloatSlider(
            min=0.01,
            max=0.99,
            step=0.005,
            readout=False,
            continuous_update=False,
            layout=widgets.Layout(width="65%"),
            style={"description_width": "55%"},
        )
        self.threshold_value = widgets.HTML(layout=widgets.Layout(width="70px"))
        self.threshold_value.add_class("cs-threshold-value")
        self.threshold_slider.add_class("cs-threshold")
        self.reset_button = widgets.Button(layout=widgets.Layout(width="240px"))
        self.reset_button.add_class("cs-reset-threshold")
        self.policy_note = widgets.HTML()
        self.reset_button.on_click(lambda _button: self.reset_threshold())
        self.widget = widgets.VBox(
            [
                self.title,
                self.summary,
                self.gauge,
                self.policy_note,
                widgets.HBox(
                    [self.threshold_slider, self.threshold_value, self.reset_button],
                    layout=widgets.Layout(align_items="center"),
                ),
                self.message,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        self.threshold_link = widgets.link((state, "threshold"), (self.threshold_slider, "value"))
        state.observe(self.redraw, ["client_id", "threshold", "lang"])
        self.redraw()

    def reset_threshold(self) -> None:
        """Back to the threshold chosen by the model's business cost."""
        self.state.threshold = self.state.default_threshold

    @safe
    def redraw(self, _change=None) -> None:
        """Draw the panel for the current client, threshold and language."""
        lang = self.state.lang
        threshold = self.state.threshold
        self.title.value = f"<h3>{self.words('score.title')}</h3>"
        self.threshold_slider.description = self.words("score.threshold_slider")
        self.reset_button.description = self.words(
            "score.reset", value=fmt.percent(self.state.default_threshold, lang)
        )
        simulated = not math.isclose(threshold, self.state.default_threshold, abs_tol=1e-9)
        self.policy_note.value = (
            f'<div class="cs-policy">{self.words("score.policy_note")}'
            + (f" <b>{self.words('score.policy_active')}</b>" if simulated else "")
            + "</div>"
        )
        self.threshold_value.value = f"<b>{fmt.percent(threshold, lang)}</b>"
        if self.state.client_id is None:
            self.summary.value = f"<p>{self.words('score.no_client')}</p>"
            return
        row = self.data.row_of(self.state.client_id)
        probability = float(self.data.probability[row])
        decision = decide(probability, threshold)
        colour = GRANTED_COLOUR if decision == "granted" else REFUSED_COLOUR
        band = self.data.risk_band_of(row, threshold)
        outcome = self._outcome(row)
        client_words = self.words("score.client", client=self.state.client_id)
        distance = distance_words(probability, threshold, lang)
        self.summary.value = (
            '<div class="cs-score-grid">'
            + (self._simulation_note(probability) if simulated else "")
            + f'<div class="cs-client-name">{client_words}</div>'
            f'<div class="cs-probability">{self.words("score.probability")} '
            f"<b>{fmt.percent(probability, lang)}</b></div>"
            f'<div class="cs-model-source cs-hint">{fmt.escape(self.model_source())}</div>'
            + self._familiarity_note(row)
            + f'<div class="cs-decision" style="background:{colour}">'
            f"{fmt.escape(self.words('decision.' + decision + '_long'))}</div>"
            f'<div class="cs-band">{self.words("score.risk_band")} '
            f"<b>{self.words('risk_band.' + band)}</b></div>"
            f'<div class="cs-distance">{fmt.escape(distance)}</div>'
            f'<div class="cs-outcome">{fmt.escape(outcome)}</div>'
            "</div>"
        )
        top = gauge_top(probability, threshold)
        with self.gauge.hold_sync():
            self.x_scale.max = top
            self.x_axis.tick_values = tenths(top)
            self.zones.x = [[0.0, threshold], [threshold, top]]
            self.threshold_line.x = [threshold, threshold]
            self.threshold_label.x = [threshold]
            self.threshold_label.text = [
                self.words("score.threshold_mark", value=fmt.percent(threshold, lang))
            ]
            self.marker.x = [min(probability, top)]
            self.marker.colors = [colour]
            self.marker_label.x = [min(probability, top)]
            self.marker_label.text = [fmt.percent(probability, lang)]
        self.show_message("")

    def _familiarity_note(self, row: int) -> str:
        """A warning when the client is unlike the clients the model learned from."""
        warning = self.data.familiarity_warning(row, self.state.lang)
        if warning is None:
            return ""
        return f'<div class="cs-note cs-note-warning cs-unfamiliar">{fmt.escape(warning)}</div>'

    def model_source(self) -> str:
        """Which model gave the client's probability, in plain words: the cross-validation model
        that did not see a past client, or the final model for a new one."""
        folds = self.data.scorer.folds_of([int(self.state.client_id)])
        key = "score.model_out_of_fold" if int(folds[0]) >= 0 else "score.model_final"
        return self.words(key)

    def _simulation_note(self, probability: float) -> str:
        """The banner of a simulated threshold, with the decision at the model's threshold."""
        lang = self.state.lang
        model_decision = decide(probability, self.state.default_threshold)
        text = self.words(
            "score.simulation",
            threshold=fmt.percent(self.state.threshold, lang),
            model=fmt.percent(self.state.default_threshold, lang),
            decision=self.words(f"decision.{model_decision}_long"),
        )
        return f'<div class="cs-note cs-note-info cs-simulation">{fmt.escape(text)}</div>'

    def _outcome(self, row: int) -> str:
        if not self.data.is_historical[row]:
            return self.words("score.outcome_unknown")
        target = self.data.target[row]
        key = "score.outcome_default" if target >= 0.5 else "score.outcome_repaid"
        return self.words(key)

    def shown_decision(self) -> str:
        """The decision currently shown ('granted' or 'refused')."""
        row = self.data.row_of(self.state.client_id)
        return decide(float(self.data.probability[row]), self.state.threshold)
