"""Matrix factorisation: implicit-feedback ALS through the `implicit` library."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from kcrm.recommend.base import IdsScores, Recommender, top_n
from kcrm.recommend.data import Interactions


class ALSRecommender(Recommender):
    """ALS (Hu, Koren, Volinsky 2008). Customers' factors are solved again from their
    current purchases on every call (a least-squares solve against the fixed item
    factors, tens of microseconds), so new purchases count before any retrain.
    """

    name = "als"

    def __init__(
        self,
        factors: int = 32,
        iterations: int = 15,
        regularization: float = 1.0,
        alpha: float = 10.0,
        threads: int = 1,
        seed: int = 7,
    ) -> None:
        self.factors = factors
        self.iterations = iterations
        self.regularization = regularization
        self.alpha = alpha
        self.threads = threads
        self.seed = seed
        self.item_factors = np.zeros((0, factors), np.float32)
        self._yty: np.ndarray | None = None  # YᵀY + λI, cached for the user solves

    def _make(self) -> Any:
        # The CPU class explicitly: `implicit.als.AlternatingLeastSquares` would pick a
        # GPU when one exists, and GPU factors cannot be saved or scored with numpy.
        from implicit.cpu.als import AlternatingLeastSquares

        with threadpool_limits(1, "blas"):  # implicit warns about a threaded BLAS at init
            return AlternatingLeastSquares(
                factors=self.factors,
                iterations=self.iterations,
                regularization=self.regularization,
                alpha=self.alpha,
                num_threads=self.threads,
                random_state=self.seed,
                calculate_training_loss=False,
            )

    def fit(self, data: Interactions) -> Self:
        self.n_items = data.n_items
        model = self._make()
        # implicit parallelises itself; a multithreaded BLAS underneath only fights it.
        with threadpool_limits(1, "blas"):
            model.fit(data.user_items(), show_progress=False)
        self.item_factors = np.asarray(model.item_factors, np.float32)
        self._yty = None
        return self

    def _system(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the normal-equation matrix of a customer who bought `items`, their factors)."""
        y = self.item_factors
        if self._yty is None:
            self._yty = (y.T @ y).astype(np.float64) + self.regularization * np.eye(y.shape[1])
        yu = y[items].astype(np.float64)
        return self._yty + (self.alpha - 1.0) * (yu.T @ yu), yu

    def user_factors(self, user_items: sp.csr_matrix) -> np.ndarray:
        """The factors implicit's `recalculate_user` gives, solved here with numpy.

        implicit's own call costs ~20 ms (it starts its thread pool every time); the
        same normal equations, (YᵀY + λI + (α−1)·Σ yᵢyᵢᵀ) x = α·Σ yᵢ over the items
        bought, solve in microseconds. A test checks both agree.
        """
        out = np.zeros((user_items.shape[0], self.item_factors.shape[1]), np.float32)
        for r in range(user_items.shape[0]):
            items = user_items.indices[user_items.indptr[r] : user_items.indptr[r + 1]]
            if len(items):
                a, yu = self._system(items)
                out[r] = np.linalg.solve(a, self.alpha * yu.sum(axis=0))
        return out

    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        factors = self.user_factors(sp.csr_matrix(user_items, dtype=np.float32))
        scores = factors @ self.item_factors.T
        # A customer without purchases has no factor: no evidence, not a negative one.
        scores[np.diff(user_items.indptr) == 0] = 0.0
        return np.asarray(scores, np.float32)

    def evidence(self, owned: sp.csr_matrix, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each customer's `items` (rows × k): the owned item that adds most to the
        item's score (-1 none) and how much.

        The score is linear in the owned items' factors, yⱼ·A⁻¹·α·Σyᵢ, so each owned
        item's share is yⱼ·A⁻¹·α·yᵢ (as implicit's `explain` splits it).
        """
        best = np.full(items.shape, -1, np.int64)
        value = np.zeros(items.shape)
        for r in range(owned.shape[0]):
            mine = owned.indices[owned.indptr[r] : owned.indptr[r + 1]]
            wanted = items[r] >= 0
            if not len(mine) or not wanted.any():
                continue
            a, yu = self._system(mine)
            share = self.alpha * (self.item_factors[items[r][wanted]] @ np.linalg.solve(a, yu.T))
            top = share.argmax(axis=1)
            amount = share[np.arange(len(top)), top]
            best[r, wanted] = np.where(amount > 0, mine[top], -1)
            value[r, wanted] = np.maximum(amount, 0.0)
        return best, value

    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        items = self.item_factors
        norms = np.linalg.norm(items, axis=1) + 1e-9
        sims = items @ items[itemid] / (norms * norms[itemid])
        return top_n(sims, N, np.asarray([itemid]))

    def params(self) -> dict[str, Any]:
        return {
            "factors": self.factors,
            "iterations": self.iterations,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "threads": self.threads,
            "seed": self.seed,
        }

    def arrays(self) -> dict[str, np.ndarray]:
        return {"item_factors": self.item_factors}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        # Plain arrays: loading a saved model needs no implicit (nor its thread pool).
        self.item_factors = np.asarray(arrays["item_factors"], np.float32)
        self._yty = None
