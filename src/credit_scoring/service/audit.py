"""The audit trail: who looked at which client, and what they simulated, with which model.

One SQLite file (``<state>/audit.sqlite``) in WAL mode, written by every dashboard kernel (one
process per page, several users at once) and read by ``credit-scoring audit``. Each write is
its own short ``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``: a recorded event
survives a crash of the process or of the machine, and concurrent writers wait for each other
(``busy_timeout``) instead of losing events.

Append-only: triggers refuse any UPDATE or DELETE of an event. No personal data is stored beyond
the client id: what-if events keep the *names* of the fields changed, never their values; the
threshold events keep the simulated threshold (a model parameter, not a client's data).

Schema (version 2: version 1 plus the decision_reviewed action)::

    meta(key PRIMARY KEY, value)            -- schema_version, created_at
    events(id, recorded_at, user, action, client_id, model_version, detail)

Other record kinds are further tables of the same file, each with its own append-only
triggers: the managers' decision reviews are ``service/reviews.py``'s ``reviews`` table (its
own schema there, created on this store's connection); a new action is a new schema version.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from credit_scoring.errors import CreditScoringError

AUDIT_FILE = "audit.sqlite"
CLIENT_VIEWED = "client_viewed"
WHATIF_SIMULATED = "whatif_simulated"
THRESHOLD_SIMULATED = "threshold_simulated"
REPORT_DOWNLOADED = "report_downloaded"
DECISION_REVIEWED = "decision_reviewed"  # a manager's review (service/reviews.py)
_ACTIONS_V1 = (CLIENT_VIEWED, WHATIF_SIMULATED, THRESHOLD_SIMULATED, REPORT_DOWNLOADED)
ACTIONS = (*_ACTIONS_V1, DECISION_REVIEWED)
BUSY_TIMEOUT_MS = 30_000

_MIGRATIONS: dict[int, str] = {
    1: f"""
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({", ".join(f"'{a}'" for a in _ACTIONS_V1)})),
        client_id INTEGER,
        model_version TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{{}}'
    );
    CREATE INDEX IF NOT EXISTS events_by_user ON events (user, recorded_at);
    CREATE INDEX IF NOT EXISTS events_by_client ON events (client_id, recorded_at);
    CREATE INDEX IF NOT EXISTS events_by_time ON events (recorded_at);
    CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """,
    # version 2: one more action (decision_reviewed); SQLite cannot alter a CHECK, so the events
    # move to a new table (DROP TABLE fires no trigger). The reviews table is service/reviews.py's.
    2: f"""
    CREATE TABLE events_v2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({", ".join(f"'{a}'" for a in ACTIONS)})),
        client_id INTEGER,
        model_version TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{{}}'
    );
    INSERT INTO events_v2 SELECT id, recorded_at, user, action, client_id, model_version, detail
        FROM events ORDER BY id;
    DROP TABLE events;
    ALTER TABLE events_v2 RENAME TO events;
    CREATE INDEX IF NOT EXISTS events_by_user ON events (user, recorded_at);
    CREATE INDEX IF NOT EXISTS events_by_client ON events (client_id, recorded_at);
    CREATE INDEX IF NOT EXISTS events_by_time ON events (recorded_at);
    CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """,
}
SCHEMA_VERSION = max(_MIGRATIONS)


class AuditError(CreditScoringError):
    """The audit trail cannot be opened or written (the service must not run without it)."""


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit trail (``recorded_at`` is UTC, ISO 8601)."""

    id: int
    recorded_at: str
    user: str
    action: str
    client_id: int | None
    model_version: str
    detail: dict


def model_version(manifest: dict) -> str:
    """The model's version for the audit trail: package version, pipeline run and model hash."""
    digest = manifest.get("files", {}).get("model.cbm", {}).get("sha256", "")
    parts = [str(manifest.get("package_version", "?")), str(manifest.get("run_id", "?"))]
    if digest:
        parts.append(f"model-{digest[:12]}")
    return "/".join(parts)


def audit_path(state_dir: str | Path) -> Path:
    """Where the audit trail of a state folder lives."""
    return Path(state_dir) / AUDIT_FILE


class AuditStore:
    """The audit trail in one SQLite file; opening it checks that it can be written.

    ``AuditStore(path).record(user, action, client_id, model_version)`` appends an event;
    ``.query(user=..., client_id=..., since=...)`` reads them back, oldest first.
    Raises AuditError, saying what to do, when the file is corrupt, not a database, or cannot
    be created or written.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise AuditError(
                f"the audit trail {self.path} is a folder, not a file: give the state folder "
                "(--state) and let the service create its audit.sqlite"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise AuditError(
                f"cannot create the folder of the audit trail {self.path.parent} ({error}): "
                "choose a writable --state folder"
            ) from error
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self._configure()
            self._migrate()
            self._check_writable()
        except sqlite3.DatabaseError as error:
            raise AuditError(
                f"the audit trail {self.path} is unusable ({error}). If it is corrupt, move it "
                "aside (keep it: it is a legal record), restore it from a backup or let the "
                "service start a new one; if it is read-only, give the service's user write "
                "access to it and to its folder"
            ) from error

    def _configure(self) -> None:
        connection = self._connection
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.DatabaseError(f"cannot use the WAL journal (got {mode!r})")
        connection.execute("PRAGMA synchronous = FULL")
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")

    def _migrate(self) -> None:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            row = connection.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            current = int(row[0]) if row else 0
            if current > SCHEMA_VERSION:
                raise AuditError(
                    f"the audit trail {self.path} has schema version {current}, newer than this "
                    f"program's {SCHEMA_VERSION}: update the credit-scoring package"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(_MIGRATIONS[version]):
                    connection.execute(statement)
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)", (_now(),)
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _check_writable(self) -> None:
        # the schema may have existed already: prove now that a write goes through
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_opened_at', ?)", (_now(),)
            )

    def _transaction(self):
        return _Transaction(self._connection)

    def transaction(self):
        """A write transaction on this file (``with store.transaction() as connection:``), for
        the tables of the other record kinds (service/reviews.py)."""
        return self._transaction()

    def read(self, sql: str, values: Sequence = ()) -> list[tuple]:
        """The rows of one read-only query on this file."""
        return self._connection.execute(sql, tuple(values)).fetchall()

    def record(
        self,
        user: str,
        action: str,
        client_id: int | None,
        model_version: str,
        detail: dict | None = None,
    ) -> int:
        """Append one event (now, UTC); returns its id. Raises AuditError if it is not written."""
        if action not in ACTIONS:
            raise AuditError(f"unknown audit action {action!r}: one of {', '.join(ACTIONS)}")
        if not user:
            raise AuditError("an audit event needs the user who acted")
        payload = json.dumps(detail or {}, sort_keys=True)
        try:
            with self._transaction() as connection:
                cursor = connection.execute(
                    "INSERT INTO events (recorded_at, user, action, client_id, model_version,"
                    " detail) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        _now(),
                        str(user),
                        action,
                        None if client_id is None else int(client_id),
                        str(model_version),
                        payload,
                    ),
                )
                return int(cursor.lastrowid)
        except sqlite3.DatabaseError as error:
            raise AuditError(
                f"the audit trail {self.path} could not be written: {error}"
            ) from error

    def query(
        self,
        user: str | None = None,
        client_id: int | None = None,
        since: str | date | datetime | None = None,
        action: str | None = None,
    ) -> list[AuditEvent]:
        """The events matching every given criterion, oldest first.

        ``since`` is a date (``2026-11-28``) or a UTC time (ISO 8601); events at or after it.
        """
        clauses, values = [], []
        if user is not None:
            clauses.append("user = ?")
            values.append(str(user))
        if client_id is not None:
            clauses.append("client_id = ?")
            values.append(int(client_id))
        if since is not None:
            clauses.append("recorded_at >= ?")
            values.append(_since(since))
        if action is not None:
            clauses.append("action = ?")
            values.append(action)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._connection.execute(
            "SELECT id, recorded_at, user, action, client_id, model_version, detail FROM events"
            f"{where} ORDER BY id",
            values,
        ).fetchall()
        return [AuditEvent(*row[:6], json.loads(row[6])) for row in rows]

    def close(self) -> None:
        """Close the connection (events already recorded are on disk)."""
        self._connection.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): one writer at a time across processes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type, *_rest) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def format_events(events: Sequence[AuditEvent], fmt: str = "csv") -> str:
    """The events as CSV (one header line) or as a JSON array."""
    rows = [asdict(event) for event in events]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt != "csv":
        raise AuditError(f"unknown format {fmt!r}: choose csv or json")
    buffer = io.StringIO()
    fields = ["id", "recorded_at", "user", "action", "client_id", "model_version", "detail"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "detail": json.dumps(row["detail"], sort_keys=True)})
    return buffer.getvalue()


def _statements(script: str) -> Iterable[str]:
    # split on the statement ends, keeping trigger bodies (BEGIN ... END;) whole
    statement = ""
    for line in script.strip().splitlines():
        statement += line + "\n"
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _since(value: str | date | datetime) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as error:
            raise AuditError(
                f"--since {value!r} is not a date: write it as 2026-11-28 or 2026-11-28T09:30"
            ) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
