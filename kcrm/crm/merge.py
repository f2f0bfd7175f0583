"""Merging a duplicate customer into the one kept: all history moves, the merge is recorded.

The duplicate stays as a pointer (`merged_into`), so links and exports that still
carry its id resolve to the customer kept; it is no longer found by search.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.tables import (
    ApiKey,
    Case,
    CaseEvent,
    Contact,
    Customer,
    CustomerMerge,
    Interaction,
    Purchase,
    QueryLog,
    utcnow,
)
from kcrm.crm import directory
from kcrm.crm.profiles import contact_key, resolve, summary
from kcrm.knowledge.documents import reassign_customer
from kcrm.knowledge.logwriter import flush_pending

PROFILE_FIELDS = ("country", "city", "segment")


def merge_customers(db: Database, keep_id: str, duplicate_id: str, actor: str) -> dict[str, Any]:
    """Move everything of `duplicate_id` to `keep_id` in one transaction.

    Returns:
        the customer kept (as `profiles.summary`) and `moved`: counts per kind of history.
    """
    country = db.settings.phone_country_code
    flush_pending(db)  # the duplicate's last searches, still queued for the log, move too
    with db.session() as s:
        # Knowledge records change too: the same lock as every other knowledge write.
        db.write_lock(s)
        keep = resolve(s, keep_id)
        dup = s.get(Customer, duplicate_id)
        if keep is None:
            raise NotFound(f"no customer with id {keep_id!r}")
        if dup is None:
            raise NotFound(f"no customer with id {duplicate_id!r}")
        if dup.merged_into:
            raise Conflict(f"customer {duplicate_id!r} was already merged into {dup.merged_into!r}")
        if dup.id == keep.id:
            raise ValueError("a customer cannot be merged into itself")
        moved: dict[str, int] = {"contacts": _move_contacts(keep, dup, country)}
        case_ids = list(s.scalars(select(Case.id).where(Case.customer_id == dup.id)))
        for table, name in (
            (Case, "cases"),
            (Interaction, "interactions"),
            (Purchase, "purchases"),
            (ApiKey, "api_keys"),
            (QueryLog, "queries"),
        ):
            result = s.execute(
                update(table).where(table.customer_id == dup.id).values(customer_id=keep.id)
            )
            moved[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        moved["knowledge_records"] = reassign_customer(s, dup.id, keep.id, actor)
        if case_ids:
            now = utcnow()
            s.execute(
                insert(CaseEvent),
                [
                    {
                        "case_id": cid,
                        "kind": "customer",
                        "old": dup.id,
                        "new": keep.id,
                        "actor": actor,
                        "data": {"merge": True},
                        "at": now,
                    }
                    for cid in case_ids
                ],
            )
        _fill_profile(keep, dup)
        dup.merged_into = keep.id
        s.add(CustomerMerge(customer_id=keep.id, merged_id=dup.id, actor=actor, moved=moved))
        directory.index_customer(s, dup, country)
        directory.index_customer(s, keep, country)
        return {"customer": summary(keep), "merged_id": dup.id, "moved": moved}


def _move_contacts(keep: Customer, dup: Customer, country: str) -> int:
    """The duplicate's contacts the kept customer lacks; the kept one's primaries stay."""
    have = {contact_key(c.kind, c.value, country) for c in keep.contacts}
    kinds = {c.kind for c in keep.contacts}
    added = [
        Contact(kind=c.kind, value=c.value, is_primary=c.is_primary and c.kind not in kinds)
        for c in dup.contacts
        if contact_key(c.kind, c.value, country) not in have
    ]
    keep.contacts = [*keep.contacts, *added]
    dup.contacts = []
    return len(added)


def _fill_profile(keep: Customer, dup: Customer) -> None:
    """Blanks of the kept profile filled from the duplicate; consent is never widened."""
    if not keep.name and dup.name:
        keep.name = dup.name
    for key in PROFILE_FIELDS:
        if not getattr(keep, key) and getattr(dup, key):
            setattr(keep, key, getattr(dup, key))
    if dup.joined_at and (keep.joined_at is None or dup.joined_at < keep.joined_at):
        keep.joined_at = dup.joined_at  # a customer since the earlier of the two
    attributes = dict(dup.attributes or {})
    attributes.update(keep.attributes or {})
    keep.attributes = attributes


def merges_of(db: Database, customer_id: str) -> list[dict[str, Any]]:
    """The merges into a customer, oldest first."""
    with db.session() as s:
        rows = s.scalars(
            select(CustomerMerge)
            .where(CustomerMerge.customer_id == customer_id)
            .order_by(CustomerMerge.id)
        )
        return [
            {"merged_id": r.merged_id, "actor": r.actor, "at": r.at, "moved": r.moved} for r in rows
        ]
