"""The case workflow: open, assign, prioritise, resolve, close, reopen; each change on the timeline.

A case resolved or closed with a resolution becomes internal knowledge at once
(evidence for suggestions); reopening archives that record. Public knowledge
comes from a case only through the article-from-case review (`knowledge.kcs`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.tables import Case, CaseEvent, Customer, Document, utcnow
from kcrm.crm import timeline
from kcrm.crm.case_knowledge import sync_knowledge
from kcrm.crm.interactions import NewInteraction, add_interaction
from kcrm.crm.profiles import resolve
from kcrm.crm.refs import known_product
from kcrm.crm.tickets import (
    ACTIVE,
    CHANNELS,
    DONE,
    PRIORITIES,
    STATUSES,
    TRANSITIONS,
    Triage,
    check_choice,
    check_move,
    due_at,
)
from kcrm.knowledge.kb import KnowledgeBase

__all__ = ["CHANNELS", "STATUSES", "CaseChanges", "NewCase", "open_case"]


@dataclass
class NewCase:
    """A case as it is opened: by an agent for a known customer, or from the help page."""

    # None only for the help page's "contact us" (a visitor who is no known customer yet;
    # `contact_name`/`contact_email` say who wrote). An id given must be a customer's.
    customer_id: str | None
    description: str
    subject: str = ""
    channel: str | None = None
    priority: str | None = None  # None: the triage's proposal, else normal
    queue: str | None = None
    assignee: str | None = None
    tags: list[str] = field(default_factory=list)
    product_id: str | None = None
    case_id: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None


@dataclass
class CaseChanges:
    """Fields an agent may change; None leaves a field as it is ("" clears assignee/queue)."""

    status: str | None = None
    priority: str | None = None
    customer_id: str | None = None  # link the case to (another) customer
    assignee: str | None = None
    queue: str | None = None
    tags: list[str] | None = None
    subject: str | None = None
    description: str | None = None
    resolution: str | None = None
    resolution_category: str | None = None
    article_id: str | None = None
    product_id: str | None = None
    sent_via: str | None = None  # the resolution was sent to the customer on this channel
    note: str | None = None  # an internal note on the timeline (not sent to the customer)
    used_suggestion: dict[str, Any] | None = None  # {query_id?, item_id, category?, article_id?}


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 1)


def case_dict(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """A case as the API and CLI show it."""
    now = now or utcnow()
    return {
        "id": case.id,
        "customer_id": case.customer_id,
        "contact_name": case.contact_name,
        "contact_email": case.contact_email,
        "product_id": case.product_id,
        "subject": case.subject,
        "description": case.description,
        "status": case.status,
        "moves": list(TRANSITIONS[case.status]),  # the statuses it may move to next
        "priority": case.priority,
        "assignee": case.assignee,
        "agent": case.assignee,  # the earlier name of `assignee`
        "queue": case.queue,
        "tags": list(case.tags or []),
        "channel": case.channel,
        "resolution": case.resolution,
        "resolution_category": case.resolution_category,
        "article_id": case.article_id,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "overdue": bool(case.status in ACTIVE and case.due_at is not None and case.due_at < now),
        "first_response_at": case.first_response_at,
        "first_response_seconds": _seconds(case.opened_at, case.first_response_at),
        "resolved_at": case.resolved_at,
        "resolution_seconds": _seconds(case.opened_at, case.resolved_at),
        "closed_at": case.closed_at,
        "reopened": case.reopened or 0,
        "updated_at": case.updated_at,
        "in_knowledge_base": case.document_id is not None,
    }


def _check_refs(s: Any, new: NewCase) -> Customer | None:
    """The case's customer (None without one); ValueError for an unknown customer or product."""
    customer = resolve(s, new.customer_id) if new.customer_id is not None else None
    if new.customer_id is not None and customer is None:
        raise ValueError(f"customer_id: no customer with id {new.customer_id!r}")
    if new.product_id and not known_product(s, new.product_id):
        raise ValueError(f"product_id: no product with id {new.product_id!r}")
    return customer


def check_case_refs(db: Database, new: NewCase) -> None:
    """ValueError for an unknown customer or product: a cheap check before triage embeds."""
    with db.session() as s:
        _check_refs(s, new)


def open_case(
    kb: KnowledgeBase, new: NewCase, actor: str = "", triage: Triage | None = None
) -> dict[str, Any]:
    """Open a case for a known customer, with its SLA target and the triage on its timeline."""
    check_choice("channel", new.channel, CHANNELS)
    check_choice("priority", new.priority, PRIORITIES)
    if not new.description.strip():
        raise ValueError("description: a case needs the customer's description")
    with kb.db.session() as s:
        customer = _check_refs(s, new)
        case_id = new.case_id or f"case-{uuid.uuid4().hex[:12]}"
        if s.get(Case, case_id) is not None:
            raise Conflict(f"a case with id {case_id!r} already exists")
        if s.get(Document, case_id) is not None:
            # The case's knowledge record would take that id over: refuse, never overwrite.
            raise Conflict(f"a knowledge record already has the id {case_id!r}; choose another")
        priority = new.priority or (triage.priority if triage else None) or "normal"
        now = utcnow()
        case = Case(
            id=case_id,
            customer_id=customer.id if customer is not None else None,
            contact_name=new.contact_name,
            contact_email=new.contact_email,
            product_id=new.product_id,
            subject=new.subject.strip() or _first_line(new.description),
            description=new.description.strip(),
            status="open",
            priority=priority,
            assignee=new.assignee or None,
            queue=new.queue or None,
            tags=list(dict.fromkeys(new.tags)),
            channel=new.channel,
            opened_at=now,
            updated_at=now,
            due_at=due_at(now, priority, kb.settings.sla_hours),
            reopened=0,
        )
        s.add(case)
        s.flush()
        opened = {"channel": new.channel, "priority": priority, "queue": case.queue}
        timeline.record(s, case_id, "opened", actor, None, "open", opened, at=now)
        if triage is not None:
            timeline.record(s, case_id, "triage", "kcrm", None, triage.priority, triage.as_dict())
            if new.priority and new.priority != triage.priority:
                _override(s, case_id, actor, triage.priority, new.priority, "at opening")
        if case.assignee:
            timeline.record(s, case_id, "assignee", actor, None, case.assignee)
        return case_dict(case, now)


def _first_line(text: str, width: int = 80) -> str:
    line = text.strip().split("\n")[0].strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def _override(s: Any, case_id: str, actor: str, proposed: str, chosen: str, when: str) -> None:
    """The agent chose another priority than triage proposed: feedback for the triage model."""
    up = PRIORITIES.index(chosen) > PRIORITIES.index(proposed)
    data = {"proposed": proposed, "chosen": chosen, "direction": "up" if up else "down"}
    timeline.record(s, case_id, "triage_override", actor, proposed, chosen, {**data, "when": when})


def get_case(kb: KnowledgeBase, case_id: str, with_timeline: bool = True) -> dict[str, Any]:
    """One case; with its timeline (oldest first) and how many entries that has."""
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id!r}")
        data = case_dict(case)
        if with_timeline:
            data["timeline"], data["timeline_total"] = timeline.timeline(s, case_id)
        return data


def update_case(
    kb: KnowledgeBase, case_id: str, changes: CaseChanges, actor: str = ""
) -> dict[str, Any]:
    """Apply changes, each recorded on the timeline with `actor`; sync the knowledge record."""
    check_choice("priority", changes.priority, PRIORITIES)
    check_choice("sent_via", changes.sent_via, CHANNELS)
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id!r}")
        if changes.status is not None:
            check_move(case.status, changes.status)
        if changes.customer_id is not None and changes.customer_id != case.customer_id:
            customer = resolve(s, changes.customer_id)
            if customer is None:
                raise ValueError(f"customer_id: no customer with id {changes.customer_id!r}")
            timeline.record(s, case.id, "customer", actor, case.customer_id, customer.id)
            case.customer_id = customer.id
        if changes.product_id and not known_product(s, changes.product_id):
            raise ValueError(f"product_id: no product with id {changes.product_id!r}")
        _edit_fields(s, case, changes, actor)
        _change_priority(s, case, changes.priority, actor, kb.settings.sla_hours)
        if changes.note and changes.note.strip():
            timeline.record(s, case.id, "note", actor, None, changes.note.strip())
        if changes.used_suggestion:
            used = {k: v for k, v in changes.used_suggestion.items() if v is not None}
            item = used.get("article_id") or used.get("category") or used.get("item_id")
            timeline.record(s, case.id, "suggestion_used", actor, None, item, used)
        if changes.sent_via is not None:
            text = (changes.resolution or case.resolution or "").strip()
            if not text:
                raise ValueError("sent_via: give the `resolution` that was sent to the customer")
            reply = NewInteraction(case.customer_id or "", changes.sent_via, "outbound", text)
            add_interaction(s, case, case.customer_id, reply, actor)
        if changes.status == "closed" and not (case.resolution or "").strip():
            # Closing is final: what the customer was told must be on record. (Resolving
            # without one is allowed; such a case is not knowledge until it gets one.)
            raise ValueError("resolution: a case is closed with its resolution; give `resolution`")
        if changes.status is not None and changes.status != case.status:
            _move(s, case, changes.status, actor)
        case.updated_at = utcnow()
        s.flush()
    sync_knowledge(kb, case_id, actor)
    return get_case(kb, case_id)


def _edit_fields(s: Any, case: Case, changes: CaseChanges, actor: str) -> None:
    for name in ("subject", "description", "resolution_category", "article_id", "product_id"):
        value = getattr(changes, name)
        if value is not None:
            setattr(case, name, value)
    if changes.resolution is not None and changes.resolution.strip() != (case.resolution or ""):
        case.resolution = changes.resolution.strip()
        extra = {"category": changes.resolution_category, "article_id": changes.article_id}
        timeline.record(s, case.id, "resolution", actor, None, case.resolution, extra)
    for name in ("assignee", "queue"):
        value = getattr(changes, name)
        if value is not None and (value or None) != getattr(case, name):
            timeline.record(s, case.id, name, actor, getattr(case, name), value or None)
            setattr(case, name, value or None)
    if changes.tags is not None:
        tags = list(dict.fromkeys(t.strip() for t in changes.tags if t.strip()))
        if tags != list(case.tags or []):
            timeline.record(s, case.id, "tags", actor, ",".join(case.tags or []), ",".join(tags))
            case.tags = tags


def _change_priority(
    s: Any, case: Case, priority: str | None, actor: str, sla: dict[str, float]
) -> None:
    if priority is None or priority == case.priority:
        return
    timeline.record(s, case.id, "priority", actor, case.priority, priority)
    case.priority = priority
    case.due_at = due_at(case.opened_at, priority, sla)
    proposed = s.scalar(
        select(CaseEvent.new).where(CaseEvent.case_id == case.id, CaseEvent.kind == "triage")
    )
    overridden = s.scalar(
        select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "triage_override")
    )
    if proposed and not overridden and priority != proposed:
        _override(s, case.id, actor, proposed, priority, "later")


def _move(s: Any, case: Case, status: str, actor: str) -> None:
    now = utcnow()
    old = case.status
    reopen = status == "open" and old in DONE
    timeline.record(s, case.id, "status", actor, old, status, {"reopen": True} if reopen else None)
    if status in DONE and case.resolved_at is None:
        case.resolved_at = now
    if status == "closed":
        case.closed_at = now
    if reopen:
        case.reopened = (case.reopened or 0) + 1
        case.resolved_at = None
        case.closed_at = None
    case.status = status
