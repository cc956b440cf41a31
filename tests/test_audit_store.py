"""The audit trail: append-only, durable, safe with several writing processes, clear errors."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3

import pytest

from credit_scoring.cli import main
from credit_scoring.service.audit import (
    CLIENT_VIEWED,
    THRESHOLD_SIMULATED,
    WHATIF_SIMULATED,
    AuditError,
    AuditStore,
    audit_path,
    model_version,
)

WRITERS = 4
EVENTS_PER_WRITER = 60


def _write_events(path: str, writer: int) -> None:
    store = AuditStore(path)
    for number in range(EVENTS_PER_WRITER):
        store.record(f"user{writer}", CLIENT_VIEWED, 100_000 + number, "model-v1")
    store.close()


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "audit.sqlite")
    AuditStore(path).close()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_events, args=(path, w)) for w in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    events = AuditStore(path).query()
    assert len(events) == WRITERS * EVENTS_PER_WRITER
    assert len({event.id for event in events}) == len(events)
    for writer in range(WRITERS):
        mine = [e for e in events if e.user == f"user{writer}"]
        assert [e.client_id for e in mine] == [100_000 + n for n in range(EVENTS_PER_WRITER)]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_events_are_append_only_and_hold_only_the_client_id(tmp_path):
    store = AuditStore(tmp_path / "audit.sqlite")
    store.record("marie", WHATIF_SIMULATED, 100_002, "v1", {"fields": ["AMT_CREDIT"]})
    store.record("marie", THRESHOLD_SIMULATED, 100_002, "v1", {"threshold": 0.3})
    connection = sqlite3.connect(tmp_path / "audit.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE events SET user = 'someone'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM events")
    columns = [row[1] for row in connection.execute("PRAGMA table_info(events)")]
    assert columns == [
        "id", "recorded_at", "user", "action", "client_id", "model_version", "detail"
    ]  # fmt: skip
    events = store.query(user="marie")
    assert [e.action for e in events] == [WHATIF_SIMULATED, THRESHOLD_SIMULATED]
    assert events[0].recorded_at.endswith("Z") and events[0].detail == {"fields": ["AMT_CREDIT"]}


def test_filters_by_user_client_and_date(tmp_path):
    store = AuditStore(tmp_path / "audit.sqlite")
    store.record("marie", CLIENT_VIEWED, 1, "v1")
    store.record("paul", CLIENT_VIEWED, 2, "v1")
    assert [e.user for e in store.query(client_id=2)] == ["paul"]
    assert len(store.query(since="2000-01-01")) == 2
    assert store.query(since="2999-01-01T00:00") == []
    with pytest.raises(AuditError, match="2026-11-28"):
        store.query(since="yesterday")
    with pytest.raises(AuditError, match="unknown audit action"):
        store.record("marie", "deleted_everything", 1, "v1")


def test_a_corrupt_file_is_a_clear_error_at_start(tmp_path):
    path = tmp_path / "audit.sqlite"
    path.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(AuditError, match="unusable.*move it aside"):
        AuditStore(path)


def test_an_unwritable_place_is_a_clear_error_at_start(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    with pytest.raises(AuditError, match="writable --state"):
        AuditStore(blocker / "audit.sqlite")
    (tmp_path / "folder.sqlite").mkdir()
    with pytest.raises(AuditError, match="is a folder"):
        AuditStore(tmp_path / "folder.sqlite")


def test_model_version_comes_from_the_manifest():
    manifest = {
        "package_version": "0.1.0",
        "run_id": "abc",
        "files": {"model.cbm": {"sha256": "f" * 64}},
    }
    assert model_version(manifest) == "0.1.0/abc/model-ffffffffffff"


def test_cli_prints_the_trail_as_csv_and_json(tmp_path, capsys):
    with AuditStore(audit_path(tmp_path)) as store:
        store.record("marie", CLIENT_VIEWED, 100_002, "v1")
        store.record("paul", CLIENT_VIEWED, 100_003, "v1")
    assert main(["audit", "--state", str(tmp_path), "--user", "marie"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,recorded_at,user,action,client_id")
    assert len(lines) == 2 and ",marie,client_viewed,100002," in lines[1]
    assert main(["audit", "--state", str(tmp_path), "--client", "100003", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["user"] for row in rows] == ["paul"]
    assert main(["audit", "--state", str(tmp_path / "elsewhere")]) == 2
    assert "check --state" in capsys.readouterr().err
