"""Comparison panel: the client against a reference group (all, filtered, k similar, brushed).

The statistics (group, bins, counts, rates, sample) are in :mod:`.comparison`; this module only
draws them. Its controls are linked to the state; it redraws when the state changes.
"""

from __future__ import annotations

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.axes import (
    clamp,
    nice_ticks,
    off_scale_arrow,
    tick_labels,
    unique_labels,
    value_range,
)
from credit_scoring.dashboard.comparison import (
    Distribution,
    default_rate,
    distribution,
    drawn_rate_bars,
    group_key,
    group_rows,
    inside_rectangle,
    locate_client,
    scatter_points,
    scatter_sample,
)
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.state import (
    GROUP_MODES,
    DashboardState,
    Panel,
    link_selection,
    paused,
    safe,
)
from credit_scoring.errors import EmptyGroupError

GROUP_COLOUR = "#90a4ae"
CLIENT_COLOUR = "#e65100"
RATE_COLOUR = "#c62828"
OUTCOME_COLOURS = ["#78909c", "#c62828", "#bdbdbd"]  # repaid, defaulted, unknown
#: What the panel draws from: a change of any of these redraws it.
DRAWN_FROM = ["client_id", "group_mode", "k_similar", "feature", "second_feature", "lang",
              "brushed_rows"]  # fmt: skip


def ordered_features(data: DashboardData) -> tuple[list[str], list[str]]:
    """Features to offer, the most important first, and the numeric ones among them."""
    ordered = [
        name
        for name in data.importance_order
        if name in data.entries and name in data.feature_names
    ]
    ordered += [name for name in data.feature_names if name not in ordered]
    return ordered, [name for name in ordered if name in data.numeric]


class ComparisonPanel(Panel):
    """Histogram / category bars of the group with the client marked, and a brushable scatter."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.rows = np.arange(data.n_clients)
        self.sample_rows = np.arange(0)
        self.distribution: Distribution | None = None
        self._group_rate = float("nan")
        self._cached_group_key: tuple | None = None
        self._histogram_key: tuple | None = None
        self._scatter_key: tuple | None = None
        self._selection_links: list = []
        self.feature_names, self.numeric_names = ordered_features(data)
        self._build_controls()
        self._build_histogram()
        self._build_scatter()
        self.widget = self._layout()
        self._choose_first_features()
        self._relabel()
        self._link_controls()
        state.observe(self._relabel, "lang")
        state.observe(self.redraw, DRAWN_FROM)
        state.observe(self._filters_changed, "filters")
        state.observe(self._threshold_changed, "threshold")
        self.redraw()

    # ----- building --------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.title = widgets.HTML()
        self.mode = widgets.ToggleButtons(style={"button_width": "auto"})
        self.mode.add_class("cs-group-mode")
        self.k_slider = widgets.IntSlider(
            min=10,
            max=500,
            step=10,
            value=self.state.k_similar,
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.k_slider.add_class("cs-k")
        self.feature_choice = widgets.Dropdown(
            layout=widgets.Layout(width="100%"), style={"description_width": "30%"}
        )
        self.feature_choice.add_class("cs-feature")
        self.second_choice = widgets.Dropdown(
            layout=widgets.Layout(width="100%"), style={"description_width": "30%"}
        )
        self.second_choice.add_class("cs-second-feature")
        self.group_info = widgets.HTML()
        self.group_info.add_class("cs-group-info")
        self.position_info = widgets.HTML()
        self.position_info.add_class("cs-position")
        self.legend = widgets.HTML()
        self.scatter_note = widgets.HTML()

    def _build_histogram(self) -> None:
        """Histogram (numeric) and category bars share one figure with an ordinal x scale."""
        self.bin_scale = bq.OrdinalScale()
        self.count_scale = bq.LinearScale(min=0.0)
        self.rate_scale = bq.LinearScale(min=0.0)
        self.histogram = bq.Bars(
            x=[],
            y=[],
            colors=[GROUP_COLOUR],
            padding=0.08,
            scales={"x": self.bin_scale, "y": self.count_scale},
        )
        self.rate_line = bq.Lines(
            x=[],
            y=[],
            colors=[RATE_COLOUR],
            marker="circle",
            marker_size=40,
            stroke_width=2,
            scales={"x": self.bin_scale, "y": self.rate_scale},
        )
        self.client_mark = bq.Label(
            x=[],
            y=[],
            text=[],
            colors=[CLIENT_COLOUR],
            default_size=15,
            font_weight="bold",
            align="middle",
            y_offset=-6,
            scales={"x": self.bin_scale, "y": self.count_scale},
        )
        self.bin_axis = bq.Axis(
            scale=self.bin_scale,
            tick_rotate=-35,
            tick_style={"font-size": "12px", "text-anchor": "end"},
        )
        self.count_axis = bq.Axis(
            scale=self.count_scale, side="left", tick_format="d", label_offset="50px"
        )
        self.rate_axis = bq.Axis(
            scale=self.rate_scale,
            side="right",
            tick_format=".0%",
            color=RATE_COLOUR,
            label_offset="45px",
        )
        self.histogram_figure = bq.Figure(
            marks=[self.histogram, self.rate_line, self.client_mark],
            axes=[self.bin_axis, self.count_axis, self.rate_axis],
            fig_margin={"top": 30, "bottom": 110, "left": 65, "right": 65},
            layout=widgets.Layout(width="100%", height="400px"),
            animation_duration=0,
            padding_x=0.0,
            padding_y=0.0,
        )
        self.histogram_figure.add_class("cs-histogram")

    def _build_scatter(self) -> None:
        """Scatter of a sample of the group, the client highlighted; a brush defines a group."""
        self.x_scale = bq.LinearScale()
        self.y_scale = bq.LinearScale()
        self.colour_scale = bq.OrdinalColorScale(domain=[0, 1, 2], colors=OUTCOME_COLOURS)
        self.scatter = bq.Scatter(
            x=[],
            y=[],
            color=[],
            default_size=14,
            opacities=[0.6],
            scales={"x": self.x_scale, "y": self.y_scale, "color": self.colour_scale},
        )
        self.client_point = bq.Scatter(
            x=[],
            y=[],
            marker="diamond",
            default_size=220,
            colors=[CLIENT_COLOUR],
            stroke="#000000",
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        # a client beyond the drawn ranges is drawn at the edge with an arrow toward its value
        self.client_off_scale = bq.Label(
            x=[],
            y=[],
            text=[],
            colors=[CLIENT_COLOUR],
            default_size=14,
            font_weight="bold",
            align="end",
            x_offset=-10,
            y_offset=-12,
            scales={"x": self.x_scale, "y": self.y_scale},
        )
        self.off_scale_note = widgets.HTML()
        self.off_scale_note.add_class("cs-off-scale-note")
        self.brush = bq.interacts.BrushSelector(
            x_scale=self.x_scale, y_scale=self.y_scale, color="#1565c0"
        )
        self.x_axis = bq.Axis(scale=self.x_scale, label_offset="35px")
        self.y_axis = bq.Axis(scale=self.y_scale, side="left", label_offset="60px")
        self.scatter_figure = bq.Figure(
            marks=[self.scatter, self.client_point, self.client_off_scale],
            axes=[self.x_axis, self.y_axis],
            interaction=self.brush,
            fig_margin={"top": 20, "bottom": 55, "left": 80, "right": 20},
            layout=widgets.Layout(width="100%", height="400px"),
            animation_duration=0,
            padding_x=0.03,
            padding_y=0.03,
        )
        self.scatter_figure.add_class("cs-scatter")
        self.brush.observe(self._brushed, "brushing")

    def _layout(self) -> widgets.VBox:
        left = widgets.VBox(
            [self.feature_choice, self.position_info, self.histogram_figure, self.legend],
            layout=widgets.Layout(width="50%", padding="0 10px 0 0"),
        )
        right = widgets.VBox(
            [self.second_choice, self.scatter_note, self.scatter_figure, self.off_scale_note],
            layout=widgets.Layout(width="50%"),
        )
        panel = widgets.VBox(
            [
                self.title,
                widgets.HBox([self.mode, self.k_slider]),
                self.group_info,
                self.message,
                widgets.HBox([left, right], layout=widgets.Layout(width="100%")),
            ],
            layout=widgets.Layout(width="100%"),
        )
        panel.add_class("cs-panel")
        return panel

    def _choose_first_features(self) -> None:
        """The most important feature, and another numeric one for the scatter, unless chosen."""
        state = self.state
        if not state.feature and self.feature_names:
            state.feature = (self.numeric_names or self.feature_names)[0]
        if not state.second_feature and len(self.numeric_names) > 1:
            state.second_feature = next(n for n in self.numeric_names if n != state.feature)

    def _link_controls(self) -> None:
        """Controls show the state and change it; the k slider shows for similar clients only."""
        state = self.state
        self._selection_links = [
            link_selection(state, "group_mode", self.mode),
            link_selection(state, "feature", self.feature_choice),
            link_selection(state, "second_feature", self.second_choice),
        ]
        self._k_link = widgets.link((state, "k_similar"), (self.k_slider, "value"))
        self._k_shown = widgets.dlink(
            (state, "group_mode"),
            (self.k_slider.layout, "display"),
            lambda mode: "" if mode == "similar" else "none",
        )

    # ----- controls --------------------------------------------------------------------------
    @safe
    def _filters_changed(self, _change=None) -> None:
        if self.state.group_mode == "filtered":
            self.redraw()

    @safe
    def _threshold_changed(self, _change=None) -> None:
        """A group filtered on the decision or the risk band follows the simulated threshold."""
        if self.state.group_mode == "filtered":
            self.redraw()

    @safe
    def _brushed(self, change) -> None:
        if change["new"]:  # still dragging
            return
        selected_x = self.brush.selected_x
        selected_y = self.brush.selected_y
        if selected_x is None or selected_y is None or len(selected_x) < 2:
            return
        self.brush_rectangle(tuple(selected_x), tuple(selected_y))

    def brush_rectangle(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        """Make the clients of the current group inside the rectangle the comparison group."""
        x_values = self.data.numeric[self.state.feature][self.rows]
        y_values = self.data.numeric[self.state.second_feature][self.rows]
        rows = self.rows[inside_rectangle(x_values, y_values, x_range, y_range)]
        if len(rows) == 0:
            self.say("error.empty_brush")
            return
        self.state.brush(rows)

    # ----- drawing ---------------------------------------------------------------------------
    @safe
    def _relabel(self, _change=None) -> None:
        """Words of the controls and the legend in the current language."""
        lang = self.state.lang
        self.title.value = f"<h3>{self.words('compare.title')}</h3>"
        self.k_slider.description = self.words("compare.k")
        self.feature_choice.description = self.words("compare.feature")
        self.second_choice.description = self.words("compare.second_feature")
        with paused(self._selection_links):
            self.mode.options = [(self.words(f"compare.mode.{mode}"), mode) for mode in GROUP_MODES]
            self.feature_choice.options = [
                (self.data.label(n, lang), n) for n in self.feature_names
            ]
            self.second_choice.options = [(self.data.label(n, lang), n) for n in self.numeric_names]
        self.legend.value = (
            '<div class="cs-legend">'
            + _swatch(GROUP_COLOUR, "■", self.words("compare.legend_count"))
            + _swatch(RATE_COLOUR, "●", self.words("compare.legend_rate"))
            + _swatch(CLIENT_COLOUR, "■", self.words("compare.legend_client"))
            + "</div>"
        )

    @safe
    def redraw(self, _change=None) -> None:
        """Redraw both charts for the current client, group, features and language."""
        state = self.state
        if state.client_id is None:
            return
        client_row = self.data.row_of(state.client_id)
        if getattr(self.data, "decision_threshold", None) != state.threshold:
            self.data.set_decision_threshold(state.threshold)  # the filters at this threshold
        key = group_key(state.group_mode, state.filters, state.brushed_rows, state.threshold)
        if key is None or key != self._cached_group_key:
            try:
                rows = group_rows(
                    self.data,
                    state.group_mode,
                    filters=state.filters,
                    client_id=state.client_id,
                    k_similar=state.k_similar,
                    brushed_rows=state.brushed_rows,
                )
            except EmptyGroupError:
                self.say(f"error.empty_group_{state.group_mode}")
                self._clear()
                return
            self.rows = rows
            self._group_rate = default_rate(self.data.target[rows])
            self._cached_group_key = key
            self._histogram_key = self._scatter_key = None
        if _change is None or _change["name"] != "lang":  # a message is translated, not cleared
            self.show_message("")
        self._describe_group()
        self._draw_histogram(client_row)
        self._draw_scatter(client_row)

    def _rate_text(self, rate: float) -> str:
        if np.isnan(rate):
            return self.words("compare.rate_unknown")
        return fmt.percent(rate, self.state.lang)

    def _describe_group(self) -> None:
        words = self.words(
            "compare.group_info",
            count=fmt.count(len(self.rows), self.state.lang),
            rate=self._rate_text(self._group_rate),
        )
        self.group_info.value = f"<div>{words}</div>"

    def _clear(self) -> None:
        self.group_info.value = ""
        self.histogram.x, self.histogram.y = [], []
        self.rate_line.x, self.rate_line.y = [], []
        self.client_mark.x, self.client_mark.y, self.client_mark.text = [], [], []
        self.scatter.x, self.scatter.y, self.scatter.color = [], [], []
        self.client_point.x, self.client_point.y = [], []
        self.client_off_scale.x, self.client_off_scale.y, self.client_off_scale.text = [], [], []
        self.off_scale_note.value = ""

    def _draw_histogram(self, client_row: int) -> None:
        lang = self.state.lang
        feature = self.state.feature
        key = (self._cached_group_key, feature, lang)
        if key[0] is not None and key == self._histogram_key and self.distribution is not None:
            found = locate_client(self.data, feature, self.distribution, client_row)
            self.distribution = found
            self._mark_client(found)
            self._describe_position(found)
            return
        found = distribution(self.data, feature, self.rows, client_row, lang)
        self.distribution = found
        self._histogram_key = key
        labels = unique_labels(found.tick_labels)
        drawn = drawn_rate_bars(found)
        rate_y = [float(found.default_rates[i]) for i in drawn]
        with self.histogram_figure.hold_sync():
            self.bin_scale.domain = labels
            self.count_scale.max = float(max(found.counts.max(initial=0), 1)) * 1.15
            self.rate_scale.max = max(max(rate_y, default=0.0) * 1.15, 0.05)
            self.count_axis.tick_values = nice_ticks(0.0, self.count_scale.max, count=4)
            self.rate_axis.tick_values = nice_ticks(0.0, self.rate_scale.max, count=4)
            self.histogram.x = labels
            self.histogram.y = found.counts.astype(float)
            self.rate_line.x = [labels[i] for i in drawn]
            self.rate_line.y = rate_y
            self.count_axis.label = self.words("compare.axis_count")
            self.rate_axis.label = self.words("compare.axis_rate")
            self._mark_client(found)
        self._describe_position(found)

    def _mark_client(self, found: Distribution) -> None:
        """The client's bar in orange, with a mark above it."""
        labels = list(self.histogram.x)
        with self.histogram_figure.hold_sync():
            self.histogram.colors = [
                CLIENT_COLOUR if i == found.client_bar else GROUP_COLOUR for i in range(len(labels))
            ]
            if found.client_bar is not None:
                self.client_mark.x = [labels[found.client_bar]]
                self.client_mark.y = [float(found.counts[found.client_bar])]
                self.client_mark.text = ["▼"]
            else:
                self.client_mark.x, self.client_mark.y, self.client_mark.text = [], [], []

    def _describe_position(self, found: Distribution) -> None:
        lang = self.state.lang
        feature = self.state.feature
        label = self.data.label(feature, lang)
        value_text = self.data.display_value(feature, found.client_value, lang)
        if found.client_bar is None:
            text = self.words("compare.position_missing", feature=label, value=value_text)
        else:
            index = found.client_bar
            beyond = found.edges is not None and not (
                found.edges[0] <= float(found.client_value) <= found.edges[-1]
            )  # counted in the edge bar: said so, not "in the range" it is not in
            text = self.words(
                "compare.position_beyond" if beyond else "compare.position",
                feature=label,
                value=value_text,
                bin=found.labels[index],
                count=fmt.count(int(found.counts[index]), lang),
                rate=self._rate_text(float(found.default_rates[index])),
            )
        self.position_info.value = f'<div class="cs-position-text">{fmt.escape(text)}</div>'

    def _place_client(self, client_x: float, client_y: float) -> None:
        """The client's diamond, kept inside the chart: off the scales, it is drawn at the edge
        with an arrow toward its value and a note giving the values ("hors échelle")."""
        lang = self.state.lang
        with self.scatter_figure.hold_sync():
            arrow = ""
            if np.isnan(client_x) or np.isnan(client_y):
                self.client_point.x, self.client_point.y = [], []
            else:
                x_range = (self.x_scale.min, self.x_scale.max)
                y_range = (self.y_scale.min, self.y_scale.max)
                shown_x, shown_y = clamp(client_x, *x_range), clamp(client_y, *y_range)
                self.client_point.x, self.client_point.y = [shown_x], [shown_y]
                arrow = off_scale_arrow(client_x, client_y, x_range, y_range)
            if arrow:
                self.client_off_scale.x, self.client_off_scale.y = [shown_x], [shown_y]
                self.client_off_scale.align = "end" if shown_x >= x_range[1] else "start"
                self.client_off_scale.x_offset = -10 if shown_x >= x_range[1] else 10
                self.client_off_scale.text = [f"{arrow} {self.words('compare.off_scale')}"]
            else:
                self.client_off_scale.x, self.client_off_scale.y = [], []
                self.client_off_scale.text = []
        if not arrow:
            self.off_scale_note.value = ""
            return
        x_name, y_name = self.state.feature, self.state.second_feature
        text = self.words(
            "compare.off_scale_note",
            x_label=self.data.label(x_name, lang),
            x_value=self.data.display_value(x_name, client_x, lang),
            y_label=self.data.label(y_name, lang),
            y_value=self.data.display_value(y_name, client_y, lang),
        )
        self.off_scale_note.value = f'<div class="cs-hint">{arrow} {fmt.escape(text)}</div>'

    def client_off_scale_text(self) -> str:
        """The sign drawn beside an off-scale client ("" when the client is inside the chart)."""
        return "".join(self.client_off_scale.text)

    def _draw_scatter(self, client_row: int) -> None:
        lang = self.state.lang
        x_name, y_name = self.state.feature, self.state.second_feature
        if x_name not in self.data.numeric or y_name not in self.data.numeric:
            self.scatter_note.value = (
                f'<div class="cs-hint">{self.words("compare.scatter_numeric")}</div>'
            )
            self.scatter_figure.layout.visibility = "hidden"
            self._scatter_key = None
            return
        self.scatter_figure.layout.visibility = "visible"
        client_x = float(self.data.numeric[x_name][client_row])
        client_y = float(self.data.numeric[y_name][client_row])
        key = (self._cached_group_key, x_name, y_name, lang)
        if key[0] is not None and key == self._scatter_key:
            self._place_client(client_x, client_y)
            return
        self._scatter_key = key
        sample = scatter_sample(self.rows)
        self.sample_rows = sample
        x_shown, y_shown, outcome = scatter_points(
            self.data.numeric[x_name][sample],
            self.data.numeric[y_name][sample],
            self.data.target[sample],
        )
        with self.scatter_figure.hold_sync():
            # fixed scales: a client switch then moves one mark, not the whole cloud
            for scale, axis, values in (
                (self.x_scale, self.x_axis, x_shown),
                (self.y_scale, self.y_axis, y_shown),
            ):
                low, high = value_range(values)
                scale.min, scale.max = low, high
                ticks = nice_ticks(low, high)
                axis.tick_values = ticks
                # labels written here: bqplot guesses a format for the first range only
                axis.tick_labels = tick_labels(ticks, lang)
            self.scatter.x = x_shown
            self.scatter.y = y_shown
            self.scatter.color = outcome
            self._place_client(client_x, client_y)
            self.x_axis.label = self.data.label(x_name, lang)
            self.y_axis.label = self.data.label(y_name, lang)
            self.brush.selected_x = None
            self.brush.selected_y = None
        note = self.words(
            "compare.scatter_note",
            shown=fmt.count(len(x_shown), lang),
            count=fmt.count(len(self.rows), lang),
        )
        self.scatter_note.value = (
            f'<div class="cs-hint">{fmt.escape(note)} '
            + _swatch(OUTCOME_COLOURS[1], "●", self.words("compare.defaulted"))
            + _swatch(OUTCOME_COLOURS[0], "●", self.words("compare.repaid"))
            + _swatch(OUTCOME_COLOURS[2], "●", self.words("compare.new"))
            + _swatch(CLIENT_COLOUR, "◆", self.words("compare.legend_client"))
            + "</div>"
        )


def _swatch(colour: str, symbol: str, text: str) -> str:
    return f'<span style="color:{colour}">{symbol}</span> {fmt.escape(text)} &nbsp; '
