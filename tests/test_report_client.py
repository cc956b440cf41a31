"""The client report: the real decision (a moved slider is a simulation, shown apart), only the
information the model uses as "taken into account", the principal reasons, what would change
the decision, and the latest review.

Runs on the artifacts of the real pipeline (2,000 synthetic applicants).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.app import DashboardApp
from credit_scoring.dashboard.conversation import principal_reasons_of, recourse_of
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.report import client_report_html, protected_features
from credit_scoring.i18n import translate
from credit_scoring.service.reviews import ReviewStore


def text_of(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def section(html: str, title: str) -> str:
    """The HTML between the heading ``title`` and the next heading."""
    start = html.index(f"<h2>{title}</h2>")
    end = html.find("<h2>", start + 1)
    return html[start : end if end > 0 else None]


def banner(html: str) -> str:
    return re.search(r'<span class="decision"[^>]*>([^<]+)</span>', html).group(1).strip()


@pytest.fixture(scope="module")
def data(pipeline_artifacts_dir) -> DashboardData:
    return DashboardData(pipeline_artifacts_dir)


@pytest.fixture()
def app(data, tmp_path, monkeypatch) -> DashboardApp:
    monkeypatch.setenv("CREDIT_SCORING_STATE", str(tmp_path))
    monkeypatch.setenv("JUPYTERHUB_USER", "marie")
    return DashboardApp(data, lang="fr")


def first(data, decision: str) -> int:
    return int(np.flatnonzero(data.decision == decision)[0])


@pytest.mark.parametrize("decision", ["refused", "granted"])
def test_under_a_moved_slider_the_report_states_the_models_decision_and_a_simulation_apart(
    app, data, decision
):
    row = first(data, decision)
    app.state.client_id = int(data.client_ids[row])
    probability = float(data.probability[row])
    # the slider on the other side of the client's probability: the simulated decision differs
    app.state.threshold = min(probability + 0.05, 0.99) if decision == "refused" else 0.01
    app.report.prepare()
    html = app.report.html
    assert banner(html) == translate(f"decision.{decision}_long", "fr")
    simulation = re.search(r'<div class="simulation">(.*?)</div>', html, flags=re.S).group(1)
    other = "accordé" if decision == "refused" else "refusé"
    assert "Simulation (ce n'est pas la décision)" in text_of(simulation)
    assert f"le crédit serait {other}" in text_of(simulation)
    # the decision's threshold is the model's, never the slider's
    assert f"seuil de refus : {fmt.percent(data.threshold, 'fr')}" in text_of(html)
    # at the model's threshold there is no simulation at all
    app.state.threshold = data.threshold
    app.report.prepare()
    assert 'class="simulation"' not in app.report.html
    assert banner(app.report.html) == translate(f"decision.{decision}_long", "fr")


def test_only_the_information_the_model_uses_is_taken_into_account(data):
    assert "CODE_GENDER" in protected_features(data)
    assert "CODE_GENDER" not in data.model_features
    row = first(data, "refused")
    for lang in ("fr", "en"):
        html = client_report_html(data, int(data.client_ids[row]), lang, data.threshold)
        table = section(html, translate("report.information", lang))
        labels = re.findall(r"<th>([^<]+)</th>", table)
        assert labels, "no information listed"
        model_labels = {data.label(name, lang) for name in data.model_features}
        assert set(labels) <= model_labels
        gender = data.label("CODE_GENDER", lang)
        assert gender not in labels
        # listed apart, as not used by the model
        apart = translate("report.not_used", lang, fields=gender)
        assert apart in text_of(table)


def test_the_report_has_the_principal_reasons_the_changes_and_the_latest_review(
    app, data, tmp_path
):
    for row in np.flatnonzero(data.decision == "refused")[:60]:
        recourse = recourse_of(data, int(row))
        if recourse.options:
            break
    row = int(row)
    client = int(data.client_ids[row])
    app.state.client_id = client
    app.report.prepare()
    html = app.report.html
    reasons = section(html, translate("report.reasons", "fr"))
    principal = principal_reasons_of(data, row, "fr")
    assert reasons.count("<li>") == len(principal) <= 4
    for reason in principal:
        assert reason.text in text_of(reasons)
    changes = text_of(section(html, translate("report.changes", "fr")))
    for option in recourse.options:
        assert option.text("fr") in changes
    assert translate("report.no_review", "fr") in text_of(html)
    # a review recorded on the page, then the report
    panel = app.conversation
    panel.outcome.value = "overridden"
    panel.reason.value = "Revenus complémentaires justifiés."
    panel.client_view.value = "Mon contrat devient permanent en janvier."
    panel.save_review()
    assert ReviewStore(tmp_path / "audit.sqlite").latest(client) is not None
    assert app.report.link.value == ""  # a review makes the prepared report outdated
    app.report.prepare()
    html = app.report.html
    review = text_of(section(html, translate("report.review", "fr")))
    assert "Revu par marie le" in review and "Revenus complémentaires justifiés." in review
    assert "Mon contrat devient permanent en janvier." in review
    # the manager's decision is the report's decision; the score's is said beside it
    assert banner(html) == "Crédit accordé"
    assert "le score seul conduisait à : Crédit refusé" in text_of(html)
