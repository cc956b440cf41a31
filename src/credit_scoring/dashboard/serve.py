"""Serve the dashboard notebook with Voilà on a local address."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from credit_scoring.artifacts import PROJECT_ROOT
from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.i18n import check_language

DASHBOARD_NOTEBOOK = PROJECT_ROOT / "dashboards" / "credit_dashboard.ipynb"
ARTIFACTS_ENV = "CREDIT_SCORING_ARTIFACTS"
LANGUAGE_ENV = "CREDIT_SCORING_LANG"


def voila_command(
    notebook: Path, port: int, host: str = "127.0.0.1", pool_size: int = 1
) -> list[str]:
    """The voila command line: preheated kernels, no tracebacks, no source, no browser."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={int(port)}",
        f"--Voila.ip={host}",
        "--no-browser",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--theme=light",
        # a kernel per page view is started and runs the notebook before anyone asks for it
        "--preheat_kernel=True",
        f"--pool_size={int(pool_size)}",
        "--VoilaKernelManager.fill_delay=0",
        "--MappingKernelManager.cull_idle_timeout=3600",
        "--MappingKernelManager.cull_interval=300",
    ]


def dashboard_environment(artifacts_dir: str | Path, lang: str) -> dict[str, str]:
    """Environment of the Voilà server and its kernels: where the artifacts are, which language."""
    environment = dict(os.environ)
    environment[ARTIFACTS_ENV] = str(Path(artifacts_dir).resolve())
    environment[LANGUAGE_ENV] = check_language(lang)
    return environment


def start_voila(
    artifacts_dir: str | Path,
    port: int,
    lang: str = "fr",
    host: str = "127.0.0.1",
    pool_size: int = 1,
    **popen_options,
) -> subprocess.Popen:
    """Start the Voilà server in the background (the caller stops it)."""
    folder = Path(artifacts_dir)
    if not folder.is_dir():
        raise ArtifactError(
            f"artifacts folder {folder} does not exist: build it with `make artifacts` "
            "or pass --artifacts to the folder the pipeline wrote"
        )
    if not DASHBOARD_NOTEBOOK.is_file():
        raise CreditScoringError(f"dashboard notebook {DASHBOARD_NOTEBOOK} is missing")
    return subprocess.Popen(
        voila_command(DASHBOARD_NOTEBOOK, port, host, pool_size),
        env=dashboard_environment(folder, lang),
        cwd=str(DASHBOARD_NOTEBOOK.parent),
        **popen_options,
    )


def serve_dashboard(
    artifacts_dir: str | Path, port: int = 8866, lang: str = "fr", host: str = "127.0.0.1"
) -> int:
    """Serve the dashboard until interrupted; prints its address. Returns the exit code."""
    from credit_scoring.manifest import verify_artifacts

    verify_artifacts(Path(artifacts_dir))
    process = start_voila(artifacts_dir, port, lang, host)
    url = f"http://{host}:{port}/"
    try:
        wait_until_serving(url, process, timeout=300)
        print(f"Dashboard served at {url} (Ctrl+C to stop)", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_voila(process)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_until_serving(
    url: str, process: subprocess.Popen | None = None, timeout: float = 120.0
) -> float:
    """Wait until ``url`` answers 200; returns the seconds waited. Raises when it never does."""
    import time
    import urllib.error
    import urllib.request

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process is not None and process.poll() is not None:
            raise CreditScoringError(
                f"the dashboard server stopped (exit code {process.returncode})"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise CreditScoringError(f"the dashboard did not answer at {url} within {timeout:.0f} s")


def stop_voila(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Stop a server started by start_voila (and the kernels it started)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
