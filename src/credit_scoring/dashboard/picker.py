"""Choosing a client: id with completion, filters, previous/next, count of matches."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.data import FILTERS, DashboardData, filter_level_text
from credit_scoring.dashboard.state import DashboardState, FilterLink, Panel, paused, safe
from credit_scoring.errors import UnknownClientError

COMPLETION_LIMIT = 20


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
                self.clear_button,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        state.observe(self._client_changed, "client_id")
        state.observe(self._relabel, "lang")
        state.observe(self._filters_changed, "filters")
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
            self.show_message(self.words("error.unknown_client", client=str(typed).strip()))
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
            self.show_message(self.words("error.empty_filter"))
        else:
            self.show_message("")
            current = self.current_row()
            if current is None or not np.isin(current, self.filtered_rows):
                self.state.client_id = int(self.data.client_ids[self.filtered_rows[0]])
        self._show_count()

    def clear_filters(self) -> None:
        """Remove every filter."""
        self.state.filters = {}

    def current_row(self) -> int | None:
        """Row of the shown client (None when no client is shown)."""
        if self.state.client_id is None:
            return None
        return self.data.row_of(self.state.client_id)

    @safe
    def step(self, offset: int) -> None:
        """Show the previous (-1) or next (+1) client of the filtered list."""
        rows = self.filtered_rows
        if len(rows) == 0:
            self.show_message(self.words("error.empty_filter"))
            return
        current = self.current_row()
        position = int(np.searchsorted(rows, current)) if current is not None else -1
        if current is not None and position < len(rows) and rows[position] == current:
            position = (position + offset) % len(rows)
        else:
            position = 0 if offset > 0 else len(rows) - 1
        self.show_message("")
        self.state.client_id = int(self.data.client_ids[rows[position]])

    def _show_count(self) -> None:
        rows = self.filtered_rows
        current = self.current_row() if self.state.client_id is not None else None
        lang = self.state.lang
        text = self.words("picker.count", count=fmt.count(len(rows), lang))
        if current is not None and len(rows):
            position = int(np.searchsorted(rows, current))
            if position < len(rows) and rows[position] == current:
                text += " · " + self.words(
                    "picker.position",
                    position=fmt.count(position + 1, lang),
                    count=fmt.count(len(rows), lang),
                )
        self.count.value = f"<span>{text}</span>"
