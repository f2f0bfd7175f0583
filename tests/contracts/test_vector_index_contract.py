"""One contract every `VectorIndex` passes: FAISS flat and FAISS IVF (past the threshold).

Unit vectors with known nearest neighbours (each vector is nearest to itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kcrm.knowledge.index.vector import FaissVectorIndex, IdFilter, VectorIndex

DIM = 16


def unit(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _flat() -> VectorIndex:
    return FaissVectorIndex(DIM, ivf_threshold=10**6)


def _ivf() -> VectorIndex:
    # The index outgrows its threshold while a test adds 3,000 vectors.
    return FaissVectorIndex(DIM, ivf_threshold=1000)


@pytest.fixture(params=[_flat, _ivf], ids=["faiss-flat", "faiss-ivf"])
def index(request: pytest.FixtureRequest) -> VectorIndex:
    made: VectorIndex = request.param()
    return made


def test_nearest_is_itself(index: VectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(100, 3100), vecs)
    scores, ids = index.search(vecs[:5], 1)
    assert ids[:, 0].tolist() == [100, 101, 102, 103, 104]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_readding_an_id_replaces_it(index: VectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.add(np.array([7]), vecs[8:9])
    assert index.count() == 3000
    assert np.unique(index.ids()).size == 3000
    _, ids = index.search(vecs[8:9], 2)
    assert set(ids[0].tolist()) == {7, 8}


def test_remove_really_removes(index: VectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    assert index.remove(np.array([0, 1, 2, 99999])) == 3
    assert index.count() == 2997
    assert not {0, 1, 2} & set(index.ids().tolist())
    _, ids = index.search(vecs[:3], 5)
    assert not {0, 1, 2} & set(ids.ravel().tolist())


def test_save_and_load_round_trip(index: VectorIndex, tmp_path: Path) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.save(tmp_path / "v.index")
    loaded = type(index).load(tmp_path / "v.index")
    assert loaded.count() == 3000
    assert sorted(loaded.ids().tolist()) == list(range(3000))
    assert np.array_equal(loaded.search(vecs[:4], 3)[1], index.search(vecs[:4], 3)[1])


def test_a_filter_returns_only_allowed_ids_and_all_of_them(index: VectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    allowed = IdFilter(range(2200, 2210))
    _, ids = index.search(vecs[:3], 5, allowed=allowed)
    # Each query gets k results from the ten allowed ids: none missing, none foreign.
    assert all(set(row.tolist()) <= set(range(2200, 2210)) and len(row) == 5 for row in ids)
    _, ids = index.search(vecs[:1], 50, allowed=allowed)
    assert sorted(i for i in ids[0].tolist() if i >= 0) == list(range(2200, 2210))


def test_bad_input_is_refused(index: VectorIndex) -> None:
    with pytest.raises(ValueError, match="shape"):
        index.add(np.arange(2), unit(2)[:, :8])
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), unit(2))


def test_empty_index_searches_to_nothing(index: VectorIndex) -> None:
    _scores, ids = index.search(unit(1), 5)
    assert ids.shape == (1, 0)


def test_vectors_of_returns_the_stored_vectors_of_present_ids(index: VectorIndex) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.remove(np.array([5]))
    ids, got = index.vectors_of(np.array([7, 5, 2999, 123456]))
    assert ids.tolist() == [7, 2999]
    assert np.allclose(got, vecs[[7, 2999]], atol=1e-6)
    assert index.vectors_of(np.array([], dtype=np.int64))[0].size == 0


def test_vectors_of_survives_a_save_and_load(index: VectorIndex, tmp_path: Path) -> None:
    vecs = unit(3000)
    index.add(np.arange(3000), vecs)
    index.save(tmp_path / "v.faiss")
    loaded = type(index).load(tmp_path / "v.faiss")
    loaded.remove(np.array([1]))  # removal keeps the id lookup in step
    ids, got = loaded.vectors_of(np.array([0, 1, 2]))
    assert ids.tolist() == [0, 2] and np.allclose(got, vecs[[0, 2]], atol=1e-6)
