"""Case lists: the queues agents work from (mine, unassigned, overdue, by priority), paged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case as when_
from sqlalchemy import func, select

from kcrm.core.tables import Case, utcnow
from kcrm.crm.cases import case_dict
from kcrm.crm.tickets import ACTIVE, PRIORITIES, STATUSES, check_choice
from kcrm.knowledge.kb import KnowledgeBase


@dataclass
class CaseQuery:
    """Filters of a case list; every given one must hold."""

    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    assignee: str | None = None
    unassigned: bool = False
    queue: str | None = None
    overdue: bool | None = None
    customer_id: str | None = None
    tag: str | None = None
    sort: str = "newest"  # newest | due | priority


PRIORITY_RANK = when_({p: i for i, p in enumerate(reversed(PRIORITIES))}, value=Case.priority)


def list_cases(
    kb: KnowledgeBase, query: CaseQuery, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """`{items, total, next}`: the cases matching `query`, in its order."""
    for value in query.status:
        check_choice("status", value, STATUSES)
    for value in query.priority:
        check_choice("priority", value, PRIORITIES)
    check_choice("sort", query.sort, ("newest", "due", "priority"))
    now = utcnow()
    conds: list[Any] = []
    if query.status:
        conds.append(Case.status.in_(query.status))
    if query.priority:
        conds.append(Case.priority.in_(query.priority))
    if query.unassigned:
        conds.append(Case.assignee.is_(None))
    elif query.assignee:
        conds.append(Case.assignee == query.assignee)
    if query.queue:
        conds.append(Case.queue == query.queue)
    if query.customer_id:
        conds.append(Case.customer_id == query.customer_id)
    late = Case.status.in_(ACTIVE) & Case.due_at.is_not(None) & (Case.due_at < now)
    if query.overdue is True:
        conds.append(late)
    elif query.overdue is False:
        conds.append(~late)
    orders: dict[str, list[Any]] = {
        "newest": [Case.opened_at.desc(), Case.id],
        "due": [Case.due_at.is_(None), Case.due_at, Case.id],
        "priority": [PRIORITY_RANK, Case.due_at.is_(None), Case.due_at, Case.id],
    }
    order = orders[query.sort]
    with kb.db.session() as s:
        stmt = select(Case).where(*conds)
        if query.tag:
            # Tags are a JSON list; filtered here, so a tag query reads the other matches.
            rows = [c for c in s.scalars(stmt.order_by(*order)) if query.tag in (c.tags or [])]
            total, page = len(rows), rows[offset : offset + limit]
        else:
            total = int(s.scalar(select(func.count()).select_from(Case).where(*conds)) or 0)
            page = list(s.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
        items = [case_dict(c, now) for c in page]
    nxt = offset + len(items) if offset + len(items) < total else None
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": nxt}
