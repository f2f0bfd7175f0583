"""Reasons on every offer, from the models that put it there."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from kcrm.recommend.base import Recommender
from kcrm.recommend.data import Catalog, from_day
from kcrm.recommend.models import ContentRecommender, CoPurchaseRecommender, PopularityRecommender

MAX_REASONS = 3
# Evidence shown even when its model has no blend weight: a rule this strong is
# worth telling marketing about, whatever ranked the item.
STRONG_LIFT = 1.5
STRONG_SIMILARITY = 0.6
# Below this cosine two product texts are not alike enough to say so to a customer.
MIN_SIMILARITY = 0.3


def _copurchase(model: CoPurchaseRecommender, catalog: Catalog, owned: np.ndarray, j: int) -> str:
    found = model.evidence(owned, j)
    if found is None:
        return ""
    i, both, lift = found
    if lift <= 1.0:
        return ""  # bought together no more often than chance: no reason to give
    who = "customers" if model.unit == "customer" else "orders"
    return f"bought with {catalog.names[i]} by {int(both)} {who} (lift {lift:.1f})"


def _content(
    model: ContentRecommender, catalog: Catalog, owned: np.ndarray, j: int, least: float
) -> str:
    found = model.evidence(owned, j)
    if found is None or found[1] < least:
        return ""
    return f"similar to {catalog.names[found[0]]} you bought"


@lru_cache(maxsize=64)
def _date(day: float) -> str:
    return f"{from_day(day):%d %b %Y}"  # formatting costs more than the rest of a reason


def _popular(model: PopularityRecommender, j: int, recent: bool) -> str:
    n = int(model.customers[j])
    if np.isfinite(model.since_day):
        return f"popular since {_date(model.since_day)} (bought by {n} customers)"
    if recent:
        return f"popular lately (bought by {n} customers)"
    return f"popular: bought by {n} customers"


def reason(name: str, model: Recommender, catalog: Catalog, owned: np.ndarray, j: int) -> str:
    """One model's reason for item `j`, or "" when it has none to give."""
    if isinstance(model, CoPurchaseRecommender):
        return _copurchase(model, catalog, owned, j)
    if isinstance(model, ContentRecommender):
        return _content(model, catalog, owned, j, MIN_SIMILARITY)
    if isinstance(model, PopularityRecommender):
        return _popular(model, j, recent=model.half_life_days is not None)
    return "popular with customers like you" if owned.any() else ""


def explain(
    models: Mapping[str, Recommender],
    weights: Mapping[str, float],
    parts: Mapping[str, np.ndarray],
    catalog: Catalog,
    owned: np.ndarray,
    j: int,
) -> list[str]:
    """Reasons for offering item `j`, the strongest contribution to the blend first.

    `owned` is a bool mask over the catalogue of the customer's items.
    """
    contrib = sorted(
        ((weights.get(n, 0.0) * float(parts[n][j]), n) for n in parts if n in models),
        reverse=True,
    )
    out: list[str] = []
    for c, name in contrib:
        if c > 0 and (text := reason(name, models[name], catalog, owned, j)) and text not in out:
            out.append(text)
    if len(out) < MAX_REASONS:
        out.extend(t for t in _strong_evidence(models, catalog, owned, j) if t not in out)
    if not out:
        pop = models.get("popularity")
        out.append(_popular(pop, j, False) if isinstance(pop, PopularityRecommender) else "popular")
    return out[:MAX_REASONS]


def _strong_evidence(
    models: Mapping[str, Recommender], catalog: Catalog, owned: np.ndarray, j: int
) -> list[str]:
    out = []
    co = models.get("copurchase")
    found = co.evidence(owned, j) if isinstance(co, CoPurchaseRecommender) else None
    if isinstance(co, CoPurchaseRecommender) and found is not None and found[2] >= STRONG_LIFT:
        out.append(_copurchase(co, catalog, owned, j))
    content = models.get("content")
    if isinstance(content, ContentRecommender):
        text = _content(content, catalog, owned, j, STRONG_SIMILARITY)
        if text:
            out.append(text)
    return out
