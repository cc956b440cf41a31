"""The dashboard's side of the audit trail: it records what a user looks at and simulates.

``attach_audit(app)`` (called by ``build_app``) opens the audit trail of the state folder
($CREDIT_SCORING_STATE, set by the hub for every user's server) and observes the page's state:
every client shown and every threshold simulated is recorded with the user ($JUPYTERHUB_USER
under the hub; the operating-system user for a standalone dashboard given a state folder) and
the model version of the manifest. The what-if and report panels call :func:`record_action`
for the two actions the state does not show (a what-if run, a report prepared for download).

Without a state folder (``credit-scoring dashboard`` without ``--state``) the trail is off and
the page says so. With one, an audit trail that cannot be opened or written stops the page
before any client is shown: under the hub no client data is shown unrecorded.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import ipywidgets as widgets

from credit_scoring.dashboard.formatting import escape
from credit_scoring.dashboard.state import DashboardState, log
from credit_scoring.i18n import translate
from credit_scoring.service.audit import (
    CLIENT_VIEWED,
    THRESHOLD_SIMULATED,
    AuditError,
    AuditStore,
    audit_path,
    model_version,
)

STATE_ENV = "CREDIT_SCORING_STATE"
HUB_USER_ENV = "JUPYTERHUB_USER"
_RECORDER_ATTRIBUTE = "audit_recorder"


def current_user() -> str:
    """Who is looking: the hub's user name, else the operating-system user."""
    return os.environ.get(HUB_USER_ENV) or getpass.getuser()


class AuditRecorder:
    """Records the actions of one page (one user, one kernel) in the audit trail."""

    def __init__(self, state: DashboardState, store: AuditStore, user: str, version: str) -> None:
        self.state = state
        self.store = store
        self.user = user
        self.version = version
        self._last_threshold: float | None = round(float(state.threshold), 4)
        self.note = widgets.HTML()
        self.note.add_class("cs-audit-note")
        setattr(state, _RECORDER_ATTRIBUTE, self)
        state.observe(self._client_changed, "client_id")
        state.observe(self._threshold_changed, "threshold")
        state.observe(self._relabel, "lang")
        self._relabel()
        if state.client_id is not None:
            self.record(CLIENT_VIEWED)

    def record(self, action: str, detail: dict | None = None) -> None:
        """Append one event for the page's current client; a failure is said in the page."""
        try:
            self.store.record(self.user, action, self.state.client_id, self.version, detail)
        except AuditError as error:
            log.error("audit trail: %s", error)
            self.note.value = (
                '<div class="cs-note cs-note-error">'
                f"{escape(translate('service.audit_failed', self.state.lang))}</div>"
            )

    def _client_changed(self, change) -> None:
        if change["new"] is not None and change["new"] != change["old"]:
            self.record(CLIENT_VIEWED)

    def _threshold_changed(self, change) -> None:
        value = round(float(change["new"]), 4)
        if value != self._last_threshold:
            self._last_threshold = value
            self.record(THRESHOLD_SIMULATED, {"threshold": value})

    def _relabel(self, _change=None) -> None:
        text = translate("service.audit_on", self.state.lang, user=self.user)
        self.note.value = f'<div class="cs-hint">{escape(text)}</div>'


def record_action(state: DashboardState, action: str, detail: dict | None = None) -> None:
    """Record ``action`` for the page of ``state`` (nothing when its audit trail is off)."""
    recorder = getattr(state, _RECORDER_ATTRIBUTE, None)
    if recorder is not None:
        recorder.record(action, detail)


def attach_audit(app, state_dir: str | Path | None = None):
    """Record ``app``'s actions in the audit trail of ``state_dir`` ($CREDIT_SCORING_STATE).

    Returns the app (with a line saying whether views are recorded), or, when the audit trail
    cannot be used, a page with one clear message and no client data.
    """
    folder = state_dir or os.environ.get(STATE_ENV)
    lang = app.state.lang
    if not folder:
        app.audit = None
        note = widgets.HTML(
            f'<div class="cs-hint">{escape(translate("service.audit_off", lang))}</div>'
        )
        app.widget.children = (*app.widget.children, note)
        return app
    try:
        store = AuditStore(audit_path(folder))
    except AuditError as error:
        log.error("the audit trail cannot be used: %s", error)
        return widgets.HTML(
            '<div class="cs-note cs-note-error">'
            f"{escape(translate('service.audit_unavailable', lang))}</div>"
        )
    app.audit = AuditRecorder(app.state, store, current_user(), model_version(app.data.manifest))
    app.widget.children = (*app.widget.children, app.audit.note)
    return app
