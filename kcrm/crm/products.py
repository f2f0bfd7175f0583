"""The product catalogue as the pages list it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.tables import Product

LINKS = ("replaces", "conflicts_with", "upgrade_of")


def list_products(db: Database, active_only: bool = False) -> list[dict[str, Any]]:
    """Every product (or the active ones) by name, with its rules."""
    with db.session() as s:
        query = select(Product).order_by(Product.name, Product.id)
        if active_only:
            query = query.where(Product.active.is_(True))
        return [
            {
                "id": p.id,
                "name": p.name,
                "category": p.category,
                "active": bool(p.active),
                "repeatable": bool(p.repeatable),
                **{link: list((p.attributes or {}).get(link) or []) for link in LINKS},
            }
            for p in s.scalars(query)
        ]
