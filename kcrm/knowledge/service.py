"""What the API and CLI call for a search: search as the role allows, log it with who asked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kcrm.core.keys import Principal
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.querylog import LoggedQuery, log_query
from kcrm.knowledge.search import SearchFilters, SearchHit
from kcrm.knowledge.text.language import detect_language


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
            language=detect_language(query),
            latency_ms=latency,
        ),
    )
    return SearchOutcome(query_id, hits)


def _filters_dict(filters: SearchFilters | None) -> dict[str, Any]:
    if filters is None:
        return {}
    return {k: v for k, v in vars(filters).items() if v not in (None, [], "")}
