"""The customer's context in a suggestion: the products they own and their open cases.

A Metal card holder asking about "my card" more likely needs a resolution
other Metal card holders' cases were closed with. From the resolved cases'
`product_ids` the model learns, per product, how much more often each category
occurs among cases about it than overall (a smoothed lift, `product_lift`).
For a customer, the boost of a category is the mean log-lift over the
products they own that cases mention, squashed by tanh and scaled by
`WEIGHT`, plus `OPEN_WEIGHT` for the category of one of their open cases
(a follow-up is usually about the same problem). Both are small against the
score's range (0 to 2), so context settles close calls and never overrides
clear evidence (docs/quality.md, "Customer context": `python -m bench.context`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.core.errors import NotFound
from kcrm.core.tables import Case, Customer, Purchase

WEIGHT = 0.1
OPEN_WEIGHT = 0.1
SMOOTHING = 5.0  # pseudo-cases at the overall category share, per product
MIN_CASES = 5  # products mentioned by fewer resolved cases say nothing


@dataclass
class CustomerContext:
    """What a suggestion may use about the customer."""

    customer_id: str
    products: set[str] = field(default_factory=set)
    open_categories: set[str] = field(default_factory=set)


def customer_context(kb: Any, customer_id: str) -> CustomerContext:
    """The customer's owned products and open cases; `NotFound` for an unknown customer."""
    with kb.db.session() as s:
        if s.get(Customer, customer_id) is None:
            raise NotFound(f"no customer with id {customer_id!r}")
        products = set(
            s.scalars(
                select(Purchase.product_id).where(Purchase.customer_id == customer_id).distinct()
            )
        )
        open_cases = s.execute(
            select(Case.product_id, Case.resolution_category).where(
                Case.customer_id == customer_id, Case.status.in_(("open", "pending"))
            )
        ).all()
    products |= {p for p, _ in open_cases if p}
    return CustomerContext(customer_id, products, {c for _, c in open_cases if c})


def product_lift(
    product_ids: list[list[str]], labels: np.ndarray, m: int
) -> dict[str, list[float]]:
    """log P(category | product) / P(category) per product mentioned by `MIN_CASES` cases."""
    prior = np.bincount(labels, minlength=m).astype(float) + 1.0
    prior /= prior.sum()
    counts: dict[str, np.ndarray] = {}
    for ids, label in zip(product_ids, labels, strict=True):
        for pid in set(ids or []):
            counts.setdefault(pid, np.zeros(m))[label] += 1
    out = {}
    for pid, row in counts.items():
        if row.sum() >= MIN_CASES:
            posterior = (row + SMOOTHING * prior) / (row.sum() + SMOOTHING)
            out[pid] = np.log(posterior / prior).round(4).tolist()
    return out


def context_boost(
    scores: np.ndarray, keys: list[str], context: CustomerContext, lift: dict[str, list[float]]
) -> None:
    """Add the context's boost to one query's scores (in place); `keys` name the columns."""
    rows = [lift[p] for p in sorted(context.products) if p in lift]
    if rows:
        mean = np.mean(np.array(rows), axis=0)
        n = min(len(mean), len(keys))
        scores[:n] += WEIGHT * np.tanh(mean[:n])
    for i, key in enumerate(keys):
        if key in context.open_categories:
            scores[i] += OPEN_WEIGHT
