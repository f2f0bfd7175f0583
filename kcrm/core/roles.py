"""Roles and what each may see: the one place that decides visibility.

Customers see public, published records only; the other roles also see internal ones.
"""

from __future__ import annotations

from typing import Protocol

ROLES = ("admin", "agent", "customer", "marketing")
# Roles that work on knowledge itself: they open records in any status (drafts under review).
EDITOR_ROLES = frozenset({"admin", "agent"})
# Roles limited to public records (never cases, interactions or internal articles).
PUBLIC_ONLY_ROLES = frozenset({"customer"})


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
