"""Item-to-item co-purchase with association rules: support, confidence, lift.

The score of item j for a customer is the sum, over items i they own, of the
rule's added value conf(i→j) − P(j): how much owning i raises the chance of j
above its base rate. Unlike confidence it does not just echo popularity (which
the blend has already), and unlike raw lift it does not favour items seen twice.
"""

from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import (
    IdsScores,
    Recommender,
    sparse_arrays,
    sparse_from,
    top_n,
)
from kcrm.recommend.data import Interactions
from kcrm.recommend.neighbours import Neighbours

Unit = Literal["customer", "order"]


def prune_rows(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the `k` largest entries of every row (vectorised, no Python loop over rows)."""
    m = sp.csr_matrix(m)
    m.eliminate_zeros()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    order = np.lexsort((-m.data, rows))
    rank = np.arange(len(order)) - m.indptr[rows[order]]
    keep = order[rank < k]
    out = sp.csr_matrix((m.data[keep], (rows[keep], m.indices[keep])), shape=m.shape)
    out.sort_indices()
    return out


class CoPurchaseRecommender(Recommender):
    """Association rules between items bought by the same customer (or in the same order)."""

    name = "copurchase"

    def __init__(self, unit: Unit = "customer", neighbours: int = 50, min_support: int = 2) -> None:
        if unit not in ("customer", "order"):
            raise ValueError(f"unit must be 'customer' or 'order', got {unit!r}")
        if neighbours < 1 or min_support < 1:
            raise ValueError("neighbours and min_support must be at least 1")
        self.unit: Unit = unit
        self.neighbours = neighbours
        self.min_support = min_support
        self.pairs = sp.csr_matrix((0, 0), dtype=np.float32)  # units holding both i and j
        self.item_units = np.zeros(0)  # units holding each item
        self.units = 0  # units holding anything
        self.rules = sp.csr_matrix((0, 0), dtype=np.float32)  # pruned added value i→j
        # The rules as neighbour tables and the units holding both items of each rule,
        # for the rules object they were built from (rules are replaced, never edited).
        self._tables: tuple[sp.csr_matrix, Neighbours, np.ndarray] | None = None

    def _unit_items(self, data: Interactions) -> sp.csr_matrix:
        if self.unit == "customer":
            return data.user_items()
        codes, order = np.unique(data.order, return_inverse=True)
        m = sp.csr_matrix(
            (np.ones(len(order), np.float32), (order, data.item)), shape=(len(codes), data.n_items)
        )
        m.sum_duplicates()
        m.data[:] = 1.0
        return m

    @staticmethod
    def _cooccur(x: sp.csr_matrix) -> sp.csr_matrix:
        c = sp.csr_matrix(x.T @ x, dtype=np.float32)
        c.setdiag(0)
        c.eliminate_zeros()
        return c

    def fit(self, data: Interactions) -> Self:
        self.n_items = data.n_items
        x = self._unit_items(data)
        self.pairs = self._cooccur(x)
        self.item_units = np.asarray(x.sum(axis=0)).ravel().astype(np.float64)
        self.units = int((np.diff(x.indptr) > 0).sum())
        self.rules = self._rules(self.pairs)
        return self

    def _rules(self, pairs: sp.csr_matrix) -> sp.csr_matrix:
        """Added value of every pair seen at least `min_support` times, pruned per row."""
        c = sp.csr_matrix(pairs)
        rows = np.repeat(np.arange(c.shape[0]), np.diff(c.indptr))
        conf = c.data / np.maximum(self.item_units[rows], 1.0)
        base = self.item_units[c.indices] / max(self.units, 1)
        value = np.where(c.data >= self.min_support, conf - base, 0.0)
        value = np.maximum(value, 0.0).astype(np.float32)
        out = sp.csr_matrix((value, c.indices.copy(), c.indptr.copy()), shape=c.shape)
        return prune_rows(out, self.neighbours)

    def update(self, new: Interactions, before: sp.csr_matrix) -> None:
        """Add the new lines' pairs to the counts and redo the rules of the items they touch."""
        if not len(new.item):
            return
        if self.unit == "customer":
            users = np.unique(new.user)
            old = sp.csr_matrix(before[users])
            add = sp.csr_matrix(
                (np.ones(len(new.user), np.float32), (np.searchsorted(users, new.user), new.item)),
                shape=(len(users), self.n_items),
            )
            after = old + add
            after.data[:] = 1.0
            delta = self._cooccur(after) - self._cooccur(old)
            self.item_units += np.asarray(after.sum(0)).ravel() - np.asarray(old.sum(0)).ravel()
            self.units += int(((np.diff(after.indptr) > 0) & (np.diff(old.indptr) == 0)).sum())
        else:
            x = self._unit_items(new)
            delta = self._cooccur(x)
            self.item_units += np.asarray(x.sum(0)).ravel()
            self.units += x.shape[0]
        self.pairs = sp.csr_matrix(self.pairs + delta)
        touched = np.unique(np.concatenate([sp.find(delta)[0], np.unique(new.item)]))
        keep = np.ones(self.n_items, np.float32)
        keep[touched] = 0.0
        fresh = self._rules(self.pairs[touched])
        select = sp.csr_matrix(
            (np.ones(len(touched), np.float32), (touched, np.arange(len(touched)))),
            shape=(self.n_items, len(touched)),
        )
        self.rules = sp.csr_matrix(sp.diags(keep) @ self.rules + select @ fresh)
        self.pairs.sort_indices()

    def tables(self) -> tuple[Neighbours, np.ndarray]:
        """The rules as neighbour tables, and the units holding both items of each rule."""
        if self._tables is None or self._tables[0] is not self.rules:
            table = Neighbours(self.rules)
            self._tables = (self.rules, table, table.table(self.pairs))
        return self._tables[1], self._tables[2]

    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        return self.tables()[0].row_sums(user_items)

    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        return top_n(self.rules[itemid].toarray().ravel(), N, np.asarray([itemid]))

    def table(self) -> Neighbours:
        return self.tables()[0]

    def evidence(
        self,
        owned: sp.csr_matrix,
        items: np.ndarray,
        found: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each customer's `items` (rows × k): the owned item whose rule adds most to
        it (-1 when none), the units holding both and the rule's lift.

        `found` is `table().best_owned(owned, items)` when already computed.
        """
        table, support = self.tables()
        best, _, where = found if found is not None else table.best_owned(owned, items)[0]
        if best.size <= 64:  # one customer's offers: a few scalars, cheaper in plain Python
            flat, units, n = support.ravel(), self.item_units, self.units
            both_l, lift_l = [], []
            for i, j, w in zip(
                best.ravel().tolist(), items.ravel().tolist(), where.ravel().tolist(), strict=True
            ):
                b = float(flat[w]) if i >= 0 else 0.0
                both_l.append(b)
                lift_l.append(b * n / max(units[i] * units[j], 1.0) if i >= 0 else 0.0)
            return (
                best,
                np.asarray(both_l).reshape(best.shape),
                np.asarray(lift_l).reshape(best.shape),
            )
        known = best >= 0
        both = np.where(known, support.ravel()[np.maximum(where, 0)], 0.0)
        expected = self.item_units[np.maximum(best, 0)] * self.item_units[np.maximum(items, 0)]
        lift = np.where(known, both * self.units / np.maximum(expected, 1.0), 0.0)
        return best, both, lift

    def params(self) -> dict[str, Any]:
        return {"unit": self.unit, "neighbours": self.neighbours, "min_support": self.min_support}

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            **sparse_arrays("pairs", self.pairs),
            **sparse_arrays("rules", self.rules),
            "item_units": self.item_units,
            "units": np.asarray(self.units),
        }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.pairs = sparse_from("pairs", arrays)
        self.rules = sparse_from("rules", arrays)
        self.pairs.sort_indices()
        self.item_units = arrays["item_units"]
        self.units = int(arrays["units"])
