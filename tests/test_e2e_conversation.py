"""End to end, the client conversation in a real browser: a refused demo client, a feasible change
applied to the what-if in one click (the new score is on the other side of the threshold), then
the manager's review (an override without a reason is refused on screen; with one it is stored),
shown on the page and in the downloaded report.

A real Voilà server on the pipeline's artifacts with a state folder (the team service's audit
trail), driven in headless Chromium. Screenshots are written to test-results/ (git-ignored).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from e2e import RESULTS, launched_browser, voila_server

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.conversation import recourse_of
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.service.audit import DECISION_REVIEWED, AuditStore, audit_path
from credit_scoring.service.reviews import ReviewStore

pytestmark = pytest.mark.slow
USER = "camille"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def dashboard_url(pipeline_artifacts_dir, state_dir, tmp_path_factory):
    """A Voilà server with a state folder, its user named by JUPYTERHUB_USER as under the hub."""
    log_dir = tmp_path_factory.mktemp("voila")
    with voila_server(
        pipeline_artifacts_dir, log_dir, {"JUPYTERHUB_USER": USER}, state_dir=state_dir
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_browser() as chromium:
        yield chromium


def refused_client_with_a_change(artifacts_dir):
    """A refused client for whom a feasible change exists, and that change."""
    data = DashboardData(artifacts_dir)
    for row in np.flatnonzero(data.decision == "refused")[:60]:
        recourse = recourse_of(data, int(row))
        if recourse.options:
            return data, int(data.client_ids[row]), recourse.options[0]
    pytest.fail("no refused demo client has a feasible change")


def test_apply_a_suggestion_and_record_a_review(
    dashboard_url, browser, pipeline_artifacts_dir, state_dir
):
    data, client, option = refused_client_with_a_change(pipeline_artifacts_dir)
    RESULTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 3400}, accept_downloads=True)
    page.goto(dashboard_url, timeout=120_000)
    page.wait_for_selector(".cs-conversation", timeout=120_000)
    page.fill(".cs-client-id input", str(client))
    page.press(".cs-client-id input", "Enter")
    page.wait_for_function(
        "client => document.querySelector('.cs-score').innerText.includes(client)",
        arg=f"n° {client}",
        timeout=30_000,
    )
    assert "Crédit refusé" in page.inner_text(".cs-score")
    conversation = page.locator(".cs-conversation")
    assert "ne remplace pas sa décision" in conversation.inner_text()
    page.wait_for_selector(".cs-principal-reasons li", timeout=30_000)  # drawn after the score
    assert page.locator(".cs-principal-reasons li").count() in range(1, 5)

    # what would change the decision, then one click to the what-if
    page.click(".cs-recourse-search")
    page.wait_for_selector(".cs-recourse-apply", timeout=30_000)
    assert option.text("fr") in page.inner_text(".cs-recourse-options")
    page.locator(".cs-recourse-apply").first.click()
    page.wait_for_function(
        "() => document.querySelector('.cs-whatif-result').innerText.includes('Simulé')"
        " && document.querySelector('.cs-whatif-result table')",
        timeout=30_000,
    )
    result = page.inner_text(".cs-whatif-result")
    assert fmt.percent(option.default_probability, "fr") in result
    assert "Crédit accordé" in result and "Crédit refusé" in result  # new and current
    for column, value in option.changes.items():
        typed = page.input_value(f".cs-whatif-{column.lower()} input")
        assert float(typed) == pytest.approx(value), column
    page.locator(".cs-whatif-result").scroll_into_view_if_needed()
    page.screenshot(path=str(RESULTS / "conversation_applied_fr.png"), full_page=True)

    # an override without a reason is refused on screen, nothing is stored
    page.locator(".cs-review-outcome button", has_text="Changer la décision").click()
    page.click(".cs-review-save")
    page.wait_for_function(
        "() => document.querySelector('.cs-conversation').innerText"
        ".includes('écrivez-en le motif')",
        timeout=30_000,
    )
    assert ReviewStore(audit_path(state_dir)).all() == []
    # with a reason and the client's view, it is stored and shown
    page.fill(".cs-review-reason textarea", "Apport personnel de 20 000 confirmé.")
    page.fill(".cs-review-client-view textarea", "Je peux réduire le montant.")
    page.click(".cs-review-save")
    page.wait_for_function(
        "() => document.querySelector('.cs-review-latest').innerText.includes('Revu par')",
        timeout=30_000,
    )
    latest = page.inner_text(".cs-review-latest")
    assert f"Revu par {USER} le" in latest and "Apport personnel de 20 000 confirmé." in latest
    assert "Je peux réduire le montant." in latest
    (review,) = ReviewStore(audit_path(state_dir)).all()
    assert (review.user, review.client_id, review.final_decision) == (USER, client, "granted")
    events = AuditStore(audit_path(state_dir)).query(action=DECISION_REVIEWED)
    assert [(e.user, e.client_id) for e in events] == [(USER, client)]
    page.locator(".cs-review-latest").scroll_into_view_if_needed()
    page.screenshot(path=str(RESULTS / "conversation_review_fr.png"), full_page=True)

    # the downloaded report carries the review, the reasons and the change
    page.click(".cs-report-button")
    page.wait_for_selector(".cs-report-link", timeout=30_000)
    with page.expect_download() as download:
        page.click(".cs-report-link")
    html = download.value.path().read_text(encoding="utf-8")
    text = re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")
    assert f"Revu par {USER} le" in text and "Apport personnel de 20 000 confirmé." in text
    assert "Je peux réduire le montant." in text
    assert option.text("fr") in text
    assert "le score seul conduisait à : Crédit refusé" in text
    report_page = browser.new_page(viewport={"width": 900, "height": 1400})
    report_page.set_content(html)
    report_page.screenshot(path=str(RESULTS / "conversation_report_fr.png"), full_page=True)
    report_page.close()
    page.close()
