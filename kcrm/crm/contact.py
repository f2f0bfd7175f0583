"""The help page's "contact us": a case opened for a person who found no answer.

The visitor may be no known customer (the page's key is shared by everyone), so
the case has no customer; the name and email they gave stay on the case, and
its description holds their message, what they searched for and the articles
they saw, so the agent starts where self-service stopped.
"""

from __future__ import annotations

from kcrm.core.keys import Principal
from kcrm.core.tables import Case
from kcrm.crm.cases import open_case
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.selfservice import record_event, seen_in_visit

CHANNEL = "web"
QUEUE = "self-service"  # where these cases belong once cases have queues


def open_contact_case(
    kb: KnowledgeBase,
    principal: Principal | None,
    name: str,
    email: str,
    message: str,
    query: str = "",
    query_id: str | None = None,
    session_id: str | None = None,
) -> str:
    """Open the case; returns its id."""
    name, email, message = name.strip(), email.strip(), message.strip()
    if not name or not message:
        raise ValueError("name and message must not be blank")
    queries, opened, shown = seen_in_visit(kb.db, principal, session_id, query_id)
    if query.strip() and query.strip() not in queries:
        queries.append(query.strip())
    lines = [message, "", f"Sent from the help page ({QUEUE}) by {name} <{email}>."]
    if queries:
        lines.append("Searched for: " + "; ".join(f"“{q}”" for q in queries[-5:]))
    if opened:
        lines.append("Articles opened: " + ", ".join(opened))
    if shown:
        lines.append("Results shown: " + ", ".join(shown))
    subject = (query.strip() or message)[:120]
    case = open_case(kb, "\n".join(lines), subject, None, None, CHANNEL)
    with kb.db.session() as s:
        row = s.get(Case, case["id"])
        if row is not None:
            row.contact_name = name[:256]
            row.contact_email = email[:320]
    record_event(kb.db, principal, "contact", session_id, query_id=query_id, case_id=case["id"])
    return str(case["id"])
