"""Contract of `VectorIndex`, run on the flat and the IVF layout of the FAISS backend."""

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


def test_nearest_is_itself(index: FaissVectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(100, 3100), vecs)
    scores, ids = index.search(vecs[:5], 1)
    assert ids[:, 0].tolist() == [100, 101, 102, 103, 104]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_ivf_visits_enough_lists_to_compare_8000_vectors() -> None:
    small = FaissVectorIndex(DIM, ivf_threshold=1000)
    small.add(np.arange(3000), unit(3000))
    nlist = faiss.extract_index_ivf(small.index).nlist
    assert small.is_ivf and small.nprobe == nlist  # fewer vectors than that: every list
    big = FaissVectorIndex(DIM, ivf_threshold=1000)
    big.add(np.arange(40_000), unit(40_000, seed=1))
    nlist = faiss.extract_index_ivf(big.index).nlist
    assert big.nprobe == math.ceil(nlist * 8000 / 40_000) < nlist


def test_readding_an_id_replaces_it(index: FaissVectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.add(np.array([7]), vecs[8:9])
    assert index.count() == 3000
    assert np.unique(index.ids()).size == 3000
    _, ids = index.search(vecs[8:9], 2)
    assert set(ids[0].tolist()) == {7, 8}


def test_remove_really_removes(index: FaissVectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    assert index.remove(np.array([0, 1, 2, 99999])) == 3
    assert index.count() == 2997
    assert not {0, 1, 2} & set(index.ids().tolist())
    _, ids = index.search(vecs[:3], 5)
    assert not {0, 1, 2} & set(ids.ravel().tolist())


def test_save_and_load_round_trip(index: FaissVectorIndex, tmp_path: Path) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.save(tmp_path / "v.faiss")
    loaded = FaissVectorIndex.load(tmp_path / "v.faiss")
    assert loaded.count() == 3000
    assert loaded.is_ivf == index.is_ivf
    assert sorted(loaded.ids().tolist()) == list(range(3000))


def test_filter_only_returns_allowed_ids() -> None:
    index = FaissVectorIndex(DIM)
    vecs = unit(500)
    index.add(np.arange(500), vecs)
    allowed = IdFilter(range(200, 210))
    _, ids = index.search(vecs[:3], 5, allowed=allowed)
    returned = {i for i in ids.ravel().tolist() if i >= 0}
    assert returned and returned <= set(range(200, 210))
    allowed.discard([200, 201])
    assert 200 not in allowed and len(allowed) == 8


def test_bad_input_is_refused() -> None:
    index = FaissVectorIndex(DIM)
    with pytest.raises(ValueError, match="shape"):
        index.add(np.arange(2), unit(2)[:, :8])
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), unit(2))
    with pytest.raises(ValueError, match="non-negative"):
        IdFilter([-1])


def test_empty_index_searches_to_nothing() -> None:
    _scores, ids = FaissVectorIndex(DIM).search(unit(1), 5)
    assert ids.shape == (1, 0)


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
