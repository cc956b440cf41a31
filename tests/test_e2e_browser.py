"""End to end: a real Voilà server on the pipeline's artifacts, driven in headless Chromium.

Fails (does not skip) in CI when /usr/bin/chromium is missing; elsewhere it skips saying why.
Screenshots are written to test-results/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest
from e2e import RESULTS, launched_browser, voila_server

from credit_scoring.i18n import translate

TRACEBACK_WORDS = ("Traceback", "KeyError", "ValueError", "TypeError", "Exception", 'File "')


@pytest.fixture(scope="module")
def dashboard_url(pipeline_artifacts_dir, tmp_path_factory):
    """A Voilà server on a free port, stopped at the end of the module."""
    with voila_server(pipeline_artifacts_dir, tmp_path_factory.mktemp("voila")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_browser() as chromium:
        yield chromium


def score_text(page) -> str:
    return page.inner_text(".cs-score")


def visible_bar(page, index: int) -> tuple[dict, str]:
    """The box of the waterfall's bar number ``index`` (0 = average client) and the start of
    its label (the feature's words, read from the axis tick beside it)."""
    group = page.locator(".cs-waterfall .bargroup").nth(index)
    best = None
    for rect in group.locator("rect").all():
        box = rect.bounding_box()
        if box and box["width"] > 1 and (best is None or box["width"] > best["width"]):
            best = box
    assert best is not None, "no visible bar to click"
    middle = best["y"] + best["height"] / 2
    ticks = page.locator(".cs-waterfall g.axis").nth(1).locator(".tick text")
    nearest = min(
        (ticks.nth(i) for i in range(ticks.count())),
        key=lambda tick: abs(tick.bounding_box()["y"] + tick.bounding_box()["height"] / 2 - middle),
    )
    return best, nearest.text_content().split(":")[0].strip(" …")[:25]


def test_dashboard_in_a_real_browser(dashboard_url, browser):
    RESULTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 2600})
    page.goto(dashboard_url, timeout=120_000)
    # the gauge and the waterfall are drawn
    page.wait_for_selector(".cs-gauge svg .threshold, .cs-gauge svg path", timeout=120_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cs-waterfall .bargroup rect')]"
        ".some(rect => rect.getBBox().width > 1)",
        timeout=60_000,
    )
    assert page.locator(".cs-waterfall .bargroup").count() >= 5
    first_score = score_text(page)
    assert re.search(r"Crédit (accordé|refusé)", first_score)
    assert "Probabilité de défaut" in first_score
    page.screenshot(path=str(RESULTS / "dashboard_fr.png"), full_page=True)

    # a client switch changes the score
    first_client = re.search(r"n° (\d+)", first_score).group(1)
    page.click(".cs-next")
    page.wait_for_function(
        "old => !document.querySelector('.cs-score').innerText.includes(old)",
        arg=f"n° {first_client}",
        timeout=30_000,
    )
    second_score = score_text(page)
    assert second_score != first_score
    first_probability = re.search(r"paiement : ([\d,]+)", first_score).group(1)
    second_probability = re.search(r"paiement : ([\d,]+)", second_score).group(1)
    assert first_probability != second_probability

    # clicking a waterfall bar changes the comparison
    page.wait_for_selector(".cs-position-text")
    before = page.inner_text(".cs-position-text")
    # a feature bar (1..5) other than the feature compared now
    box, label = next(
        (box, label)
        for box, label in (visible_bar(page, index) for index in range(1, 6))
        if label not in before
    )
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "label => document.querySelector('.cs-position-text').innerText.includes(label)",
        arg=label,
        timeout=30_000,
    )
    after = page.inner_text(".cs-position-text")
    assert after != before and label in after
    page.screenshot(path=str(RESULTS / "dashboard_bar_clicked.png"), full_page=True)

    # the group toggle is linked to the state: similar clients, with the k slider shown
    assert not page.locator(".cs-k").is_visible()
    similar = translate("compare.mode.similar", "fr")
    page.click(f".cs-group-mode button:has-text('{similar}')")
    page.wait_for_function(
        "() => document.querySelector('.cs-group-info').innerText.includes('50 clients')",
        timeout=30_000,
    )
    assert page.locator(".cs-k").is_visible()

    # the language switch changes the words
    page.click(".cs-language button:has-text('English')")
    page.wait_for_function(
        "() => /Credit (granted|refused)/.test(document.querySelector('.cs-score').innerText)",
        timeout=30_000,
    )
    french_words = ["Probabilité", "Crédit accordé", "Crédit refusé", "Choisir un client"]
    # every panel redraws in turn: wait until the last one has (or time out and fail below)
    page.wait_for_function(
        "words => !words.some(word => document.body.innerText.includes(word))",
        arg=french_words,
        timeout=30_000,
    )
    body = page.inner_text("body")
    assert "Probability of default" in body
    for french in french_words:
        assert french not in body
    # relabelling the controls kept the choices: still the similar clients
    active = page.inner_text(".cs-group-mode button.mod-active")
    assert active.strip() == translate("compare.mode.similar", "en")
    assert "50 clients" in page.inner_text(".cs-group-info")
    page.screenshot(path=str(RESULTS / "dashboard_en.png"), full_page=True)

    # an unknown id shows the message and the page keeps working
    unknown = "999999999"
    page.fill(".cs-client-id input", unknown)
    page.press(".cs-client-id input", "Enter")
    expected = translate("error.unknown_client", "en", client=unknown)
    page.wait_for_selector(f"text={expected}", timeout=30_000)
    assert "Credit" in score_text(page)
    page.screenshot(path=str(RESULTS / "dashboard_unknown_id.png"), full_page=True)

    # a moved threshold slider is a simulation, and the page says so (issue 13)
    page.locator(".cs-threshold .noUi-handle, .cs-threshold [role=slider]").first.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.wait_for_selector(".cs-simulation", timeout=30_000)
    assert "simulated threshold" in page.inner_text(".cs-filter-threshold")
    page.screenshot(path=str(RESULTS / "dashboard_simulated_threshold.png"), full_page=True)

    # no traceback anywhere
    body = page.inner_text("body")
    for word in TRACEBACK_WORDS:
        assert word not in body
    page.close()
