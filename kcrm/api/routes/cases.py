"""Cases as tickets (agent, admin): open with triage, list queues, change, see the timeline.

Customer and marketing keys get 403 on every route here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from kcrm.api.crm_schemas import CaseCreate, CaseDetail, CaseList, CaseUpdate
from kcrm.api.deps import AgentRole, KBDep, actor, agent_name
from kcrm.api.params import CaseId
from kcrm.api.report_schemas import ArticleFromCase
from kcrm.assist.service import open_case_with_triage
from kcrm.core.keys import Principal
from kcrm.crm import cases as workflow
from kcrm.crm.queues import CaseQuery, list_cases
from kcrm.knowledge.kcs import draft_from_case

router = APIRouter(tags=["cases"])

ListParam = Annotated[str | None, Query(max_length=100, description="one value or a,b")]


def _values(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def _assignee(value: str | None, principal: Principal) -> str | None:
    """`me` stands for the caller."""
    return agent_name(principal) if value == "me" else value


@router.get("/v1/cases", response_model=CaseList)
def get_cases(
    kb: KBDep,
    principal: AgentRole,
    status_: Annotated[ListParam, Query(alias="status")] = None,
    priority: ListParam = None,
    assignee: Annotated[str | None, Query(max_length=128, description='"me": mine')] = None,
    unassigned: bool = False,
    queue: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool | None = None,
    customer_id: Annotated[str | None, Query(max_length=128)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    sort: Literal["newest", "due", "priority"] = "newest",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Cases matching every filter given, paged: `{items, total, limit, offset, next}`."""
    query = CaseQuery(
        status=_values(status_),
        priority=_values(priority),
        assignee=_assignee(assignee, principal),
        unassigned=unassigned,
        queue=queue,
        overdue=overdue,
        customer_id=customer_id,
        tag=tag,
        sort=sort,
    )
    return list_cases(kb, query, limit, offset)


@router.get("/v1/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: CaseId, kb: KBDep, _: AgentRole) -> dict[str, Any]:
    """The case with its timeline: interactions and every change, with who and when."""
    return workflow.get_case(kb, case_id)


@router.post("/v1/cases", response_model=CaseDetail, status_code=status.HTTP_201_CREATED)
def open_case(body: CaseCreate, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Open a case for a known customer (422 otherwise); 409 if its id is taken."""
    new = workflow.NewCase(
        customer_id=body.customer_id,
        description=body.description,
        subject=body.subject,
        channel=body.channel,
        priority=body.priority,
        queue=body.queue,
        assignee=_assignee(body.assignee or body.agent, principal),
        tags=body.tags,
        product_id=body.product_id,
        case_id=body.id,
    )
    case = open_case_with_triage(kb, new, actor(principal))
    return {**workflow.get_case(kb, case["id"]), "triage": case["triage"]}


@router.patch("/v1/cases/{case_id}", response_model=CaseDetail)
def update_case(
    case_id: CaseId, body: CaseUpdate, kb: KBDep, principal: AgentRole
) -> dict[str, Any]:
    """Resolving or closing with a resolution makes the case internal knowledge at once."""
    data = body.model_dump(exclude={"agent", "used_suggestion"})
    data["assignee"] = _assignee(
        body.assignee if body.assignee is not None else body.agent, principal
    )
    used = body.used_suggestion.model_dump() if body.used_suggestion else None
    changes = workflow.CaseChanges(**data, used_suggestion=used)
    return workflow.update_case(kb, case_id, changes, actor(principal))


@router.post(
    "/v1/cases/{case_id}/article",
    response_model=ArticleFromCase,
    status_code=status.HTTP_201_CREATED,
)
def article_from_case(case_id: CaseId, kb: KBDep, principal: AgentRole) -> dict[str, Any]:
    """Draft a PII-free article from a resolved case, listing articles it may duplicate."""
    return draft_from_case(kb, case_id, actor(principal))
