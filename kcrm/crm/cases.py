"""The case workflow: open, update, close. A case closed with a resolution becomes knowledge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kcrm.core.errors import NotFound
from kcrm.core.tables import Case, utcnow
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed

STATUSES = ("open", "pending", "closed")
CHANNELS = ("phone", "email", "chat", "web", "visit")


@dataclass
class CaseChanges:
    """Fields an agent may change; None leaves a field as it is."""

    status: str | None = None
    subject: str | None = None
    description: str | None = None
    resolution: str | None = None
    resolution_category: str | None = None
    article_id: str | None = None
    product_id: str | None = None
    agent: str | None = None


def case_dict(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "customer_id": case.customer_id,
        "product_id": case.product_id,
        "subject": case.subject,
        "description": case.description,
        "status": case.status,
        "resolution": case.resolution,
        "resolution_category": case.resolution_category,
        "article_id": case.article_id,
        "channel": case.channel,
        "agent": case.agent,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "in_knowledge_base": case.document_id is not None,
    }


def open_case(
    kb: KnowledgeBase,
    description: str,
    subject: str = "",
    customer_id: str | None = None,
    product_id: str | None = None,
    channel: str | None = None,
    agent: str | None = None,
    case_id: str | None = None,
) -> dict[str, Any]:
    """Create an open case; 409-worthy `ValueError` if the id is taken."""
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
    case_id = case_id or f"case-{uuid.uuid4().hex[:12]}"
    with kb.db.session() as s:
        if s.get(Case, case_id) is not None:
            raise FileExistsError(f"a case with id {case_id!r} already exists")
        case = Case(
            id=case_id,
            customer_id=customer_id,
            product_id=product_id,
            subject=subject,
            description=description,
            status="open",
            channel=channel,
            agent=agent,
            opened_at=utcnow(),
        )
        s.add(case)
        s.flush()
        return case_dict(case)


def get_case(kb: KnowledgeBase, case_id: str) -> dict[str, Any]:
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id!r}")
        return case_dict(case)


def list_cases(
    kb: KnowledgeBase, status: str | None = None, customer_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    stmt = select(Case).order_by(Case.opened_at.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if customer_id is not None:
        stmt = stmt.where(Case.customer_id == customer_id)
    with kb.db.session() as s:
        return [case_dict(c) for c in s.scalars(stmt)]


def update_case(kb: KnowledgeBase, case_id: str, changes: CaseChanges) -> dict[str, Any]:
    """Apply changes; closing with a resolution puts the case into the knowledge base."""
    if changes.status is not None and changes.status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {changes.status!r}")
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id!r}")
        for field in (
            "subject",
            "description",
            "resolution",
            "resolution_category",
            "article_id",
            "product_id",
            "agent",
        ):
            value = getattr(changes, field)
            if value is not None:
                setattr(case, field, value)
        if changes.status is not None:
            if changes.status == "closed" and not (case.resolution or "").strip():
                raise ValueError("a case is closed with a resolution: give `resolution`")
            if changes.status == "closed" and case.status != "closed":
                case.closed_at = utcnow()
            elif changes.status != "closed":
                case.closed_at = None
            case.status = changes.status
        snapshot = case_dict(case)
    _sync_knowledge(kb, snapshot)
    return get_case(kb, case_id)


def _sync_knowledge(kb: KnowledgeBase, case: dict[str, Any]) -> None:
    """A closed case is published knowledge; a reopened one is archived (kept, not suggested)."""
    closed = case["status"] == "closed"
    if not closed and not case["in_knowledge_base"]:
        return
    record = KnowledgeRecord(
        id=case["id"],
        kind="case",
        title=case["subject"] or "",
        body=case["description"] or case["subject"] or "(no description)",
        status="published" if closed else "archived",
        category=case["resolution_category"],
        resolution=case["resolution"],
        article_id=case["article_id"],
        customer_id=case["customer_id"],
        product_ids=[case["product_id"]] if case["product_id"] else [],
        channel=case["channel"],
        agent=case["agent"],
        created_at=case["opened_at"],
        closed_at=case["closed_at"] if closed else None,
    )
    kb.ingest([Parsed(record, "api:case", 0)])
    # Ingest derives the case row from the record; the workflow status is the agent's.
    with kb.db.session() as s:
        row = s.get(Case, case["id"])
        if row is not None:
            row.status = case["status"]
            row.closed_at = case["closed_at"]
