"""Outcome analytics: suggestion use, self-service deflection, per-article helpfulness."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from kcrm.core.db import Database
from kcrm.core.tables import Case, Document, Feedback, HelpEvent, QueryLog
from kcrm.knowledge.logwriter import flush_pending


def outcomes(db: Database, deflection_window: timedelta = timedelta(days=7)) -> dict[str, Any]:
    """Suggestion acceptance, the self-service deflection proxy, per-article helpfulness."""
    flush_pending(db)  # queries this server has not written yet count too
    with db.session() as s:
        suggests = s.scalar(select(func.count()).where(QueryLog.kind == "suggest")) or 0
        used_q = (
            s.scalar(
                select(func.count(func.distinct(Feedback.query_id)))
                .join(QueryLog, QueryLog.id == Feedback.query_id)
                .where(QueryLog.kind == "suggest", Feedback.used.is_(True))
            )
            or 0
        )
        answerable = (
            s.scalar(
                select(func.count()).where(
                    QueryLog.kind == "suggest", QueryLog.answerable.is_(True)
                )
            )
            or 0
        )
        customer_searches = (
            s.scalar(
                select(func.count()).where(QueryLog.kind == "search", QueryLog.role == "customer")
            )
            or 0
        )
        visits = help_visits(s)
        # Deflection proxy for keys bound to a customer: a search not followed by a case
        # from that customer within the window.
        searches = s.execute(
            select(QueryLog.customer_id, QueryLog.created_at).where(
                QueryLog.kind == "search",
                QueryLog.role == "customer",
                QueryLog.customer_id.is_not(None),
            )
        ).all()
        opened: dict[str | None, list[Any]] = {}
        for cid, at in s.execute(
            select(Case.customer_id, Case.opened_at).where(
                Case.customer_id.in_({c for c, _ in searches})
            )
        ):
            opened.setdefault(cid, []).append(at)
        deflected = sum(
            1
            for cid, at in searches
            if not any(at <= o <= at + deflection_window for o in opened.get(cid, []))
        )
        rows = s.execute(
            select(
                Feedback.item_id,
                func.sum(case((Feedback.helpful.is_(True), 1), else_=0)),
                func.sum(case((Feedback.helpful.is_(False), 1), else_=0)),
                func.sum(case((Feedback.used.is_(True), 1), else_=0)),
            ).group_by(Feedback.item_id)
        ).all()
        titles = {
            row[0]: row[1]
            for row in s.execute(
                select(Document.id, Document.title).where(Document.id.in_([r[0] for r in rows]))
            )
        }
    articles = sorted(
        (
            {
                "id": item,
                "title": titles.get(item, ""),
                "helpful": int(h or 0),
                "not_helpful": int(n or 0),
                "used": int(u or 0),
                "helpful_rate": round(int(h or 0) / (int(h or 0) + int(n or 0)), 4)
                if (h or n)
                else None,
            }
            for item, h, n, u in rows
        ),
        key=lambda a: -(a["helpful"] + a["not_helpful"] + a["used"]),
    )
    return {
        "suggestions": {
            "queries": suggests,
            "answerable_rate": round(answerable / suggests, 4) if suggests else None,
            "acceptance_rate": round(used_q / suggests, 4) if suggests else None,
        },
        "self_service": {
            "customer_searches": customer_searches,
            **visits,
            "bound_customers": {
                "searches": len(searches),
                "window_days": deflection_window.days,
                "not_followed_by_a_case": deflected,
                "deflection_rate": round(deflected / len(searches), 4) if searches else None,
            },
        },
        "articles": articles,
    }


def help_visits(s: Any) -> dict[str, Any]:
    """Help-page visits (session ids) and how they ended: deflected unless they contacted us.

    `deflection_rate` is the share of visits with a search that sent no contact form;
    `confirmed_deflection_rate` counts only those that also marked an answer helpful.
    """
    visits = set(
        s.scalars(
            select(func.distinct(QueryLog.session_id)).where(
                QueryLog.kind == "search",
                QueryLog.role == "customer",
                QueryLog.session_id.is_not(None),
            )
        )
    )

    def sessions_with(kind: str) -> set[str]:
        return set(
            s.scalars(
                select(func.distinct(HelpEvent.session_id)).where(
                    HelpEvent.kind == kind, HelpEvent.session_id.is_not(None)
                )
            )
        )

    viewed = sessions_with("view") & visits
    contacted = sessions_with("contact") & visits
    helped = (
        set(
            s.scalars(
                select(func.distinct(QueryLog.session_id))
                .join(Feedback, Feedback.query_id == QueryLog.id)
                .where(QueryLog.session_id.is_not(None), Feedback.helpful.is_(True))
            )
        )
        & visits
    )
    contacts = s.scalar(select(func.count()).where(HelpEvent.kind == "contact")) or 0
    n = len(visits)
    return {
        "help_visits": n,
        "visits_with_an_article_opened": len(viewed),
        "visits_with_a_helpful_mark": len(helped),
        "visits_ending_in_contact": len(contacted),
        "contacts": int(contacts),
        "deflection_rate": round(1 - len(contacted) / n, 4) if n else None,
        "confirmed_deflection_rate": round(len(helped - contacted) / n, 4) if n else None,
    }
