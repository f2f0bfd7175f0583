"""Search analytics: every query logged (PII-redacted), feedback on its results."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.keys import Principal
from kcrm.core.roles import public_only
from kcrm.core.tables import Feedback, QueryLog, utcnow
from kcrm.knowledge.logwriter import QueryLogWriter, flush_pending
from kcrm.knowledge.text.pii import redact_batch


@dataclass
class LoggedQuery:
    kind: str
    query: str
    result_ids: list[str]
    top_score: float | None
    answerable: bool | None = None
    filters: dict[str, Any] | None = None
    embedding: np.ndarray | None = None
    embedding_model: str | None = None
    customer_id: str | None = None
    language: str | None = None
    latency_ms: float | None = None
    session_id: str | None = None


def new_query_id() -> str:
    """A query id: 32 hex digits, the first 12 the time in milliseconds (as in UUIDv7).

    Feedback can come before the query's row is written (the server writes the log
    behind the requests, and another worker may get the feedback): its time tells how
    long it is worth waiting for the row.
    """
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def query_row(principal: Principal | None, entry: LoggedQuery, query_id: str) -> dict[str, Any]:
    """The query-log row of one query, as typed (`redact_rows` makes it storable)."""
    return {
        "id": query_id,
        "kind": entry.kind,
        "role": principal.role if principal else "cli",
        "key_id": principal.key_id if principal else None,
        "customer_id": entry.customer_id,
        "query": entry.query,
        "language": entry.language,
        "filters": entry.filters or {},
        "result_count": len(entry.result_ids),
        "top_score": entry.top_score,
        "answerable": entry.answerable,
        "result_ids": entry.result_ids[:100],
        "embedding": (
            np.ascontiguousarray(entry.embedding, dtype=np.float32).tobytes()
            if entry.embedding is not None
            else None
        ),
        "embedding_model": entry.embedding_model,
        "latency_ms": entry.latency_ms,
        "session_id": entry.session_id,
        "created_at": utcnow(),
    }


def redact_rows(rows: list[dict[str, Any]], db: Database) -> list[dict[str, Any]]:
    """Rows with no PII left, whoever typed it, wherever in the request.

    A card number given as a product id or customer id is redacted like the query.
    Every distinct text is redacted once, in one batch (spaCy's NER runs batched).
    """
    allow = db.settings.pii_allow
    fields = ("customer_id", "query", "filters")
    clean = redacted([[row[f] for f in fields] for row in rows], allow)
    out = []
    for row, (customer_id, query, filters) in zip(rows, clean, strict=True):
        out.append({**row, "customer_id": customer_id, "query": query[:2000], "filters": filters})
    return out


def log_query(
    db: Database,
    principal: Principal | None,
    entry: LoggedQuery,
    writer: QueryLogWriter | None = None,
) -> str:
    """Store one query (behind the request, with a running `writer`); returns its id.

    The id is the `query_id` callers give back with feedback.
    """
    query_id = new_query_id()
    row = query_row(principal, entry, query_id)
    if writer is not None:
        writer.submit(row)
    else:
        with db.session() as s:
            s.execute(insert(QueryLog), redact_rows([row], db))
    return query_id


def redacted(value: Any, allow: Sequence[str] = ()) -> Any:
    """`value` with every string in it PII-redacted (lists and dicts walked; one NER batch)."""
    texts: dict[str, str] = {}  # each distinct text redacted once

    def collect(v: Any) -> None:
        if isinstance(v, str):
            texts[v] = v
        elif isinstance(v, list | tuple):
            for item in v:
                collect(item)
        elif isinstance(v, dict):
            for item in v.values():
                collect(item)

    collect(value)
    if texts:
        texts = dict(zip(texts, redact_batch(list(texts), allow), strict=True))

    def rebuild(v: Any) -> Any:
        if isinstance(v, str):
            return texts[v]
        if isinstance(v, list | tuple):
            return [rebuild(item) for item in v]
        if isinstance(v, dict):
            return {k: rebuild(item) for k, item in v.items()}
        return v

    return rebuild(value)


def record_feedback(
    db: Database,
    principal: Principal,
    query_id: str,
    item_id: str,
    helpful: bool | None,
    used: bool | None,
) -> int:
    """Store a verdict on one result of one of the caller's queries; returns its id."""
    if helpful is None and used is None:
        raise ValueError("give at least one of helpful or used")
    query_row_written(db, query_id)
    with db.session() as s:
        query = s.get(QueryLog, query_id)
        if query is None:
            raise NotFound(f"no query with id {query_id!r}")
        if public_only(principal.role) and query.key_id != principal.key_id:
            # Public-only roles rate their own searches only: whether an id was among the
            # results of someone else's query would tell them about records they cannot see.
            raise NotFound(f"no query with id {query_id!r}")
        if item_id not in (query.result_ids or []):
            raise ValueError(f"item_id {item_id!r} was not among the results of query {query_id}")
        row = Feedback(
            query_id=query_id,
            item_id=item_id,
            helpful=helpful,
            used=used,
            role=principal.role,
            key_id=principal.key_id,
        )
        s.add(row)
        s.flush()
        return row.id


# How long feedback waits for the row of a query asked this recently (another worker
# writes it behind its requests: normally within milliseconds).
WRITE_BEHIND_WAIT = 5.0


def query_row_written(db: Database, query_id: str) -> bool:
    """Wait (briefly) for the row of a recent query that is not written yet."""
    flush_pending(db)
    if _exists(db, query_id):
        return True
    try:
        asked = int(query_id[:12], 16) / 1000
    except ValueError:
        return False
    # Ids of other shapes or times (old uuid4 ids, made-up ones) are not waited for.
    deadline = asked + WRITE_BEHIND_WAIT
    if not time.time() - 1 <= deadline <= time.time() + WRITE_BEHIND_WAIT + 1:
        return False
    while time.time() < deadline:
        time.sleep(0.05)
        if _exists(db, query_id):
            return True
    return False


def _exists(db: Database, query_id: str) -> bool:
    with db.session() as s:
        return s.scalar(select(QueryLog.id).where(QueryLog.id == query_id)) is not None
