"""The page works on a closed network: a real Voilà server (as `credit-scoring dashboard` starts
it), headless Chromium recording every request of the page: all go to the server's own address.

Voilà's lab template links Font Awesome on a public CDN; the project's template
(dashboard/share/voila/templates/credit_scoring) serves it locally. Fails (does not skip) in CI
when /usr/bin/chromium is missing; elsewhere it skips saying why.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e import RESULTS, launched_browser, voila_server

from credit_scoring.dashboard.serve import (
    VOILA_DATA_DIR,
    VOILA_TEMPLATE,
)

#: Schemes that never leave the browser.
LOCAL_SCHEMES = ("data", "blob", "about")


def outside_requests(urls: list[str], server: str) -> list[str]:
    """The requested addresses that are not the server's own (scheme, host and port)."""
    own = urlsplit(server)
    outside = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if parts.hostname != own.hostname or parts.port != own.port:
            outside.append(url)
    return outside


def test_outside_requests_are_found():
    server = "http://127.0.0.1:8866/"
    urls = [
        "http://127.0.0.1:8866/voila/static/voila.js",
        "ws://127.0.0.1:8866/api/kernels/x/channels",
        "data:font/woff2;base64,AAAA",
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css",
        "http://127.0.0.1:9999/other-port",
        "http://localhost:8866/another-name",
    ]
    assert outside_requests(urls, server) == urls[3:]


def test_the_template_ships_font_awesome_and_links_no_cdn():
    template = VOILA_DATA_DIR / "voila" / "templates" / VOILA_TEMPLATE
    fonts = template / "static" / "fontawesome"
    assert (fonts / "css" / "all.min.css").is_file()
    assert (fonts / "LICENSE.txt").is_file()
    css = (fonts / "css" / "all.min.css").read_text(encoding="utf-8")
    for font in ("fa-solid-900.woff2", "fa-regular-400.woff2"):
        assert f"../webfonts/{font}" in css and (fonts / "webfonts" / font).is_file()
    assert "://" not in (template / "page.html").read_text(encoding="utf-8").split("<body")[0]


@pytest.fixture(scope="module")
def server_url(pipeline_artifacts_dir, tmp_path_factory):
    """A Voilà server started as the `dashboard` command starts it, stopped at the end."""
    with voila_server(pipeline_artifacts_dir, tmp_path_factory.mktemp("voila_offline")) as url:
        yield url


def record_page(url: str, screenshot: Path | None = None) -> dict:
    """Open the dashboard in headless Chromium; every request, websocket and failed request."""
    requested: list[str] = []
    failed: list[str] = []
    statuses: dict[str, int] = {}
    with launched_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 2200})
        page.on("request", lambda request: requested.append(request.url))
        page.on("websocket", lambda socket: requested.append(socket.url))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda answer: statuses.__setitem__(answer.url, answer.status))
        page.goto(url, timeout=120_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.cs-waterfall .bargroup rect')]"
            ".some(rect => rect.getBBox().width > 1)",
            timeout=120_000,
        )
        page.wait_for_load_state("networkidle", timeout=60_000)
        icon_font = page.evaluate(
            "() => { const icon = document.querySelector('.cs-next i, .cs-show-client i');"
            " return icon ? getComputedStyle(icon).fontFamily : ''; }"
        )
        fonts_loaded = page.evaluate(
            "async () => { await document.fonts.ready;"
            " return [...document.fonts].filter(f => f.status === 'loaded')"
            ".map(f => f.family); }"
        )
        if screenshot is not None:
            screenshot.parent.mkdir(exist_ok=True)
            page.locator(".cs-panel").first.screenshot(path=str(screenshot))
        # an error page (Voilà's page.html) asks nothing outside either
        page.goto(url + "voila/no-such-page", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
    return {
        "requested": requested,
        "failed": failed,
        "statuses": statuses,
        "icon_font": icon_font,
        "fonts_loaded": fonts_loaded,
    }


@pytest.mark.slow
def test_no_request_leaves_the_server(server_url):
    found = record_page(server_url, RESULTS / "offline_picker.png")
    assert found["requested"], "the page made no request at all"
    assert outside_requests(found["requested"], server_url) == []
    # the icons come from the local Font Awesome, and load
    stylesheets = [url for url in found["statuses"] if url.endswith("fontawesome/css/all.min.css")]
    assert stylesheets and all(found["statuses"][url] == 200 for url in stylesheets)
    assert "Font Awesome" in found["icon_font"]
    assert any("Font Awesome" in family for family in found["fonts_loaded"])
    assert not [url for url in found["failed"] if "fontawesome" in url]
