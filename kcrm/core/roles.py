"""Roles and what each may see: the one place that decides visibility.

Data minimisation: a role sees what its work needs. Customers and marketing see
public, published knowledge only (marketing sells products; it has no use for
cases, interactions or internal runbooks, which carry customers' own words and
numbers). Agents and admins also see internal records. Every route, search, page
and export asks these functions; none decides on its own.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ColumnElement

from kcrm.core.tables import Document

ROLES = ("admin", "agent", "customer", "marketing")
# Roles that work on knowledge itself: they open records in any status (drafts under review).
EDITOR_ROLES = frozenset({"admin", "agent"})
# Roles limited to public records (never cases, interactions or internal articles).
PUBLIC_ONLY_ROLES = frozenset({"customer", "marketing"})
# What of a customer's 360 view a role gets; a role not named here gets all of it.
# Marketing: who the customer is, what they are worth and bought, and how many cases are
# open (a number: no offers to someone waiting on a complaint), never the cases' or
# interactions' texts, nor the contact details (campaigns go out through other systems).
CUSTOMER_VIEW_SECTIONS: dict[str, frozenset[str]] = {
    "marketing": frozenset(
        {"customer_id", "profile", "value", "products_owned", "recent_purchases", "open_cases"}
    ),
    "customer": frozenset({"customer_id"}),
}
# Roles that see customers' emails and phones in lists (`GET /v1/customers?q=`): the
# people who call or write to them. Marketing finds a customer but not how to reach them.
CONTACT_ROLES = frozenset({"admin", "agent"})


class Visible(Protocol):
    """What visibility is decided on: a record's status and visibility."""

    @property
    def status(self) -> str: ...
    @property
    def visibility(self) -> str: ...


def check_role(role: str) -> None:
    """Refuse an unknown role with the allowed ones named."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")


def public_only(role: str) -> bool:
    """Whether `role` is limited to public records."""
    return role in PUBLIC_ONLY_ROLES


def can_see(role: str, record: Visible) -> bool:
    """Whether `role` may see `record` at all (search, GET, exports)."""
    if record.status != "published":
        return False
    return not public_only(role) or record.visibility == "public"


def can_open(role: str, record: Visible) -> bool:
    """Whether `role` may open one record by id (GET /v1/documents/{id}).

    Editors (agents, admins) open any record, drafts included; the other roles only
    what they could find by searching.
    """
    return role in EDITOR_ROLES or can_see(role, record)


def visible_where(role: str) -> list[ColumnElement[bool]]:
    """`can_see` as SQL conditions on `documents`, for queries that list records."""
    conditions: list[ColumnElement[bool]] = [Document.status == "published"]
    if public_only(role):
        conditions.append(Document.visibility == "public")
    return conditions


def customer_view_for(role: str, view: dict[str, Any]) -> dict[str, Any]:
    """The parts of a customer's 360 view `role` may see (`CUSTOMER_VIEW_SECTIONS`)."""
    sections = CUSTOMER_VIEW_SECTIONS.get(role)
    if sections is None:
        return view
    return {key: value for key, value in view.items() if key in sections}


def customer_list_for(role: str, page: dict[str, Any]) -> dict[str, Any]:
    """A page of customers as `role` may see it: emails and phones blanked for the others."""
    if role in CONTACT_ROLES:
        return page
    items = [{**item, "email": None, "phone": None} for item in page.get("items", [])]
    return {**page, "items": items}
