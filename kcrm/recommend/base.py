"""The one recommender shape every candidate model has, after the `implicit` library.

`fit(data)`, `score(user_items)` for many customers at once, `recommend(userid,
user_items, N, filter_already_liked_items, filter_items) -> (ids, scores)`,
`similar_items(itemid, N)`, `update(new_lines)` for freshness, `save`/`load`.
Scores are always computed from the `user_items` rows passed in (the history as
it is now), never from a copy frozen at training time: that is what lets a new
purchase change a customer's offers before the next retrain.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Interactions

IdsScores = tuple[np.ndarray, np.ndarray]


def top_n(scores: np.ndarray, n: int, exclude: np.ndarray | None = None) -> IdsScores:
    """The `n` best finite scores, best first; `exclude` is a bool mask or an index array."""
    s = np.asarray(scores, dtype=np.float32).copy()
    if exclude is not None and len(exclude):
        s[exclude] = -np.inf
    valid = int(np.isfinite(s).sum())
    n = min(n, valid)
    if n <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.argpartition(-s, n - 1)[:n] if n < len(s) else np.arange(len(s))
    idx = idx[np.argsort(-s[idx], kind="stable")]
    idx = idx[np.isfinite(s[idx])]
    return idx.astype(np.int64), s[idx]


def check_rows(user_items: Any, n_items: int) -> sp.csr_matrix:
    """`user_items` as CSR with `n_items` columns, or a ValueError naming the problem."""
    if not sp.issparse(user_items):
        raise ValueError(f"user_items must be a scipy sparse matrix, got {type(user_items)!r}")
    m = sp.csr_matrix(user_items)
    if m.shape[1] != n_items:
        raise ValueError(f"user_items has {m.shape[1]} columns but the model has {n_items} items")
    return m


def expand(
    m: sp.csr_matrix, owned: sp.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every stored entry (i, c, v) of `m` for every item i in each row of `owned`.

    Returns (row of `owned`, column c, value v, the owned item i) as flat arrays: the
    gather behind the product rules, for one customer or a block alike, without
    scipy's per-call overhead (tens of microseconds a product).
    """
    counts = np.diff(owned.indptr)
    items = owned.indices
    starts = m.indptr[items].astype(np.int64)
    lens = m.indptr[items + 1] - starts
    rows = np.repeat(np.repeat(np.arange(owned.shape[0], dtype=np.int64), counts), lens)
    ends = np.cumsum(lens)
    pos = np.repeat(starts - ends + lens, lens) + np.arange(int(ends[-1]) if len(ends) else 0)
    return rows, m.indices[pos], m.data[pos], np.repeat(items, lens)


def entries(m: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """m[i, j] elementwise (0 where nothing is stored).

    A binary search inside each row, all pairs at once: no copy of the matrix.
    """
    i, j = np.broadcast_arrays(np.asarray(i, np.int64), np.asarray(j, np.int64))
    out = np.zeros(i.shape, m.dtype)
    if not m.nnz or not i.size:
        return out
    if not m.has_sorted_indices:
        m.sort_indices()  # in place: the same matrix, its rows' entries in column order
    lo = m.indptr[i].astype(np.int64)
    end = m.indptr[i + 1].astype(np.int64)
    hi = end.copy()
    last = m.nnz - 1
    while True:
        active = lo < hi
        if not active.any():
            break
        mid = (lo + hi) // 2
        right = active & (m.indices[np.minimum(mid, last)] < j)
        lo = np.where(right, mid + 1, lo)
        hi = np.where(active & ~right, mid, hi)
    at = np.minimum(lo, last)
    found = (lo < end) & (m.indices[at] == j)
    out[found] = m.data[at[found]]
    return out


def best_owned(
    m: sp.csr_matrix, owned: sp.csr_matrix, items: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each customer (row of `owned`) and each of their `items` (rows × k, -1 for
    none): the owned item i with the largest m[i, item] > 0, and that value (-1, 0 when
    none). For small relations such as the product rules; models use `Neighbours`."""
    u, k = items.shape
    best = np.full((u, k), -1, np.int64)
    value = np.zeros((u, k))
    for r in range(u):
        mine = owned.indices[owned.indptr[r] : owned.indptr[r + 1]]
        if not len(mine):
            continue
        vals = entries(m, mine[:, None], np.maximum(items[r], 0)[None, :])
        vals[:, items[r] < 0] = 0
        top = vals.argmax(axis=0)
        v = vals[top, np.arange(k)]
        best[r] = np.where(v > 0, mine[top], -1)
        value[r] = np.where(v > 0, v, 0.0)
    return best, value


def sparse_arrays(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = sp.csr_matrix(m)
    return {
        f"{prefix}_data": m.data,
        f"{prefix}_indices": m.indices,
        f"{prefix}_indptr": m.indptr,
        f"{prefix}_shape": np.asarray(m.shape),
    }


def sparse_from(prefix: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{prefix}_shape"])
    return sp.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
        shape=shape,
    )


class Recommender(ABC):
    """Scores every item for customers, from their purchase rows."""

    name: ClassVar[str]
    n_items: int = 0

    @abstractmethod
    def fit(self, data: Interactions) -> Self:
        """Learn from all lines of `data`; returns self."""

    @abstractmethod
    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        """Scores of every item for each row.

        Args:
            user_items: rows × n_items, the customers' purchases now (binary).
            userids: the customers' indices in the training data, when known.
        Returns:
            float32 array rows × n_items; higher is better, 0 means no evidence.
        """

    @abstractmethod
    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        """Items most like `itemid` (itself excluded), best first."""

    def update(self, new: Interactions, before: sp.csr_matrix) -> None:  # noqa: B027
        """Fold in new order lines without a full retrain (`before`: user_items before them).

        Models whose user state is recomputed from `user_items` on every call need nothing.
        """

    def recommend(
        self,
        userid: int,
        user_items: sp.csr_matrix,
        N: int = 10,
        filter_already_liked_items: bool = True,
        filter_items: np.ndarray | None = None,
    ) -> IdsScores:
        """The `N` best items for one customer whose purchases are the one row `user_items`."""
        row = check_rows(user_items, self.n_items)
        if row.shape[0] != 1:
            raise ValueError(f"user_items must have exactly one row, got {row.shape[0]}")
        if N < 1:
            raise ValueError(f"N must be at least 1, got {N}")
        scores = self.score(row, np.asarray([userid]))[0]
        exclude = [np.asarray(filter_items, np.int64)] if filter_items is not None else []
        if filter_already_liked_items:
            exclude.append(row.indices.astype(np.int64))
        return top_n(scores, N, np.concatenate(exclude) if exclude else None)

    # ---- persistence: arrays in one .npz, parameters as JSON beside them (no pickle) ----
    def params(self) -> dict[str, Any]:
        return {}

    @abstractmethod
    def arrays(self) -> dict[str, np.ndarray]:
        """The fitted state as named arrays."""

    @abstractmethod
    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Set the fitted state from `arrays()` output."""

    def save(self, path: Path) -> None:
        meta = {"model": self.name, "params": self.params()}
        save_npz(path, meta, {"n_items": np.asarray(self.n_items), **self.arrays()})

    @classmethod
    def load(cls, path: Path) -> Self:
        meta, arrays = load_npz(path)
        if meta["model"] != cls.name:
            raise ValueError(f"{path} holds a {meta['model']!r} model, not {cls.name!r}")
        model = cls(**meta["params"])
        model.n_items = int(arrays.pop("n_items"))
        model.restore(arrays)
        return model


def save_npz(path: Path, meta: dict[str, Any], arrays: dict[str, Any]) -> None:
    """Arrays and JSON metadata in one `.npz` (read back without pickle)."""
    np.savez(path, __meta__=np.asarray(json.dumps(meta)), **arrays)


def load_npz(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(metadata, arrays) written by `save_npz`."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    return json.loads(str(arrays.pop("__meta__"))), arrays
