"""The conversation panel: principal reasons of a refusal, feasible changes applied to the what-if
in one click, the honest message when nothing works, and the manager's review on the page.

Runs on the artifacts of the real pipeline (2,000 synthetic applicants).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from credit_scoring.dashboard import conversation
from credit_scoring.dashboard.app import DashboardApp
from credit_scoring.dashboard.conversation import principal_reasons_of, recourse_of
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.i18n import translate
from credit_scoring.model.threshold import decide
from credit_scoring.service.audit import DECISION_REVIEWED, AuditStore, audit_path
from credit_scoring.service.reviews import ReviewStore

SEARCHED = 60  # refused clients tried when looking for one with (or without) a feasible change


def text_of(html: str) -> str:
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&quot;", '"')


@pytest.fixture(scope="module")
def data(pipeline_artifacts_dir) -> DashboardData:
    return DashboardData(pipeline_artifacts_dir)


@pytest.fixture(scope="module")
def refused_rows(data) -> dict[str, int]:
    """A refused client with a feasible change."""
    for row in np.flatnonzero(data.decision == "refused")[:SEARCHED]:
        if recourse_of(data, int(row)).options:
            return {"feasible": int(row)}
    raise AssertionError("no refused demo client has a feasible change")


@pytest.fixture()
def state_dir(tmp_path, monkeypatch):
    """Reviews and the audit trail in a fresh state folder, as under the team service."""
    monkeypatch.setenv("CREDIT_SCORING_STATE", str(tmp_path))
    monkeypatch.setenv("JUPYTERHUB_USER", "marie")
    return tmp_path


@pytest.fixture()
def app(data, state_dir) -> DashboardApp:
    return DashboardApp(data, lang="fr")


def show(app: DashboardApp, row: int) -> None:
    app.state.client_id = int(app.data.client_ids[row])


def test_apply_sets_the_what_if_to_the_option_and_shows_the_options_score(app, data, refused_rows):
    row = refused_rows["feasible"]
    show(app, row)
    panel = app.conversation
    assert panel.apply_buttons == []  # searched on demand
    panel.search_button.click()
    option = panel.recourse.options[0]
    assert option.decision == "granted"
    assert len(panel.apply_buttons) == len(panel.recourse.options)
    panel.apply_buttons[0].click()
    for column, box in app.whatif.inputs.items():
        expected = option.changes.get(column, data.application_value(column, row))
        assert box.value == pytest.approx(float(expected or 0.0)), column
    result = app.whatif.result
    assert result is not None
    assert result.new_probability == pytest.approx(option.default_probability, abs=1e-12)
    assert decide(result.new_probability, app.state.threshold) == "granted"
    assert decide(result.current_probability, app.state.threshold) == "refused"
    shown = text_of(app.whatif.outcome.value)
    assert "Crédit accordé" in shown and "Crédit refusé" in shown
    assert "Et si" in panel.applied_note.value
    # the same suggestion applied again, after the inputs were changed by hand, is applied again
    app.whatif.reset()
    panel.apply_buttons[0].click()
    assert app.whatif.result.new_probability == pytest.approx(option.default_probability)


def test_principal_reasons_of_a_refusal_and_none_for_a_grant(app, data, refused_rows):
    row = refused_rows["feasible"]
    show(app, row)
    reasons = principal_reasons_of(data, row, "fr")
    assert 1 <= len(reasons) <= 4
    shown = app.conversation.reasons.value
    assert shown.count("<li") == len(reasons)
    for reason in reasons:
        assert reason.text in text_of(shown)
    # the client's own largest risk-increasing contribution is in the first reason
    contributions = data.contributions_of(row)
    strongest = data.model_features[int(np.argmax(contributions))]
    assert strongest in reasons[0].features
    granted = int(np.flatnonzero(data.decision == "granted")[0])
    show(app, granted)
    assert "pas de raison de refus" in text_of(app.conversation.reasons.value)
    app.state.lang = "en"
    assert "no reason for refusal" in text_of(app.conversation.reasons.value)


def test_nothing_feasible_gets_the_honest_message(app, data, refused_rows):
    row = refused_rows["feasible"]
    show(app, row)
    # a threshold below any probability the model gives: no change within bounds can reach it
    app.state.threshold = float(np.min(data.probability)) / 2
    app.conversation.search()
    assert app.conversation.apply_buttons == []
    assert translate("recourse.none.refused", "fr") in text_of(app.conversation.changes_text.value)


def test_a_moved_threshold_is_said_and_the_search_is_redone(app, data, refused_rows):
    show(app, refused_rows["feasible"])
    app.conversation.search()
    app.state.threshold = 0.99
    assert app.conversation.recourse is None and app.conversation.apply_buttons == []
    assert "Seuil simulé" in app.conversation.reasons.value


def test_the_page_says_the_score_supports_the_decision(app):
    assert "ne remplace pas sa décision" in app.conversation.support.value
    app.state.lang = "en"
    assert "does not replace it" in app.conversation.support.value


def test_override_without_reason_is_refused_then_recorded_and_shown(
    app, data, refused_rows, state_dir
):
    row = refused_rows["feasible"]
    show(app, row)
    panel = app.conversation
    assert "pas encore revue" in panel.latest.value
    panel.outcome.value = "overridden"
    panel.reason.value = "   "
    panel.save_button.click()
    assert "écrivez-en le motif" in panel.message.value
    assert not ReviewStore(audit_path(state_dir)).all()
    panel.reason.value = "Garant solide, apport de 20 000."
    panel.client_view.value = "Je rembourse toujours à temps."
    panel.save_button.click()
    assert "Revue enregistrée" in panel.message.value
    (review,) = ReviewStore(audit_path(state_dir)).all()
    assert (review.user, review.client_id) == ("marie", int(data.client_ids[row]))
    assert (review.outcome, review.model_decision, review.final_decision) == (
        "overridden",
        "refused",
        "granted",
    )
    assert review.default_probability == pytest.approx(float(data.probability[row]))
    assert review.threshold == pytest.approx(data.threshold)
    assert data.manifest["run_id"] in review.model_version
    shown = text_of(panel.latest.value)
    assert "Revu par marie le" in shown and "décision du modèle changée" in shown
    assert "Garant solide" in shown and "Je rembourse toujours à temps." in shown
    events = AuditStore(audit_path(state_dir)).query(action=DECISION_REVIEWED)
    assert [(e.user, e.client_id) for e in events] == [("marie", review.client_id)]
    # the report prepared now carries the review
    app.report.prepare()
    assert "Revu par marie le" in text_of(app.report.html)
    # a new page (a restart) shows it too, from the file
    conversation._STORES.clear()
    again = DashboardApp(data, lang="en")
    show(again, row)
    assert "Reviewed by marie on" in text_of(again.conversation.latest.value)


def test_a_standalone_page_keeps_reviews_in_a_local_file(data, tmp_path, monkeypatch):
    monkeypatch.delenv("CREDIT_SCORING_STATE", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    page = DashboardApp(data, lang="fr")
    assert not (tmp_path / "credit-scoring").exists()  # viewing creates nothing
    assert str(tmp_path / "credit-scoring" / "reviews.sqlite") in page.conversation.where.value
    page.conversation.save_review()  # confirm
    (review,) = ReviewStore(tmp_path / "credit-scoring" / "reviews.sqlite").all()
    assert review.outcome == "confirmed" and review.final_decision == review.model_decision
