"""A learned re-ranker: the last stage of the blend, trained on earlier weeks of the data.

Features of each (customer, item) pair: the item's statistics at the time
(`stats.ItemStats`: owner share, recency-weighted basket and first-purchase
shares at several half-lives, lines per owner), every model's normalised score,
and the item statistics again multiplied by the log of the customer's history
size (heavy buyers have the staples already and adopt other things). A logistic
regression on them is trained to predict the first purchases of new items in
held-out windows at the end of the training data, exactly as evaluation counts
them. Being linear, it scores a whole catalogue in a few vector operations, and
its coefficients are all there is to save.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import load_npz, save_npz
from kcrm.recommend.blend import combine
from kcrm.recommend.data import Interactions
from kcrm.recommend.metrics import ndcg_per_user, top_k
from kcrm.recommend.stats import ItemStats

# Regularisation of the logistic regression (sklearn's C, on standardised features).
C = 1.0


@dataclass
class Window:
    """One held-out window: customers' features before it and their new items in it."""

    features: np.ndarray  # items × item features, as of the window's start
    parts: dict[str, np.ndarray]  # model → customers × items, normalised scores
    owned: sp.csr_matrix  # customers × items, bought before the window
    truth: sp.csr_matrix  # customers × items, first bought in the window


def candidates(parts: Mapping[str, np.ndarray], owned: sp.csr_matrix, n: int) -> np.ndarray:
    """customers × items bool mask: the union of every model's top `n`, owned items removed."""
    first = next(iter(parts.values()))
    rows, items = first.shape
    if n >= items:
        mask = np.ones((rows, items), bool)
    else:
        mask = np.zeros((rows, items), bool)
        for p in parts.values():
            top = np.argpartition(-p, n - 1, axis=1)[:, :n]
            np.put_along_axis(mask, top, True, axis=1)
    r, c = owned.nonzero()
    mask[r, c] = False
    return mask


def design(
    features: np.ndarray,
    parts: Mapping[str, np.ndarray],
    names: Sequence[str],
    history: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
) -> np.ndarray:
    """The feature matrix of the (row, col) pairs: item, model and interaction columns."""
    f = features[cols]
    p = np.stack([parts[n][rows, cols] for n in names], axis=1) if names else f[:, :0]
    h = np.log1p(history[rows]).astype(np.float32)[:, None] * f
    return np.hstack([f, p, h]).astype(np.float32)


def feature_names(item_names: Sequence[str], names: Sequence[str]) -> list[str]:
    return [*item_names, *(f"score_{n}" for n in names), *(f"history_x_{n}" for n in item_names)]


class Reranker:
    """Logistic regression over item statistics, model scores and history size."""

    def __init__(
        self, stats: ItemStats, names: Sequence[str], coef: np.ndarray, intercept: float
    ) -> None:
        self.stats = stats
        self.names = list(names)
        self.coef = np.asarray(coef, np.float64)
        self.intercept = float(intercept)
        self._item: tuple[np.ndarray, np.ndarray] | None = None  # cached item terms

    @property
    def n_item_features(self) -> int:
        return (len(self.coef) - len(self.names)) // 2

    def _terms(self, features: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-item constant term and per-item slope on log history size.

        Cached for the model's own statistics until `update`; `features` (items × item
        features) replaces them, to score a past window with that window's statistics.
        """
        if features is None and self._item is not None:
            return self._item
        f = self.stats.features()[0] if features is None else features
        p = self.n_item_features
        base = (f @ self.coef[:p] + self.intercept).astype(np.float32)
        slope = (f @ self.coef[p + len(self.names) :]).astype(np.float32)
        if features is None:
            self._item = (base, slope)
        return base, slope

    def score(
        self,
        parts: Mapping[str, np.ndarray],
        history: np.ndarray,
        features: np.ndarray | None = None,
    ) -> np.ndarray:
        """Probability of a first purchase, customers × items.

        Args:
            parts: model name → customers × items normalised scores (`train.score_parts`).
            history: items each customer owns now.
            features: item statistics to use instead of the model's own (past windows).
        Returns:
            float32 array in (0, 1); higher is better.
        """
        base, slope = self._terms(features)
        p = self.n_item_features
        h = np.log1p(np.asarray(history, np.float32))[:, None]
        logit = base[None, :] + h * slope[None, :]
        for w, name in zip(self.coef[p : p + len(self.names)], self.names, strict=True):
            if w != 0 and name in parts:
                logit = logit + np.float32(w) * parts[name]
        return (1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)

    def model_weights(self) -> dict[str, float]:
        """Each model's coefficient (positive part), for explanations."""
        p = self.n_item_features
        own = self.coef[p : p + len(self.names)]
        return {n: max(float(w), 0.0) for n, w in zip(self.names, own, strict=True)}

    def coefficients(self) -> dict[str, float]:
        """Every feature's coefficient (on raw features), by name: what the model learnt."""
        names = feature_names(self.stats.features()[1], self.names)
        return {n: round(float(w), 4) for n, w in zip(names, self.coef, strict=True)}

    def update(self, new: Interactions, before: sp.csr_matrix) -> None:
        self.stats.update(new, before)
        self._item = None

    # ---- persistence: arrays in one .npz, names as JSON (no pickle) ----
    def save(self, path: Path) -> None:
        meta = {"names": self.names, "intercept": self.intercept}
        save_npz(path, meta, {"coef": self.coef, **self.stats.arrays()})

    @classmethod
    def load(cls, path: Path) -> Reranker:
        meta, arrays = load_npz(path)
        coef = arrays.pop("coef")
        return cls(ItemStats.from_arrays(arrays), meta["names"], coef, meta["intercept"])


def final_scores(
    parts: Mapping[str, np.ndarray],
    weights: Mapping[str, float],
    reranker: Reranker | None,
    history: np.ndarray,
) -> np.ndarray:
    """The blend's output: the re-ranker's probabilities, or the weighted sum without one."""
    if reranker is None:
        return combine(parts, weights)
    return reranker.score(parts, history)


def training_rows(
    windows: Sequence[Window], names: Sequence[str], n_candidates: int
) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) over the candidates of every window."""
    xs, ys = [], []
    for w in windows:
        mask = candidates(w.parts, w.owned, n_candidates)
        rows, cols = np.nonzero(mask)
        history = np.diff(w.owned.indptr)
        xs.append(design(w.features, w.parts, names, history, rows, cols))
        ys.append(np.asarray(w.truth[rows, cols]).ravel() > 0)
    return np.vstack(xs), np.concatenate(ys)


def fit(x: np.ndarray, y: np.ndarray, stats: ItemStats, names: Sequence[str]) -> Reranker:
    """A re-ranker trained on rows `x` (`design` columns) with labels `y`, applied with
    `stats` (the item statistics now).
    """
    from sklearn.linear_model import LogisticRegression

    if y.all() or not y.any():
        raise ValueError("the training windows need both bought and unbought candidates")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000)
    lr.fit((x - mean) / scale, y)
    # Fold the standardisation into the coefficients: serving needs raw features only.
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - (coef * mean).sum())
    return Reranker(stats, names, coef, intercept)


def window_ndcg(model: Reranker, window: Window, k: int = 10) -> np.ndarray:
    """Per-customer NDCG@k of `model` on `window`, with that window's item statistics."""
    scores = model.score(window.parts, np.diff(window.owned.indptr), window.features)
    return ndcg_per_user(top_k(scores, window.owned, k), window.truth)
