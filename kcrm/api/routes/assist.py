"""POST /v1/agent/suggest: resolutions for a case, with confidence and evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kcrm.api.deps import AgentRole, KBDep
from kcrm.api.schemas import SuggestRequest
from kcrm.assist.service import logged_suggest

router = APIRouter(tags=["agent assist"])


@router.post("/v1/agent/suggest")
def suggest(body: SuggestRequest, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Suggested resolutions, best first; `answerable` is false when none is confident enough."""
    return logged_suggest(kb, principal, body.text, body.customer_id, body.product_id, body.k)
