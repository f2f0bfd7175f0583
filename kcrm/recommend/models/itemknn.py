"""Item-kNN with cosine similarity through `implicit` (a baseline, and a blend candidate)."""

from __future__ import annotations

import warnings
from typing import Any, Self

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


class ItemKNNRecommender(Recommender):
    """`implicit.nearest_neighbours.CosineRecommender` with its K nearest items per item."""

    name = "item_knn"

    def __init__(self, K: int = 20, threads: int = 1) -> None:
        self.K = K
        self.threads = threads
        self.similarity = sp.csr_matrix((0, 0), dtype=np.float32)
        self._table: tuple[sp.csr_matrix, Neighbours] | None = None

    def fit(self, data: Interactions) -> Self:
        from implicit.nearest_neighbours import CosineRecommender
        from implicit.utils import ParameterWarning

        self.n_items = data.n_items
        model = CosineRecommender(K=self.K, num_threads=self.threads)
        with warnings.catch_warnings():
            # implicit normalises through a COO matrix internally and then warns about it.
            warnings.simplefilter("ignore", ParameterWarning)
            model.fit(data.user_items(), show_progress=False)
        self.similarity = sp.csr_matrix(model.similarity, dtype=np.float32)
        self.similarity.setdiag(0)  # implicit keeps i~i; an item is no neighbour of itself
        self.similarity.eliminate_zeros()
        self.similarity.sort_indices()
        return self

    def table(self) -> Neighbours:
        """The similarity as neighbour tables (rebuilt when the similarity changes)."""
        if self._table is None or self._table[0] is not self.similarity:
            self._table = (self.similarity, Neighbours(self.similarity))
        return self._table[1]

    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        return self.table().row_sums(user_items)

    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        return top_n(self.similarity[itemid].toarray().ravel(), N, np.asarray([itemid]))

    def evidence(
        self,
        owned: sp.csr_matrix,
        items: np.ndarray,
        found: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each customer's `items` (rows × k): the most similar owned item (-1 none)
        and the cosine of their buyers."""
        best, value, _ = found or self.table().best_owned(owned, items)[0]
        return best, value

    def params(self) -> dict[str, Any]:
        return {"K": self.K, "threads": self.threads}

    def arrays(self) -> dict[str, np.ndarray]:
        return sparse_arrays("similarity", self.similarity)

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.similarity = sparse_from("similarity", arrays)
