"""The team service: a JupyterHub with personal accounts, managers on Voilà, analysts on JupyterLab.

``credit-scoring hub --artifacts DIR --state DIR --port P`` writes ``<state>/jupyterhub_config.py``
(three lines calling :func:`configure` with the settings saved beside it) and runs JupyterHub on
127.0.0.1:P with the npm ``configurable-http-proxy``. What the configuration does:

- **Accounts**: :class:`AccountsAuthenticator` (jupyterhub-nativeauthenticator, bcrypt hashes)
  over ``<state>/accounts.sqlite``, managed with ``credit-scoring users``; no sign-up page.
  A lender's single sign-on replaces it by configuration: see the README, "Serving a team".
- **Roles**: a *manager*'s server serves only the Voilà dashboard (no JupyterLab, no terminal,
  no notebook UI: those server extensions are off) and they land on it after logging in; an
  *analyst*'s server is JupyterLab on the project's notebooks.
- **Spawner**: ``SimpleLocalProcessSpawner``: every user's server is a process of the hub's own
  unix user (no system account per person). Bounds: that user should be unprivileged and the
  artifacts read-only for it. Per-person isolation needs systemdspawner (a transient systemd
  unit per user, with memory limits) or KubeSpawner (``deploy/``).
- **Lifecycle and cap**: the kernels of each server follow :mod:`credit_scoring.service.kernels`
  (culling with a disconnect grace, at most ``kernels_per_user``); a server with nothing open
  stops itself after ``server_idle_timeout``; past ``max_sessions`` running servers the hub
  answers 429 with the translated "busy" page (``templates/error.html``).
- **Audit**: the servers get ``CREDIT_SCORING_STATE``; the dashboard writes the audit trail in
  ``<state>/audit.sqlite`` under ``JUPYTERHUB_USER``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from credit_scoring.artifacts import PROJECT_ROOT
from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.i18n import LANGUAGES, translate
from credit_scoring.service.accounts import ANALYST, MANAGER, accounts_path, user_role
from credit_scoring.service.kernels import (
    KERNEL_MEMORY_ENV,
    LIFECYCLE_DEFAULTS,
    default_max_sessions,
)

SETTINGS_FILE = "hub_settings.json"
CONFIG_FILE = "jupyterhub_config.py"
DASHBOARD_URL = "/voila/render/credit_dashboard.ipynb"
PROXY_COMMAND = "configurable-http-proxy"
LOCAL_PROXY_BIN = PROJECT_ROOT / ".hub-node" / "node_modules" / ".bin"
TEMPLATES = Path(__file__).parent / "hub_templates"
ARTIFACTS_ENV = "CREDIT_SCORING_ARTIFACTS"
LANGUAGE_ENV = "CREDIT_SCORING_LANG"
STATE_ENV = "CREDIT_SCORING_STATE"
# The server extensions a manager's server runs: the dashboard only.
MANAGER_EXTENSIONS = {
    "voila.server_extension": True,
    "jupyterlab": False,
    "notebook": False,
    "notebook_shim": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
}


@dataclass
class HubSettings:
    """Everything the hub configuration needs; saved as ``<state>/hub_settings.json``.

    ``max_sessions``: most user servers running at once (default: sized from the machine's
    memory, see kernels.default_max_sessions); ``kernels_per_user``: most kernels (open pages)
    in one user's server; ``server_idle_timeout``: seconds after which a server with no kernel
    and no request stops itself; ``cull_idle_timeout``/``cull_interval``: the kernel lifecycle.
    """

    artifacts_dir: str
    state_dir: str
    port: int = 8000
    lang: str = "fr"
    max_sessions: int = 0
    kernels_per_user: int = 3
    # a closed tab's kernel goes after ~75 s, its server 90 s later: idle memory within 3 min
    server_idle_timeout: int = 90
    cull_idle_timeout: int = LIFECYCLE_DEFAULTS.cull_idle_timeout
    cull_interval: int = LIFECYCLE_DEFAULTS.cull_interval
    hub_port: int = 0
    proxy_api_port: int = 0
    notebooks_dir: str = str(PROJECT_ROOT)
    dashboards_dir: str = str(PROJECT_ROOT / "dashboards")
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.max_sessions:
            self.max_sessions = default_max_sessions()

    @classmethod
    def load(cls, state_dir: str | Path) -> HubSettings:
        """The settings saved in a state folder."""
        path = Path(state_dir) / SETTINGS_FILE
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise CreditScoringError(
                f"{path} is missing or unreadable ({error}): start the hub with "
                "`credit-scoring hub`, which writes it"
            ) from error


def server_arguments(settings: HubSettings, role: str) -> list[str]:
    """Command-line options of a user's jupyter server for a role."""
    arguments = [
        "--ServerApp.terminals_enabled=False" if role == MANAGER else "",
        "--ServerApp.kernel_manager_class=credit_scoring.service.kernels.SessionKernelManager",
        f"--SessionKernelManager.max_kernels={int(settings.kernels_per_user)}",
        f"--MappingKernelManager.cull_idle_timeout={int(settings.cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(settings.cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        f"--ServerApp.shutdown_no_activity_timeout={int(settings.server_idle_timeout)}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.theme=light",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and CI run as root; a real service runs the hub as an unprivileged user
        arguments.append("--ServerApp.allow_root=True")
    return [argument for argument in arguments if argument]


def role_config_dir(settings: HubSettings, role: str) -> Path:
    """A jupyter config folder per role (the server extensions it runs), written on demand."""
    folder = Path(settings.state_dir) / "jupyter-config" / role
    folder.mkdir(parents=True, exist_ok=True)
    extensions = MANAGER_EXTENSIONS if role == MANAGER else {"voila.server_extension": True}
    (folder / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=1),
        encoding="utf-8",
    )
    return folder


def configure(c, settings: HubSettings) -> None:
    """Fill a JupyterHub config object ``c`` for these settings (see the module doc)."""
    state = Path(settings.state_dir).resolve()
    c.JupyterHub.bind_url = f"http://127.0.0.1:{int(settings.port)}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    if settings.hub_port:
        c.JupyterHub.hub_port = int(settings.hub_port)
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    # a link to the dashboard (or a login's "next") starts the user's server without a click
    c.JupyterHub.implicit_spawn_seconds = 0.5
    c.JupyterHub.active_server_limit = int(settings.max_sessions)
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    c.JupyterHub.template_vars = {
        "busy_pages": [
            (code, translate("service.busy_title", code), translate("service.busy_text", code))
            for code in [settings.lang] + [lang for lang in LANGUAGES if lang != settings.lang]
        ]
    }
    if settings.proxy_api_port:
        c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(settings.proxy_api_port)}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
    c.ConfigurableHTTPProxy.should_start = True
    c.ConfigurableHTTPProxy.command = [proxy_command()]

    configure_accounts(c, state)

    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
    c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
    c.Spawner.disable_user_config = True
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    c.Spawner.environment = {
        ARTIFACTS_ENV: str(Path(settings.artifacts_dir).resolve()),
        STATE_ENV: str(state),
        LANGUAGE_ENV: settings.lang,
        "JUPYTERHUB_SINGLEUSER_APP": "jupyter_server.serverapp.ServerApp",
        **KERNEL_MEMORY_ENV,
    }
    c.Spawner.pre_spawn_hook = lambda spawner: prepare_spawn(spawner, settings)
    for section, values in settings.extra.items():
        for name, value in values.items():
            setattr(getattr(c, section), name, value)


def personal_dashboard_dir(settings: HubSettings, user: str) -> Path:
    """A fresh copy of the dashboard notebook in the user's folder of the state folder."""
    folder = Path(settings.state_dir) / "home" / user / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    notebook = Path(settings.dashboards_dir) / Path(DASHBOARD_URL).name
    shutil.copyfile(notebook, folder / notebook.name)
    return folder


def configure_accounts(c, state_dir: str | Path) -> None:
    """Personal accounts of ``<state>/accounts.sqlite`` as the hub's authenticator."""
    c.JupyterHub.authenticator_class = _authenticator_class()
    c.AccountsAuthenticator.state_dir = str(state_dir)
    c.Authenticator.allow_all = True  # an account in accounts.sqlite is the permission
    c.Authenticator.auth_refresh_age = 60
    c.Authenticator.refresh_pre_spawn = True
    c.NativeAuthenticator.enable_signup = False
    c.NativeAuthenticator.open_signup = False


def prepare_spawn(spawner, settings: HubSettings, role_config_root: str | None = None) -> None:
    """Give a user's server its role's shape: a manager gets the dashboard only.

    ``role_config_root``: where the servers find ``<role>/jupyter_server_config.json`` (in a
    Kubernetes pod, mounted by deploy/values.yaml); default: written in the state folder.
    """
    role = user_role(settings.state_dir, spawner.user.name)
    if role not in (MANAGER, ANALYST):
        raise CreditScoringError(f"{spawner.user.name} has no account with a role")
    spawner.args = server_arguments(settings, role)
    config_dir = (
        f"{role_config_root}/{role}" if role_config_root else str(role_config_dir(settings, role))
    )
    spawner.environment = {
        **spawner.environment,
        "JUPYTER_CONFIG_DIR": config_dir,
        "CREDIT_SCORING_ROLE": role,
    }
    if role == MANAGER:
        spawner.default_url = DASHBOARD_URL
        spawner.notebook_dir = settings.dashboards_dir
        if role_config_root is None:
            # a copy of the dashboard per manager: the contents API of one manager's server
            # cannot change the page the other managers see
            spawner.notebook_dir = str(personal_dashboard_dir(settings, spawner.user.name))
    else:
        spawner.notebook_dir = settings.notebooks_dir
        spawner.default_url = "/lab"


@cache
def _authenticator_class():
    from jupyterhub.auth import Authenticator
    from nativeauthenticator import NativeAuthenticator
    from nativeauthenticator.orm import UserInfo
    from traitlets import Unicode

    from credit_scoring.service.accounts import accounts_session

    class AccountsAuthenticator(NativeAuthenticator):
        """nativeauthenticator over ``<state>/accounts.sqlite`` (not the hub's database);
        login only: accounts are created and removed by ``credit-scoring users``."""

        state_dir = Unicode(config=True, help="The state folder holding accounts.sqlite")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, add_new_table=False, **kwargs)

        def get_user(self, username):
            if not accounts_path(self.state_dir).is_file():
                return None
            with accounts_session(self.state_dir) as session:
                return UserInfo.find(session, self.normalize_username(username))

        def get_handlers(self, app):
            # JupyterHub's own login page only: no sign-up, no self-service pages
            return Authenticator.get_handlers(self, app)

        async def refresh_user(self, user, handler=None):
            # a removed account loses its session at the next refresh
            return self.get_user(user.name) is not None

    return AccountsAuthenticator


def __getattr__(name: str):
    if name == "AccountsAuthenticator":
        return _authenticator_class()
    raise AttributeError(name)


def proxy_command() -> str:
    """The configurable-http-proxy executable: on PATH, or installed in .hub-node by make."""
    found = shutil.which(PROXY_COMMAND) or shutil.which(PROXY_COMMAND, path=str(LOCAL_PROXY_BIN))
    if not found:
        raise CreditScoringError(
            "configurable-http-proxy (the hub's proxy, an npm package) is not installed: run "
            "`make hub-proxy` (npm install --prefix .hub-node configurable-http-proxy)"
        )
    return found


def write_hub_config(settings: HubSettings) -> Path:
    """Save the settings and the three-line jupyterhub_config.py in the state folder."""
    state = Path(settings.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    (state / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")
    path = state / CONFIG_FILE
    path.write_text(
        "# Written by `credit-scoring hub`: edit hub_settings.json or the module, not this file.\n"
        "from credit_scoring.service.hub_config import HubSettings, configure\n\n"
        "configure(c, HubSettings.load(__file__.rsplit('/', 1)[0]))  # noqa: F821\n",
        encoding="utf-8",
    )
    return path


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_hub(settings: HubSettings, **popen_options) -> subprocess.Popen:
    """Check the inputs, write the config, start JupyterHub in the background (caller stops it)."""
    from credit_scoring.manifest import verify_artifacts
    from credit_scoring.service.audit import AuditStore, audit_path

    AuditStore(audit_path(settings.state_dir)).close()  # unusable audit trail: stop here
    if not accounts_path(settings.state_dir).is_file():
        raise CreditScoringError(
            f"no accounts yet in {settings.state_dir}: create one with `credit-scoring users add "
            f"NAME --role manager --password-stdin --state {settings.state_dir}`"
        )
    if not Path(settings.artifacts_dir).is_dir():
        raise ArtifactError(
            f"artifacts folder {settings.artifacts_dir} does not exist: build it with "
            "`make artifacts` or pass --artifacts to the folder the pipeline wrote"
        )
    verify_artifacts(Path(settings.artifacts_dir))
    command = proxy_command()
    settings.hub_port = settings.hub_port or _free_port()
    settings.proxy_api_port = settings.proxy_api_port or _free_port()
    config = write_hub_config(settings)
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(command).parent}{os.pathsep}{environment.get('PATH', '')}"
    environment.setdefault("CONFIGPROXY_AUTH_TOKEN", secrets.token_hex(32))
    return subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(config)],
        cwd=str(Path(settings.state_dir)),
        env=environment,
        start_new_session=True,
        **popen_options,
    )


def stop_hub(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Stop a hub started by start_hub, with its proxy and the users' servers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def serve_hub(settings: HubSettings) -> int:
    """Run the hub until interrupted; prints its address. Returns the exit code."""
    process = start_hub(settings)
    url = f"http://127.0.0.1:{settings.port}/"

    def _interrupted(_signal, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupted)  # a `kill` stops the hub and its servers too
    try:
        wait_for_hub(url, process)
        print(
            f"Team service at {url} (Ctrl+C to stop): at most {settings.max_sessions} sessions; "
            f"audit trail in {Path(settings.state_dir) / 'audit.sqlite'}",
            flush=True,
        )
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_hub(process)


def wait_for_hub(url: str, process: subprocess.Popen | None = None, timeout: float = 120) -> None:
    """Wait until the hub answers its login page; raises if it stops or never answers."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CreditScoringError(f"the hub stopped (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/hub/login", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise CreditScoringError(f"the hub did not answer at {url} within {timeout:.0f} s")
