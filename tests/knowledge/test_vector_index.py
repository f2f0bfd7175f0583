"""FAISS specifics beyond the `VectorIndex` contract (tests/contracts): IVF sizing, filters."""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np
import pytest

from kcrm.knowledge.index.vector import FaissVectorIndex, IdFilter

DIM = 16


def unit(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(params=["flat", "ivf"])
def index(request: pytest.FixtureRequest) -> FaissVectorIndex:
    # ivf: the index outgrows its threshold while the test adds 3,000 vectors.
    return FaissVectorIndex(DIM, ivf_threshold=1000 if request.param == "ivf" else 10**6)


def test_ivf_visits_enough_lists_to_compare_8000_vectors() -> None:
    small = FaissVectorIndex(DIM, ivf_threshold=1000)
    small.add(np.arange(3000), unit(3000))
    nlist = faiss.extract_index_ivf(small.index).nlist
    assert small.is_ivf and small.nprobe == nlist  # fewer vectors than that: every list
    big = FaissVectorIndex(DIM, ivf_threshold=1000)
    big.add(np.arange(40_000), unit(40_000, seed=1))
    nlist = faiss.extract_index_ivf(big.index).nlist
    assert big.nprobe == math.ceil(nlist * 8000 / 40_000) < nlist


def test_a_loaded_index_keeps_its_layout(index: FaissVectorIndex, tmp_path: Path) -> None:
    index.add(np.arange(3000), unit(3000))
    index.save(tmp_path / "v.faiss")
    assert FaissVectorIndex.load(tmp_path / "v.faiss").is_ivf == index.is_ivf


def test_id_filter_adds_discards_and_refuses_negative_ids() -> None:
    allowed = IdFilter(range(200, 210))
    allowed.discard([200, 201])
    assert 200 not in allowed and 209 in allowed and len(allowed) == 8
    with pytest.raises(ValueError, match="non-negative"):
        IdFilter([-1])


def test_ivf_retrains_as_it_grows_and_keeps_every_vector() -> None:
    index = FaissVectorIndex(DIM, ivf_threshold=1000)
    vecs = unit(20000, seed=3)
    index.add(np.arange(1500), vecs[:1500])
    assert index.is_ivf
    lists_before = index.trained_for()
    index.add(np.arange(1500, 20000), vecs[1500:])
    assert index.trained_for() > 4 * lists_before // 2
    ids, stored = index.vectors()
    order = np.argsort(ids)
    assert np.array_equal(ids[order], np.arange(20000))
    assert np.allclose(stored[order], vecs, atol=1e-6)
