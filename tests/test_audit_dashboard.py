"""The dashboard records what its user views and simulates in the audit trail."""

from __future__ import annotations

from credit_scoring.dashboard.app import DashboardApp, build_app
from credit_scoring.service.audit import (
    CLIENT_VIEWED,
    REPORT_DOWNLOADED,
    THRESHOLD_SIMULATED,
    WHATIF_SIMULATED,
    AuditStore,
    audit_path,
)


def test_views_and_simulations_are_recorded_with_user_client_and_model(
    pipeline_artifacts_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("JUPYTERHUB_USER", "marie")
    monkeypatch.setenv("CREDIT_SCORING_STATE", str(tmp_path))
    app = build_app(pipeline_artifacts_dir, lang="fr")
    assert isinstance(app, DashboardApp)
    first = app.state.client_id
    second = int(app.data.client_ids[1])
    app.state.client_id = second
    app.state.threshold = 0.2
    app.whatif.inputs["AMT_CREDIT"].value = 2 * float(app.whatif.inputs["AMT_CREDIT"].value or 1)
    app.whatif.run()
    app.report.prepare()
    events = AuditStore(audit_path(tmp_path)).query()
    assert [(e.user, e.action, e.client_id) for e in events] == [
        ("marie", CLIENT_VIEWED, first),
        ("marie", CLIENT_VIEWED, second),
        ("marie", THRESHOLD_SIMULATED, second),
        ("marie", WHATIF_SIMULATED, second),
        ("marie", REPORT_DOWNLOADED, second),
    ]
    manifest = app.data.manifest
    assert all(manifest["run_id"] in e.model_version for e in events)
    assert events[2].detail == {"threshold": 0.2}
    assert events[3].detail == {"fields": ["AMT_CREDIT"]}  # names only, never the values
    assert "marie" in app.audit.note.value


def test_without_a_state_folder_the_page_says_the_trail_is_off(pipeline_artifacts_dir, monkeypatch):
    monkeypatch.delenv("CREDIT_SCORING_STATE", raising=False)
    app = build_app(pipeline_artifacts_dir, lang="en")
    assert app.audit is None
    assert "Audit trail off" in app.widget.children[-1].value


def test_an_unusable_trail_shows_no_client(pipeline_artifacts_dir, tmp_path, monkeypatch):
    (tmp_path / "audit.sqlite").write_bytes(b"corrupt" * 500)
    monkeypatch.setenv("CREDIT_SCORING_STATE", str(tmp_path))
    page = build_app(pipeline_artifacts_dir, lang="en")
    assert not isinstance(page, DashboardApp)
    assert "audit trail cannot be used" in page.value
