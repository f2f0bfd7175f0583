"""Interactions (agent, admin): log a call, email, chat, visit or social message.

Also the call-centre figures over cases and interactions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from kcrm.api.crm_schemas import InteractionCreate, InteractionPublic
from kcrm.api.deps import AgentRole, KBDep, actor
from kcrm.api.report_schemas import ServiceReport
from kcrm.crm.interactions import NewInteraction, log_interaction
from kcrm.crm.service_report import service_report

router = APIRouter(tags=["cases"])


@router.post(
    "/v1/interactions", response_model=InteractionPublic, status_code=status.HTTP_201_CREATED
)
def post_interaction(body: InteractionCreate, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Log one interaction with a customer, optionally on one of their cases."""
    new = NewInteraction(**body.model_dump())
    return log_interaction(kb.db, new, actor(principal))


@router.get("/v1/reports/service", response_model=ServiceReport)
def get_service_report(
    kb: KBDep,
    _: AgentRole,
    days: Annotated[int | None, Query(ge=1, le=3650, description="cases opened since")] = None,
) -> dict[str, Any]:
    """Per channel and queue: volume, first-response and resolution hours, reopen rate."""
    return service_report(kb.db, days)
