"""The one state object of the dashboard: what is selected. Panels observe it and redraw."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

import ipywidgets as widgets
import numpy as np
from traitlets import Any, Dict, Enum, Float, HasTraits, Int, Unicode, link

from credit_scoring.dashboard.formatting import escape
from credit_scoring.errors import CreditScoringError, EmptyGroupError, UnknownClientError
from credit_scoring.i18n import LANGUAGES, translate

log = logging.getLogger("credit_scoring.dashboard")
if not log.handlers:
    log.addHandler(logging.StreamHandler(sys.stderr))

GROUP_MODES = ("all", "filtered", "similar", "brushed")


class DashboardState(HasTraits):
    """The selection shared by every panel.

    ``group_rows`` is the brushed group (rows of the artifacts), used when group_mode is "brushed".
    """

    client_id = Int(None, allow_none=True)
    filters = Dict()
    group_mode = Enum(GROUP_MODES, default_value="all")
    k_similar = Int(50)
    feature = Unicode("")
    second_feature = Unicode("")
    threshold = Float(0.5)
    default_threshold = Float(0.5)
    n_contributions = Int(8)
    lang = Enum(LANGUAGES, default_value="fr")
    brushed_rows = Any(None)
    #: Values (raw application columns) a panel asks the what-if to simulate, e.g. a suggestion
    #: of the conversation panel; set it to {} first so that the same edits asked again notify.
    whatif_edits = Dict()
    #: Counts the reviews recorded on this page, so that the panels showing them redraw.
    reviews_recorded = Int(0)

    def set_filter(self, column: str, level: str | None) -> None:
        """Choose one filter level (None clears it); replaces the dict so observers fire."""
        filters = dict(self.filters)
        if level is None:
            filters.pop(column, None)
        else:
            filters[column] = level
        self.filters = filters  # an equal dict notifies no one

    def brush(self, rows: np.ndarray) -> None:
        """Make these rows the comparison group."""
        self.brushed_rows = np.asarray(rows)
        self.group_mode = "brushed"


class Panel:
    """Base of a panel: a widget, a message line, and safe callbacks."""

    def __init__(self, state: DashboardState) -> None:
        self.state = state
        self.message = widgets.HTML(value="", layout=widgets.Layout(min_height="0px"))
        self.message.add_class("cs-message")
        #: The message on screen as (catalog key, fields, kind), to write it again in another
        #: language; None when the message is empty or was given as finished text.
        self.message_words: tuple[str, dict, str] | None = None
        state.observe(self._translate_message, "lang")

    def show_message(self, text: str, kind: str = "warning") -> None:
        """Show one short sentence in the panel (empty text hides it).

        Finished text cannot follow a change of language: prefer ``say`` for catalog words.
        """
        self.message_words = None
        self._write_message(text, kind)

    def say(self, key: str, kind: str = "warning", **fields: object) -> None:
        """Show the catalog's text ``key`` as the panel's message, in the current language and
        again in the new one when the language changes."""
        self._write_message(self.words(key, **fields), kind)
        self.message_words = (key, dict(fields), kind)

    def _write_message(self, text: str, kind: str) -> None:
        if not text:
            self.message.value = ""
            return
        self.message.value = f'<div class="cs-note cs-note-{kind}">{escape(text)}</div>'

    def _translate_message(self, _change=None) -> None:
        if self.message_words is not None:
            key, fields, kind = self.message_words
            self._write_message(translate(key, self.state.lang, **fields), kind)

    def words(self, key: str, **fields: object) -> str:
        """A text of the catalog in the current language."""
        return translate(key, self.state.lang, **fields)


def safe(callback: Callable) -> Callable:
    """Wrap a panel method so that a failure becomes a message in the panel, never a traceback."""

    @wraps(callback)
    def wrapper(self: Panel, *args, **kwargs):
        try:
            result = callback(self, *args, **kwargs)
        except UnknownClientError:
            self.say("error.unknown_client_short")
            return None
        except EmptyGroupError:
            self.say("error.empty_group")
            return None
        except CreditScoringError as error:
            log.warning("dashboard callback %s: %s", callback.__name__, error)
            self.say("error.artifacts", kind="error")
            return None
        except Exception:  # noqa: BLE001 - a page must never break; the log keeps the details
            log.exception("dashboard callback %s failed", callback.__name__)
            self.say("error.unexpected", kind="error")
            return None
        return result

    return wrapper


def option_values(selection: widgets.widget_selection._Selection) -> tuple:
    """The values a selection widget (dropdown, toggle buttons) offers."""
    return tuple(option[1] if isinstance(option, tuple) else option for option in selection.options)


def link_selection(
    state: DashboardState, name: str, selection: widgets.widget_selection._Selection
) -> link:
    """Keep a selection widget and a trait of the state in sync, both ways.

    A state value that the widget does not offer leaves the widget as it is (the panel drawing
    that value then says what is wrong), and a widget without a value leaves the state as it is.
    """

    def shown(value):
        return value if value in option_values(selection) else selection.value

    def stored(value):
        return getattr(state, name) if value is None else value

    return link((state, name), (selection, "value"), transform=(shown, stored))


class FilterLink:
    """Keep a dropdown and one entry of ``state.filters`` in sync, both ways (traitlets links
    whole traits, not dict entries); the dropdown's ``empty`` value means "no filter"."""

    def __init__(
        self, state: DashboardState, column: str, dropdown: widgets.Dropdown, empty: str = ""
    ) -> None:
        self.state, self.column, self.dropdown, self.empty = state, column, dropdown, empty
        self.link()

    def link(self) -> None:
        """Show the state's level in the dropdown, then follow both."""
        self._show()
        self.state.observe(self._show, "filters")
        self.dropdown.observe(self._store, "value")

    def unlink(self) -> None:
        """Stop following (see ``paused``)."""
        self.state.unobserve(self._show, "filters")
        self.dropdown.unobserve(self._store, "value")

    def _show(self, _change=None) -> None:
        wanted = self.state.filters.get(self.column, self.empty)
        if wanted in option_values(self.dropdown) and self.dropdown.value != wanted:
            self.dropdown.value = wanted  # _store then sets the same filters: no notification

    def _store(self, change) -> None:
        level = change["new"]
        self.state.set_filter(self.column, None if level in (self.empty, None) else level)


@contextmanager
def paused(links: list) -> Iterator[None]:
    """Links paused while selection widgets get new options (their labels in another language).

    The one guard left: ipywidgets moves a selection to its first option when its options are
    replaced, and a live link would copy that passing value into the state. Relinked, each link
    puts the state's value back into its widget.
    """
    for each in links:
        each.unlink()
    try:
        yield
    finally:
        for each in links:
            each.link()
