"""The hub's configuration and the errors `credit-scoring hub` reports before starting anything."""

from __future__ import annotations

from traitlets.config import Config

from credit_scoring.cli import main
from credit_scoring.service.accounts import add_user
from credit_scoring.service.hub_config import (
    MANAGER_EXTENSIONS,
    HubSettings,
    configure,
    server_arguments,
    write_hub_config,
)


def test_the_configuration_binds_loopback_caps_sessions_and_uses_personal_accounts(tmp_path):
    settings = HubSettings(artifacts_dir=str(tmp_path), state_dir=str(tmp_path), port=8123)
    assert settings.max_sessions >= 1  # sized from memory when not given
    c = Config()
    configure(c, settings)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.active_server_limit == settings.max_sessions
    assert c.JupyterHub.authenticator_class.__name__ == "AccountsAuthenticator"
    assert c.NativeAuthenticator.enable_signup is False
    assert c.JupyterHub.spawner_class == "jupyterhub.spawner.SimpleLocalProcessSpawner"
    assert c.Spawner.environment["CREDIT_SCORING_STATE"] == str(tmp_path.resolve())


def test_a_managers_server_has_no_lab_no_terminal_and_bounded_kernels(tmp_path):
    settings = HubSettings(artifacts_dir=str(tmp_path), state_dir=str(tmp_path), kernels_per_user=2)
    manager = server_arguments(settings, "manager")
    assert "--ServerApp.terminals_enabled=False" in manager
    assert "--SessionKernelManager.max_kernels=2" in manager
    assert "--MappingKernelManager.cull_connected=False" in manager
    assert MANAGER_EXTENSIONS["jupyterlab"] is False
    assert MANAGER_EXTENSIONS["jupyter_server_terminals"] is False
    assert "--ServerApp.terminals_enabled=False" not in server_arguments(settings, "analyst")


def test_the_written_config_reloads_the_same_settings(tmp_path):
    settings = HubSettings(artifacts_dir=str(tmp_path), state_dir=str(tmp_path), max_sessions=7)
    path = write_hub_config(settings)
    assert HubSettings.load(tmp_path).max_sessions == 7
    compile(path.read_text(), str(path), "exec")


def test_hub_refuses_to_start_without_a_usable_audit_trail_or_accounts(tmp_path, capsys):
    state = tmp_path / "state"
    state.mkdir()
    (state / "audit.sqlite").write_bytes(b"not a database " * 300)
    arguments = ["hub", "--artifacts", str(tmp_path), "--state", str(state), "--port", "1"]
    assert main(arguments) == 2
    assert "audit trail" in capsys.readouterr().err
    (state / "audit.sqlite").unlink()
    assert main(arguments) == 2
    assert "users add" in capsys.readouterr().err
    add_user(state, "marie", "manager", "un long mot de passe")
    arguments[2] = str(tmp_path / "no-artifacts")
    assert main(arguments) == 2
    assert "make artifacts" in capsys.readouterr().err
