"""A case's timeline: its events (who changed what, when) and its interactions, in order.

Events are rows of `case_events`: `opened`, `status`, `priority`, `assignee`, `queue`,
`tags`, `note`, `resolution`, `triage`, `triage_override`, `suggestion_used`, `customer`
(a merge moved the case), `knowledge` (what happened to its knowledge record).
Interactions stay in their own table and are merged in when the timeline is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kcrm.core.tables import CaseEvent, Interaction, utcnow

TIMELINE_LIMIT = 500


def record(
    s: Session,
    case_id: str,
    kind: str,
    actor: str,
    old: Any = None,
    new: Any = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add one event to a case's timeline (in the caller's transaction)."""
    s.add(
        CaseEvent(
            case_id=case_id,
            kind=kind,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
            actor=actor,
            data=data or {},
            at=at or utcnow(),
        )
    )


def interaction_dict(i: Interaction, preview: int | None = None) -> dict[str, Any]:
    """An interaction as the timeline, the 360 and the API show it."""
    text = i.text if preview is None or len(i.text) <= preview else i.text[:preview] + "…"
    return {
        "id": i.id,
        "customer_id": i.customer_id,
        "case_id": i.case_id,
        "channel": i.channel,
        "direction": i.direction,
        "body": text,
        "agent": i.agent,
        "occurred_at": i.occurred_at,
    }


def timeline(s: Session, case_id: str, limit: int = TIMELINE_LIMIT) -> tuple[list[dict], int]:
    """The case's events and interactions, oldest first (a conversation reads downwards).

    Returns:
        up to `limit` entries (the latest ones when there are more) and how many there are.
    """
    events = s.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(limit)
    ).all()
    talks = s.scalars(
        select(Interaction)
        .where(Interaction.case_id == case_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    ).all()
    total = (
        s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
        or 0
    ) + (
        s.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.case_id == case_id)
        )
        or 0
    )
    entries: list[tuple[datetime, int, dict[str, Any]]] = []
    for e in events:
        entry = {
            "type": "event",
            "kind": e.kind,
            "at": e.at,
            "actor": e.actor,
            "old": e.old,
            "new": e.new,
            "data": e.data or {},
        }
        # At the same instant, the opening comes first and the interactions before changes.
        entries.append((e.at, -1 if e.kind == "opened" else e.id, entry))
    for i in talks:
        entry = {"type": "interaction", "kind": i.direction, "at": i.occurred_at}
        entry.update(interaction_dict(i))
        entry["actor"] = i.agent or ""
        entries.append((i.occurred_at, 0, entry))
    entries.sort(key=lambda x: (x[0], x[1]))
    return [e for _, _, e in entries[-limit:]], int(total)
