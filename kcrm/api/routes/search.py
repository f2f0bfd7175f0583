"""POST /v1/search: the knowledge base as the caller's role may see it."""

from __future__ import annotations

import time
from typing import Any

import anyio
import orjson
from fastapi import APIRouter, Request, Response

from kcrm.api.deps import AnyRole, KBDep
from kcrm.api.schemas import SearchRequest, SearchResponse
from kcrm.core.keys import Principal
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.search import SearchFilters
from kcrm.knowledge.service import SearchOutcome, logged_search

router = APIRouter(tags=["search"])


@router.post("/v1/search", response_model=SearchResponse)
async def search(body: SearchRequest, kb: KBDep, principal: AnyRole, request: Request) -> Response:
    """Hybrid search; a customer key sees public, published records only."""
    # On a thread of its own, at most KCRM_SEARCH_THREADS at once: more searches running
    # side by side only take turns at the GIL, each holding it for a switch interval
    # (5 ms) at a time; the others wait here, in order, costing nothing.
    limiter = getattr(request.app.state, "search_slots", None)
    # The query starts embedding now, while the search waits for its turn: queries that
    # wait together are embedded together, and the search finds its vector in flight.
    kb.embed_query_soon(body.query)
    return await anyio.to_thread.run_sync(run_search, body, kb, principal, limiter=limiter)


def run_search(body: SearchRequest, kb: KnowledgeBase, principal: Principal) -> Response:
    """The search, its log entry and its JSON answer."""
    f = body.filters
    filters = SearchFilters(
        kinds=list(f.kind),
        categories=f.category,
        tags=f.tags,
        language=f.language,
        product_id=f.product_id,
        created_after=f.created_after,
        created_before=f.created_before,
    )
    outcome = logged_search(
        kb,
        principal,
        body.query,
        body.k,
        filters,
        facets=tuple(dict.fromkeys(body.facets)),
        locale=body.locale,
        session=body.session,
    )
    start = time.perf_counter()
    # The answer is SearchResponse's JSON, written by orjson from plain values: building
    # and validating the pydantic models and encoding them took a tenth of a request.
    content = orjson.dumps(answer(outcome))
    kb.observe("serialise", time.perf_counter() - start)
    return Response(content, media_type="application/json")


def answer(outcome: SearchOutcome) -> dict[str, Any]:
    """`SearchResponse` as plain values, its fields in its order."""
    result, labels = outcome.result, outcome.category_labels
    return {
        "query_id": outcome.query_id,
        "no_match": result.no_match,
        "language": result.language,
        "did_you_mean": result.did_you_mean,
        "results": [
            {
                "id": h.id,
                "kind": h.kind,
                "title": h.title,
                "snippet": h.snippet,
                "score": round(h.score, 6),
                "category": h.category,
                "category_label": labels.get(h.category or ""),
                "language": h.language,
                "weak": h.weak,
                "highlights": {k: [list(s) for s in v] for k, v in h.highlights.items()},
            }
            for h in outcome.hits
        ],
        "facets": None
        if result.facets is None
        else {
            name: [{"value": v["value"], "count": v["count"], "label": v["label"]} for v in values]
            for name, values in result.facets.items()
        },
    }
