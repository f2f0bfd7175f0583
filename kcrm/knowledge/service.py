"""What the API and CLI call for a search: search as the role allows, log it with who asked."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kcrm.core.keys import Principal
from kcrm.knowledge.categories import labels
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.querylog import LoggedQuery, log_query
from kcrm.knowledge.search import SearchFilters, SearchHit, SearchResult

LANGUAGE_NAMES = {
    "en": {"en": "English", "zh": "英语"},
    "zh": {"en": "Chinese", "zh": "中文"},
}


@dataclass
class SearchOutcome:
    query_id: str
    hits: list[SearchHit]
    result: SearchResult
    locale: str
    category_labels: dict[str, str]


def logged_search(
    kb: KnowledgeBase,
    principal: Principal | None,
    query: str,
    k: int = 10,
    filters: SearchFilters | None = None,
    facets: tuple[str, ...] = (),
    locale: str | None = None,
    session: str | None = None,
) -> SearchOutcome:
    """Search as the caller's role allows and log the query for analytics and feedback."""
    role = principal.role if principal else "agent"
    start = time.perf_counter()
    result = kb.search_full(query, k=k, role=role, filters=filters, facets=facets)
    hits = result.hits
    done = time.perf_counter()
    latency = (done - start) * 1000
    query_id = log_query(
        kb.db,
        principal,
        LoggedQuery(
            kind="search",
            query=query,
            result_ids=[h.id for h in hits],
            top_score=hits[0].score if hits else None,
            answerable=not result.no_match,
            filters=_filters_dict(filters),
            embedding=(
                result.vector
                if result.vector is not None
                else kb.embed_query(result.did_you_mean or query)
            ),
            embedding_model=kb.embedder.name,
            customer_id=principal.customer_id if principal else None,
            language=result.language,
            latency_ms=latency,
            session_id=session,
        ),
        kb.query_log,
    )
    result.timings["log"] = time.perf_counter() - done
    for stage, seconds in result.timings.items():
        kb.observe(stage, seconds)
    lang = (locale or (filters.language if filters else None) or result.language).split("-")[0]
    cats = {h.category for h in hits if h.category}
    for value in (result.facets or {}).get("category", []):
        cats.add(value["value"])
    category_labels = labels(kb.db, sorted(cats), lang) if cats else {}
    if result.facets:
        for name, values in result.facets.items():
            for value in values:
                value["label"] = facet_label(name, value["value"], lang, category_labels)
    return SearchOutcome(query_id, hits, result, lang, category_labels)


def facet_label(field: str, value: str, locale: str, categories: dict[str, str]) -> str:
    """A facet value's name for readers of `locale`."""
    if field == "category":
        return categories.get(value, value)
    if field == "language":
        return LANGUAGE_NAMES.get(value, {}).get(locale, value)
    return value


def _filters_dict(filters: SearchFilters | None) -> dict[str, Any]:
    if filters is None:
        return {}
    return {
        k: v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in vars(filters).items()
        if v not in (None, [], "")
    }
