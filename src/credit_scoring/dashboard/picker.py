"""Choosing a client: id with completion, filters, previous/next, count of matches.

The decision and risk-band filters follow the threshold of the state: with the slider moved they
filter at the simulated threshold, and the panel says so. Previous and next stop at the ends of
the list (the buttons are disabled there) rather than wrapping around without a word.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.data import FILTERS, DashboardData, filter_level_text
from credit_scoring.dashboard.state import DashboardState, FilterLink, Panel, paused, safe
from credit_scoring.errors import UnknownClientError

COMPLETION_LIMIT = 20
#: Filters computed from the probability at the state's threshold (they follow the slider).
THRESHOLD_FILTERS = ("decision", "risk_band")


class ClientPicker(Panel):
    """Client id Combobox (options limited to matches of what is typed), filters, prev/next."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.filtered_rows = np.arange(data.n_clients)
        self.id_box = widgets.Combobox(
            placeholder="",
            ensure_option=False,
            continuous_update=True,
            layout=widgets.Layout(width="100%"),
        )
        self.id_box.add_class("cs-client-id")
        self.show_button = widgets.Button(icon="search", layout=widgets.Layout(width="120px"))
        self.show_button.add_class("cs-show-client")
        self.previous_button = widgets.Button(
            icon="chevron-left", layout=widgets.Layout(width="48%")
        )
        self.next_button = widgets.Button(icon="chevron-right", layout=widgets.Layout(width="48%"))
        self.previous_button.add_class("cs-previous")
        self.next_button.add_class("cs-next")
        self.count = widgets.HTML()
        self.count.add_class("cs-count")
        self.title = widgets.HTML()
        self.filter_title = widgets.HTML()
        self.threshold_note = widgets.HTML()
        self.threshold_note.add_class("cs-filter-threshold")
        self.clear_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.clear_button.add_class("cs-clear-filters")
        self.dropdowns: dict[str, widgets.Dropdown] = {}
        for column in FILTERS:
            if column not in data.filter_codes:
                continue
            dropdown = widgets.Dropdown(layout=widgets.Layout(width="100%"))
            dropdown.add_class(f"cs-filter-{column.lower()}")
            self.dropdowns[column] = dropdown
        self.id_box.observe(self._typed, "value")
        self.id_box.on_submit(lambda _box: self._submit())
        self.show_button.on_click(lambda _button: self._submit())
        self.previous_button.on_click(lambda _button: self.step(-1))
        self.next_button.on_click(lambda _button: self.step(+1))
        self.clear_button.on_click(lambda _button: self.clear_filters())
        self.filter_links: list[FilterLink] = []
        self.widget = widgets.VBox(
            [
                self.title,
                widgets.HBox([self.id_box, self.show_button]),
                widgets.HBox([self.previous_button, self.next_button]),
                self.count,
                self.message,
                self.filter_title,
                *self.dropdowns.values(),
                self.threshold_note,
                self.clear_button,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        state.observe(self._client_changed, "client_id")
        state.observe(self._relabel, "lang")
        state.observe(self._filters_changed, "filters")
        state.observe(self._threshold_changed, "threshold")
        # the data may hold another threshold's filters (an earlier page of this kernel)
        data.set_decision_threshold(state.threshold)
        self._relabel()
        self.filter_links = [
            FilterLink(state, column, dropdown) for column, dropdown in self.dropdowns.items()
        ]
        self._client_changed()

    # ----- language --------------------------------------------------------------------------
    @safe
    def _relabel(self, _change=None) -> None:
        lang = self.state.lang
        self.title.value = f"<h3>{self.words('picker.title')}</h3>"
        self.id_box.placeholder = self.words("picker.placeholder")
        self.show_button.tooltip = self.words("picker.show")
        self.show_button.description = self.words("picker.show")
        self.previous_button.description = self.words("picker.previous")
        self.next_button.description = self.words("picker.next")
        self.filter_title.value = f"<h4>{self.words('picker.filters')}</h4>"
        self.clear_button.description = self.words("picker.clear_filters")
        with paused(self.filter_links):
            for column, dropdown in self.dropdowns.items():
                options = [(self.words("picker.any"), "")]
                options += [
                    (filter_level_text(column, level, lang), level)
                    for level in self.data.filter_levels[column]
                ]
                dropdown.options = options
                dropdown.description = self.words(f"filter.{column}")
                dropdown.style = {"description_width": "45%"}
        self._describe_threshold()
        self._show_count()

    # ----- id entry --------------------------------------------------------------------------
    @safe
    def _typed(self, change) -> None:
        typed = str(change["new"]).strip()
        self.id_box.options = tuple(self.data.complete_ids(typed, COMPLETION_LIMIT))
        # the only id that starts with what was typed is the id itself: show it right away
        if self.id_box.options == (typed,) and self.state.client_id != int(typed):
            self.select(typed)

    @safe
    def _submit(self) -> None:
        self.select(self.id_box.value)

    def select(self, typed: str | int) -> None:
        """Show the client with this id, or a message when the id is unknown."""
        try:
            row = self.data.row_of(typed)
        except UnknownClientError:
            self.say("error.unknown_client", client=str(typed).strip())
            return
        self.show_message("")
        self.state.client_id = int(self.data.client_ids[row])

    @safe
    def _client_changed(self, _change=None) -> None:
        client = self.state.client_id
        if client is not None and self.id_box.value != str(client):
            self.id_box.value = str(client)
        self._show_count()

    # ----- filters (the dropdowns are linked to state.filters) -------------------------------
    @safe
    def _filters_changed(self, _change=None) -> None:
        self.filtered_rows = self.data.filter_rows(self.state.filters)
        if len(self.filtered_rows) == 0:
            self.say("error.empty_filter")
        else:
            self.show_message("")
            current = self.current_row()
            if current is None or not np.isin(current, self.filtered_rows):
                self.state.client_id = int(self.data.client_ids[self.filtered_rows[0]])
        self._show_count()

    @safe
    def _threshold_changed(self, _change=None) -> None:
        """Decision and risk-band filters at the new threshold; the list is filtered again.

        The client shown stays (moving the slider must not change the client); when it no longer
        matches the filters, the panel says so.
        """
        self.data.set_decision_threshold(self.state.threshold)
        self._describe_threshold()
        self.filtered_rows = self.data.filter_rows(self.state.filters)
        current = self.current_row()
        if len(self.filtered_rows) == 0:
            self.say("error.empty_filter")
        elif current is not None and not np.isin(current, self.filtered_rows):
            self.say("picker.client_outside_filters", kind="info")
        else:
            self.show_message("")
        self._show_count()

    def simulated(self) -> bool:
        """True when the threshold of the state is not the model's (a simulation)."""
        return not math.isclose(self.state.threshold, self.state.default_threshold, abs_tol=1e-9)

    def _describe_threshold(self) -> None:
        """Under the filters: at which threshold the decision and risk-band filters are computed."""
        if not any(column in self.dropdowns for column in THRESHOLD_FILTERS):
            self.threshold_note.value = ""
            return
        lang = self.state.lang
        if self.simulated():
            text = self.words(
                "picker.filters_simulated",
                threshold=fmt.percent(self.state.threshold, lang),
                model=fmt.percent(self.state.default_threshold, lang),
            )
            note = f'<div class="cs-note cs-note-info">{fmt.escape(text)}</div>'
            self.threshold_note.value = note
        else:
            text = self.words(
                "picker.filters_model", threshold=fmt.percent(self.state.default_threshold, lang)
            )
            self.threshold_note.value = f'<div class="cs-hint">{fmt.escape(text)}</div>'

    def clear_filters(self) -> None:
        """Remove every filter."""
        self.state.filters = {}

    def current_row(self) -> int | None:
        """Row of the shown client (None when no client is shown)."""
        if self.state.client_id is None:
            return None
        return self.data.row_of(self.state.client_id)

    def position(self) -> int | None:
        """Index of the shown client in the filtered list (None when it is not in it)."""
        rows = self.filtered_rows
        current = self.current_row()
        if current is None or len(rows) == 0:
            return None
        position = int(np.searchsorted(rows, current))
        return position if position < len(rows) and rows[position] == current else None

    @safe
    def step(self, offset: int) -> None:
        """Show the previous (-1) or next (+1) client of the filtered list; at either end of the
        list the client stays and the panel says it is the first / last one (no wrap-around)."""
        rows = self.filtered_rows
        if len(rows) == 0:
            self.say("error.empty_filter")
            return
        position = self.position()
        if position is None:  # the client shown is not in the list: go to its first / last one
            position = 0 if offset > 0 else len(rows) - 1
        elif not 0 <= position + offset < len(rows):
            self.say("picker.last" if offset > 0 else "picker.first", kind="info")
            return
        else:
            position += offset
        self.show_message("")
        self.state.client_id = int(self.data.client_ids[rows[position]])

    def _show_count(self) -> None:
        rows = self.filtered_rows
        position = self.position()
        lang = self.state.lang
        text = self.words("picker.count", count=fmt.count(len(rows), lang))
        if position is not None:
            text += " · " + self.words(
                "picker.position",
                position=fmt.count(position + 1, lang),
                count=fmt.count(len(rows), lang),
            )
        self.count.value = f"<span>{text}</span>"
        # the ends of the list: nothing before the first client, nothing after the last
        self.previous_button.disabled = len(rows) == 0 or position == 0
        self.next_button.disabled = len(rows) == 0 or position == len(rows) - 1
