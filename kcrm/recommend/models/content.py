"""Content similarity of product texts (embeddings): offers for products nobody bought yet."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.base import (
    IdsScores,
    Recommender,
    sparse_arrays,
    sparse_from,
    top_n,
)
from kcrm.recommend.data import Catalog, Interactions
from kcrm.recommend.neighbours import Neighbours

BLOCK = 1024  # rows of the item × item similarity computed at once (memory stays small)


def product_text(catalog: Catalog, i: int) -> str:
    parts = [catalog.names[i], catalog.categories[i] or "", catalog.descriptions[i]]
    # The importer names unknown products by their id; say it once, not twice.
    return ". ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


class ContentRecommender(Recommender):
    """Items like the ones a customer bought, by cosine of their description embeddings.

    The neighbours of every item are computed at fit time, so scoring needs no
    embedder and is a sparse row sum like the co-purchase model.
    """

    name = "content"

    def __init__(self, neighbours: int = 50, embedder: Embedder | None = None) -> None:
        self.neighbours = neighbours
        self.embedder = embedder
        self.vectors = np.zeros((0, 0), np.float32)
        self.similarity = sp.csr_matrix((0, 0), dtype=np.float32)
        self._table: tuple[sp.csr_matrix, Neighbours] | None = None

    def fit(self, data: Interactions) -> Self:
        return self.fit_catalog(data.catalog)

    def fit_catalog(self, catalog: Catalog) -> Self:
        """Embed every product text; purchases play no part."""
        if self.embedder is None:
            raise ValueError("ContentRecommender.fit needs an embedder")
        self.n_items = len(catalog)
        texts = [product_text(catalog, i) for i in range(self.n_items)]
        self.vectors = np.asarray(self.embedder.encode(texts), np.float32)
        self.similarity = self._neighbours(self.vectors)
        return self

    def _neighbours(self, vectors: np.ndarray) -> sp.csr_matrix:
        n = len(vectors)
        k = min(self.neighbours, max(n - 1, 0))
        rows, cols, vals = [], [], []
        for start in range(0, n, BLOCK):
            sims = vectors[start : start + BLOCK] @ vectors.T
            idx = np.arange(start, min(start + BLOCK, n))
            sims[idx - start, idx] = -np.inf
            if k == 0:
                break
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            best = np.take_along_axis(sims, top, axis=1)
            rows.append(np.repeat(idx, k))
            cols.append(top.ravel())
            vals.append(np.maximum(best.ravel(), 0.0))  # dissimilar is no evidence against
        if not rows:
            return sp.csr_matrix((n, n), dtype=np.float32)
        m = sp.csr_matrix(
            (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n, n),
        )
        m.eliminate_zeros()
        return m

    def table(self) -> Neighbours:
        """The similarity as neighbour tables (rebuilt when the similarity changes)."""
        if self._table is None or self._table[0] is not self.similarity:
            self._table = (self.similarity, Neighbours(self.similarity))
        return self._table[1]

    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        # Mean rather than sum, so a long history does not outweigh the other models.
        counts = np.maximum(np.diff(user_items.indptr), 1).astype(np.float32)
        return self.table().row_sums(user_items) / counts[:, None]

    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        return top_n(self.vectors @ self.vectors[itemid], N, np.asarray([itemid]))

    def evidence(
        self,
        owned: sp.csr_matrix,
        items: np.ndarray,
        found: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each customer's `items` (rows × k): the owned item most like it (-1 none)
        and their cosine."""
        best, value, _ = found or self.table().best_owned(owned, items)[0]
        return best, value

    def params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours}

    def arrays(self) -> dict[str, np.ndarray]:
        return {"vectors": self.vectors, **sparse_arrays("similarity", self.similarity)}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.vectors = arrays["vectors"]
        self.similarity = sparse_from("similarity", arrays)
