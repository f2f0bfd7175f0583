"""Item × item matrices pruned to a few entries per row, as dense tables: the sparse models'
scores and the evidence behind their reasons in a handful of numpy calls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import entries


class Neighbours:
    """An item × item matrix pruned to a few entries per row, as two dense tables
    (items × width: neighbour index, value; unused slots hold index 0, value 0).

    Scoring a customer is then one gather of their items' rows and one `bincount`,
    a handful of numpy calls whether one customer is scored or a block of them, and
    the sums come out the same both ways (the same terms, added in the same order).
    """

    def __init__(self, m: sp.csr_matrix) -> None:
        m = sp.csr_matrix(m)
        counts = np.diff(m.indptr)
        n = m.shape[0]
        self.n_items = m.shape[1]
        width = max(int(counts.max(initial=0)), 1)
        rows = np.repeat(np.arange(n), counts)
        slot = np.arange(m.nnz) - np.repeat(m.indptr[:-1], counts)
        self.index = np.zeros((n, width), np.int64)
        self.value = np.zeros((n, width), np.float32)
        self.index[rows, slot] = m.indices
        self.value[rows, slot] = m.data
        self.parts = [(0, width)]  # (first column, width) of each table stacked here
        self.part_of = np.zeros(width, np.int64)  # which stacked table each column is of

    @classmethod
    def stack(cls, tables: Sequence[Neighbours]) -> Neighbours:
        """Several models' tables side by side, so one `best_owned` serves them all."""
        out = cls.__new__(cls)
        out.n_items = tables[0].n_items
        out.index = np.hstack([t.index for t in tables])
        out.value = np.hstack([t.value for t in tables])
        widths = [t.index.shape[1] for t in tables]
        out.parts = list(zip(np.cumsum([0, *widths[:-1]]).tolist(), widths, strict=True))
        out.part_of = np.repeat(np.arange(len(tables)), widths)
        return out

    def table(self, m: sp.csr_matrix) -> np.ndarray:
        """Another matrix's entries at this table's (row, neighbour) positions."""
        rows = np.repeat(np.arange(len(self.index)), self.index.shape[1])
        return entries(m, rows, self.index.ravel()).reshape(self.index.shape)

    def row_sums(self, owned: sp.csr_matrix) -> np.ndarray:
        """`owned @ m` as a dense float32 array (binary `owned`), customers × items."""
        n = self.n_items
        items = owned.indices
        u = owned.shape[0]
        if u == 1:
            cols = self.index[items].ravel()
        else:
            rows = np.repeat(np.arange(u, dtype=np.int64), np.diff(owned.indptr))
            cols = (rows[:, None] * n + self.index[items]).ravel()
        out = np.bincount(cols, self.value[items].ravel(), minlength=u * n)
        return out.reshape(u, n).astype(np.float32)

    def best_owned(
        self, owned: sp.csr_matrix, items: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each customer (row of `owned`) and each of their `items` (rows × k, -1 for
        none), in each stacked table: the owned item i with the largest m[i, item] > 0
        (the first owned on a tie), that value, and the entry's flat position in that
        table (-1, 0, -1 where there is none)."""
        u, k = items.shape
        out = [
            (np.full((u, k), -1, np.int64), np.zeros((u, k)), np.full((u, k), -1, np.int64))
            for _ in self.parts
        ]
        if not owned.nnz or not k:
            return out
        mine = owned.indices.astype(np.int64)
        # Each customer's offered items by slot, then a gather of their owned items' rows:
        # only the few neighbours that are offered items are looked at further.
        dtype = np.int16 if k < 2**15 else np.int64
        if u == 1:  # one customer: the same steps with fewer, cheaper numpy calls
            owner = np.zeros(len(mine), np.int64)
            slot_of = np.full(self.n_items, -1, dtype)
            valid = np.flatnonzero(items[0] >= 0)
            slot_of[items[0, valid]] = valid
            hits = slot_of[self.index[mine]]  # owned entries × columns
        else:
            owner = np.repeat(np.arange(u), np.diff(owned.indptr))  # row of each owned entry
            grid = np.full((u, self.n_items), -1, dtype)
            r, c = np.nonzero(items >= 0)
            grid[r, items[r, c]] = c
            hits = grid[owner[:, None], self.index[mine]]
        e, w = np.nonzero(hits >= 0)
        v = self.value[mine[e], w]
        positive = v > 0
        e, w, v = e[positive], w[positive], v[positive]
        part = self.part_of[w]
        group = (part * u + owner[e]) * k + hits[e, w]
        order = np.lexsort((e, -v, group))  # per offer: the largest value, then owned order
        g = group[order]
        lead = np.ones(len(g), bool)
        lead[1:] = g[1:] != g[:-1]
        first = order[lead]
        for p, (start, width) in enumerate(self.parts):
            pick = first[part[first] == p]
            cell = group[pick] - p * u * k
            best, value, where = out[p]
            best.flat[cell] = mine[e[pick]]
            value.flat[cell] = v[pick]
            where.flat[cell] = mine[e[pick]] * width + w[pick] - start
        return out
