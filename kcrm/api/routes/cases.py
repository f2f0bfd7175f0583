"""Cases: agents open, update and close them; a closed case becomes knowledge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from kcrm.api.deps import AgentRole, KBDep, actor
from kcrm.api.params import CaseId
from kcrm.api.problems import Problem
from kcrm.api.schemas import CaseCreate, CasePublic, CaseUpdate
from kcrm.core.errors import NotFound
from kcrm.crm import cases as workflow
from kcrm.knowledge.kcs import draft_from_case

router = APIRouter(tags=["cases"])


@router.get("/v1/cases", response_model=list[CasePublic])
def list_cases(
    kb: KBDep,
    _: AgentRole,
    status_: Annotated[Literal["open", "pending", "closed"] | None, Query(alias="status")] = None,
    customer_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[CasePublic]:
    """Newest first."""
    return [CasePublic(**c) for c in workflow.list_cases(kb, status_, customer_id, limit)]


@router.get("/v1/cases/{case_id}", response_model=CasePublic)
def get_case(case_id: CaseId, kb: KBDep, _: AgentRole) -> CasePublic:
    try:
        return CasePublic(**workflow.get_case(kb, case_id))
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None


@router.post("/v1/cases", response_model=CasePublic, status_code=status.HTTP_201_CREATED)
def open_case(body: CaseCreate, kb: KBDep, principal: AgentRole) -> CasePublic:
    try:
        case = workflow.open_case(
            kb,
            body.description,
            body.subject,
            body.customer_id,
            body.product_id,
            body.channel,
            body.agent or principal.name or None,
            body.id,
        )
    except FileExistsError as exc:
        raise Problem(409, "Conflict", str(exc)) from None
    return CasePublic(**case)


@router.patch("/v1/cases/{case_id}", response_model=CasePublic)
def update_case(case_id: CaseId, body: CaseUpdate, kb: KBDep, _: AgentRole) -> CasePublic:
    """Closing with a resolution publishes the case as internal knowledge."""
    changes = workflow.CaseChanges(**body.model_dump())
    try:
        return CasePublic(**workflow.update_case(kb, case_id, changes))
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None


@router.post("/v1/cases/{case_id}/article", status_code=status.HTTP_201_CREATED)
def article_from_case(case_id: CaseId, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Draft a PII-free article from a closed case, listing existing articles it may duplicate."""
    try:
        return draft_from_case(kb, case_id, actor(principal))
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
