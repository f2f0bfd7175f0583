"""Is this id known? Cheap checks that commands and routes make before any expensive work."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.tables import Case, Customer, Product


def require_customer(db: Database, customer_id: str) -> None:
    """`NotFound` unless a customer has this id."""
    with db.session() as s:
        if s.get(Customer, customer_id) is None:
            raise NotFound(f"no customer with id {customer_id!r}")


def require_case(db: Database, case_id: str) -> None:
    """`NotFound` unless a case has this id."""
    with db.session() as s:
        if s.get(Case, case_id) is None:
            raise NotFound(f"no case with id {case_id!r}")


def known_product(s: Session, product_id: str) -> bool:
    """Whether the catalogue holds this product.

    Without any catalogue (knowledge only, no products imported) there is nothing to check
    against: case records may name products of their own, so any id is known.
    """
    if s.get(Product, product_id) is not None:
        return True
    return not s.scalar(select(exists().where(Product.id.is_not(None))))


def require_product(db: Database, product_id: str) -> None:
    """`NotFound` unless the catalogue holds this product (or there is no catalogue)."""
    with db.session() as s:
        if not known_product(s, product_id):
            raise NotFound(f"no product with id {product_id!r}")
