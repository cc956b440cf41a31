"""Serving the dashboard: the Voilà command line, its environment, the errors a user can cause."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import nbformat
import pytest

from credit_scoring.cli import main
from credit_scoring.dashboard.serve import (
    ARTIFACTS_ENV,
    DASHBOARD_NOTEBOOK,
    dashboard_environment,
    free_port,
    serve_dashboard,
    start_voila,
    voila_command,
)
from credit_scoring.errors import ArtifactError, CreditScoringError


def test_voila_is_configured_for_a_fast_first_render_and_no_tracebacks():
    command = voila_command(DASHBOARD_NOTEBOOK, 8899, "127.0.0.1", pool_size=2)
    assert "--preheat_kernel=True" in command
    assert "--pool_size=2" in command
    assert "--show_tracebacks=False" in command
    assert "--strip_sources=True" in command
    assert "--port=8899" in command and "--Voila.ip=127.0.0.1" in command
    assert "--no-browser" in command


def test_the_artifacts_folder_reaches_the_kernels(tmp_path):
    environment = dashboard_environment(tmp_path, "en")
    assert environment[ARTIFACTS_ENV] == str(tmp_path.resolve())
    assert environment["CREDIT_SCORING_LANG"] == "en"
    with pytest.raises(CreditScoringError, match="unknown language"):
        dashboard_environment(tmp_path, "de")


def test_the_notebook_only_builds_the_app_and_has_no_outputs():
    notebook = nbformat.read(DASHBOARD_NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert ARTIFACTS_ENV in code[0].source and '"../artifacts"' in code[0].source
    assert any("build_app(" in cell.source for cell in code)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)


def test_missing_artifacts_folder_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ArtifactError, match="make artifacts"):
        start_voila(missing, free_port())
    with pytest.raises(ArtifactError):
        serve_dashboard(missing, port=free_port())


def test_cli_dashboard_on_missing_artifacts_exits_2(tmp_path, capsys):
    code = main(["dashboard", "--artifacts", str(tmp_path / "nowhere"), "--port", "1"])
    assert code == 2
    assert "error:" in capsys.readouterr().err


def test_dashboard_words_exist_in_both_languages():
    root = Path(__file__).resolve().parents[1] / "src/credit_scoring/i18n"
    words = {
        lang: json.loads((root / lang / "dashboard.json").read_text(encoding="utf-8"))
        for lang in ("fr", "en")
    }
    assert set(words["fr"]) == set(words["en"])
    assert words["fr"]["decision.granted_long"] == "Crédit accordé"
    assert words["fr"]["decision.refused_long"] == "Crédit refusé"


def test_every_level_of_the_real_kaggle_sample_has_words(sample_dir):
    import pandas as pd

    from credit_scoring.features.catalog import level_words
    from credit_scoring.i18n import LANGUAGES

    applications = pd.read_csv(sample_dir / "application_train.csv")
    for column in applications.select_dtypes(exclude="number").columns:
        for level in applications[column].dropna().unique():
            if level in ("XNA", "XAP"):
                continue  # placeholders: shown as "not provided"
            for lang in LANGUAGES:
                assert level_words(column, level, lang), f"{column} = {level!r}: no {lang} words"


def test_the_standalone_dashboard_refuses_a_non_loopback_address(tmp_path, capsys):
    from credit_scoring.dashboard.serve import check_loopback, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    with pytest.raises(CreditScoringError, match="credit-scoring hub"):
        check_loopback("0.0.0.0")
    code = main(["dashboard", "--artifacts", str(tmp_path), "--host", "0.0.0.0", "--port", "1"])
    assert code == 2
    assert "use `credit-scoring hub`" in capsys.readouterr().err


def test_the_kernel_lifecycle_and_the_cap_are_settings_with_defaults():
    from credit_scoring.dashboard.serve import configured_pool_size
    from credit_scoring.service.kernels import (
        LIFECYCLE_DEFAULTS,
        Lifecycle,
        default_max_sessions,
        default_pool_size,
    )

    command = voila_command(DASHBOARD_NOTEBOOK, 8899, max_sessions=4, pool_size=1)
    assert "--DashboardVoila.max_sessions=4" in command
    assert "--SessionKernelManager.max_kernels=5" in command  # the pool comes on top
    assert "--MappingKernelManager.cull_connected=False" in command
    assert f"--MappingKernelManager.cull_idle_timeout={LIFECYCLE_DEFAULTS.cull_idle_timeout}" in (
        command
    )
    assert LIFECYCLE_DEFAULTS.cull_idle_timeout + LIFECYCLE_DEFAULTS.cull_interval <= 120
    assert "--MappingKernelManager.cull_interval=3" in Lifecycle(20, 3).server_arguments()
    assert default_max_sessions(memory_per_session_mb=10**9) == 1
    assert default_max_sessions(memory_per_session_mb=300) > default_max_sessions(1100)
    assert 1 <= default_pool_size() <= 4
    assert configured_pool_size(3) == 3
    assert configured_pool_size() >= 1
    with pytest.raises(CreditScoringError, match="--pool"):
        configured_pool_size(-1)
    with pytest.raises(CreditScoringError, match="--max-sessions"):
        voila_command(DASHBOARD_NOTEBOOK, 8899, max_sessions=0)


@pytest.mark.slow
def test_a_plain_get_keeps_no_kernel_and_past_the_cap_the_busy_page_answers(
    pipeline_artifacts_dir,
):
    """A real Voilà: GETs without a browser are culled; the cap gives the translated 503."""
    import time
    import urllib.error
    import urllib.request

    from credit_scoring.dashboard.serve import HEALTH_PATH, stop_voila, wait_until_serving
    from credit_scoring.i18n import translate
    from credit_scoring.service.kernels import Lifecycle

    port = free_port()
    process = start_voila(
        pipeline_artifacts_dir, port, pool_size=1, max_sessions=1, lifecycle=Lifecycle(6, 2)
    )
    base = f"http://127.0.0.1:{port}/"

    def kernels() -> int:
        try:
            with urllib.request.urlopen(base + HEALTH_PATH, timeout=10) as response:
                return json.loads(response.read())["kernels"]
        except urllib.error.HTTPError as not_ready:  # 503 while the pool refills
            return json.loads(not_ready.read())["kernels"]

    try:
        wait_until_serving(base + HEALTH_PATH, process, timeout=180)
        assert kernels() == 1  # the preheated pool; the probe itself started none
        with urllib.request.urlopen(base, timeout=120) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as busy:
            urllib.request.urlopen(base, timeout=60)
        assert busy.value.code == 503 and busy.value.headers["Retry-After"] == "60"
        page = busy.value.read().decode()
        assert translate("service.busy_title", "fr") in page
        assert translate("service.busy_text", "en") in page
        # Idle pool kernels are culled and refilled too, so the count flickers: wait until it
        # stays at the pool's size (the GET's kernel gone) for three polls in a row.
        deadline, steady = time.monotonic() + 90, 0
        while steady < 3 and time.monotonic() < deadline:
            steady = steady + 1 if kernels() == 1 else 0
            time.sleep(1)
        assert steady == 3, "the GET's kernel was not culled"
        with urllib.request.urlopen(base, timeout=120) as response:  # a slot is free again
            assert response.status == 200
    finally:
        stop_voila(process)


class _FlakyNetwork:
    """A TCP relay on loopback between the browser and the server that can drop every
    connection and refuse new ones for a while: a real network interruption."""

    def __init__(self, target_port: int) -> None:
        import socket
        import threading

        self.target_port = target_port
        self.down = False
        self.connections: list = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        """Drop every open connection; refuse new ones until restore()."""
        import socket

        self.down = True
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.connections = []

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.slow
def test_a_short_network_interruption_does_not_kill_an_open_page(pipeline_artifacts_dir):
    """Chromium through a relay: the page idles past the cull timeout, the network drops for
    longer than the culler's interval, comes back, and the page still answers a client switch."""
    import re
    import time

    import psutil
    from e2e import launched_browser, require_browser

    from credit_scoring.dashboard.serve import HEALTH_PATH, stop_voila, wait_until_serving
    from credit_scoring.service.kernels import Lifecycle

    require_browser()

    port = free_port()
    # The grace (cull_idle_timeout) must leave the browser's reconnection back-off room, as the
    # default 60 s does; a short cut keeps the back-off short.
    lifecycle = Lifecycle(cull_idle_timeout=20, cull_interval=1)
    process = start_voila(pipeline_artifacts_dir, port, pool_size=1, lifecycle=lifecycle)
    network = _FlakyNetwork(port)

    def kernel_pids() -> set[int]:
        family = psutil.Process(process.pid).children(recursive=True)
        return {child.pid for child in family if "ipykernel" in " ".join(child.cmdline())}

    try:
        wait_until_serving(f"http://127.0.0.1:{port}/{HEALTH_PATH}", process, timeout=180)
        pool = kernel_pids()
        with launched_browser() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"http://127.0.0.1:{network.port}/", timeout=150_000)
            page.wait_for_selector(".cs-score", timeout=150_000)
            first = re.search(r"n° (\d+)", page.inner_text(".cs-score")).group(1)
            pages_kernels = pool & kernel_pids()  # the preheated kernel the page was given
            assert len(pages_kernels) == 1, (pool, kernel_pids())
            # idle past the cull timeout: only the open socket keeps the kernel (a time claim)
            time.sleep(lifecycle.cull_idle_timeout + 2)
            assert pages_kernels <= kernel_pids(), "an idle page's connected kernel was culled"
            network.cut()
            time.sleep(4 * lifecycle.cull_interval)  # several culler passes, disconnected
            network.restore()
            page.click(".cs-next")
            page.wait_for_function(
                "old => !document.querySelector('.cs-score').innerText.includes(old)",
                arg=f"n° {first}",
                timeout=90_000,
            )
            # the same kernel answered: the page reconnected, nothing was restarted
            assert pages_kernels <= kernel_pids()
    finally:
        network.close()
        stop_voila(process)


def test_a_taken_port_is_a_clear_error_not_a_move_to_another_port(tmp_path, capsys):
    import socket

    from credit_scoring.cli import main

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = main(["dashboard", "--artifacts", str(tmp_path), "--port", str(port)])
    assert code == 2
    assert f"port {port} of 127.0.0.1 is already in use" in capsys.readouterr().err
    assert "--Voila.port_retries=0" in voila_command(Path("x.ipynb"), 8866)


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", ["SIGTERM", "SIGINT"])
def test_stopping_the_command_stops_voila_and_every_kernel(pipeline_artifacts_dir, stop_signal):
    """`credit-scoring dashboard` stopped by a signal leaves no server and no kernel behind."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from credit_scoring.dashboard.serve import HEALTH_PATH, wait_until_serving

    port = free_port()
    command = [sys.executable, "-m", "credit_scoring.cli", "dashboard", "--artifacts",
               str(pipeline_artifacts_dir), "--port", str(port)]  # fmt: skip
    # started as a shell's background job is: with SIGINT ignored (a `kill -INT` must still stop it)
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/{HEALTH_PATH}", process, timeout=180)
        family = psutil.Process(process.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(child.cmdline()) for child in family)
        process.send_signal(getattr(signal, stop_signal))
        process.wait(timeout=120)  # the server stops its kernels first (slow on a loaded machine)

        def alive(child) -> bool:
            try:
                return child.is_running() and child.status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return False

        deadline = time.monotonic() + 30
        while any(alive(child) for child in family) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = [child.pid for child in family if alive(child)]
        assert left == [], f"processes left after {stop_signal}: {left}"
    finally:
        if process.poll() is None:
            process.kill()
