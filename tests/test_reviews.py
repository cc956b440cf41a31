"""The managers' reviews: an override needs a reason, reviews survive reopening the store, several
writing processes lose nothing, and each review is also an event of the audit trail."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from credit_scoring.service.audit import DECISION_REVIEWED, AuditStore, audit_path
from credit_scoring.service.reviews import (
    CONFIRMED,
    OVERRIDDEN,
    ReviewError,
    ReviewStore,
    local_state_dir,
)

WRITERS = 4
REVIEWS_PER_WRITER = 40


def review(store: ReviewStore, client: int = 100_002, **changes):
    values = dict(
        user="marie",
        client_id=client,
        outcome=CONFIRMED,
        model_decision="refused",
        default_probability=0.31,
        threshold=0.12,
        model_version="0.1.0/run/model-abc",
    )
    values.update(changes)
    return store.record(**values)


def test_an_override_without_a_reason_is_refused_and_nothing_is_written(tmp_path):
    store = ReviewStore(audit_path(tmp_path))
    for empty in ("", "   \n "):
        with pytest.raises(ReviewError, match="needs a reason") as raised:
            review(store, outcome=OVERRIDDEN, reason=empty)
        assert raised.value.key == "review.error.reason_required"
    assert store.all() == []
    assert AuditStore(audit_path(tmp_path)).query() == []


def test_a_review_keeps_who_when_model_score_and_decisions(tmp_path):
    store = ReviewStore(audit_path(tmp_path))
    confirmed = review(store, client_view="Je peux apporter 20 000 €.")
    overridden = review(
        store, outcome=OVERRIDDEN, reason=" Garant solide, revenus stables. ", user="paul"
    )
    assert (confirmed.outcome, confirmed.final_decision) == (CONFIRMED, "refused")
    assert (overridden.outcome, overridden.final_decision) == (OVERRIDDEN, "granted")
    assert overridden.reason == "Garant solide, revenus stables."
    assert confirmed.reviewed_at.endswith("Z") and confirmed.reviewed_at <= overridden.reviewed_at
    assert confirmed.client_view == "Je peux apporter 20 000 €."
    assert (overridden.default_probability, overridden.threshold) == (0.31, 0.12)
    assert overridden.model_version == "0.1.0/run/model-abc"
    assert store.latest(100_002) == overridden
    assert store.of_client(100_002) == [confirmed, overridden]
    assert store.latest(999) is None
    # each review is an event of the audit trail, its words stay out of the trail
    events = AuditStore(audit_path(tmp_path)).query(action=DECISION_REVIEWED)
    assert [(e.user, e.client_id) for e in events] == [("marie", 100_002), ("paul", 100_002)]
    assert [e.detail for e in events] == [
        {"review_id": confirmed.id, "outcome": "confirmed", "decision": "refused"},
        {"review_id": overridden.id, "outcome": "overridden", "decision": "granted"},
    ]


def test_reviews_survive_reopening_the_store_and_are_append_only(tmp_path):
    path = audit_path(tmp_path)
    with ReviewStore(path) as store:
        written = review(store, outcome=OVERRIDDEN, model_decision="granted", reason="Fraude")
    with ReviewStore(path) as reopened:
        assert reopened.latest(100_002) == written
        assert written.final_decision == "refused"
    connection = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE reviews SET outcome = 'confirmed'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM reviews")
    # the database itself refuses an override without a reason, whoever writes it
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        connection.execute(
            "INSERT INTO reviews (reviewed_at, user, client_id, outcome, model_decision,"
            " final_decision, reason, default_probability, threshold, model_version)"
            " VALUES ('t', 'u', 1, 'overridden', 'refused', 'granted', ' ', 0.3, 0.1, 'v')"
        )


def test_an_audit_trail_of_schema_version_1_gains_the_reviews_and_keeps_its_events(tmp_path):
    path = audit_path(tmp_path)
    AuditStore(path).record("marie", "client_viewed", 7, "v1")
    connection = sqlite3.connect(path)  # as a version-1 trail: the review action not allowed
    connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    store = ReviewStore(path)
    review(store, client=7)
    events = AuditStore(path).query()
    assert [(e.id, e.action) for e in events] == [(1, "client_viewed"), (2, DECISION_REVIEWED)]


def _write_reviews(path: str, writer: int) -> None:
    store = ReviewStore(path)
    for number in range(REVIEWS_PER_WRITER):
        outcome = OVERRIDDEN if number % 2 else CONFIRMED
        review(
            store,
            client=200_000 + number,
            user=f"user{writer}",
            outcome=outcome,
            reason=f"raison {writer}-{number}" if outcome == OVERRIDDEN else "",
        )
    store.close()


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path):
    path = str(audit_path(tmp_path))
    ReviewStore(path).close()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_reviews, args=(path, w)) for w in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    reviews = ReviewStore(path).all()
    assert len(reviews) == WRITERS * REVIEWS_PER_WRITER
    assert len({item.id for item in reviews}) == len(reviews)
    for writer in range(WRITERS):
        mine = [item for item in reviews if item.user == f"user{writer}"]
        assert [item.client_id for item in mine] == [200_000 + n for n in range(REVIEWS_PER_WRITER)]
    events = AuditStore(path).query(action=DECISION_REVIEWED)
    assert sorted(event.detail["review_id"] for event in events) == [item.id for item in reviews]


def test_the_local_store_of_a_standalone_dashboard_follows_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert local_state_dir() == tmp_path / "credit-scoring"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert local_state_dir().parts[-3:] == (".local", "state", "credit-scoring")
