"""Why panel: a waterfall from the average client's probability to this client's, and a summary.

A click on a feature's bar compares the client on that feature. The highlighted bar is always
the feature compared (it follows the comparison's own choice too), and a second click on the
same bar compares on it again and says so: a click is an order ("compare on this"), not a
switch, since the comparison always shows one feature and un-choosing it would leave nothing.
"""

from __future__ import annotations

import bqplot as bq
import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.axes import unique_labels
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.explanation import (
    WaterfallStep,
    shorten,
    step_text,
    summary_for,
    waterfall_series,
    waterfall_steps,
)
from credit_scoring.dashboard.state import DashboardState, Panel, safe

RAISES_COLOUR = "#c62828"
LOWERS_COLOUR = "#1a7f37"
TOTAL_COLOUR = "#455a64"
GLOBAL_TOP = 12


class WhyPanel(Panel):
    """Waterfall of the client's contributions (clickable bars), summary, global importance."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.steps: list[WaterfallStep] = []
        self.title = widgets.HTML()
        self.summary = widgets.HTML()
        self.summary.add_class("cs-why-summary")
        self.hint = widgets.HTML()
        self.category_scale = bq.OrdinalScale()
        self.value_scale = bq.LinearScale(min=0.0)
        self.bars = bq.Bars(
            x=[],
            y=[],
            orientation="horizontal",
            type="stacked",
            colors=["transparent", RAISES_COLOUR, LOWERS_COLOUR, TOTAL_COLOUR],
            scales={"x": self.category_scale, "y": self.value_scale},
            interactions={"click": "select"},
            padding=0.25,
            # the bar of the feature compared stands out by dimming the others (a stroke would
            # frame the invisible offset too, from 0)
            selected_style={"opacity": "1"},
            unselected_style={"opacity": "0.55"},
        )
        self.change_labels = bq.Label(
            x=[],
            y=[],
            text=[],
            default_size=13,
            colors=["#222222"],
            align="start",
            x_offset=6,
            y_offset=4,
            scales={"x": self.value_scale, "y": self.category_scale},
        )
        self.value_axis = bq.Axis(
            scale=self.value_scale,
            side="bottom",
            tick_format=".0%",
            num_ticks=5,
            grid_lines="dashed",
        )
        self.category_axis = bq.Axis(
            scale=self.category_scale, side="left", tick_style={"font-size": "13px"}
        )
        self.figure = bq.Figure(
            marks=[self.bars, self.change_labels],
            axes=[self.value_axis, self.category_axis],
            fig_margin={"top": 10, "bottom": 35, "left": 390, "right": 20},
            layout=widgets.Layout(width="100%", height="420px"),
            animation_duration=0,
            padding_x=0.0,
            padding_y=0.0,
        )
        self.figure.add_class("cs-waterfall")
        self.bars.observe(self._bar_selected, "selected")
        # every click, even on the bar already selected (its "selected" does not change then)
        self.bars.on_element_click(self._bar_clicked)
        self.count_slider = widgets.IntSlider(
            min=3,
            max=15,
            step=1,
            value=state.n_contributions,
            continuous_update=False,
            style={"description_width": "55%"},
            layout=widgets.Layout(width="60%"),
        )
        self.count_slider.add_class("cs-n-contributions")
        self.count_link = widgets.link((state, "n_contributions"), (self.count_slider, "value"))
        self.global_scale_y = bq.OrdinalScale()
        self.global_scale_x = bq.LinearScale(min=0.0)
        self.global_bars = bq.Bars(
            x=[],
            y=[],
            orientation="horizontal",
            colors=[TOTAL_COLOUR],
            scales={"x": self.global_scale_y, "y": self.global_scale_x},
            padding=0.3,
        )
        self.global_figure = bq.Figure(
            marks=[self.global_bars],
            axes=[
                bq.Axis(scale=self.global_scale_x, side="bottom", num_ticks=4),
                bq.Axis(
                    scale=self.global_scale_y,
                    side="left",
                    tick_style={"font-size": "13px"},
                ),
            ],
            fig_margin={"top": 10, "bottom": 35, "left": 360, "right": 30},
            layout=widgets.Layout(width="100%", height="380px"),
            animation_duration=0,
            padding_x=0.0,
            padding_y=0.0,
        )
        self.global_note = widgets.HTML()
        self.global_view = widgets.Accordion(
            children=[widgets.VBox([self.global_note, self.global_figure])], selected_index=None
        )
        self.widget = widgets.VBox(
            [
                self.title,
                self.summary,
                self.hint,
                self.figure,
                self.count_slider,
                self.message,
                self.global_view,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        state.observe(self.redraw, ["client_id", "n_contributions", "lang", "threshold"])
        state.observe(self._show_compared, "feature")
        state.observe(self._relabel_global, "lang")
        self._relabel_global()
        self.redraw()

    @safe
    def _bar_selected(self, change) -> None:
        selected = change["new"]
        if selected is None or len(selected) == 0:
            return
        index = int(selected[0])
        if index < len(self.steps) and self.steps[index].key == self.state.feature:
            return  # the bar of the feature compared already (highlighted by _show_compared)
        self._compare_on(index)

    @safe
    def _bar_clicked(self, _mark, content: dict) -> None:
        """A click on a bar (bqplot's element_click): compare on its feature, again if need be."""
        data = content.get("data") or {}
        index = data.get("index")
        if index is None and data.get("x") in list(self.bars.x):
            index = list(self.bars.x).index(data["x"])
        if index is not None and 0 <= int(index) < len(self.steps):
            self._compare_on(int(index))

    def _compare_on(self, index: int) -> None:
        step = self.steps[index]
        if step.key.startswith("__"):
            self._show_compared()  # the totals and "other factors" are not features
            return
        self.state.feature = step.key
        self.message_words = ("why.compared", {"feature": step.key}, "info")
        self._translate_message()

    def _translate_message(self, _change=None) -> None:
        """The message in the current language (the feature's label too)."""
        if self.message_words is not None and self.message_words[0] == "why.compared":
            feature = self.message_words[1]["feature"]
            label = shorten(self.data.label(feature, self.state.lang))
            self._write_message(self.words("why.compared", feature=label), "info")
            return
        super()._translate_message()

    @safe
    def _show_compared(self, _change=None) -> None:
        """Highlight the bar of the feature compared now (none when it has no bar)."""
        keys = [step.key for step in self.steps]
        wanted = [keys.index(self.state.feature)] if self.state.feature in keys else None
        current = None if self.bars.selected is None else list(self.bars.selected)
        if current != wanted:
            self.bars.selected = wanted

    def select_bar(self, feature: str) -> None:
        """Act as if the bar of ``feature`` was clicked (used by tests and keyboard users)."""
        keys = [step.key for step in self.steps]
        self.bars.selected = [keys.index(feature)]

    def click_bar(self, feature: str) -> None:
        """Act as a mouse click on the bar of ``feature`` does in the browser: bqplot sets the
        selection (no change when it is that bar already) and sends an element_click."""
        index = [step.key for step in self.steps].index(feature)
        self.bars.selected = [index]
        self.bars._handle_custom_msgs(
            self.bars, {"event": "element_click", "data": {"index": index}}
        )

    @safe
    def redraw(self, _change=None) -> None:
        """Draw the waterfall and the summary of the current client."""
        lang = self.state.lang
        self.title.value = f"<h3>{self.words('why.title')}</h3>"
        self.hint.value = f'<div class="cs-hint">{self.words("why.hint")}</div>'
        self.count_slider.description = self.words("why.n_contributions")
        if self.state.client_id is None:
            return
        row = self.data.row_of(self.state.client_id)
        steps = waterfall_steps(self.data, row, self.state.n_contributions, lang)
        self.steps = steps
        labels = unique_labels([step.label for step in steps])
        top = max(max(s.start, s.end) for s in steps)
        change_texts = [step_text(step, lang) for step in steps]
        with self.figure.hold_sync():
            self.bars.selected = None  # the new bars: highlighted again below
            self.category_scale.domain = labels[::-1]  # first bar on top
            self.value_scale.max = float(top) * 1.3 + 1e-6
            self.bars.x = labels
            self.bars.y = waterfall_series(steps)
            self.change_labels.y = labels
            self.change_labels.x = [max(s.start, s.end) for s in steps]
            self.change_labels.text = change_texts
        self._show_compared()
        summary = summary_for(
            self.data, row, self.state.threshold, lang, model_threshold=self.state.default_threshold
        )
        self.summary.value = f'<div class="cs-summary-text">{fmt.escape(summary)}</div>'
        if _change is None or _change["name"] != "lang":
            self.show_message("")

    @safe
    def _relabel_global(self, _change=None) -> None:
        lang = self.state.lang
        self.global_view.set_title(0, self.words("why.global_title"))
        self.global_note.value = f'<div class="cs-hint">{self.words("why.global_note")}</div>'
        items = self.data.global_importance[:GLOBAL_TOP]
        labels = unique_labels([shorten(self.data.label(item["feature"], lang)) for item in items])
        self.global_scale_y.domain = labels[::-1]
        self.global_bars.x = labels
        self.global_bars.y = [float(item["mean_abs_contribution"]) for item in items]
