"""POST /v1/feedback: helpful / not helpful / used, on one result of one query."""

from __future__ import annotations

from fastapi import APIRouter, status

from kcrm.api.deps import AnyRole, KBDep
from kcrm.api.schemas import FeedbackRequest, FeedbackResponse
from kcrm.knowledge.querylog import record_feedback

router = APIRouter(tags=["feedback"])


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=status.HTTP_201_CREATED)
def feedback(body: FeedbackRequest, kb: KBDep, principal: AnyRole) -> FeedbackResponse:
    """Record a verdict; it changes the ranking of similar queries from now on."""
    fid = record_feedback(kb.db, principal, body.query_id, body.item_id, body.helpful, body.used)
    return FeedbackResponse(id=fid, query_id=body.query_id, item_id=body.item_id)
