"""The exact fake embedder tests use: bag-of-words vectors, no model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from kcrm.knowledge.embedders.base import Embedder

_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder(Embedder):
    """A deterministic bag-of-words embedder for tests: texts sharing words are close.

    Each lower-cased word (and each CJK character) adds a fixed pseudo-random unit
    vector; identical texts get identical vectors and unrelated texts near-orthogonal
    ones, so tests can assert exact rankings without loading a model.
    """

    def __init__(self, dim: int = 64, name: str = "hash-64") -> None:
        self.dim = dim
        self.name = name
        self.batch_size = 256

    def _word_vector(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                pieces = list(word) if any("\u4e00" <= ch <= "\u9fff" for ch in word) else [word]
                for piece in pieces:
                    out[i] += self._word_vector(piece)
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm > 0 else self._word_vector("<empty>") / np.sqrt(self.dim)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
