"""Serve the dashboard notebook with Voilà: one person, on a loopback address.

The standalone server is Voilà with the project's kernel lifecycle (see
``credit_scoring.service.kernels``): culled kernels once their page is gone, a disconnect grace,
a preheated pool, and a cap on the number of sessions past which a visitor gets a translated
"busy" page (HTTP 503) instead of a new kernel. A team is served by ``credit-scoring hub``
(personal logins); this server has no authentication and so refuses non-loopback addresses.

Run as ``python -m credit_scoring.dashboard.serve NOTEBOOK [voila options]`` it is Voilà itself
with two additions: the busy page and ``/healthz`` (ready once the preheated pool is full; it
never starts a kernel, unlike a GET of the page).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from credit_scoring.artifacts import PROJECT_ROOT
from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.i18n import LANGUAGES, check_language, translate
from credit_scoring.service.kernels import (
    KERNEL_MEMORY_ENV,
    LIFECYCLE_DEFAULTS,
    Lifecycle,
    default_max_sessions,
    default_pool_size,
)

DASHBOARD_NOTEBOOK = PROJECT_ROOT / "dashboards" / "credit_dashboard.ipynb"
VOILA_SETTINGS_FILE = DASHBOARD_NOTEBOOK.parent / "voila.json"
ARTIFACTS_ENV = "CREDIT_SCORING_ARTIFACTS"
LANGUAGE_ENV = "CREDIT_SCORING_LANG"
STATE_ENV = "CREDIT_SCORING_STATE"
HEALTH_PATH = "healthz"
#: The project's Voilà template (Voilà's lab template with Font Awesome served locally, no CDN),
#: found by Voilà through JUPYTER_PATH: no request of the page leaves the server.
VOILA_TEMPLATE = "credit_scoring"
VOILA_DATA_DIR = Path(__file__).resolve().parent / "share"


def is_loopback(host: str) -> bool:
    """True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_loopback(host: str) -> str:
    """``host`` if it is a loopback address; else the error that says to use the hub."""
    if not is_loopback(host):
        raise CreditScoringError(
            f"the standalone dashboard has no login and would show every client's data to "
            f"whoever reaches {host}: it only listens on 127.0.0.1. To serve a team, use "
            "`credit-scoring hub` (personal accounts, an audit trail)."
        )
    return host


def configured_pool_size(pool_size: int | None = None) -> int:
    """The preheated pool size: ``pool_size`` if given, else dashboards/voila.json's
    ``VoilaConfiguration.default_pool_size``, else one per two CPU cores (1 to 4)."""
    if pool_size is not None:
        if pool_size < 0:
            raise CreditScoringError(f"--pool must be 0 or more, not {pool_size}")
        return int(pool_size)
    try:
        settings = json.loads(VOILA_SETTINGS_FILE.read_text(encoding="utf-8"))
        return int(settings["VoilaConfiguration"]["default_pool_size"])
    except (OSError, ValueError, KeyError, TypeError):
        return default_pool_size()


def voila_command(
    notebook: Path,
    port: int,
    host: str = "127.0.0.1",
    pool_size: int = 1,
    max_sessions: int | None = None,
    lifecycle: Lifecycle = LIFECYCLE_DEFAULTS,
) -> list[str]:
    """The server's command line: Voilà with preheated kernels, no tracebacks, no source,
    no browser, the kernel lifecycle and the session cap (default: sized from memory)."""
    sessions = default_max_sessions() if max_sessions is None else int(max_sessions)
    if sessions < 1:
        raise CreditScoringError(f"--max-sessions must be 1 or more, not {sessions}")
    return [
        sys.executable,
        "-m",
        "credit_scoring.dashboard.serve",
        str(notebook),
        f"--port={int(port)}",
        "--Voila.port_retries=0",  # a taken port is an error, never a silent move elsewhere
        f"--Voila.ip={host}",
        "--no-browser",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--theme=light",
        f"--template={VOILA_TEMPLATE}",
        # a kernel per page view is started and runs the notebook before anyone asks for it
        "--preheat_kernel=True",
        f"--pool_size={int(pool_size)}",
        "--VoilaKernelManager.fill_delay=0",
        "--VoilaConfiguration.multi_kernel_manager_class="
        "credit_scoring.service.kernels.SessionKernelManager",
        # the kernel cap counts the preheated pool too; the page cap (busy page) does not
        f"--SessionKernelManager.max_kernels={sessions + int(pool_size)}",
        f"--DashboardVoila.max_sessions={sessions}",
        *lifecycle.server_arguments(),
    ]


def dashboard_environment(
    artifacts_dir: str | Path, lang: str, state_dir: str | Path | None = None
) -> dict[str, str]:
    """Environment of the Voilà server and its kernels: the artifacts, the language and the
    state folder (where the audit trail is written; none: the audit trail is off)."""
    environment = dict(os.environ)
    environment[ARTIFACTS_ENV] = str(Path(artifacts_dir).resolve())
    environment[LANGUAGE_ENV] = check_language(lang)
    # the project's Voilà template (see VOILA_TEMPLATE) before any other Jupyter data folder
    others = environment.get("JUPYTER_PATH")
    environment["JUPYTER_PATH"] = os.pathsep.join(
        [str(VOILA_DATA_DIR), *([others] if others else [])]
    )
    if state_dir is not None:
        environment[STATE_ENV] = str(Path(state_dir).resolve())
    environment.update(KERNEL_MEMORY_ENV)
    return environment


def start_voila(
    artifacts_dir: str | Path,
    port: int,
    lang: str = "fr",
    host: str = "127.0.0.1",
    pool_size: int = 1,
    max_sessions: int | None = None,
    lifecycle: Lifecycle = LIFECYCLE_DEFAULTS,
    state_dir: str | Path | None = None,
    **popen_options,
) -> subprocess.Popen:
    """Start the Voilà server in the background (the caller stops it)."""
    check_loopback(host)
    folder = Path(artifacts_dir)
    if not folder.is_dir():
        raise ArtifactError(
            f"artifacts folder {folder} does not exist: build it with `make artifacts` "
            "or pass --artifacts to the folder the pipeline wrote"
        )
    if not DASHBOARD_NOTEBOOK.is_file():
        raise CreditScoringError(f"dashboard notebook {DASHBOARD_NOTEBOOK} is missing")
    command = voila_command(DASHBOARD_NOTEBOOK, port, host, pool_size, max_sessions, lifecycle)
    return subprocess.Popen(
        command,
        env=dashboard_environment(folder, lang, state_dir),
        cwd=str(DASHBOARD_NOTEBOOK.parent),
        **popen_options,
    )


def serve_dashboard(
    artifacts_dir: str | Path,
    port: int = 8866,
    lang: str = "fr",
    host: str = "127.0.0.1",
    pool_size: int | None = None,
    max_sessions: int | None = None,
    state_dir: str | Path | None = None,
) -> int:
    """Serve the dashboard until interrupted; prints its address. Returns the exit code."""
    from credit_scoring.manifest import verify_artifacts

    check_loopback(host)
    check_port_free(host, port)
    verify_artifacts(Path(artifacts_dir))
    if state_dir is not None:
        from credit_scoring.service.audit import AuditStore

        AuditStore(Path(state_dir) / "audit.sqlite")  # an unusable audit trail stops us here
    pool = configured_pool_size(pool_size)
    sessions = default_max_sessions() if max_sessions is None else max_sessions
    process = start_voila(artifacts_dir, port, lang, host, pool, sessions, state_dir=state_dir)
    url = f"http://{host}:{port}/"
    # SIGTERM and SIGINT stop it like Ctrl+C, even when started with SIGINT ignored (as a
    # background job of a shell is)
    previous = {number: signal.signal(number, _interrupt) for number in STOP_SIGNALS}
    try:
        wait_until_serving(url + HEALTH_PATH, process, timeout=300)
        print(
            f"Dashboard served at {url} (Ctrl+C to stop): {pool} preheated kernel(s), "
            f"at most {sessions} session(s)",
            flush=True,
        )
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_voila(process)
        for number, handler in previous.items():
            signal.signal(number, handler)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def check_port_free(host: str, port: int) -> None:
    """CreditScoringError when something already listens on ``host:port``."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, int(port)))
        except OSError:
            raise CreditScoringError(
                f"port {port} of {host} is already in use: stop the program using it, or "
                "choose another port with --port"
            ) from None


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
    """Stop a server started by start_voila and every kernel it started (kernels run in
    sessions of their own, so they are found and stopped by process id)."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    for child in children:  # what the server did not shut down itself
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def busy_page(lang: str) -> str:
    """The HTML page shown past the session cap: in ``lang``, then in the other languages."""
    order = [check_language(lang)] + [other for other in LANGUAGES if other != lang]
    blocks = "".join(
        f'<section lang="{code}"><h1>{translate("service.busy_title", code)}</h1>'
        f"<p>{translate('service.busy_text', code)}</p></section>"
        for code in order
    )
    return (
        f'<!DOCTYPE html><html lang="{order[0]}"><head><meta charset="utf-8">'
        f"<title>{translate('service.busy_title', order[0])}</title>"
        '<meta http-equiv="refresh" content="60">'
        "<style>body{font-family:sans-serif;max-width:40em;margin:4em auto;color:#1f2933}"
        "section+section{margin-top:2em;color:#52606d}</style></head>"
        f'<body class="cs-busy">{blocks}</body></html>'
    )


def _voila_app_class():
    """Voilà with the busy page and the health URL (built lazily: voila is slow to import)."""
    from jupyter_server.utils import url_path_join
    from tornado import web
    from traitlets import Integer
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    class BusyPageVoilaHandler(TornadoVoilaHandler):
        """The page, unless ``max_sessions`` pages already hold a kernel: then the busy page."""

        def initialize(self, **kwargs):
            self.max_sessions = kwargs.pop("max_sessions", 0)
            super().initialize(**kwargs)

        def _sessions_in_use(self) -> int:
            manager = self.kernel_manager
            running = set(manager.list_kernel_ids())
            handed_out = getattr(manager, "handed_out", None)
            if handed_out is None:  # no preheated pool: every kernel is a page's
                return len(running)
            handed_out &= running  # forget the culled ones
            return len(handed_out)

        async def get(self, path=None):
            if self.max_sessions and self._sessions_in_use() >= self.max_sessions:
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(busy_page(os.environ.get(LANGUAGE_ENV, "fr")))
                return
            await super().get(path)

    class HealthHandler(web.RequestHandler):
        """200 once the preheated pool is full (starts no kernel), 503 before."""

        def initialize(self, kernel_manager):
            self.manager = kernel_manager

        def get(self):
            pools = getattr(self.manager, "_pools", {})
            ready = all(task.done() for pool in pools.values() for task in pool)
            self.set_status(200 if ready else 503)
            self.finish({"ready": ready, "kernels": len(self.manager.list_kernel_ids())})

    class DashboardVoila(Voila):
        """Voilà serving the dashboard with a cap on pages holding a kernel."""

        max_sessions = Integer(
            0, config=True, help="Most pages holding a kernel at once (0: no cap)."
        )

        def init_handlers(self):
            _track_handed_out_kernels(self.kernel_manager)
            handlers = []
            for pattern, handler, *options in super().init_handlers():
                if handler is TornadoVoilaHandler:
                    settings = dict(options[0]) if options else {}
                    settings["max_sessions"] = self.max_sessions
                    handlers.append((pattern, BusyPageVoilaHandler, settings))
                else:
                    handlers.append((pattern, handler, *options))
            health = url_path_join(self.server_url, HEALTH_PATH)
            return [(health, HealthHandler, {"kernel_manager": self.kernel_manager}), *handlers]

    return DashboardVoila


def _track_handed_out_kernels(manager) -> None:
    """Remember which preheated kernels were given to a page (``manager.handed_out``)."""
    if not hasattr(manager, "get_rendered_notebook"):
        return
    original = manager.get_rendered_notebook
    manager.handed_out = set()

    async def tracked(*args, **kwargs):
        result = await original(*args, **kwargs)
        manager.handed_out.add(result[2])  # (render task, rendered cells, kernel id)
        return result

    manager.get_rendered_notebook = tracked


def main(argv: list[str] | None = None) -> None:
    """Run the dashboard's Voilà server (the command line of ``voila_command``)."""
    _voila_app_class().launch_instance(argv)


if __name__ == "__main__":
    main()
