"""Reasons on every offer, from the models that put it there, for many customers at once.

Each model's evidence for the offered items comes from one vectorised look-up per
block of customers (`base.best_owned` and `base.entries`); only the texts are made one
by one, and only for the offers shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
MEMO = 500_000  # texts remembered per model at most (then forgotten and made again)

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
        self._stacked: tuple[list[Neighbours], Neighbours] | None = None  # tables, stacked
        self._tabled: dict[tuple[str, ...], list[str]] = {}  # models keeping tables, by ask
        # Texts already made, per model: (the table they were read from, key → text).
        self._memo: dict[str, tuple[Any, dict[int, str]]] = {}

    def reset(self) -> None:
        """Forget cached texts (popularity counts changed)."""
        self._popular = {}
        self._memo = {}

    def memo(self, name: str, source: Any) -> dict[int, str]:
        """The texts of model `name` already made, by key: a text depends on nothing but
        its key (an entry of the model's table, or an owned item) while `source` stays
        the same, and a look-up costs less than formatting (an export names the same
        pairs again and again)."""
        held = self._memo.get(name)
        if held is None or held[0] is not source or len(held[1]) > MEMO:
            held = self._memo[name] = (source, {})
        return held[1]

    def _remembered(
        self, name: str, source: Any, keys: list[int], make: Callable[[int], str]
    ) -> Callable[[int], str]:
        """`make(p)` remembered by `keys[p]` (see `memo`)."""
        memo = self.memo(name, source)

        def text(p: int) -> str:
            key = keys[p]
            got = memo.get(key)
            if got is None:
                got = memo[key] = make(p)
            return got

        return text

    def popular(self, name: str) -> list[str]:
        model = self.models[name]
        assert isinstance(model, PopularityRecommender)
        if name not in self._popular:
            self._popular[name] = popular_texts(model)
        return self._popular[name]

    def stacked(self, names: list[str]) -> tuple[list[str], Neighbours | None]:
        """The models in `names` that keep neighbour tables, and their tables side by side
        (rebuilt when a model's table changes)."""
        tabled = self._tabled.get(tuple(names))
        if tabled is None:
            tabled = [n for n in names if isinstance(self.models[n], TABLED)]
            self._tabled[tuple(names)] = tabled
        if not tabled:
            return tabled, None
        tables = [self.models[n].table() for n in tabled]  # type: ignore[attr-defined]
        held = self._stacked
        if (
            held is None
            or len(held[0]) != len(tables)
            or any(a is not b for a, b in zip(held[0], tables, strict=True))
        ):
            held = self._stacked = (tables, Neighbours.stack(tables))
        return tabled, held[1]

    def evidence(self, names: list[str], owned: sp.csr_matrix, picked: np.ndarray) -> Found:
        """The best owned item behind each picked item for every model in `names` that
        keeps neighbour tables, in one pass over their tables stacked side by side."""
        tabled, table = self.stacked(names)
        if table is None:
            return {}
        return dict(zip(tabled, table.best_owned(owned, picked), strict=True))

    def floor(self) -> list[str] | None:
        """The popularity reason of every item, said when no model has anything to say."""
        fallback = next(
            (
                n
                for n in ("popularity", "recent")
                if isinstance(self.models.get(n), PopularityRecommender)
            ),
            None,
        )
        return self.popular(fallback) if fallback else None

    def said(self, name: str, owned: sp.csr_matrix, picked: np.ndarray, found: Found) -> Said:
        """What one model can say for every picked item (customers × k, -1 for none)."""
        model = self.models[name]
        shape = picked.shape
        none = np.zeros(shape, bool)
        names = self.names
        pre = found.get(name)
        if isinstance(model, PopularityRecommender):
            texts, items = self.popular(name), picked.ravel().tolist()
            return Said(picked >= 0, none, lambda p: texts[items[p]])
        # The table entry behind each offer: its text depends on that entry alone.
        where = [] if pre is None else pre[2].ravel().tolist()
        if isinstance(model, CoPurchaseRecommender):
            best_a, both_a, lift_a = model.evidence(owned, picked, pre)
            best, both, lift = (a.ravel().tolist() for a in (best_a, both_a, lift_a))
            who = "customers" if model.unit == "customer" else "orders"
            # A rule no more often true than chance (lift shown as 1.0) is no reason.
            has = (best_a >= 0) & (lift_a >= 1.05)
            return Said(
                has,
                has & (lift_a >= STRONG_LIFT),
                self._remembered(
                    name,
                    model.table(),
                    where or (best_a.ravel() * len(names) + picked.ravel()).tolist(),
                    lambda p: (
                        f"bought with {names[best[p]]} by {int(both[p])} {who} (lift {lift[p]:.1f})"
                    ),
                ),
            )
        if isinstance(model, ContentRecommender):
            best_a, sim_a = model.evidence(owned, picked, pre)
            best = best_a.ravel().tolist()
            has = (best_a >= 0) & (sim_a >= MIN_SIMILARITY)
            return Said(
                has,
                has & (sim_a >= STRONG_SIMILARITY),
                self._remembered(
                    name, None, best, lambda p: f"similar to {names[best[p]]} you bought"
                ),
            )
        if isinstance(model, ItemKNNRecommender):
            best_a, sim_a = model.evidence(owned, picked, pre)
            best, sim = best_a.ravel().tolist(), sim_a.ravel().tolist()
            return Said(
                best_a >= 0,
                none,
                self._remembered(
                    name,
                    model.table(),
                    where or (best_a.ravel() * len(names) + picked.ravel()).tolist(),
                    lambda p: (
                        f"customers who bought {names[best[p]]} buy it too "
                        f"(similarity {sim[p]:.2f})"
                    ),
                ),
            )
        if isinstance(model, ALSRecommender):
            best_a = model.evidence(owned, picked)[0]
            best = best_a.ravel().tolist()
            return Said(
                best_a >= 0,
                none,
                self._remembered(
                    name,
                    None,
                    best,
                    lambda p: f"fits the taste of customers who bought {names[best[p]]}",
                ),
            )
        return Said(none, none, lambda p: "")

    def reasons(
        self,
        owned: sp.csr_matrix,
        picked: np.ndarray,
        contrib: Mapping[str, np.ndarray],
    ) -> list[list[list[str]]]:
        """Reasons for each picked item (customers × k, -1 for none).

        The models that put an item there, largest contribution first, then any strong
        evidence of the `STRONG` models; at most `MAX_REASONS`, the popularity floor when
        none. Which model speaks for which offer is settled in arrays; only the texts
        shown are formatted.

        Args:
            owned: customers × items, binary.
            picked: the offered items.
            contrib: model → customers × k, its weighted contribution to each offer.
        """
        speaking = [n for n, c in contrib.items() if n in self.models and c.max(initial=0) > 0]
        extra = [n for n in STRONG if n in self.models]
        wanted = list(dict.fromkeys([*speaking, *extra]))
        found = self.evidence(wanted, owned, picked)
        said = {n: self.said(n, owned, picked, found) for n in wanted}
        u, k = picked.shape
        asks = self._asks(speaking, extra, wanted, contrib, said, (u, k))
        floor = self.floor()
        texts = [said[n].text for n in wanted]
        out: list[list[list[str]]] = []
        flat = picked.ravel().tolist()
        for r in range(u):
            row: list[list[str]] = []
            for p in range(r * k, r * k + k):
                j = flat[p]
                if j < 0:
                    row.append([])
                    continue
                got: list[str] = []
                for m in asks[p]:
                    if m < 0:
                        continue
                    text = texts[m](p)
                    if text not in got:
                        got.append(text)
                        if len(got) == MAX_REASONS:
                            break
                row.append(got or [floor[j] if floor else "popular"])
            out.append(row)
        return out

    @staticmethod
    def _asks(
        speaking: list[str],
        extra: list[str],
        wanted: list[str],
        contrib: Mapping[str, np.ndarray],
        said: Mapping[str, Said],
        shape: tuple[int, int],
    ) -> list[list[int]]:
        """For each offer (flat, row × k + slot), the models to ask for a reason, in order
        (positions in `wanted`, which starts with `speaking`; -1 to skip): the speaking
        models with something to say, largest contribution first, then the `extra`
        models whose evidence is strong (unless they spoke for it already)."""
        u, k = shape
        if u == 1 and speaking:  # a few numbers: one sort, then plain Python
            stacked = np.concatenate([contrib[n] for n in speaking])  # models × k
            order = np.argsort(-stacked, axis=0, kind="stable").T.tolist()
            talks = ((stacked > 0) & np.concatenate([said[n].has for n in speaking])).tolist()
            strong = [
                (
                    wanted.index(n),
                    said[n].strong[0].tolist(),
                    talks[speaking.index(n)] if n in speaking else [False] * k,
                )
                for n in extra
            ]
            return [
                [
                    *(m for m in order[s] if talks[m][s]),
                    *(x for x, sure, spoke in strong if sure[s] and not spoke[s]),
                ]
                for s in range(k)
            ]
        columns: list[np.ndarray] = []  # customers × k each: a model to ask per offer, or -1
        if speaking:
            stacked = np.stack([contrib[n] for n in speaking])  # models × customers × k
            order = np.argsort(-stacked, axis=0, kind="stable")
            positive = np.take_along_axis(stacked, order, axis=0) > 0
            has_a = np.stack([said[n].has for n in speaking])
            talks = positive & np.take_along_axis(has_a, order, axis=0)
            columns.extend(np.where(talks, order, -1))
        for n in extra:
            # Already said when its model spoke for the offer (strong evidence has a text).
            spoke_a = contrib[n] > 0 if n in speaking else np.zeros((u, k), bool)
            columns.append(np.where(said[n].strong & ~spoke_a, wanted.index(n), -1))
        if not columns:
            return [[] for _ in range(u * k)]
        return np.stack(columns, axis=-1).reshape(u * k, -1).tolist()


@dataclass
class Said:
    """What one model can say for each offer of a block (flat position p = row × k + slot)."""

    has: np.ndarray  # customers × k bool: the model has a reason to give
    strong: np.ndarray  # customers × k bool: strong enough to give whatever the blend weights
    text: Callable[[int], str]  # the reason at flat position p (only asked where `has`)
