"""Use cases the API and CLI share: a search or suggestion, logged with who asked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kcrm.auth import Principal
from kcrm.knowledge import nlp
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.search import SearchFilters, SearchHit
from kcrm.querylog import LoggedQuery, log_query


@dataclass
class SearchOutcome:
    query_id: str
    hits: list[SearchHit]


def logged_search(
    kb: KnowledgeBase,
    principal: Principal | None,
    query: str,
    k: int = 10,
    filters: SearchFilters | None = None,
) -> SearchOutcome:
    """Search as the caller's role allows and log the query for analytics and feedback."""
    role = principal.role if principal else "agent"
    start = time.perf_counter()
    hits = kb.search(query, k=k, role=role, filters=filters)
    latency = (time.perf_counter() - start) * 1000
    query_id = log_query(
        kb.db,
        principal,
        LoggedQuery(
            kind="search",
            query=query,
            result_ids=[h.id for h in hits],
            top_score=hits[0].score if hits else None,
            filters=_filters_dict(filters),
            embedding=kb.embed_query(query),
            embedding_model=kb.embedder.name,
            customer_id=principal.customer_id if principal else None,
            language=nlp.detect_language(query),
            latency_ms=latency,
        ),
    )
    return SearchOutcome(query_id, hits)


def _filters_dict(filters: SearchFilters | None) -> dict[str, Any]:
    if filters is None:
        return {}
    return {k: v for k, v in vars(filters).items() if v not in (None, [], "")}


def logged_suggest(
    kb: KnowledgeBase,
    principal: Principal | None,
    text: str,
    customer_id: str | None = None,
    product_id: str | None = None,
    k: int = 5,
) -> dict[str, Any]:
    """Suggested resolutions for a case, the customer's context, logged for feedback."""
    from kcrm.assist.suggest import suggest
    from kcrm.customers import customer_view

    start = time.perf_counter()
    result = suggest(kb, text, k=k, product_id=product_id, customer_id=customer_id)
    latency = (time.perf_counter() - start) * 1000
    data = result.as_dict()
    items = [s.get("article_id") or s.get("category") for s in data["suggestions"]]
    evidence = [e["id"] for s in data["suggestions"] for e in s["evidence"]]
    similar = [c["id"] for c in data["similar_cases"]]
    query_id = log_query(
        kb.db,
        principal,
        LoggedQuery(
            kind="suggest",
            query=text,
            result_ids=list(dict.fromkeys(i for i in items + evidence + similar if i)),
            top_score=data["suggestions"][0]["confidence"] if data["suggestions"] else None,
            answerable=data["answerable"],
            embedding=kb.embed_query(text),
            embedding_model=kb.embedder.name,
            customer_id=customer_id,
            language=nlp.detect_language(text),
            latency_ms=latency,
        ),
    )
    customer = customer_view(kb.db, customer_id) if customer_id else None
    return {"query_id": query_id, **data, "customer": customer}
