"""Reasons on every offer, from the models that put it there, for many customers at once.

Each model's evidence for the offered items comes from one vectorised look-up per
block of customers (`base.best_owned` and `base.entries`); only the texts are made one
by one, and only for the offers shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import Recommender
from kcrm.recommend.data import Catalog, from_day
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)
from kcrm.recommend.neighbours import Neighbours

MAX_REASONS = 3
# Evidence shown even when its model has no blend weight: a rule this strong is
# worth telling marketing about, whatever ranked the item.
STRONG_LIFT = 1.5
STRONG_SIMILARITY = 0.6
# Below this cosine two product texts are not alike enough to say so to a customer.
MIN_SIMILARITY = 0.3
STRONG = ("copurchase", "content")

Texts = list[list[str]]  # customers × offers, "" where a model has nothing to say
Found = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # `Neighbours.best_owned`, per model
TABLED = (CoPurchaseRecommender, ItemKNNRecommender, ContentRecommender)


@lru_cache(maxsize=256)
def day_text(day: float) -> str:
    return f"{from_day(day):%d %b %Y}"  # formatting costs more than the rest of a reason


def popular_texts(model: PopularityRecommender) -> list[str]:
    """The popularity reason of every item (the same for every customer)."""
    out = []
    for n in model.customers.astype(int):
        if np.isfinite(model.since_day):
            out.append(f"popular since {day_text(model.since_day)} (bought by {n} customers)")
        elif model.half_life_days is not None:
            out.append(f"popular lately (bought by {n} customers)")
        else:
            out.append(f"popular: bought by {n} customers")
    return out


class Explainer:
    """Reasons for offers, strongest contribution to the blend first."""

    def __init__(self, catalog: Catalog, models: Mapping[str, Recommender]) -> None:
        self.names = catalog.names
        self.models = models
        self._popular: dict[str, list[str]] = {}
        self._stacked: tuple[tuple[Any, ...], Neighbours] | None = None

    def reset(self) -> None:
        """Forget cached texts (popularity counts changed)."""
        self._popular = {}

    def popular(self, name: str) -> list[str]:
        model = self.models[name]
        assert isinstance(model, PopularityRecommender)
        if name not in self._popular:
            self._popular[name] = popular_texts(model)
        return self._popular[name]

    def evidence(self, names: list[str], owned: sp.csr_matrix, picked: np.ndarray) -> Found:
        """The best owned item behind each picked item for every model in `names` that
        keeps neighbour tables, in one pass over their tables stacked side by side."""
        tabled = [n for n in names if isinstance(self.models[n], TABLED)]
        if not tabled:
            return {}
        tables = [self.models[n].table() for n in tabled]  # type: ignore[attr-defined]
        key = tuple(id(t) for t in tables)
        if self._stacked is None or self._stacked[0] != key:
            self._stacked = (key, Neighbours.stack(tables))
        return dict(zip(tabled, self._stacked[1].best_owned(owned, picked), strict=True))

    def texts(
        self, name: str, owned: sp.csr_matrix, picked: np.ndarray, found: Found | None = None
    ) -> tuple[Texts, list[list[bool]]]:
        """One model's reason for every picked item (customers × k, "" where none), and
        which of them are strong enough to name whatever the blend weights."""
        model = self.models[name]
        u, k = picked.shape
        out = [[""] * k for _ in range(u)]
        strong = [[False] * k for _ in range(u)]
        names = self.names
        pre = (found or {}).get(name)
        if isinstance(model, PopularityRecommender):
            texts = self.popular(name)
            return [[texts[j] if j >= 0 else "" for j in row] for row in picked.tolist()], strong
        # Python lists from here: a few offers each, and list indexing is cheaper than numpy's.
        if isinstance(model, CoPurchaseRecommender):
            best, both, lift = (a.tolist() for a in model.evidence(owned, picked, pre))
            who = "customers" if model.unit == "customer" else "orders"
            for r, row in enumerate(best):
                for s, i in enumerate(row):
                    # A rule no more often true than chance (lift shown as 1.0) is no reason.
                    if i >= 0 and lift[r][s] >= 1.05:
                        out[r][s] = (
                            f"bought with {names[i]} by {int(both[r][s])} {who} "
                            f"(lift {lift[r][s]:.1f})"
                        )
                        strong[r][s] = lift[r][s] >= STRONG_LIFT
            return out, strong
        if isinstance(model, ContentRecommender):
            best, sim = (a.tolist() for a in model.evidence(owned, picked, pre))
            for r, row in enumerate(best):
                for s, i in enumerate(row):
                    if i >= 0 and sim[r][s] >= MIN_SIMILARITY:
                        out[r][s] = f"similar to {names[i]} you bought"
                        strong[r][s] = sim[r][s] >= STRONG_SIMILARITY
            return out, strong
        if isinstance(model, ItemKNNRecommender):
            best, sim = (a.tolist() for a in model.evidence(owned, picked, pre))
            for r, row in enumerate(best):
                for s, i in enumerate(row):
                    if i >= 0:
                        out[r][s] = (
                            f"customers who bought {names[i]} buy it too "
                            f"(similarity {sim[r][s]:.2f})"
                        )
        elif isinstance(model, ALSRecommender):
            best = model.evidence(owned, picked)[0].tolist()
            for r, row in enumerate(best):
                for s, i in enumerate(row):
                    if i >= 0:
                        out[r][s] = f"fits the taste of customers who bought {names[i]}"
        return out, strong

    def reasons(
        self,
        owned: sp.csr_matrix,
        picked: np.ndarray,
        contrib: Mapping[str, np.ndarray],
    ) -> list[list[list[str]]]:
        """Reasons for each picked item (customers × k, -1 for none).

        Args:
            owned: customers × items, binary.
            picked: the offered items.
            contrib: model → customers × k, its weighted contribution to each offer.
        """
        speaking = [n for n, c in contrib.items() if n in self.models and c.max(initial=0) > 0]
        wanted = [*speaking, *(n for n in STRONG if n in self.models and n not in speaking)]
        found = self.evidence(wanted, owned, picked)
        texts = {n: self.texts(n, owned, picked, found) for n in wanted}
        extra = [texts[n] for n in STRONG if n in texts]
        fallback = next(
            (
                n
                for n in ("popularity", "recent")
                if isinstance(self.models.get(n), PopularityRecommender)
            ),
            None,
        )
        floor = self.popular(fallback) if fallback else None
        u, k = picked.shape
        ranks: list[list[list[int]]] = [[[]] * k for _ in range(u)]
        if speaking and u == 1:  # a few numbers: sorted in Python, as stably as below
            values = [contrib[n][0].tolist() for n in speaking]
            ranks = [
                [
                    [
                        m
                        for m in sorted(range(len(speaking)), key=lambda m: -values[m][s])
                        if values[m][s] > 0
                    ]
                    for s in range(k)
                ]
            ]
        elif speaking:
            stacked = np.stack([contrib[n] for n in speaking])  # models × customers × k
            order = np.argsort(-stacked, axis=0, kind="stable")
            positive = np.take_along_axis(stacked, order, axis=0) > 0
            ranks = np.where(positive, order, -1).transpose(1, 2, 0).tolist()
        said = [texts[n][0] for n in speaking]
        extra_texts = extra
        out: list[list[list[str]]] = []
        for r, row in enumerate(picked.tolist()):
            reasons_row: list[list[str]] = []
            for s, j in enumerate(row):
                if j < 0:
                    reasons_row.append([])
                    continue
                got: list[str] = []
                for m in ranks[r][s]:
                    text = said[m][r][s] if m >= 0 else ""
                    if text and text not in got:
                        got.append(text)
                for more, strong in extra_texts:
                    if len(got) >= MAX_REASONS:
                        break
                    if strong[r][s] and more[r][s] not in got:
                        got.append(more[r][s])
                if not got:
                    got.append(floor[j] if floor else "popular")
                reasons_row.append(got[:MAX_REASONS])
            out.append(reasons_row)
        return out
