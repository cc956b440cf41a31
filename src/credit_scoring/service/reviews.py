"""The managers' reviews of credit decisions (EU directive 2023/2225, art. 18).

A manager confirms the model's decision, or overrides it with a reason, and writes down the
client's own view in their words. Each review is kept with who (the user), when (UTC), the model
version and the score and threshold at that time.

Reviews live in the same SQLite file as the audit trail (``service/audit.py``: WAL,
``synchronous=FULL``, one ``BEGIN IMMEDIATE`` transaction per write), in a ``reviews`` table
created on the audit store's connection. Recording a review also appends a
``decision_reviewed`` event to the trail, in the same transaction: both are written, or neither.
Append-only: a review is never changed; a new review of the same client supersedes it on the
page (``latest``), and every review stays in the file.

Schema (reviews version 1, ``meta.reviews_schema_version``)::

    reviews(id, reviewed_at, user, client_id, outcome, model_decision, final_decision,
            reason, client_view, default_probability, threshold, model_version)

``outcome`` is ``confirmed`` (final = model decision) or ``overridden`` (final = the other
decision, and a non-empty reason), checked by the database as well as here.

Without the team service (no state folder) the dashboard keeps its reviews in a local file of
the same format, ``reviews.sqlite`` in :func:`local_state_dir`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from credit_scoring.errors import CreditScoringError
from credit_scoring.service.audit import DECISION_REVIEWED, AuditError, AuditStore

CONFIRMED, OVERRIDDEN = "confirmed", "overridden"
OUTCOMES = (CONFIRMED, OVERRIDDEN)
DECISIONS = ("granted", "refused")
LOCAL_REVIEWS_FILE = "reviews.sqlite"
#: The longest reason or client's view kept (characters): a few paragraphs, not a document.
MAX_TEXT = 4_000
REVIEWS_SCHEMA_VERSION = 1
_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reviewed_at TEXT NOT NULL,
    user TEXT NOT NULL CHECK (length(user) > 0),
    client_id INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'overridden')),
    model_decision TEXT NOT NULL CHECK (model_decision IN ('granted', 'refused')),
    final_decision TEXT NOT NULL CHECK (final_decision IN ('granted', 'refused')),
    reason TEXT NOT NULL DEFAULT '',
    client_view TEXT NOT NULL DEFAULT '',
    default_probability REAL NOT NULL,
    threshold REAL NOT NULL,
    model_version TEXT NOT NULL,
    CHECK ((outcome = 'confirmed' AND final_decision = model_decision)
        OR (outcome = 'overridden' AND final_decision <> model_decision
            AND length(trim(reason)) > 0))
)""",
    "CREATE INDEX IF NOT EXISTS reviews_by_client ON reviews (client_id, id)",
    """CREATE TRIGGER IF NOT EXISTS reviews_append_only_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS reviews_append_only_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END""",
)
_COLUMNS = (
    "id, reviewed_at, user, client_id, outcome, model_decision, final_decision, reason,"
    " client_view, default_probability, threshold, model_version"
)


class ReviewError(CreditScoringError):
    """A review that cannot be recorded as given (``key`` names the words that say why)."""

    def __init__(self, message: str, key: str = "review.error.invalid") -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Review:
    """One recorded review (``reviewed_at`` is UTC, ISO 8601)."""

    id: int
    reviewed_at: str
    user: str
    client_id: int
    outcome: str
    model_decision: str
    final_decision: str
    reason: str
    client_view: str
    default_probability: float
    threshold: float
    model_version: str

    def to_dict(self) -> dict:
        """Plain dict (JSON)."""
        return asdict(self)


def local_state_dir() -> Path:
    """The folder of a standalone dashboard's own records: $XDG_STATE_HOME/credit-scoring
    (by default ~/.local/state/credit-scoring)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "credit-scoring"


def check_review(outcome: str, model_decision: str, reason: str) -> str:
    """The final decision of a review; ReviewError when the review cannot be recorded
    (an override without a reason, an unknown outcome or decision)."""
    if outcome not in OUTCOMES:
        raise ReviewError(f"unknown review outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    if model_decision not in DECISIONS:
        raise ReviewError(f"unknown decision {model_decision!r}: one of {', '.join(DECISIONS)}")
    if outcome == OVERRIDDEN and not reason.strip():
        raise ReviewError(
            "overriding the model's decision needs a reason: write why the decision changes",
            key="review.error.reason_required",
        )
    if outcome == CONFIRMED:
        return model_decision
    return "granted" if model_decision == "refused" else "refused"


class ReviewStore:
    """The reviews of one SQLite file (the audit trail's, or a local one).

    ``ReviewStore(path).record(...)`` appends a review and its audit event; ``.latest(client)``
    and ``.of_client(client)`` read them back. Raises AuditError when the file cannot be used.
    """

    def __init__(self, path: str | Path) -> None:
        self.audit = AuditStore(path)
        self.path = self.audit.path
        try:
            with self.audit.transaction() as connection:
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('reviews_schema_version', ?)",
                    (str(REVIEWS_SCHEMA_VERSION),),
                )
        except sqlite3.DatabaseError as error:
            self.audit.close()
            raise AuditError(
                f"the reviews of {self.path} cannot be used ({error}): check the file"
            ) from error

    def record(
        self,
        user: str,
        client_id: int,
        outcome: str,
        model_decision: str,
        default_probability: float,
        threshold: float,
        model_version: str,
        reason: str = "",
        client_view: str = "",
    ) -> Review:
        """Record a review (now, UTC) and its ``decision_reviewed`` audit event, together.

        Raises ReviewError for an override without a reason (nothing is written), AuditError
        when the file cannot be written.
        """
        reason, client_view = str(reason or "").strip(), str(client_view or "").strip()
        final_decision = check_review(outcome, model_decision, reason)
        if not user:
            raise ReviewError("a review needs the user who made it")
        if len(reason) > MAX_TEXT or len(client_view) > MAX_TEXT:
            raise ReviewError(
                f"a reason or a client's view is at most {MAX_TEXT} characters: shorten it",
                key="review.error.too_long",
            )
        values = (
            datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            str(user),
            int(client_id),
            outcome,
            model_decision,
            final_decision,
            reason,
            client_view,
            float(default_probability),
            float(threshold),
            str(model_version),
        )
        try:
            with self.audit.transaction() as connection:
                cursor = connection.execute(
                    f"INSERT INTO reviews ({_COLUMNS.removeprefix('id, ')}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                review_id = int(cursor.lastrowid)
                # the trail keeps the fact and its outcome; the words stay in the review
                detail = {"review_id": review_id, "outcome": outcome, "decision": final_decision}
                connection.execute(
                    "INSERT INTO events (recorded_at, user, action, client_id, model_version,"
                    " detail) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        values[0],
                        values[1],
                        DECISION_REVIEWED,
                        values[2],
                        values[-1],
                        json.dumps(detail, sort_keys=True),
                    ),
                )
        except sqlite3.DatabaseError as error:
            raise AuditError(f"the review could not be written to {self.path}: {error}") from error
        return Review(review_id, *values)

    def of_client(self, client_id: int) -> list[Review]:
        """Every review of a client, oldest first."""
        rows = self.audit.read(
            f"SELECT {_COLUMNS} FROM reviews WHERE client_id = ? ORDER BY id", (int(client_id),)
        )
        return [Review(*row) for row in rows]

    def latest(self, client_id: int) -> Review | None:
        """The client's latest review, or None."""
        rows = self.audit.read(
            f"SELECT {_COLUMNS} FROM reviews WHERE client_id = ? ORDER BY id DESC LIMIT 1",
            (int(client_id),),
        )
        return Review(*rows[0]) if rows else None

    def all(self) -> list[Review]:
        """Every review, oldest first."""
        rows = self.audit.read(f"SELECT {_COLUMNS} FROM reviews ORDER BY id")
        return [Review(*row) for row in rows]

    def close(self) -> None:
        """Close the file (recorded reviews are on disk)."""
        self.audit.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
