"""Personal accounts of the team service: one per person, created and removed by an administrator.

The accounts live in ``<state>/accounts.sqlite``: jupyterhub-nativeauthenticator's own table
(``users_info``: the user name and a bcrypt hash of the password, salted, never the password)
and one table of ours, ``roles`` (``manager`` or ``analyst``). The hub's authenticator
(``credit_scoring.service.hub_config.AccountsAuthenticator``) reads them at every login, so an
account added or removed while the hub runs takes effect at once (a removed user's open session
ends at the next authentication refresh, within a minute).

There is no shared password and no self-service sign-up: ``credit-scoring users add NAME --role
manager --password-stdin --state DIR`` and ``credit-scoring users remove NAME --state DIR``.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from credit_scoring.errors import CreditScoringError

ACCOUNTS_FILE = "accounts.sqlite"
MANAGER = "manager"
ANALYST = "analyst"
ROLES = (MANAGER, ANALYST)
MINIMUM_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class AccountError(CreditScoringError):
    """An account cannot be created, removed or found as asked."""


def accounts_path(state_dir: str | Path) -> Path:
    """Where the accounts of a state folder live."""
    return Path(state_dir) / ACCOUNTS_FILE


@contextmanager
def accounts_session(state_dir: str | Path, create: bool = False):
    """A SQLAlchemy session on the accounts (nativeauthenticator's ``users_info`` table)."""
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    path = accounts_path(state_dir)
    if not create and not path.is_file():
        raise AccountError(
            f"no accounts in {Path(state_dir)}: create the first one with "
            f"`credit-scoring users add NAME --role manager --password-stdin --state {state_dir}`"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AccountError(f"cannot create the state folder {path.parent}: {error}") from error
    engine = create_engine(f"sqlite:///{path}")
    try:
        UserInfo.__table__.create(engine, checkfirst=True)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS roles (username TEXT PRIMARY KEY, "
                f"role TEXT NOT NULL CHECK (role IN ({', '.join(repr(r) for r in ROLES)})))"
            )
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except Exception as error:
        from sqlalchemy.exc import DatabaseError

        if isinstance(error, DatabaseError | sqlite3.DatabaseError):
            raise AccountError(
                f"the accounts file {path} is unusable ({error}): restore it from a backup"
            ) from error
        raise
    finally:
        engine.dispose()


def check_username(name: str) -> str:
    """The account name if valid (lower-case letters, digits, . _ -), else AccountError."""
    if not USERNAME_PATTERN.fullmatch(name or ""):
        raise AccountError(
            f"account name {name!r} is not allowed: use lower-case letters, digits, '.', '_' "
            "or '-' (at most 64), starting with a letter or a digit, e.g. 'marie.dupont'"
        )
    return name


def check_password(password: str) -> str:
    """The password if strong enough for nativeauthenticator's rules, else AccountError."""
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise AccountError(
            f"the password is too short: give at least {MINIMUM_PASSWORD_LENGTH} characters "
            "(a passphrase of several words is best)"
        )
    import nativeauthenticator

    common = Path(nativeauthenticator.__file__).parent / "common-credentials.txt"
    if common.is_file() and password in set(common.read_text(errors="ignore").splitlines()):
        raise AccountError("this password is in the list of common passwords: choose another")
    return password


def add_user(state_dir: str | Path, name: str, role: str, password: str) -> None:
    """Create a personal account (password stored as a salted bcrypt hash)."""
    import bcrypt
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import text

    check_username(name)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose {' or '.join(ROLES)}")
    check_password(password)
    with accounts_session(state_dir, create=True) as session:
        if UserInfo.find(session, name) is not None:
            raise AccountError(
                f"the account {name!r} exists already: remove it first "
                f"(`credit-scoring users remove {name} --state {state_dir}`) to change it"
            )
        hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt())
        session.add(UserInfo(username=name, password=hashed, is_authorized=True))
        session.execute(
            text("INSERT OR REPLACE INTO roles (username, role) VALUES (:name, :role)"),
            {"name": name, "role": role},
        )
        session.commit()


def remove_user(state_dir: str | Path, name: str) -> None:
    """Delete an account: it can no longer log in (open sessions end within a minute)."""
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import text

    with accounts_session(state_dir) as session:
        info = UserInfo.find(session, name)
        if info is None:
            raise AccountError(f"there is no account {name!r} in {state_dir}")
        session.delete(info)
        session.execute(text("DELETE FROM roles WHERE username = :name"), {"name": name})
        session.commit()


def user_role(state_dir: str | Path, name: str) -> str | None:
    """The role of an account, None when there is no such account."""
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import text

    if not accounts_path(state_dir).is_file():
        return None
    with accounts_session(state_dir) as session:
        if UserInfo.find(session, name) is None:
            return None
        row = session.execute(
            text("SELECT role FROM roles WHERE username = :name"), {"name": name}
        ).first()
        return row[0] if row else None


def list_users(state_dir: str | Path) -> list[tuple[str, str]]:
    """Every account and its role, by name."""
    from sqlalchemy import text

    with accounts_session(state_dir) as session:
        rows = session.execute(
            text(
                "SELECT u.username, COALESCE(r.role, '?') FROM users_info u "
                "LEFT JOIN roles r ON r.username = u.username ORDER BY u.username"
            )
        ).all()
    return [(name, role) for name, role in rows]


def verify_password(state_dir: str | Path, name: str, password: str) -> bool:
    """True when ``password`` is the account's (nativeauthenticator's bcrypt check)."""
    from nativeauthenticator.orm import UserInfo

    if not accounts_path(state_dir).is_file():
        return False
    with accounts_session(state_dir) as session:
        info = UserInfo.find(session, name)
        return bool(info and info.is_authorized and info.is_valid_password(password))
