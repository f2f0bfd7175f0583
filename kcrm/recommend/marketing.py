"""What marketing asks of a trained recommender: audiences per product, association rules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.associations import Rule, RuleFilter, association_rules
from kcrm.recommend.audience import Activity, Member, audience_scores, top
from kcrm.recommend.base import Recommender
from kcrm.recommend.data import Catalog
from kcrm.recommend.engine import OfferEngine, People
from kcrm.recommend.explain import day_text
from kcrm.recommend.models import CoPurchaseRecommender


class Source(Protocol):
    """What these questions need of a recommender (`service.RecommendService` has it)."""

    catalog: Catalog
    models: dict[str, Recommender]
    engine: OfferEngine
    activity: Activity | None
    user_index: dict[str, int]

    @property
    def owned(self) -> sp.csr_matrix: ...

    def item(self, product_id: str) -> int: ...

    def refresh(self, force: bool = False) -> int: ...

    def blocks(
        self, customer_ids: Sequence[str] | None = None
    ) -> Iterator[tuple[list[str], People]]: ...


def audience(service: Source, product_id: str, k: int = 100, reasons: bool = True) -> list[Member]:
    """The `k` customers most likely to take the product, best first, with reasons
    (none with `reasons=False`, for a campaign's whole list).

    Raises:
        NotFound: an unknown product.
        ValueError: an inactive product (it is never offered) or k below 1.
    """
    j = service.item(product_id)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not service.catalog.active[j]:
        raise ValueError(f"product {product_id!r} is not active: it is never offered")
    activity = service.activity or Activity()
    ids, scores, affinity = audience_scores(service.engine, activity, service.blocks(), j)
    best = top(scores, affinity, k)
    if not reasons:
        return [Member(ids[i], float(scores[i]), []) for i in best]
    chosen = [ids[i] for i in best]
    members = []
    for block_ids, people in service.blocks(chosen):
        why = service.engine.explain_item(people, j)
        for r, cid in enumerate(block_ids):
            u = service.user_index.get(cid, -1)
            members.append((cid, [activity_text(activity, u), *why[r]]))
    got = dict(members)
    return [Member(ids[i], float(scores[i]), got[ids[i]]) for i in best if ids[i] in got]


def activity_text(activity: Activity, u: int) -> str:
    """How often and how lately customer index `u` ordered."""
    if u < 0 or u >= len(activity.orders) or activity.orders[u] == 0:
        return "no orders yet"
    n = int(activity.orders[u])
    when = day_text(float(activity.last_order[u]))
    return f"{n} orders, the last on {when}" if n > 1 else f"one order, on {when}"


def rules(service: Source, rule_filter: RuleFilter, product_id: str | None = None) -> list[Rule]:
    """Association rules between products (`associations.py`), best first.

    Raises:
        NotFound: an unknown product.
        ValueError: a threshold out of range.
    """
    if product_id is not None:
        rule_filter.product = service.item(product_id)
    rule_filter.check()
    service.refresh()
    model = service.models.get("copurchase")
    if isinstance(model, CoPurchaseRecommender) and model.unit == "customer":
        pairs, item_customers, customers = model.pairs, model.item_units, model.units
    else:  # no co-purchase model (nothing bought when trained): count from purchases
        owned = service.owned
        pairs = sp.csr_matrix(owned.T @ owned)
        pairs.setdiag(0)
        pairs.eliminate_zeros()
        item_customers = np.asarray(owned.sum(axis=0)).ravel()
        customers = int((np.diff(owned.indptr) > 0).sum())
    return association_rules(pairs, item_customers, customers, service.catalog, rule_filter)
