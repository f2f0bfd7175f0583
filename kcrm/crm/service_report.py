"""Call-centre figures: per channel and per queue, volume, first-response and resolution times,
reopen rate and backlog; plus how often agents overrode the triage's priority.

Times are in hours, as medians and 90th percentiles over the cases that have them
(a case without a reply yet has no first-response time). The reopen rate is the share
of the cases ever resolved that were reopened at least once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Case, CaseEvent, Interaction, utcnow
from kcrm.crm.tickets import ACTIVE

NONE = "(none)"


def _hours(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None, "n": 0}
    arr = np.asarray(values) / 3600.0
    return {
        "median": round(float(np.median(arr)), 2),
        "p90": round(float(np.percentile(arr, 90)), 2),
        "n": len(values),
    }


def _figures(rows: list[Any], now: datetime) -> dict[str, Any]:
    first = [
        (r.first_response_at - r.opened_at).total_seconds() for r in rows if r.first_response_at
    ]
    done = [(r.resolved_at - r.opened_at).total_seconds() for r in rows if r.resolved_at]
    ever_resolved = [r for r in rows if r.resolved_at is not None or (r.reopened or 0) > 0]
    reopened = sum(1 for r in ever_resolved if (r.reopened or 0) > 0)
    active = [r for r in rows if r.status in ACTIVE]
    return {
        "cases": len(rows),
        "open": len(active),
        "overdue": sum(1 for r in active if r.due_at is not None and r.due_at < now),
        "first_response_hours": _hours([max(0.0, x) for x in first]),
        "resolution_hours": _hours([max(0.0, x) for x in done]),
        "reopen_rate": round(reopened / len(ever_resolved), 4) if ever_resolved else None,
    }


def service_report(db: Database, days: int | None = None) -> dict[str, Any]:
    """Figures for the cases opened in the last `days` days (all cases when None)."""
    now = utcnow()
    since = now - timedelta(days=days) if days else None
    with db.session() as s:
        stmt = select(
            Case.channel,
            Case.queue,
            Case.status,
            Case.opened_at,
            Case.first_response_at,
            Case.resolved_at,
            Case.due_at,
            Case.reopened,
        )
        if since is not None:
            stmt = stmt.where(Case.opened_at >= since)
        rows = list(s.execute(stmt).all())
        contacts = select(Interaction.channel, Interaction.direction, func.count()).group_by(
            Interaction.channel, Interaction.direction
        )
        if since is not None:
            contacts = contacts.where(Interaction.occurred_at >= since)
        interactions = s.execute(contacts).all()
        overrides = select(CaseEvent.kind, CaseEvent.data).where(
            CaseEvent.kind.in_(("triage", "triage_override"))
        )
        if since is not None:
            overrides = overrides.where(CaseEvent.at >= since)
        triage_rows = s.execute(overrides).all()
    by_channel: dict[str, list[Any]] = defaultdict(list)
    by_queue: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_channel[r.channel or NONE].append(r)
        by_queue[r.queue or NONE].append(r)
    channels = {k: _figures(v, now) for k, v in sorted(by_channel.items())}
    for channel, direction, n in interactions:
        entry = channels.setdefault(channel or NONE, _figures([], now))
        entry.setdefault("interactions", {"inbound": 0, "outbound": 0})[direction] = int(n)
    for entry in channels.values():
        entry.setdefault("interactions", {"inbound": 0, "outbound": 0})
    return {
        "since": since,
        "days": days,
        "total": _figures(list(rows), now),
        "channels": channels,
        "queues": {k: _figures(v, now) for k, v in sorted(by_queue.items())},
        "triage": _triage(list(triage_rows)),
    }


def _triage(rows: list[Any]) -> dict[str, Any]:
    """How often the proposed priority was kept: overrides are the triage model's feedback."""
    proposed = sum(1 for kind, _ in rows if kind == "triage")
    overrides = [data or {} for kind, data in rows if kind == "triage_override"]
    pairs: dict[str, int] = defaultdict(int)
    for d in overrides:
        pairs[f"{d.get('proposed')}->{d.get('chosen')}"] += 1
    return {
        "proposed": proposed,
        "overridden": len(overrides),
        "raised": sum(1 for d in overrides if d.get("direction") == "up"),
        "lowered": sum(1 for d in overrides if d.get("direction") == "down"),
        "kept_rate": round(1 - len(overrides) / proposed, 4) if proposed else None,
        "overrides": dict(sorted(pairs.items())),
    }
