"""The knowledge team's routes: lifecycle, history, gap report, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kcrm.api.deps import AgentRole, KBDep, actor
from kcrm.api.params import DocId
from kcrm.api.problems import Problem
from kcrm.api.report_schemas import (
    DocumentStatus,
    GapReport,
    OutcomeReport,
    Revision,
    StatusChange,
)
from kcrm.knowledge import lifecycle
from kcrm.knowledge.gaps import gap_report
from kcrm.knowledge.outcomes import outcomes

router = APIRouter(tags=["knowledge lifecycle and reports"])


@router.post("/v1/documents/{doc_id}/status", response_model=DocumentStatus)
def change_status(
    doc_id: DocId, body: StatusChange, kb: KBDep, principal: AgentRole
) -> dict[str, Any]:
    """Agents draft and submit for review; admins publish and archive."""
    if principal.role != "admin" and body.status in ("published", "archived"):
        raise Problem(403, "Forbidden", f"only an admin key can move a record to {body.status}")
    return lifecycle.set_status(kb, doc_id, body.status, actor(principal), body.note)


@router.get("/v1/documents/{doc_id}/history", response_model=list[Revision])
def document_history(doc_id: DocId, kb: KBDep, _: AgentRole) -> list[dict[str, Any]]:
    """Every version, oldest first, with who changed it."""
    return lifecycle.history(kb.db, doc_id)


@router.get("/v1/reports/gaps", response_model=GapReport)
def gaps(
    kb: KBDep,
    _: AgentRole,
    days: Annotated[int, Query(ge=1, le=3650)] = 30,
    min_size: Annotated[int, Query(ge=1, le=1000)] = 2,
) -> dict[str, Any]:
    """Failed queries (no results, no confident answer, not helpful) clustered by meaning."""
    since = datetime.now(UTC) - timedelta(days=days)
    clusters = gap_report(kb, since=since, min_size=min_size)
    return {"since": since, "clusters": [c.as_dict() for c in clusters]}


@router.get("/v1/reports/outcomes", response_model=OutcomeReport)
def outcome_report(
    kb: KBDep, _: AgentRole, window_days: Annotated[int, Query(ge=1, le=365)] = 7
) -> dict[str, Any]:
    """Suggestion acceptance, self-service deflection proxy, per-article helpfulness."""
    return outcomes(kb.db, timedelta(days=window_days))
