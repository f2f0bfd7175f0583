"""Embedders: batching order, and concurrent queries embedded together."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from kcrm.knowledge.embeddings import Embedder, HashEmbedder, QueryBatcher


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
