"""The query log written behind the requests: rows arrive, in order, all of them at a clean stop."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kcrm.core.errors import NotFound
from kcrm.core.keys import Principal, create_key
from kcrm.core.tables import QueryLog
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.logwriter import QueryLogWriter
from kcrm.knowledge.querylog import (
    LoggedQuery,
    log_query,
    new_query_id,
    query_row,
    record_feedback,
    redact_rows,
)
from kcrm.server.app import create_app
from tests.conftest import faq, write_jsonl

WHO = Principal(key_id=7, role="agent")


def entry(text: str) -> LoggedQuery:
    return LoggedQuery(kind="search", query=text, result_ids=["a"], top_score=0.5)


def stored(kb: KnowledgeBase) -> dict[str, str]:
    with kb.db.session() as s:
        return {r.id: r.query for r in s.execute(select(QueryLog.id, QueryLog.query))}


def test_rows_arrive_redacted_in_the_order_they_were_submitted(kb: KnowledgeBase) -> None:
    batches: list[list[str]] = []
    writer = QueryLogWriter(kb.db, redact_rows, batch=7)
    insert = writer._insert

    def recording(rows: Any) -> None:
        batches.append([r["query"] for r in rows])
        insert(rows)

    writer._insert = recording  # type: ignore[method-assign]
    writer.start()
    texts = [f"card question {i} from jane@example.com" for i in range(40)]
    ids = [log_query(kb.db, WHO, entry(t), writer) for t in texts]
    assert writer.flush(timeout=30)
    rows = stored(kb)
    assert set(ids) <= set(rows) and len(rows) == 40
    written = [q for batch in batches for q in batch]
    assert written == [t.replace("jane@example.com", "[EMAIL]") for t in texts]
    assert max(len(b) for b in batches) <= 7
    writer.stop()


def test_a_clean_stop_writes_everything_queued(kb: KnowledgeBase) -> None:
    gate = threading.Event()

    def slow(rows: list[dict[str, Any]], db: Any) -> list[dict[str, Any]]:
        gate.wait(30)  # the database is slower than the requests
        return redact_rows(rows, db)

    writer = QueryLogWriter(kb.db, slow)
    writer.start()
    ids = [log_query(kb.db, WHO, entry(f"query {i}"), writer) for i in range(25)]
    assert writer.pending() == 25 and stored(kb) == {}
    gate.set()
    writer.stop()
    assert set(stored(kb)) == set(ids)
    # Stopped, it writes at once again (as the CLI does).
    late = log_query(kb.db, WHO, entry("after the stop"), writer)
    assert late in stored(kb)


def test_the_queue_is_bounded_and_a_full_queue_waits_without_losing_rows(
    kb: KnowledgeBase,
) -> None:
    gate = threading.Event()

    def blocked(rows: list[dict[str, Any]], db: Any) -> list[dict[str, Any]]:
        gate.wait(30)
        return redact_rows(rows, db)

    writer = QueryLogWriter(kb.db, blocked, max_pending=3, batch=1)
    writer.start()
    for i in range(4):  # one taken by the (blocked) writer, three wait in the queue
        log_query(kb.db, WHO, entry(f"q{i}"), writer)
    writer.flush(timeout=0.01)  # wakes the writer so it takes its first row
    fifth = threading.Thread(target=log_query, args=(kb.db, WHO, entry("q4"), writer))
    fifth.start()
    fifth.join(0.5)
    assert fifth.is_alive()  # waits for room: the queue holds at most three
    assert len(writer._queue) == 3
    gate.set()
    fifth.join(30)
    assert not fifth.is_alive()
    writer.stop()
    assert sorted(stored(kb).values()) == [f"q{i}" for i in range(5)]


def test_a_server_writes_its_queued_rows_at_shutdown(
    kb: KnowledgeBase, settings: Any, tmp_path: Path
) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", [faq("f1", "Card", "Card delivery.")])])
    key, _ = create_key(kb.db, "agent", "a")
    with TestClient(create_app(settings, kb=kb)) as client:
        assert kb.query_log.running
        ids = [
            client.post(
                "/v1/search",
                json={"query": f"card {i}"},
                headers={"Authorization": f"Bearer {key}"},
            ).json()["query_id"]
            for i in range(12)
        ]
    assert not kb.query_log.running
    assert set(ids) <= set(stored(kb))


def test_feedback_right_after_a_search_finds_its_query(
    kb: KnowledgeBase, settings: Any, tmp_path: Path
) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", [faq("f1", "Card", "Card delivery.")])])
    key, _ = create_key(kb.db, "customer", "c")
    auth = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings, kb=kb)) as client:
        for _ in range(5):
            body = client.post("/v1/search", json={"query": "card"}, headers=auth).json()
            r = client.post(
                "/v1/feedback",
                json={"query_id": body["query_id"], "item_id": "f1", "helpful": True},
                headers=auth,
            )
            assert r.status_code == 201, r.text


def test_feedback_waits_for_a_recent_query_another_process_is_writing(
    kb: KnowledgeBase,
) -> None:
    query_id = new_query_id()
    row = query_row(WHO, entry("card"), query_id)

    def other_worker() -> None:
        with kb.db.session() as s:
            s.execute(QueryLog.__table__.insert(), redact_rows([row], kb.db))

    later = threading.Timer(0.3, other_worker)
    later.start()
    assert record_feedback(kb.db, WHO, query_id, "a", True, None) > 0
    later.join()
    with pytest.raises(NotFound):  # an id of no recent time is not waited for
        record_feedback(kb.db, WHO, "0" * 32, "a", True, None)
