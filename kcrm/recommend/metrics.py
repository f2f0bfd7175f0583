"""Top-k ranking metrics over many customers at once, and the temporal hold-out they use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Interactions


@dataclass
class Holdout:
    """Train on lines before the split; the truth is each customer's new items after it."""

    train: Interactions
    truth: sp.csr_matrix  # users × items: bought after the split, never before
    users: np.ndarray  # customers with history before the split and a new item after it


def holdout(data: Interactions, split_day: float, end_day: float | None = None) -> Holdout:
    """Split by time and keep only first purchases of items new to each customer."""
    train = data.before(split_day)
    test = data.between(split_day, end_day)
    owned = train.user_items()
    after = test.user_items()
    truth = sp.csr_matrix(after - after.multiply(owned))
    truth.eliminate_zeros()
    users = np.flatnonzero((np.diff(truth.indptr) > 0) & (np.diff(owned.indptr) > 0))
    return Holdout(train, truth, users)


def top_k(scores: np.ndarray, exclude: sp.csr_matrix, k: int) -> np.ndarray:
    """Best `k` item ids per row (rows × k), excluded items never chosen."""
    s = np.array(scores, dtype=np.float32, copy=True)
    rows, cols = exclude.nonzero()
    s[rows, cols] = -np.inf
    k = min(k, s.shape[1])
    idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
    part = np.take_along_axis(s, idx, axis=1)
    order = np.argsort(-part, axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1)


def ndcg_per_user(recs: np.ndarray, truth: sp.csr_matrix) -> np.ndarray:
    """NDCG@k of each row (binary relevance), for paired comparisons of two rankings."""
    n, k = recs.shape
    rows = np.repeat(np.arange(n), k)
    hit = np.asarray(truth[rows, recs.ravel()]).reshape(n, k) > 0
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    relevant = np.minimum(np.diff(truth.indptr), k).astype(int)
    ideal = np.cumsum(discount)[np.maximum(relevant, 1) - 1]
    return np.where(relevant > 0, (hit * discount).sum(axis=1) / ideal, 0.0)


def ranking_metrics(recs: np.ndarray, truth: sp.csr_matrix, n_items: int) -> dict[str, float]:
    """HR@k, precision@k, recall@k, NDCG@k, MAP@k and catalogue coverage.

    Args:
        recs: rows × k item ids, best first.
        truth: rows × n_items relevant items (binary), one row per row of `recs`.
        n_items: catalogue size, for coverage.
    Returns:
        the mean of each metric over rows (coverage: share of the catalogue recommended).
    """
    n, k = recs.shape
    if n == 0:
        return {m: 0.0 for m in ("hr", "precision", "recall", "ndcg", "map", "coverage")}
    rows = np.repeat(np.arange(n), k)
    hit = np.asarray(truth[rows, recs.ravel()]).reshape(n, k) > 0
    relevant = np.diff(truth.indptr).astype(np.float64)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hit * discount).sum(axis=1)
    ideal = np.cumsum(discount)[np.minimum(relevant, k).astype(int) - 1]
    cum_hits = np.cumsum(hit, axis=1)
    ap = (hit * cum_hits / np.arange(1, k + 1)).sum(axis=1) / np.minimum(relevant, k)
    return {
        "hr": float(hit.any(axis=1).mean()),
        "precision": float(hit.sum(axis=1).mean() / k),
        "recall": float((hit.sum(axis=1) / relevant).mean()),
        "ndcg": float((dcg / ideal).mean()),
        "map": float(ap.mean()),
        "coverage": float(len(np.unique(recs)) / max(n_items, 1)),
    }
