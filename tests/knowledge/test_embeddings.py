"""Embedders: batching order, concurrent queries embedded together, the ONNX backend."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kcrm.core.config import DEFAULT_EMBEDDING_MODEL, Settings
from kcrm.knowledge.embedders import factory
from kcrm.knowledge.embedders import onnx as onnx_embedder
from kcrm.knowledge.embedders.base import Embedder, QueryBatcher
from kcrm.knowledge.embedders.factory import make_embedder
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.embedders.onnx import OnnxEmbedder
from kcrm.knowledge.embedders.pytorch import SentenceTransformerEmbedder


class Recording(Embedder):
    """A hash embedder that records its batches and can be slowed down."""

    def __init__(self, delay: float = 0.0) -> None:
        self.inner = HashEmbedder(16)
        self.name, self.dim, self.batch_size = "rec", 16, 4
        self.batches: list[list[str]] = []
        self.delay = delay

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        time.sleep(self.delay)
        return self.inner.embed_batch(texts)


def test_encode_keeps_input_order_while_batching_by_length() -> None:
    emb = Recording()
    texts = ["a", "a b c d e", "a b", "a b c d e f g", "a b c", "x"]
    out = emb.encode(texts)
    assert np.allclose(out, emb.inner.encode(texts))
    assert [len(b) for b in emb.batches] == [4, 2]
    assert emb.batches[0][0] == "a b c d e f g"  # longest first: little padding per batch


def test_concurrent_queries_share_a_batch_and_get_their_own_vectors() -> None:
    emb = Recording(delay=0.2)
    emb.batch_size = 32
    batcher = QueryBatcher(emb, max_batch=32)
    texts = [f"query number {i}" for i in range(9)]
    results: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        results[text] = batcher.embed(text)

    first = threading.Thread(target=ask, args=(texts[0],))
    first.start()
    time.sleep(0.05)  # the first query is being embedded: the others queue behind it
    others = [threading.Thread(target=ask, args=(t,)) for t in texts[1:]]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert [len(b) for b in emb.batches] == [1, 8]
    for text in texts:
        assert np.allclose(results[text], emb.inner.encode_query(text))


def test_a_failed_batch_fails_its_queries_and_the_next_one_works() -> None:
    class Failing(Recording):
        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            if any("boom" in t for t in texts):
                raise RuntimeError("model exploded")
            return super().embed_batch(texts)

    batcher = QueryBatcher(Failing())
    with pytest.raises(RuntimeError, match="exploded"):
        batcher.embed("boom")
    assert batcher.embed("fine").shape == (16,)


# --- the ONNX Runtime backend ------------------------------------------------------------

MIXED = [
    "How do I reset the PIN of my card?",
    "card",
    "  My transfer has not arrived yet, it has been three days  ",
    "我的银行卡被冻结了怎么办",
    "why was I charged twice " * 80,  # past the 256-token window
]


@pytest.mark.model
def test_onnx_backend_gives_the_pytorch_vectors(model_cache: Path) -> None:
    onnx = make_embedder(DEFAULT_EMBEDDING_MODEL, cache_dir=model_cache)
    torch = make_embedder(DEFAULT_EMBEDDING_MODEL, backend="torch")
    assert isinstance(onnx, OnnxEmbedder) and isinstance(torch, SentenceTransformerEmbedder)
    assert onnx.name == torch.name == DEFAULT_EMBEDDING_MODEL and onnx.dim == torch.dim == 384
    got, want = onnx.encode(MIXED), torch.encode(MIXED)
    assert np.abs(got - want).max() < 1e-4
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # One query alone (no padding) matches its row in a padded batch.
    assert np.abs(onnx.encode_query(MIXED[1]) - want[1]).max() < 1e-4


@pytest.mark.model
def test_onnx_export_is_cached_and_reused(
    model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_embedder(DEFAULT_EMBEDDING_MODEL, cache_dir=model_cache)  # exported at most once

    def no_export(path: str, out: Path) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_embedder, "_export", no_export)
    again = make_embedder(DEFAULT_EMBEDDING_MODEL, cache_dir=model_cache, name="alias")
    assert isinstance(again, OnnxEmbedder) and again.name == "alias"


@pytest.mark.model
def test_int8_backend_is_a_model_of_its_own(model_cache: Path) -> None:
    fp32 = make_embedder(DEFAULT_EMBEDDING_MODEL, cache_dir=model_cache)
    int8 = make_embedder(DEFAULT_EMBEDDING_MODEL, cache_dir=model_cache, backend="onnx-int8")
    assert isinstance(int8, OnnxEmbedder)
    # Different vectors must never mix with the float model's in one index.
    assert int8.name == DEFAULT_EMBEDDING_MODEL + "+int8" and int8.dim == fp32.dim
    a, b = fp32.encode(MIXED), int8.encode(MIXED)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.85 and np.abs(a - b).max() > 1e-3
    # Neighbours survive quantization: each text is still closest to itself.
    assert ((b @ a.T).argmax(axis=1) == np.arange(len(MIXED))).all()


def _tiny_model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"1234")
    return folder


def test_cache_key_follows_the_model_files(tmp_path: Path) -> None:
    folder = _tiny_model_dir(tmp_path)
    first = onnx_embedder.cache_key(str(folder))
    assert onnx_embedder.cache_key(str(folder)) == first
    (folder / "weights.bin").write_bytes(b"12345")  # retrained weights: a new export
    assert onnx_embedder.cache_key(str(folder)) != first


def test_a_model_onnx_cannot_run_falls_back_to_pytorch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _tiny_model_dir(tmp_path)
    calls: list[str] = []

    def refuse(path: str, out: Path) -> None:
        calls.append(path)
        raise onnx_embedder.OnnxUnavailable(f"{path}: takes inputs ['pixel_values']")

    class Torch(HashEmbedder):
        def __init__(self, model: str, **kwargs: object) -> None:
            super().__init__(8, name=str(kwargs.get("name") or model))

    monkeypatch.setattr(onnx_embedder, "_export", refuse)
    monkeypatch.setattr(factory, "SentenceTransformerEmbedder", Torch)
    cache = tmp_path / "cache"
    for _ in range(2):
        emb = make_embedder(str(folder), cache_dir=cache)
        assert isinstance(emb, Torch) and emb.name == str(folder)
    assert calls == [str(folder)]  # the refusal is remembered: no second attempt
    assert "pixel_values" in caplog.text and "PyTorch instead" in caplog.text
    assert not [p for p in cache.iterdir() if p.is_dir()]  # no half-written export left


def test_a_missing_package_is_not_remembered_as_a_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _tiny_model_dir(tmp_path)
    calls: list[str] = []

    def no_onnx(path: str, out: Path) -> None:
        calls.append(path)
        raise onnx_embedder.OnnxUnavailable("Module onnx is not installed!", lasting=False)

    monkeypatch.setattr(onnx_embedder, "_export", no_onnx)
    cache = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(onnx_embedder.OnnxUnavailable):
            onnx_embedder.exported(str(folder), cache)
    assert len(calls) == 2 and not list(cache.glob("*.refused"))  # tried again once installed


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend 'tensorflow': choose one of onnx, onnx-int8"):
        make_embedder("some-model", backend="tensorflow")
    with pytest.raises(ValueError, match="embedding_backend"):
        Settings(embedding_backend="tensorflow")  # type: ignore[arg-type]


class Batching(Recording):
    """A `Recording` that asks the knowledge base to batch its queries."""

    batches_queries = True

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.batch_size = 32


def test_concurrent_searches_each_get_the_vector_of_their_own_query(
    settings: Settings,
) -> None:
    from kcrm.knowledge.kb import KnowledgeBase

    emb = Batching(delay=0.05)
    kb = KnowledgeBase.open(settings, embedder=emb)
    try:
        texts = [f"how do I {word} my card" for word in ("freeze", "top up", "close", "use")]
        texts += [t + " abroad" for t in texts] * 3  # asked again: embedded once
        got: dict[int, np.ndarray] = {}

        def ask(i: int) -> None:
            got[i] = kb.embed_query_soon(texts[i]).result()

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i, text in enumerate(texts):
            assert np.array_equal(got[i], emb.inner.encode_query(text))
            assert not got[i].flags.writeable  # shared by every caller: read-only
        assert max(len(b) for b in emb.batches) > 1  # some did share a batch
        embedded = [t for b in emb.batches for t in b]
        assert len(embedded) == len(set(texts))  # a query asked twice at once embeds once
    finally:
        kb.close()


def test_a_batch_holds_queries_of_similar_length() -> None:
    emb = Recording(delay=0.2)
    emb.batch_size = 32
    batcher = QueryBatcher(emb, max_batch=8, slots=1)
    first = batcher.submit("warm up")  # runs alone; the others queue behind it
    time.sleep(0.05)
    short = [batcher.submit(f"card {i}") for i in range(3)]
    long = batcher.submit("why was I charged twice for one transfer " * 5)
    for fut in [first, *short, long]:
        fut.result()
    assert ["card 0", "card 1", "card 2"] in emb.batches
    assert [long_text for long_text in emb.batches if len(long_text) == 1][-1][0].startswith("why")
    batcher.close()
