"""The one state object of the dashboard: what is selected. Panels observe it and redraw."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps

import ipywidgets as widgets
import numpy as np
from traitlets import Any, Dict, Enum, Float, HasTraits, Int, Unicode

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

    def set_filter(self, column: str, level: str | None) -> None:
        """Choose one filter level (None clears it); replaces the dict so observers fire."""
        filters = dict(self.filters)
        if level is None:
            filters.pop(column, None)
        else:
            filters[column] = level
        self.filters = filters

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

    def show_message(self, text: str, kind: str = "warning") -> None:
        """Show one short sentence in the panel (empty text hides it)."""
        if not text:
            self.message.value = ""
            return
        self.message.value = f'<div class="cs-note cs-note-{kind}">{_escape(text)}</div>'

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
            self.show_message(translate("error.unknown_client_short", self.state.lang))
            return None
        except EmptyGroupError:
            self.show_message(translate("error.empty_group", self.state.lang))
            return None
        except CreditScoringError as error:
            log.warning("dashboard callback %s: %s", callback.__name__, error)
            self.show_message(translate("error.artifacts", self.state.lang), kind="error")
            return None
        except Exception:  # noqa: BLE001 - a page must never break; the log keeps the details
            log.exception("dashboard callback %s failed", callback.__name__)
            self.show_message(translate("error.unexpected", self.state.lang), kind="error")
            return None
        return result

    return wrapper


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


escape = _escape
