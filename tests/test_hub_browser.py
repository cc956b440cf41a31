"""The team service end to end: a real JupyterHub on loopback, real logins in headless Chromium.

Needs Chromium and the npm configurable-http-proxy (`make hub-proxy`; .ci/run installs both):
in CI a missing one fails the test; elsewhere it skips saying why.
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest
from e2e import RESULTS, launched_browser, require_browser
from helpers import missing_part

from credit_scoring.dashboard.serve import free_port
from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n import translate
from credit_scoring.service.accounts import add_user
from credit_scoring.service.audit import CLIENT_VIEWED, AuditStore, audit_path
from credit_scoring.service.hub_config import (
    HubSettings,
    proxy_command,
    start_hub,
    stop_hub,
    wait_for_hub,
)

pytestmark = pytest.mark.slow

PASSWORDS = {
    "marie": "le mot de passe de marie",
    "jean": "le mot de passe de jean",
    "paul": "le mot de passe de paul",
    "luc": "le mot de passe de luc",
}
ROLES = {"marie": "manager", "jean": "manager", "paul": "analyst", "luc": "manager"}
MAX_SESSIONS = 3  # marie, jean and paul fit; luc, the fourth, gets the busy page
PAGE_TIMEOUT = 150_000


@pytest.fixture(scope="module")
def hub(pipeline_artifacts_dir, tmp_path_factory):
    """A hub on a free loopback port with four accounts, stopped at the end of the module."""
    require_browser()
    try:
        proxy_command()
    except CreditScoringError as error:
        missing_part(str(error))
    state = tmp_path_factory.mktemp("hub-state")
    for name, role in ROLES.items():
        add_user(state, name, role, PASSWORDS[name])
    port = free_port()
    settings = HubSettings(
        artifacts_dir=str(pipeline_artifacts_dir),
        state_dir=str(state),
        port=port,
        lang="fr",
        max_sessions=MAX_SESSIONS,
        cull_idle_timeout=8,  # shortened for the test (default 60 s)
        cull_interval=2,
    )
    log_path = state / "hub.log"
    with open(log_path, "w") as log:
        process = start_hub(settings, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_hub(url, process, timeout=120)
        yield {"url": url, "state": state, "log": log_path}
    finally:
        stop_hub(process)


@pytest.fixture(scope="module")
def browser(hub):
    with launched_browser() as chromium:
        yield chromium


def log_in(browser, hub, name, password=None):
    """A new browser context logged in as ``name``; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login", timeout=PAGE_TIMEOUT)
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password or PASSWORDS[name])
    page.click("#login_submit")
    return context, page


def shown_client(page) -> int:
    page.wait_for_selector(".cs-score", timeout=PAGE_TIMEOUT)
    page.wait_for_function(
        "() => /n° \\d+/.test(document.querySelector('.cs-score').innerText)", timeout=60_000
    )
    return int(re.search(r"n° (\d+)", page.inner_text(".cs-score")).group(1))


def kernels_of(user: str) -> list[psutil.Process]:
    """The kernel processes running for ``user`` (their environment names the hub user)."""
    kernels = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "ipykernel_launcher" not in " ".join(process.info["cmdline"] or []):
                continue
            if process.environ().get("JUPYTERHUB_USER") == user:
                kernels.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return kernels


def test_a_visitor_without_a_session_gets_the_login_page_and_no_client_data(hub, browser):
    context = browser.new_context()
    page = context.new_page()
    direct = f"{hub['url']}/user/marie/voila/render/credit_dashboard.ipynb"
    page.goto(direct, timeout=PAGE_TIMEOUT)
    assert "/hub/login" in page.url
    assert page.locator("input[name=password]").count() == 1
    assert page.locator(".cs-score").count() == 0 and "n°" not in page.content()
    context.close()
    for path in ("/user/marie/voila/render/credit_dashboard.ipynb", "/user/marie/api/kernels"):
        request = urllib.request.Request(hub["url"] + path)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)
            status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        assert status in (302, 403, 401), (path, status)
        assert "cs-score" not in body and "SK_ID_CURR" not in body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_wrong_password_is_refused(hub, browser):
    context, page = log_in(browser, hub, "marie", password="pas le bon mot de passe")
    page.wait_for_load_state()
    assert "/hub/login" in page.url
    assert "Invalid username or password" in page.content()
    assert page.locator(".cs-score").count() == 0
    context.close()


def test_two_managers_land_on_the_dashboard_and_are_audited(hub, browser):
    seen = {}
    sessions = {name: log_in(browser, hub, name) for name in ("marie", "jean")}
    for name, (_context, page) in sessions.items():
        first = shown_client(page)
        assert "/voila/render/credit_dashboard.ipynb" in page.url  # landed on Voilà directly
        assert f"/user/{name}/" in page.url
        page.click(".cs-next")
        page.wait_for_function(
            "old => !document.querySelector('.cs-score').innerText.includes(old)",
            arg=f"n° {first}",
            timeout=60_000,
        )
        seen[name] = {first, shown_client(page)}
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"hub_manager_{name}.png"))
    events = AuditStore(audit_path(hub["state"])).query(action=CLIENT_VIEWED)
    for name, clients in seen.items():
        recorded = {e.client_id for e in events if e.user == name}
        assert clients <= recorded, (name, clients, recorded)
    hub["manager_pages"] = sessions


def test_a_manager_cannot_reach_jupyterlab_or_a_terminal(hub, browser):
    context, page = log_in(browser, hub, "marie")
    shown_client(page)
    for path in ("/user/marie/lab", "/user/marie/tree", "/user/marie/terminals"):
        response = page.goto(hub["url"] + path, timeout=PAGE_TIMEOUT)
        assert response.status == 404, (path, response.status)
        assert "JupyterLab" not in page.title()
    response = page.request.post(hub["url"] + "/user/marie/api/terminals")
    assert response.status in (403, 404)
    # her server sees only her own copy of the dashboard notebook: no project files, no notebooks
    listing = page.request.get(hub["url"] + "/user/marie/api/contents").json()
    assert [item["name"] for item in listing["content"]] == ["credit_dashboard.ipynb"]
    context.close()


def test_an_analyst_gets_jupyterlab_on_the_notebooks(hub, browser):
    context, page = log_in(browser, hub, "paul")
    page.wait_for_url(re.compile(r".*/user/paul/lab.*"), timeout=PAGE_TIMEOUT)
    page.wait_for_selector("#jp-main-dock-panel", timeout=PAGE_TIMEOUT)
    assert page.locator(".cs-score").count() == 0
    listing = page.request.get(hub["url"] + "/user/paul/api/contents/notebooks").json()
    assert any(item["name"].endswith(".ipynb") for item in listing["content"])
    context.close()


def test_past_the_cap_the_busy_page_appears_and_the_others_keep_working(hub, browser):
    context, page = log_in(browser, hub, "luc")
    page.wait_for_selector(".cs-busy", timeout=PAGE_TIMEOUT)
    text = page.inner_text("body")
    assert translate("service.busy_title", "fr") in text
    assert translate("service.busy_title", "en") in text
    assert page.locator(".cs-score").count() == 0
    page.screenshot(path=str(RESULTS / "hub_busy.png"))
    context.close()
    _context, marie_page = hub["manager_pages"]["marie"]
    before = shown_client(marie_page)
    marie_page.click(".cs-next")
    marie_page.wait_for_function(
        "old => !document.querySelector('.cs-score').innerText.includes(old)",
        arg=f"n° {before}",
        timeout=60_000,
    )


def test_a_closed_tabs_kernel_is_culled(hub, browser):
    context, page = hub["manager_pages"]["jean"]
    shown_client(page)
    assert kernels_of("jean"), "an open page holds a kernel"
    context.close()  # the tab is closed: its websocket goes away
    deadline = time.monotonic() + 90
    while kernels_of("jean") and time.monotonic() < deadline:
        time.sleep(2)
    assert not kernels_of("jean"), "the closed tab's kernel is still running"
