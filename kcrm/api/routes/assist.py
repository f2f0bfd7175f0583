"""POST /v1/agent/suggest and /v1/agent/draft: resolutions for a case, and a reply to send."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kcrm.api.assist_schemas import DraftResponse, SuggestResponse
from kcrm.api.deps import AgentRole, KBDep
from kcrm.api.schemas import DraftRequest, SuggestRequest
from kcrm.assist.draft import draft_reply
from kcrm.assist.service import logged_suggest

router = APIRouter(tags=["agent assist"])


@router.post("/v1/agent/suggest", response_model=SuggestResponse)
def suggest(body: SuggestRequest, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Suggested resolutions, best first; `answerable` is false when none is confident enough."""
    return logged_suggest(kb, principal, body.text, body.customer_id, body.product_id, body.k)


@router.post("/v1/agent/draft", response_model=DraftResponse, response_model_exclude_unset=True)
def draft(body: DraftRequest, kb: KBDep, _: AgentRole) -> dict[str, Any]:
    """A reply to the customer in the case's language, grounded in the cited records only."""
    return draft_reply(kb, **body.model_dump())
