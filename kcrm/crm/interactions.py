"""Interactions: calls, emails, chats, visits and social messages with a customer.

Each is linked to a customer and optionally to one of that customer's cases; an
outbound one on a case is the agent's reply, and the first such reply is the
case's first response.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kcrm.core.db import Database
from kcrm.core.tables import Case, Interaction, utcnow
from kcrm.crm.profiles import resolve
from kcrm.crm.tickets import CHANNELS, DIRECTIONS, check_choice
from kcrm.crm.timeline import interaction_dict

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# Clocks differ a little between an agent's desk and the server; more than this is a typo.
FUTURE_SLACK = timedelta(hours=1)
MAX_BODY = 20_000


@dataclass
class NewInteraction:
    """One contact with a customer, as an agent logs it."""

    customer_id: str
    channel: str
    direction: str
    body: str
    case_id: str | None = None
    occurred_at: datetime | None = None


def check_time(value: datetime | None, name: str = "occurred_at") -> datetime:
    """A timestamp as aware UTC (a naive one is UTC), refused when implausible."""
    if value is None:
        return utcnow()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        ok = EARLIEST <= value <= utcnow() + FUTURE_SLACK
        value = value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: outside what datetime holds in UTC
        ok = False
    if not ok:
        raise ValueError(f"{name}: {value.isoformat()} is before 1970 or in the future")
    return value


def add_interaction(
    s: Session, case: Case | None, customer_id: str | None, new: NewInteraction, actor: str
) -> Interaction:
    """Store an interaction in the caller's transaction; an outbound one may be a first response."""
    body = new.body.strip()
    if not body:
        raise ValueError("body: an interaction needs text (what was said or done)")
    if len(body) > MAX_BODY:
        raise ValueError(f"body: at most {MAX_BODY} characters")
    when = check_time(new.occurred_at)
    row = Interaction(
        id=f"int-{uuid.uuid4().hex[:16]}",
        customer_id=customer_id,
        case_id=case.id if case is not None else None,
        channel=new.channel,
        direction=new.direction,
        text=body,
        agent=actor or None,
        occurred_at=when,
    )
    s.add(row)
    if case is not None:
        case.updated_at = utcnow()
        if new.direction == "outbound" and case.first_response_at is None:
            case.first_response_at = max(when, case.opened_at)
    return row


def log_interaction(db: Database, new: NewInteraction, actor: str = "") -> dict[str, Any]:
    """Log one interaction; ValueError (422) for an unknown customer or a case not theirs."""
    check_choice("channel", new.channel, CHANNELS)
    check_choice("direction", new.direction, DIRECTIONS)
    with db.session() as s:
        cust = resolve(s, new.customer_id)
        if cust is None:
            raise ValueError(f"customer_id: no customer with id {new.customer_id!r}")
        case = None
        if new.case_id is not None:
            case = s.get(Case, new.case_id)
            if case is None:
                raise ValueError(f"case_id: no case with id {new.case_id!r}")
            if case.customer_id not in (cust.id, new.customer_id):
                raise ValueError(
                    f"case_id: case {case.id!r} belongs to customer {case.customer_id!r}, "
                    f"not {new.customer_id!r}"
                )
        row = add_interaction(s, case, cust.id, new, actor)
        s.flush()
        return interaction_dict(row)


def customer_interactions(
    db: Database, customer_id: str, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """`{items, total, next}`: a customer's interactions, newest first."""
    with db.session() as s:
        where = Interaction.customer_id == customer_id
        total = int(s.scalar(select(func.count()).select_from(Interaction).where(where)) or 0)
        rows = s.scalars(
            select(Interaction)
            .where(where)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [interaction_dict(i) for i in rows]
    nxt = offset + len(items) if offset + len(items) < total else None
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": nxt}
