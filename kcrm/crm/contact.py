"""The help page's "contact us": a case opened for a person who found no answer.

The visitor may be no known customer (the page's key is shared by everyone), so
the case has no customer (unless the key is one customer's own); the name and
email they gave stay on the case, and its description holds their message, what
they searched for and the articles they saw, so the agent starts where
self-service stopped. It lands in the `self-service` queue; an agent who has
identified the person links it to them (`PATCH /v1/cases/{id} {customer_id}`).
"""

from __future__ import annotations

from kcrm.core.keys import Principal
from kcrm.core.tables import Customer
from kcrm.crm.cases import NewCase, open_case
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.selfservice import record_event, seen_in_visit

CHANNEL = "web"
QUEUE = "self-service"


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
    customer_id = principal.customer_id if principal is not None else None
    if customer_id is not None:
        with kb.db.session() as s:
            customer_id = customer_id if s.get(Customer, customer_id) is not None else None
    new = NewCase(
        customer_id,
        "\n".join(lines),
        subject,
        channel=CHANNEL,
        queue=QUEUE,
        contact_name=name[:256],
        contact_email=email[:320],
    )
    case = open_case(kb, new, "help page")
    record_event(kb.db, principal, "contact", session_id, query_id=query_id, case_id=case["id"])
    return str(case["id"])
