"""The 360° view of one customer: profile, value, purchases, cases and interactions.

Agent assist calls it on every suggestion, so it reads only indexed rows of this
customer (plus population cut points cached for a quarter of an hour) and loads
no model.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Case, Contact, Customer, Interaction, Product, Purchase
from kcrm.crm.profiles import resolve
from kcrm.crm.segments import cohort, customer_rfm
from kcrm.crm.tickets import ACTIVE


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _count(s: Any, table: Any, customer_id: str, *where: Any) -> int:
    stmt = select(func.count()).select_from(table).where(table.customer_id == customer_id, *where)
    return int(s.scalar(stmt) or 0)


def customer_view(db: Database, customer_id: str, recent: int = 10) -> dict[str, Any] | None:
    """Everything the CRM knows about a customer, or None when there is no such customer.

    Lists hold the `recent` newest entries; `totals` says how many there are in all
    (`GET /v1/customers/{id}/interactions` and `/cases` page through the rest). A merged
    duplicate's id shows the customer it was merged into.
    """
    with db.session() as s:
        cust = resolve(s, customer_id)
        if cust is None:
            return None
        customer_id = cust.id
        contacts = s.scalars(
            select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
        ).all()
        owned = s.execute(
            select(
                Purchase.product_id,
                Product.name,
                Product.category,
                func.count(func.distinct(Purchase.order_id)),
                func.sum(Purchase.quantity),
                func.min(Purchase.purchased_at),
                func.max(Purchase.purchased_at),
            )
            .join(Product, Product.id == Purchase.product_id)
            .where(Purchase.customer_id == customer_id)
            .group_by(Purchase.product_id, Product.name, Product.category)
            .order_by(func.max(Purchase.purchased_at).desc())
        ).all()
        purchases = s.execute(
            select(Purchase, Product.name)
            .join(Product, Product.id == Purchase.product_id)
            .where(Purchase.customer_id == customer_id)
            .order_by(Purchase.purchased_at.desc(), Purchase.id.desc())
            .limit(recent)
        ).all()
        cases = s.scalars(
            select(Case)
            .where(Case.customer_id == customer_id)
            .order_by(Case.opened_at.desc(), Case.id)
            .limit(recent)
        ).all()
        open_cases = _count(s, Case, customer_id, Case.status.in_(ACTIVE))
        interactions = s.scalars(
            select(Interaction)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(recent)
        ).all()
        merged = s.scalars(select(Customer.id).where(Customer.merged_into == customer_id)).all()
        view: dict[str, Any] = {
            "customer_id": cust.id,
            "profile": {
                "name": cust.name,
                "country": cust.country,
                "city": cust.city,
                "segment": cust.segment,
                "joined_at": _when(cust.joined_at),
                "attributes": cust.attributes or {},
                "consent_email": bool(cust.consent_email),
                "consent_phone": bool(cust.consent_phone),
                "consent_marketing": bool(cust.consent_marketing),
                "merged_ids": list(merged),
            },
            "totals": {
                "cases": _count(s, Case, customer_id),
                "open_cases": open_cases,
                "interactions": _count(s, Interaction, customer_id),
                "purchases": _count(s, Purchase, customer_id),
                "products": len(owned),
            },
            "contacts": [
                {"kind": c.kind, "value": c.value, "primary": c.is_primary} for c in contacts
            ],
            "products_owned": [
                {
                    "product_id": pid,
                    "name": name,
                    "category": category,
                    "orders": int(n),
                    "quantity": float(qty or 0),
                    "first_purchased_at": _when(first),
                    "last_purchased_at": _when(last),
                }
                for pid, name, category, n, qty, first, last in owned
            ],
            "recent_purchases": [
                {
                    "order_id": p.order_id,
                    "product_id": p.product_id,
                    "name": name,
                    "quantity": p.quantity,
                    "unit_price": p.unit_price,
                    "purchased_at": _when(p.purchased_at),
                    "channel": p.channel,
                }
                for p, name in purchases
            ],
            "cases": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "status": c.status,
                    "priority": c.priority,
                    "assignee": c.assignee,
                    "due_at": _when(c.due_at),
                    "product_id": c.product_id,
                    "resolution_category": c.resolution_category,
                    "opened_at": _when(c.opened_at),
                    "closed_at": _when(c.closed_at),
                    "channel": c.channel,
                }
                for c in cases
            ],
            "open_cases": int(open_cases),
            "interactions": [
                {
                    "id": i.id,
                    "channel": i.channel,
                    "direction": i.direction,
                    "case_id": i.case_id,
                    "occurred_at": _when(i.occurred_at),
                    "agent": i.agent,
                    "text": i.text[:280],  # a preview: full transcripts would bloat the view
                }
                for i in interactions
            ],
        }
    c = cohort(db, db.settings.data_dir / "models" / "recommend" / "cohort.json")
    view["value"] = customer_rfm(db, customer_id, c)
    return view
