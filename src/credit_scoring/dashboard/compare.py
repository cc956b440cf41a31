"""Comparison panel: the client against a reference group (all, filtered, k similar, brushed)."""

from __future__ import annotations

from dataclasses import dataclass

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.score import percent
from credit_scoring.dashboard.state import GROUP_MODES, DashboardState, Panel, escape, safe
from credit_scoring.errors import EmptyGroupError

HISTOGRAM_BINS = 15
#: Default rates of bars with fewer known-outcome clients are too noisy to draw.
MIN_CLIENTS_FOR_RATE = 10
SCATTER_SAMPLE = 2_000
GROUP_COLOUR = "#90a4ae"
CLIENT_COLOUR = "#e65100"
RATE_COLOUR = "#c62828"
OUTCOME_COLOURS = ["#78909c", "#c62828", "#bdbdbd"]  # repaid, defaulted, unknown


@dataclass(frozen=True)
class Distribution:
    """A feature's distribution in a group: bars, counts, default rates and the client's bar."""

    labels: list[str]
    edges: np.ndarray | None  # bin edges (numeric) or None (categorical)
    counts: np.ndarray
    default_rates: np.ndarray  # NaN where no known-outcome client
    client_bar: int | None  # index of the client's bar (None when the value is missing)
    client_value: float | str | None
    tick_labels: list[str]  # short labels under the bars
    known_counts: np.ndarray  # known-outcome clients per bar


def group_rows(data: DashboardData, state: DashboardState) -> np.ndarray:
    """Rows of the comparison group chosen in the state (EmptyGroupError when empty)."""
    mode = state.group_mode
    if mode == "all":
        rows = np.arange(data.n_clients)
    elif mode == "filtered":
        rows = data.filter_rows(state.filters)
    elif mode == "similar":
        if state.client_id is None:
            rows = np.arange(0)
        else:
            rows = data.similar_rows(data.row_of(state.client_id), state.k_similar)
    else:
        rows = np.asarray(state.brushed_rows if state.brushed_rows is not None else [], dtype=int)
    if len(rows) == 0:
        raise EmptyGroupError(f"the comparison group '{mode}' holds no client")
    return rows


def bin_edges(data: DashboardData, feature: str) -> np.ndarray:
    """Histogram edges of a numeric feature over the whole population's robust range (cached)."""
    cache = data.__dict__.setdefault("_bin_edges", {})
    if feature not in cache:
        values = data.numeric[feature]
        finite = values[np.isfinite(values)]
        if len(finite) == 0:
            cache[feature] = np.array([0.0, 1.0])
        else:
            low, high = np.quantile(finite, [0.005, 0.995])
            if high <= low:
                low, high = float(finite.min()), float(finite.max())
            if high <= low:
                low, high = low - 0.5, high + 0.5
            levels = np.unique(finite) if len(finite) < 50_000 else np.unique(finite[:50_000])
            if len(levels) <= HISTOGRAM_BINS and np.allclose(levels, np.round(levels)):
                cache[feature] = np.arange(levels.min() - 0.5, levels.max() + 1.5)
            else:
                cache[feature] = np.linspace(low, high, HISTOGRAM_BINS + 1)
    return cache[feature]


def distribution(
    data: DashboardData, feature: str, rows: np.ndarray, client_row: int | None, lang: str
) -> Distribution:
    """Counts and default rates of ``feature`` in the group ``rows`` (numpy only)."""
    target = data.target[rows]
    known = ~np.isnan(target)
    if feature in data.numeric:
        edges = bin_edges(data, feature)
        values = data.numeric[feature][rows]
        present = ~np.isnan(values)
        clipped = np.clip(values[present], edges[0], edges[-1])
        counts, _ = np.histogram(clipped, bins=edges)
        known_present = known[present]
        known_counts, _ = np.histogram(clipped[known_present], bins=edges)
        default_counts, _ = np.histogram(
            clipped[known_present], bins=edges, weights=target[present][known_present]
        )
        client_value = None
        client_bar = None
        if client_row is not None:
            client_value = float(data.numeric[feature][client_row])
            if not np.isnan(client_value):
                position = (
                    np.searchsorted(edges, np.clip(client_value, edges[0], edges[-1]), side="right")
                    - 1
                )
                client_bar = int(min(max(position, 0), len(counts) - 1))
        labels = [
            _range_label(data, feature, edges[i], edges[i + 1], lang) for i in range(len(counts))
        ]
        short_labels = [
            _short_label(data, feature, edges[i], edges[i + 1], lang) for i in range(len(counts))
        ]
    else:
        codes, levels = data.categorical[feature]
        group_codes = codes[rows]
        present = group_codes >= 0
        counts = np.bincount(group_codes[present], minlength=len(levels))
        known_present = known[present]
        known_counts = np.bincount(group_codes[present][known_present], minlength=len(levels))
        default_counts = np.bincount(
            group_codes[present][known_present],
            weights=target[present][known_present],
            minlength=len(levels),
        )
        edges = None
        client_value = data.value(feature, client_row) if client_row is not None else None
        client_bar = levels.index(client_value) if client_value in levels else None
        labels = [data.display_value(feature, level, lang) for level in levels]
        short_labels = labels
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(known_counts > 0, default_counts / np.maximum(known_counts, 1), np.nan)
    return Distribution(
        labels,
        edges,
        counts.astype(np.int64),
        rates,
        client_bar,
        client_value,
        short_labels,
        known_counts.astype(np.int64),
    )


def locate_client(
    data: DashboardData, feature: str, found: Distribution, client_row: int | None
) -> Distribution:
    """The same group distribution with another client's bar and value."""
    from dataclasses import replace

    if client_row is None:
        return replace(found, client_bar=None, client_value=None)
    if found.edges is not None:
        value = float(data.numeric[feature][client_row])
        bar = None
        if not np.isnan(value):
            edges = found.edges
            position = np.searchsorted(edges, np.clip(value, edges[0], edges[-1]), side="right")
            bar = int(min(max(position - 1, 0), len(found.counts) - 1))
        return replace(found, client_bar=bar, client_value=value)
    value = data.value(feature, client_row)
    _, levels = data.categorical[feature]
    bar = levels.index(value) if value in levels else None
    return replace(found, client_bar=bar, client_value=value)


def _short_label(data: DashboardData, feature: str, low: float, high: float, lang: str) -> str:
    """The lower bound of a bin (or its single value), for the axis under the bars."""
    if high - low == 1.0 and float(low + 0.5).is_integer():
        return data.display_value(feature, low + 0.5, lang)
    return data.display_value(feature, low, lang)


def _range_label(data: DashboardData, feature: str, low: float, high: float, lang: str) -> str:
    entry = data.entries[feature]
    if high - low == 1.0 and float(low + 0.5).is_integer():
        return data.display_value(feature, low + 0.5, lang)
    if entry.get("unit") in ("amount",):
        return (
            f"{data.display_value(feature, low, lang)} – {data.display_value(feature, high, lang)}"
        )
    return f"{data.display_value(feature, low, lang)} – {data.display_value(feature, high, lang)}"


def scatter_sample(rows: np.ndarray, size: int = SCATTER_SAMPLE, seed: int = 0) -> np.ndarray:
    """At most ``size`` rows of the group, drawn without replacement (the same draw each time)."""
    if len(rows) <= size:
        return rows
    generator = np.random.default_rng(seed)
    return np.sort(generator.choice(rows, size=size, replace=False))


class ComparisonPanel(Panel):
    """Histogram / category bars of the group with the client marked, and a brushable scatter."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.rows = np.arange(data.n_clients)
        self.sample_rows = np.arange(0)
        self.distribution: Distribution | None = None
        self.title = widgets.HTML()
        self.mode = widgets.ToggleButtons(style={"button_width": "auto"})
        self.mode.add_class("cs-group-mode")
        self.k_slider = widgets.IntSlider(
            min=10,
            max=500,
            step=10,
            value=state.k_similar,
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.k_slider.add_class("cs-k")
        ordered = [
            name
            for name in data.importance_order
            if name in data.entries and name in data.feature_names
        ]
        ordered += [name for name in data.feature_names if name not in ordered]
        self.feature_names = ordered
        self.numeric_names = [name for name in ordered if name in data.numeric]
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
        # histogram (numeric) and category bars share one figure with an ordinal x scale
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
        self.legend = widgets.HTML()
        # scatter of a sample of the group, client highlighted, brush defines a group
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
        self.brush = bq.interacts.BrushSelector(
            x_scale=self.x_scale, y_scale=self.y_scale, color="#1565c0"
        )
        self.x_axis = bq.Axis(scale=self.x_scale, label_offset="35px")
        self.y_axis = bq.Axis(scale=self.y_scale, side="left", label_offset="60px")
        self.scatter_figure = bq.Figure(
            marks=[self.scatter, self.client_point],
            axes=[self.x_axis, self.y_axis],
            interaction=self.brush,
            fig_margin={"top": 20, "bottom": 55, "left": 80, "right": 20},
            layout=widgets.Layout(width="100%", height="400px"),
            animation_duration=0,
            padding_x=0.03,
            padding_y=0.03,
        )
        self.scatter_figure.add_class("cs-scatter")
        self.scatter_note = widgets.HTML()
        self.brush.observe(self._brushed, "brushing")
        self.mode.observe(self._mode_chosen, "value")
        self.k_slider.observe(self._k_moved, "value")
        self.feature_choice.observe(self._feature_chosen, "value")
        self.second_choice.observe(self._second_chosen, "value")
        self._updating = False
        self._labels_lang = ""
        self._cached_group_key: tuple | None = None
        self._histogram_key: tuple | None = None
        self._scatter_key: tuple | None = None
        self._group_rate = float("nan")
        left = widgets.VBox(
            [self.feature_choice, self.position_info, self.histogram_figure, self.legend],
            layout=widgets.Layout(width="50%", padding="0 10px 0 0"),
        )
        right = widgets.VBox(
            [self.second_choice, self.scatter_note, self.scatter_figure],
            layout=widgets.Layout(width="50%"),
        )
        self.widget = widgets.VBox(
            [
                self.title,
                widgets.HBox([self.mode, self.k_slider]),
                self.group_info,
                self.message,
                widgets.HBox([left, right], layout=widgets.Layout(width="100%")),
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        if not state.feature and self.feature_names:
            state.feature = (self.numeric_names or self.feature_names)[0]
        if not state.second_feature and len(self.numeric_names) > 1:
            state.second_feature = next(n for n in self.numeric_names if n != state.feature)
        state.observe(
            self.redraw,
            [
                "client_id",
                "group_mode",
                "k_similar",
                "feature",
                "second_feature",
                "lang",
                "brushed_rows",
            ],
        )
        state.observe(self._filters_changed, "filters")
        self.redraw()

    # ----- controls --------------------------------------------------------------------------
    @safe
    def _mode_chosen(self, change) -> None:
        if not self._updating:
            self.state.group_mode = change["new"]

    @safe
    def _k_moved(self, change) -> None:
        self.state.k_similar = int(change["new"])

    @safe
    def _feature_chosen(self, change) -> None:
        if not self._updating and change["new"]:
            self.state.feature = change["new"]

    @safe
    def _second_chosen(self, change) -> None:
        if not self._updating and change["new"]:
            self.state.second_feature = change["new"]

    @safe
    def _filters_changed(self, _change=None) -> None:
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
        x_low, x_high = sorted(float(v) for v in x_range)
        y_low, y_high = sorted(float(v) for v in y_range)
        inside = (
            (x_values >= x_low) & (x_values <= x_high) & (y_values >= y_low) & (y_values <= y_high)
        )
        rows = self.rows[inside]
        if len(rows) == 0:
            self.show_message(self.words("error.empty_brush"))
            return
        self.state.brush(rows)

    # ----- drawing ---------------------------------------------------------------------------
    def _relabel(self) -> None:
        lang = self.state.lang
        self._labels_lang = lang
        self.title.value = f"<h3>{self.words('compare.title')}</h3>"
        self._updating = True
        try:
            self.mode.options = [(self.words(f"compare.mode.{mode}"), mode) for mode in GROUP_MODES]
            self.mode.value = self.state.group_mode
            self.k_slider.description = self.words("compare.k")
            self.feature_choice.description = self.words("compare.feature")
            self.second_choice.description = self.words("compare.second_feature")
            self.feature_choice.options = [
                (self.data.label(n, lang), n) for n in self.feature_names
            ]
            self.second_choice.options = [(self.data.label(n, lang), n) for n in self.numeric_names]
            if self.state.feature in self.feature_names:
                self.feature_choice.value = self.state.feature
            if self.state.second_feature in self.numeric_names:
                self.second_choice.value = self.state.second_feature
        finally:
            self._updating = False
        self.k_slider.layout.display = "" if self.state.group_mode == "similar" else "none"
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
        if self._labels_lang != self.state.lang or self.mode.value != self.state.group_mode:
            self._relabel()
        self.k_slider.layout.display = "" if self.state.group_mode == "similar" else "none"
        self._sync_choices()
        if self.state.client_id is None:
            return
        client_row = self.data.row_of(self.state.client_id)
        group_key = self._group_key()
        if group_key is None or group_key != self._cached_group_key:
            try:
                rows = group_rows(self.data, self.state)
            except EmptyGroupError:
                self.show_message(self.words(f"error.empty_group_{self.state.group_mode}"))
                self._clear()
                return
            target = self.data.target[rows]
            known = ~np.isnan(target)
            self.rows = rows
            self._group_rate = float(target[known].mean()) if known.any() else float("nan")
            self._cached_group_key = group_key
            self._histogram_key = self._scatter_key = None
        self.show_message("")
        lang = self.state.lang
        rate = self._group_rate
        self.group_info.value = (
            "<div>"
            + self.words(
                "compare.group_info",
                count=_number(len(self.rows), lang),
                rate=self.words("compare.rate_unknown") if np.isnan(rate) else percent(rate, lang),
            )
            + "</div>"
        )
        self._draw_histogram(client_row)
        self._draw_scatter(client_row)

    def _sync_choices(self) -> None:
        """Show the state's features in the dropdowns (a waterfall click changes them)."""
        self._updating = True
        try:
            if self.state.feature in self.feature_names:
                self.feature_choice.value = self.state.feature
            if self.state.second_feature in self.numeric_names:
                self.second_choice.value = self.state.second_feature
        finally:
            self._updating = False

    def _group_key(self) -> tuple | None:
        """What identifies the comparison group, when it does not depend on the client."""
        mode = self.state.group_mode
        if mode == "similar":
            return None
        if mode == "filtered":
            return (mode, tuple(sorted(self.state.filters.items())))
        if mode == "brushed":
            return (mode, id(self.state.brushed_rows))
        return (mode,)

    def _clear(self) -> None:
        self.group_info.value = ""
        self.histogram.x, self.histogram.y = [], []
        self.rate_line.x, self.rate_line.y = [], []
        self.client_mark.x, self.client_mark.y, self.client_mark.text = [], [], []
        self.scatter.x, self.scatter.y, self.scatter.color = [], [], []
        self.client_point.x, self.client_point.y = [], []

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
        labels = _unique(found.tick_labels)
        colours = [
            CLIENT_COLOUR if i == found.client_bar else GROUP_COLOUR for i in range(len(labels))
        ]
        drawn = [
            i
            for i in range(len(labels))
            if found.known_counts[i] >= MIN_CLIENTS_FOR_RATE
            and not np.isnan(found.default_rates[i])
        ]
        rate_x = [labels[i] for i in drawn]
        rate_y = [float(found.default_rates[i]) for i in drawn]
        with self.histogram_figure.hold_sync():
            self.bin_scale.domain = labels
            self.count_scale.max = float(max(found.counts.max(initial=0), 1)) * 1.15
            self.rate_scale.max = max(max(rate_y, default=0.0) * 1.15, 0.05)
            self.count_axis.tick_values = nice_ticks(0.0, self.count_scale.max, count=4)
            self.rate_axis.tick_values = nice_ticks(0.0, self.rate_scale.max, count=4)
            self.histogram.x = labels
            self.histogram.y = found.counts.astype(float)
            self.histogram.colors = colours
            self.rate_line.x = rate_x
            self.rate_line.y = rate_y
            self.count_axis.label = self.words("compare.axis_count")
            self.rate_axis.label = self.words("compare.axis_rate")
            if found.client_bar is not None:
                self.client_mark.x = [labels[found.client_bar]]
                self.client_mark.y = [float(found.counts[found.client_bar])]
                self.client_mark.text = ["▼"]
            else:
                self.client_mark.x, self.client_mark.y, self.client_mark.text = [], [], []
        self._describe_position(found)

    def _mark_client(self, found: Distribution) -> None:
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
            rate = found.default_rates[index]
            text = self.words(
                "compare.position",
                feature=label,
                value=value_text,
                bin=found.labels[index],
                count=_number(int(found.counts[index]), lang),
                rate=percent(float(rate), lang)
                if not np.isnan(rate)
                else self.words("compare.rate_unknown"),
            )
        self.position_info.value = f'<div class="cs-position-text">{escape(text)}</div>'

    def _place_client(self, client_x: float, client_y: float) -> None:
        """The client's diamond (kept inside the chart: at its edge when off the scales)."""
        with self.scatter_figure.hold_sync():
            if np.isnan(client_x) or np.isnan(client_y):
                self.client_point.x, self.client_point.y = [], []
            else:
                self.client_point.x = [_clip_to(self.x_scale, client_x)]
                self.client_point.y = [_clip_to(self.y_scale, client_y)]

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
        x_values = self.data.numeric[x_name][sample]
        y_values = self.data.numeric[y_name][sample]
        keep = ~(np.isnan(x_values) | np.isnan(y_values))
        target = self.data.target[sample][keep]
        outcome = np.where(np.isnan(target), 2, np.where(target >= 0.5, 1, 0))
        x_shown, y_shown = x_values[keep].astype(float), y_values[keep].astype(float)
        with self.scatter_figure.hold_sync():
            # fixed scales: a client switch then moves one mark, not the whole cloud
            for scale, axis, values in (
                (self.x_scale, self.x_axis, x_shown),
                (self.y_scale, self.y_axis, y_shown),
            ):
                low, high = (float(values.min()), float(values.max())) if len(values) else (0, 1)
                if high <= low:
                    low, high = low - 0.5, high + 0.5
                scale.min, scale.max = low, high
                axis.tick_values = nice_ticks(low, high)
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
            shown=_number(int(keep.sum()), lang),
            count=_number(len(self.rows), lang),
        )
        self.scatter_note.value = (
            f'<div class="cs-hint">{escape(note)} '
            + _swatch(OUTCOME_COLOURS[1], "●", self.words("compare.defaulted"))
            + _swatch(OUTCOME_COLOURS[0], "●", self.words("compare.repaid"))
            + _swatch(OUTCOME_COLOURS[2], "●", self.words("compare.new"))
            + _swatch(CLIENT_COLOUR, "◆", self.words("compare.legend_client"))
            + "</div>"
        )


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) within
    [low, high], so that axes read 0, 0.25, 0.5... rather than the padded scale's bounds."""
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return np.array([low])
    raw_step = span / max(count - 1, 1)
    magnitude = 10.0 ** np.floor(np.log10(raw_step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(np.log(s / raw_step)))
    first = np.ceil(low / step - 1e-9) * step
    ticks = np.arange(first, high + step * 1e-9, step)
    return np.round(ticks, 10) + 0.0  # + 0.0 turns -0.0 into 0.0


def _clip_to(scale: bq.LinearScale, value: float) -> float:
    return float(min(max(value, scale.min), scale.max))


def _swatch(colour: str, symbol: str, text: str) -> str:
    return f'<span style="color:{colour}">{symbol}</span> {escape(text)} &nbsp; '


def _unique(labels: list[str]) -> list[str]:
    from credit_scoring.dashboard.why import unique_labels

    return unique_labels(labels)


def _number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text
