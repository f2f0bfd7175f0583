"""Item × item matrices pruned to a few entries per row, as dense tables: the sparse models'
scores and the evidence behind their reasons in a handful of numpy calls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import entries

LAST = np.iinfo(np.int64).max
SMALL = 2048  # below this many entries `_first_best` sorts instead of scattering
SLOTS = np.arange(2**15, dtype=np.int16)  # offer slots 0, 1, ... (read, never written)


def index_type(n_items: int) -> type[np.signedinteger]:
    """The smallest integer type for item numbers: fewer bytes to read per table row
    (int16 up to 32,768 items; catalogues stay far below 2^31)."""
    return np.int16 if n_items <= 2**15 else np.int32


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
        self.index = np.zeros((n, width), index_type(self.n_items))
        self.value = np.zeros((n, width), np.float32)
        self.index[rows, slot] = m.indices
        self.value[rows, slot] = m.data
        self.parts = [(0, width)]  # (first column, width) of each table stacked here
        self.part_of = np.zeros(width, np.int64)  # which stacked table each column is of
        self.offset = np.zeros(width, np.int64)  # column → (its table's first column)
        self.width_of = np.full(width, width, np.int64)  # column → its table's width
        self.column_part: list[int] = [0] * width  # `part_of` as a list, read cell by cell

    @classmethod
    def stack(cls, tables: Sequence[Neighbours]) -> Neighbours:
        """Several models' tables side by side, so one `best_owned` serves them all.

        The tables given become views of the stacked arrays (their contents stay as they
        were): one copy in memory, and the rows that scoring a customer reads are the
        rows their reasons read next, still in the CPU's cache.
        """
        out = cls.__new__(cls)
        out.n_items = tables[0].n_items
        out.index = np.hstack([t.index for t in tables])
        out.value = np.hstack([t.value for t in tables])
        widths = [t.index.shape[1] for t in tables]
        for t, start, width in zip(
            tables, np.cumsum([0, *widths[:-1]]).tolist(), widths, strict=True
        ):
            t.index = out.index[:, start : start + width]
            t.value = out.value[:, start : start + width]
        out.parts = list(zip(np.cumsum([0, *widths[:-1]]).tolist(), widths, strict=True))
        out.part_of = np.repeat(np.arange(len(tables)), widths)
        out.offset = np.repeat([start for start, _ in out.parts], widths)
        out.width_of = np.repeat(widths, widths)
        out.column_part = out.part_of.tolist()
        return out

    def table(self, m: sp.csr_matrix) -> np.ndarray:
        """Another matrix's entries at this table's (row, neighbour) positions."""
        rows = np.repeat(np.arange(len(self.index)), self.index.shape[1])
        return entries(m, rows, self.index.ravel()).reshape(self.index.shape)

    def row_sums(self, owned: sp.csr_matrix) -> np.ndarray:
        """`owned @ m` as a dense float32 array (binary `owned`), customers × items.

        `np.add.at` adds each cell's terms in the order given, the same for one customer
        as for a block, in float32; on a block it is ten times faster than `bincount`.
        """
        n = self.n_items
        items = owned.indices
        u = owned.shape[0]
        if u == 1:
            cols = self.index[items].ravel()
        else:
            rows = np.repeat(np.arange(u, dtype=np.int64), np.diff(owned.indptr))
            cols = (rows[:, None] * n + self.index[items]).ravel()
        out = np.zeros(u * n, np.float32)
        np.add.at(out, cols, self.value[items].ravel())
        return out.reshape(u, n)

    def best_owned(
        self, owned: sp.csr_matrix, items: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each customer (row of `owned`) and each of their `items` (rows × k, -1 for
        none), in each stacked table: the owned item i with the largest m[i, item] > 0
        (the first owned on a tie), that value, and the entry's flat position in that
        table (-1, 0, -1 where there is none)."""
        u, k = items.shape
        parts = len(self.parts)
        if u == 1 and owned.indptr[-1] and k:
            return [
                (
                    np.asarray(best, np.int64).reshape(1, k),
                    np.asarray(value, np.float64).reshape(1, k),
                    np.asarray(where, np.int64).reshape(1, k),
                )
                for best, value, where in self.best_owned_one(owned.indices, items[0])
            ]
        best = np.full(parts * u * k, -1, np.int64)
        value = np.zeros(parts * u * k)
        where = np.full(parts * u * k, -1, np.int64)
        shape = (parts, u, k)
        if not owned.nnz or not k:
            return list(
                zip(best.reshape(shape), value.reshape(shape), where.reshape(shape), strict=True)
            )
        mine = owned.indices.astype(np.int64)
        # Each customer's offered items by slot, then a gather of their owned items' rows:
        # only the few neighbours that are offered items are looked at further.
        dtype = np.int16 if k < 2**15 else np.int64
        owner = np.repeat(np.arange(u), np.diff(owned.indptr))  # row of each owned entry
        grid = np.full((u, self.n_items), -1, dtype)
        r, c = np.nonzero(items >= 0)
        grid[r, items[r, c]] = c
        # `take` on flat positions and a flat nonzero: each half the time of 2-D indexing.
        width = self.index.shape[1]
        hits = np.take(grid, (owner * self.n_items)[:, None] + self.index[mine])
        flat = np.flatnonzero(hits >= 0)
        e, w = np.divmod(flat, width)
        v = self.value[mine[e], w]
        positive = v > 0
        e, w, v, flat = e[positive], w[positive], v[positive], flat[positive]
        part = self.part_of[w]
        group = (part * u + owner[e]) * k + hits.ravel()[flat]
        first = _first_best(group, v, e, parts * u * k)
        at = group[first]
        item = mine[e[first]]
        column = w[first]
        best[at] = item
        value[at] = v[first]
        where[at] = item * self.width_of[column] + column - self.offset[column]
        return list(
            zip(best.reshape(shape), value.reshape(shape), where.reshape(shape), strict=True)
        )

    def best_owned_one(
        self, mine: np.ndarray, items: np.ndarray
    ) -> list[tuple[list[int], list[float], list[int]]]:
        """`best_owned` for one customer (owned items `mine`, offered `items`, -1 for
        none), as plain lists per stacked table: best owned item, value, entry (-1, 0, -1
        where there is none).

        The same choice as for a block (largest value, the first owned on a tie): a few
        numpy calls find the offered items among the owned items' neighbours (about a
        hundred of a few thousand table cells), and a plain loop keeps each one's best,
        fewer steps than numpy's sort-and-pick on so few.
        """
        k = len(items)
        width = self.index.shape[1]
        column_part = self.column_part
        best = [-1] * (len(self.parts) * k)
        value = [0.0] * len(best)
        cell = [-1] * len(best)
        if len(mine) and k:
            slot_of = np.full(self.n_items, -1, np.int16 if k < len(SLOTS) else np.int64)
            if k < len(SLOTS) and items.min() >= 0:  # as a rule: no empty slot
                slot_of[items] = SLOTS[:k]
            else:
                valid = np.flatnonzero(items >= 0)
                slot_of[items[valid]] = valid
            hits = slot_of[self.index[mine]].ravel()  # owned items × columns, flat
            flat = np.flatnonzero(hits >= 0)
            values = self.value[mine].ravel()[flat].tolist()
            # In flat order (owned entry, then column): a strictly larger value replaces,
            # so the first owned item wins a tie; unused slots hold value 0, never kept.
            for f, v, s in zip(flat.tolist(), values, hits[flat].tolist(), strict=True):
                g = column_part[f % width] * k + s
                if v > value[g]:
                    value[g] = v
                    cell[g] = f
        mine_list = mine.tolist() if len(mine) else []
        where = [-1] * len(best)
        for g, f in enumerate(cell):
            if f >= 0:
                e, column = divmod(f, width)
                start, size = self.parts[column_part[column]]
                best[g] = item = mine_list[e]
                where[g] = item * size + column - start
        return [
            (best[p * k : p * k + k], value[p * k : p * k + k], where[p * k : p * k + k])
            for p in range(len(self.parts))
        ]


def _first_best(group: np.ndarray, value: np.ndarray, order: np.ndarray, groups: int) -> np.ndarray:
    """Positions of the entry with the largest `value` of each group (`group` in
    [0, groups)), the smallest `order` among equal values; one position per group present.

    Two scatters instead of a sort: `np.maximum.at` finds each group's largest value,
    `np.minimum.at` the first entry holding it (`order` is unique within a group).
    """
    if len(group) < SMALL:  # one customer's few hits: a sort is fewer numpy calls
        order_ = np.lexsort((order, -value, group))
        g = group[order_]
        lead = np.ones(len(g), bool)
        lead[1:] = g[1:] != g[:-1]
        return order_[lead]
    top = np.full(groups, -np.inf, value.dtype)
    np.maximum.at(top, group, value)
    tied = np.flatnonzero(value == top[group])
    lowest = np.full(groups, LAST, np.int64)
    np.minimum.at(lowest, group[tied], order[tied])
    return tied[order[tied] == lowest[group[tied]]]
