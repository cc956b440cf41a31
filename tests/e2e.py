"""What the end-to-end tests share: Debian's Chromium through Playwright, and a real Voilà server.

A test that needs the browser fails (does not skip) in CI when /usr/bin/chromium is missing;
elsewhere it skips saying why. Screenshots go to test-results/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

from helpers import missing_part

from credit_scoring.dashboard.serve import (
    HEALTH_PATH,
    free_port,
    start_voila,
    stop_voila,
    wait_until_serving,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[1] / "test-results"


def require_browser() -> None:
    """Skip (fail in CI) when Chromium is not installed."""
    if not CHROMIUM.is_file():
        missing_part(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")


@contextlib.contextmanager
def launched_browser() -> Iterator:
    """Headless Chromium (Playwright), closed on exit."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def voila_server(
    artifacts_dir: Path,
    log_dir: Path,
    environment: Mapping[str, str] | None = None,
    **options,
) -> Iterator[str]:
    """A real Voilà server as `credit-scoring dashboard` starts it, on a free port; yields its
    address once the health URL answers (a probe that starts no kernel), stops it and its
    kernels on exit. ``environment`` is set for the server (and its kernels) only."""
    require_browser()
    port = free_port()
    saved = {name: os.environ.get(name) for name in environment or {}}
    os.environ.update(environment or {})
    try:
        with open(Path(log_dir) / "voila.log", "w") as log:
            process = start_voila(
                artifacts_dir, port, lang="fr", stdout=log, stderr=subprocess.STDOUT, **options
            )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url + HEALTH_PATH, process, timeout=180)
        yield url
    finally:
        stop_voila(process)
