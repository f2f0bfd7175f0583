"""The help page's visits: articles opened, contacts sent, and what a visit saw.

A visit is the random session id the page sends with its requests (searches
carry it in `query_log.session_id`). Views and contacts are `help_events`.
Together with the "helpful" marks they give the deflection rate in
`outcomes.self_service`.
"""

from __future__ import annotations

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.keys import Principal
from kcrm.core.tables import HelpEvent, QueryLog
from kcrm.knowledge.logwriter import flush_pending

MAX_SEEN = 20  # articles listed on a contact case, at most


def record_event(
    db: Database,
    principal: Principal | None,
    kind: str,
    session_id: str | None = None,
    item_id: str | None = None,
    query_id: str | None = None,
    case_id: str | None = None,
) -> None:
    """Store one view or contact of a help-page visit."""
    if kind not in ("view", "contact"):
        raise ValueError(f"kind must be view or contact, got {kind!r}")
    with db.session() as s:
        s.add(
            HelpEvent(
                kind=kind,
                session_id=session_id,
                key_id=principal.key_id if principal else None,
                query_id=query_id,
                item_id=item_id,
                case_id=case_id,
            )
        )


def seen_in_visit(
    db: Database, principal: Principal | None, session_id: str | None, query_id: str | None
) -> tuple[list[str], list[str], list[str]]:
    """(queries asked, articles opened, results shown) in a visit, oldest first.

    Only the caller's own searches count (same key), so a guessed session id or query
    id reveals nothing of another caller's visit.
    """
    key_id = principal.key_id if principal else None
    flush_pending(db)  # the visit's last searches may not be written yet
    with db.session() as s:
        cond = []
        if session_id:
            cond.append(QueryLog.session_id == session_id)
        elif query_id:
            cond.append(QueryLog.id == query_id)
        else:
            return [], [], []
        rows = s.execute(
            select(QueryLog.query, QueryLog.result_ids)
            .where(*cond, QueryLog.key_id == key_id, QueryLog.kind == "search")
            .order_by(QueryLog.created_at)
            .limit(50)
        ).all()
        opened = (
            list(
                s.scalars(
                    select(HelpEvent.item_id)
                    .where(
                        HelpEvent.session_id == session_id,
                        HelpEvent.kind == "view",
                        HelpEvent.key_id == key_id,
                    )
                    .order_by(HelpEvent.id)
                )
            )
            if session_id
            else []
        )
    queries = list(dict.fromkeys(q for q, _ in rows))
    shown = list(dict.fromkeys(i for _, ids in rows for i in (ids or [])[:5]))
    return queries, list(dict.fromkeys(i for i in opened if i))[:MAX_SEEN], shown[:MAX_SEEN]
