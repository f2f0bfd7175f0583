"""Search analytics: every query logged (PII-redacted), feedback on its results."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.keys import Principal
from kcrm.core.roles import public_only
from kcrm.core.tables import Feedback, QueryLog
from kcrm.knowledge.text.pii import redact, redact_batch


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


def log_query(db: Database, principal: Principal | None, entry: LoggedQuery) -> str:
    """Store one query; returns its id (the `query_id` callers give back with feedback)."""
    query_id = uuid.uuid4().hex
    with db.session() as s:
        s.add(
            QueryLog(
                id=query_id,
                kind=entry.kind,
                role=principal.role if principal else "cli",
                key_id=principal.key_id if principal else None,
                # Logs must hold no PII, whoever typed it, wherever in the request: a card
                # number given as a product id or customer id is redacted like the query.
                customer_id=redacted(entry.customer_id, db.settings.pii_allow),
                query=redact(entry.query, db.settings.pii_allow)[:2000],
                language=entry.language,
                filters=redacted(entry.filters or {}, db.settings.pii_allow),
                result_count=len(entry.result_ids),
                top_score=entry.top_score,
                answerable=entry.answerable,
                result_ids=entry.result_ids[:100],
                embedding=(
                    np.ascontiguousarray(entry.embedding, dtype=np.float32).tobytes()
                    if entry.embedding is not None
                    else None
                ),
                embedding_model=entry.embedding_model,
                latency_ms=entry.latency_ms,
                session_id=entry.session_id,
            )
        )
    return query_id


def redacted(value: Any, allow: Sequence[str] = ()) -> Any:
    """`value` with every string in it PII-redacted (lists and dicts walked; one NER batch)."""
    texts: list[str] = []

    def collect(v: Any) -> None:
        if isinstance(v, str):
            texts.append(v)
        elif isinstance(v, list | tuple):
            for item in v:
                collect(item)
        elif isinstance(v, dict):
            for item in v.values():
                collect(item)

    collect(value)
    clean = iter(redact_batch(texts, allow)) if texts else iter(())

    def rebuild(v: Any) -> Any:
        if isinstance(v, str):
            return next(clean)
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
