"""Who marketing may contact, and how: the customers' consent flags beside their contacts.

Every list that leaves kcrm for a campaign tool goes through `contact_sheet`: a
customer without marketing consent is not on it, and an e-mail address or phone
number is only given with consent to that channel.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.tables import Contact, Customer

CONSENT_COLUMNS = ["email", "phone", "consent_email", "consent_phone", "consent_marketing"]


@dataclass(frozen=True)
class Contactable:
    """A customer marketing may contact, with what they agreed to."""

    name: str
    email: str  # primary e-mail, "" without e-mail consent
    phone: str  # primary phone, "" without phone consent
    consent_email: bool
    consent_phone: bool

    def cells(self) -> list[object]:
        """The `CONSENT_COLUMNS` of a CSV row (consent_marketing is always true here)."""
        return [self.email, self.phone, self.consent_email, self.consent_phone, True]


def marketing_consent(db: Database) -> set[str]:
    """Ids of the customers who agreed to marketing."""
    with db.session() as s:
        return set(s.scalars(select(Customer.id).where(Customer.consent_marketing.is_(True))))


def contact_sheet(
    db: Database, customer_ids: Collection[str] | None = None
) -> dict[str, Contactable]:
    """The customers (all, or those given) who agreed to marketing, by id."""
    wanted = None if customer_ids is None else set(customer_ids)
    with db.session() as s:
        people = {
            row.id: row
            for row in s.execute(
                select(
                    Customer.id, Customer.name, Customer.consent_email, Customer.consent_phone
                ).where(Customer.consent_marketing.is_(True))
            )
            if wanted is None or row.id in wanted
        }
        primary: dict[tuple[str, str], str] = {}
        for cid, kind, value in s.execute(
            select(Contact.customer_id, Contact.kind, Contact.value).where(Contact.is_primary)
        ):
            if cid in people:
                primary[(cid, kind)] = value
    return {
        cid: Contactable(
            row.name or "",
            primary.get((cid, "email"), "") if row.consent_email else "",
            primary.get((cid, "phone"), "") if row.consent_phone else "",
            bool(row.consent_email),
            bool(row.consent_phone),
        )
        for cid, row in people.items()
    }
