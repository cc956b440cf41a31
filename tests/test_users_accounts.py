"""Personal accounts: created and removed by an administrator, passwords stored hashed."""

from __future__ import annotations

import io
import sqlite3

import pytest

from credit_scoring.cli import main
from credit_scoring.service.accounts import (
    AccountError,
    accounts_path,
    add_user,
    list_users,
    remove_user,
    user_role,
    verify_password,
)

PASSWORD = "mon mot de passe personnel"


def _add(monkeypatch, state, name, role, password=PASSWORD, stdin=True):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    arguments = ["users", "add", name, "--role", role, "--state", str(state)]
    return main(arguments + (["--password-stdin"] if stdin else []))


def test_users_add_stores_a_hash_never_the_password(tmp_path, monkeypatch, capsys):
    assert _add(monkeypatch, tmp_path, "marie.dupont", "manager") == 0
    assert _add(monkeypatch, tmp_path, "paul", "analyst") == 0
    stored = (
        sqlite3.connect(accounts_path(tmp_path))
        .execute("SELECT username, password FROM users_info ORDER BY username")
        .fetchall()
    )
    assert [name for name, _ in stored] == ["marie.dupont", "paul"]
    for _name, hashed in stored:
        assert PASSWORD.encode() not in hashed and hashed.startswith(b"$2b$")
    assert PASSWORD.encode() not in accounts_path(tmp_path).read_bytes()
    assert verify_password(tmp_path, "marie.dupont", PASSWORD)
    assert not verify_password(tmp_path, "marie.dupont", "un autre mot de passe")
    assert user_role(tmp_path, "marie.dupont") == "manager"
    assert list_users(tmp_path) == [("marie.dupont", "manager"), ("paul", "analyst")]


def test_users_remove_ends_the_account(tmp_path, monkeypatch, capsys):
    assert _add(monkeypatch, tmp_path, "marie", "manager") == 0
    assert main(["users", "remove", "marie", "--state", str(tmp_path)]) == 0
    assert user_role(tmp_path, "marie") is None
    assert not verify_password(tmp_path, "marie", PASSWORD)
    assert main(["users", "remove", "marie", "--state", str(tmp_path)]) == 2
    assert "no account 'marie'" in capsys.readouterr().err


def test_user_errors_say_what_to_do(tmp_path, monkeypatch, capsys):
    assert _add(monkeypatch, tmp_path, "marie", "manager", stdin=False) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert _add(monkeypatch, tmp_path, "marie", "manager", password="court") == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert _add(monkeypatch, tmp_path, "Marie Dupont", "manager") == 2
    assert "not allowed" in capsys.readouterr().err
    assert _add(monkeypatch, tmp_path, "marie", "manager") == 0
    assert _add(monkeypatch, tmp_path, "marie", "analyst") == 2
    assert "exists already" in capsys.readouterr().err
    with pytest.raises(AccountError, match="unknown role"):
        add_user(tmp_path, "jean", "director", PASSWORD)
    with pytest.raises(AccountError, match="users add"):
        remove_user(tmp_path / "empty", "marie")
