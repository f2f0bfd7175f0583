"""POST /v1/search: the knowledge base as the caller's role may see it."""

from __future__ import annotations

from fastapi import APIRouter

from kcrm.api.deps import AnyRole, KBDep
from kcrm.api.schemas import FacetValue, SearchRequest, SearchResponse, SearchResult
from kcrm.knowledge.search import SearchFilters
from kcrm.knowledge.service import logged_search

router = APIRouter(tags=["search"])


@router.post("/v1/search", response_model=SearchResponse)
def search(body: SearchRequest, kb: KBDep, principal: AnyRole) -> SearchResponse:
    """Hybrid search; a customer key sees public, published records only."""
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
    result, labels = outcome.result, outcome.category_labels
    return SearchResponse(
        query_id=outcome.query_id,
        no_match=result.no_match,
        language=result.language,
        did_you_mean=result.did_you_mean,
        results=[
            SearchResult(**h.as_dict(), category_label=labels.get(h.category or ""))
            for h in outcome.hits
        ],
        facets=None
        if result.facets is None
        else {name: [FacetValue(**v) for v in values] for name, values in result.facets.items()},
    )
