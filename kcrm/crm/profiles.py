"""Creating, editing and finding customers: profile, contacts (one primary per kind), consent.

Every write keeps the customer's search terms (`directory`) in step, in the same
transaction, so a customer created by an agent is found by the next search.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.tables import Contact, Customer
from kcrm.crm import directory

CONTACT_KINDS = ("email", "phone")
CONSENTS = ("consent_email", "consent_phone", "consent_marketing")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ContactIn:
    """A way to reach the customer; `primary` marks the one used first for its kind."""

    kind: str
    value: str
    primary: bool = False


@dataclass
class CustomerFields:
    """What a create or edit may set; None leaves a field as it is (on edit)."""

    name: str | None = None
    email: str | None = None  # becomes (or stays) the primary email
    phone: str | None = None  # becomes (or stays) the primary phone
    # Replaces the contacts of the kinds it holds (emails, phones or both); [] removes all.
    contacts: list[ContactIn] | None = None
    country: str | None = None
    city: str | None = None
    segment: str | None = None
    joined_at: datetime | None = None
    consent_email: bool | None = None
    consent_phone: bool | None = None
    consent_marketing: bool | None = None
    attributes: dict[str, Any] | None = None  # merged in; a key set to None is removed


def check_contact(kind: str, value: str, country: str) -> str:
    """The contact's value, trimmed; ValueError naming what is wrong with it."""
    value = value.strip()
    if kind not in CONTACT_KINDS:
        raise ValueError(f"contacts: kind must be one of {', '.join(CONTACT_KINDS)}, got {kind!r}")
    if kind == "email" and not _EMAIL.match(value):
        raise ValueError(f"email: {value!r} is not an email address")
    if kind == "phone" and directory.phone_number(value, country) is None:
        raise ValueError(f"phone: {value!r} has too few digits for a phone number")
    return value


def contact_key(kind: str, value: str, country: str) -> tuple[str, str]:
    """What makes two contacts the same: a folded email, a phone's international digits."""
    if kind == "phone":
        return kind, directory.phone_number(value, country) or directory.fold(value)
    return kind, directory.fold(value)


def _set_primary(contacts: list[Contact], kind: str, value: str, country: str) -> list[Contact]:
    """Make `value` the primary contact of its kind, adding it when it is new."""
    key = contact_key(kind, value, country)
    found = next((c for c in contacts if contact_key(c.kind, c.value, country) == key), None)
    if found is None:
        found = Contact(kind=kind, value=value)
        contacts = [*contacts, found]
    for c in contacts:
        if c.kind == kind:
            c.is_primary = c is found
    return contacts


def _normalised_contacts(items: list[ContactIn], country: str) -> list[Contact]:
    """Contacts without duplicates, exactly one primary per kind (the first, if none is)."""
    out: list[Contact] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        value = check_contact(item.kind, item.value, country)
        key = contact_key(item.kind, value, country)
        if key in seen:
            continue
        seen.add(key)
        out.append(Contact(kind=item.kind, value=value, is_primary=item.primary))
    for kind in CONTACT_KINDS:
        of_kind = [c for c in out if c.kind == kind]
        primaries = [c for c in of_kind if c.is_primary]
        keep = primaries[0] if primaries else (of_kind[0] if of_kind else None)
        for c in of_kind:
            c.is_primary = c is keep
    return out


def _apply(cust: Customer, f: CustomerFields, country: str) -> None:
    if f.name is not None:
        cust.name = f.name.strip()
    for key in ("country", "city", "segment", "joined_at", *CONSENTS):
        value = getattr(f, key)
        if value is not None:
            setattr(cust, key, value)
    if f.attributes is not None:
        merged = dict(cust.attributes or {})
        for key, value in f.attributes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        cust.attributes = merged
    contacts = list(cust.contacts)
    if f.contacts is not None:
        given = _normalised_contacts(f.contacts, country)
        kinds = {c.kind for c in given} if given else set(CONTACT_KINDS)
        contacts = [c for c in contacts if c.kind not in kinds] + given
    for kind in CONTACT_KINDS:
        value = getattr(f, kind)
        if value is not None:
            contacts = _set_primary(contacts, kind, check_contact(kind, value, country), country)
    cust.contacts = contacts


def summary(cust: Customer) -> dict[str, Any]:
    """A customer as lists and edits return it."""
    primary = {c.kind: c.value for c in sorted(cust.contacts, key=lambda c: bool(c.is_primary))}
    return {
        "id": cust.id,
        "name": cust.name,
        "email": primary.get("email"),
        "phone": primary.get("phone"),
        "country": cust.country,
        "city": cust.city,
        "segment": cust.segment,
        "joined_at": cust.joined_at,
        "consent_email": bool(cust.consent_email),
        "consent_phone": bool(cust.consent_phone),
        "consent_marketing": bool(cust.consent_marketing),
        "attributes": cust.attributes or {},
        "contacts": [
            {"kind": c.kind, "value": c.value, "primary": bool(c.is_primary)} for c in cust.contacts
        ],
        "merged_into": cust.merged_into,
    }


def resolve(s: Session, customer_id: str) -> Customer | None:
    """The customer with this id, following merges to the one kept."""
    cust = s.get(Customer, customer_id)
    for _ in range(10):  # a chain of merges is short; a loop would be a bug, not data
        if cust is None or not cust.merged_into:
            return cust
        cust = s.get(Customer, cust.merged_into)
    return cust


def create_customer(
    db: Database, f: CustomerFields, customer_id: str | None = None
) -> dict[str, Any]:
    """A new customer (id generated when not given); Conflict if the id is taken."""
    if not (f.name or "").strip():
        raise ValueError("name: a customer needs a name")
    country = db.settings.phone_country_code
    with db.session() as s:
        cid = customer_id or f"cust-{uuid.uuid4().hex[:12]}"
        if s.get(Customer, cid) is not None:
            raise Conflict(f"a customer with id {cid!r} already exists")
        cust = Customer(id=cid, name="", attributes={}, contacts=[])
        for key in CONSENTS:
            setattr(cust, key, False)
        _apply(cust, f, country)
        s.add(cust)
        directory.index_customer(s, cust, country)
        data = summary(cust)
        data["possible_duplicates"] = duplicates(s, cust, country)
        return data


def update_customer(db: Database, customer_id: str, f: CustomerFields) -> dict[str, Any]:
    """Change a customer; NotFound if there is none (a merged id edits the one kept)."""
    country = db.settings.phone_country_code
    with db.session() as s:
        cust = resolve(s, customer_id)
        if cust is None:
            raise NotFound(f"no customer with id {customer_id!r}")
        if f.name is not None and not f.name.strip():
            raise ValueError("name: a customer's name cannot be empty")
        _apply(cust, f, country)
        directory.index_customer(s, cust, country)
        return summary(cust)


def duplicates(s: Session, cust: Customer, country: str) -> list[str]:
    """Other customers sharing an email or phone with `cust`: candidates for a merge."""
    out: list[str] = []
    for c in cust.contacts:
        terms = (
            [directory.fold(c.value)]
            if c.kind == "email"
            else directory.phone_terms(c.value, country)[:1]
        )
        for term in terms:
            found, _ = directory.find(s, term, country, limit=10)
            out.extend(x.id for x in found if x.id != cust.id)
    return sorted(set(out))


def find_customers(
    db: Database, query: str | None, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """`{items, total, next}`: customers matching `query` (every one when it is empty)."""
    with db.session() as s:
        if query and query.strip():
            found, total = directory.find(s, query, db.settings.phone_country_code, limit, offset)
        else:
            base = select(Customer).where(Customer.merged_into.is_(None))
            found = list(
                s.scalars(base.order_by(Customer.name, Customer.id).limit(limit).offset(offset))
            )
            total = directory.count_customers(s)
        contacts = directory.primary_contacts(s, [c.id for c in found])
        items = [
            {
                "id": c.id,
                "name": c.name,
                "email": contacts.get(c.id, {}).get("email"),
                "phone": contacts.get(c.id, {}).get("phone"),
                "country": c.country,
                "city": c.city,
                "segment": c.segment,
                "consent_email": bool(c.consent_email),
                "consent_phone": bool(c.consent_phone),
                "consent_marketing": bool(c.consent_marketing),
            }
            for c in found
        ]
    nxt = offset + len(items) if offset + len(items) < total else None
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": nxt}


def get_customer(db: Database, customer_id: str) -> dict[str, Any]:
    """One customer's profile and contacts (the 360 view has the rest)."""
    with db.session() as s:
        cust = resolve(s, customer_id)
        if cust is None:
            raise NotFound(f"no customer with id {customer_id!r}")
        return summary(cust)
