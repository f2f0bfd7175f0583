"""Association rules to browse: "customers who bought X also bought Y", with their counts.

A basket is everything one customer ever bought (the co-purchase model's unit). For
a rule X → Y over N customers with any purchase:
- customers: how many bought both X and Y;
- support = customers / N;
- confidence = customers / (customers who bought X);
- lift = confidence / (share of customers who bought Y) = N·|X∧Y| / (|X|·|Y|).
The counts are the co-purchase model's, kept up to date with every new purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Catalog

SortKey = Literal["lift", "confidence", "support", "customers"]
SORT_KEYS: tuple[str, ...] = ("lift", "confidence", "support", "customers")


@dataclass
class Rule:
    antecedent: list[str]
    consequent: list[str]
    support: float
    confidence: float
    lift: float
    customers: int
    antecedent_names: list[str]
    consequent_names: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "antecedent": self.antecedent,
            "consequent": self.consequent,
            "antecedent_names": self.antecedent_names,
            "consequent_names": self.consequent_names,
            "support": self.support,
            "confidence": self.confidence,
            "lift": self.lift,
            "customers": self.customers,
        }


@dataclass
class RuleFilter:
    """Which rules to list, and how many."""

    product: int | None = None  # the product on either side
    min_support: float = 0.0
    min_confidence: float = 0.0
    min_lift: float = 1.0
    min_customers: int = 10  # fewer customers than this is anecdote, not a pattern
    k: int = 50
    sort: SortKey = "lift"

    def check(self) -> None:
        """ValueError naming the first threshold out of range."""
        for name in ("min_support", "min_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.min_lift < 0:
            raise ValueError(f"min_lift must not be negative, got {self.min_lift}")
        if self.min_customers < 1:
            raise ValueError(f"min_customers must be at least 1, got {self.min_customers}")
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if self.sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}, got {self.sort!r}")


def association_rules(
    pairs: sp.csr_matrix,
    item_customers: np.ndarray,
    customers: int,
    catalog: Catalog,
    rule_filter: RuleFilter,
) -> list[Rule]:
    """The rules X → Y passing `rule_filter`, best first (ties: more customers, then ids).

    Args:
        pairs: items × items, customers who bought both (diagonal empty).
        item_customers: customers who bought each item.
        customers: customers who bought anything.
    """
    f = rule_filter
    f.check()
    m = sp.coo_matrix(pairs)
    both = m.data.astype(np.float64)
    x, y = m.row.astype(np.int64), m.col.astype(np.int64)
    keep = (both >= f.min_customers) & (x != y)
    if f.product is not None:
        keep &= (x == f.product) | (y == f.product)
    x, y, both = x[keep], y[keep], both[keep]
    n = max(float(customers), 1.0)
    support = both / n
    confidence = both / np.maximum(item_customers[x], 1.0)
    lift = both * n / np.maximum(item_customers[x] * item_customers[y], 1.0)
    keep = (support >= f.min_support) & (confidence >= f.min_confidence) & (lift >= f.min_lift)
    x, y, both = x[keep], y[keep], both[keep]
    support, confidence, lift = support[keep], confidence[keep], lift[keep]
    key = {"lift": lift, "confidence": confidence, "support": support, "customers": both}[f.sort]
    order = np.lexsort((y, x, -confidence, -both, -key))[: f.k]
    ids = catalog.ids
    return [
        Rule(
            [ids[x[i]]],
            [ids[y[i]]],
            float(support[i]),
            float(confidence[i]),
            float(lift[i]),
            int(both[i]),
            [catalog.names[x[i]]],
            [catalog.names[y[i]]],
        )
        for i in order
    ]
