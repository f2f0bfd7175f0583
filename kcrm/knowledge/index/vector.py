"""Dense vector search: a small `VectorIndex` interface and its FAISS implementation.

Removal must really remove. HNSW cannot delete ids, so the index is exact
`IDMap2(FlatIP)` while small and becomes `IVF,Flat` (inverted lists, which
support `remove_ids`) once it outgrows `ivf_threshold`. Ids are chunk ids.
"""

from __future__ import annotations

import contextlib
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

# faiss's SWIG stubs miss or mistype most of its API (selectors, search parameters,
# id maps, inverted lists): use it untyped rather than sprinkle ignores.
faiss: Any = _faiss


class IdFilter:
    """A set of allowed ids kept as a bitmap, handed to FAISS as a search-time selector."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._bits = np.zeros(1024, dtype=bool)
        self._packed: np.ndarray | None = None
        self._count: int | None = None
        self.add(ids)

    @classmethod
    def from_mask(cls, mask: np.ndarray) -> IdFilter:
        """The ids where `mask` (a boolean array indexed by id) is True."""
        made = cls()
        made._bits = np.ascontiguousarray(mask, dtype=bool)
        return made

    @property
    def bits(self) -> np.ndarray:
        """The bitmap itself, one bool per id (read-only use)."""
        return self._bits

    def add(self, ids: Iterable[int]) -> None:
        arr = np.fromiter(ids, dtype=np.int64)
        if arr.size == 0:
            return
        if arr.min() < 0:
            raise ValueError("ids must be non-negative")
        top = int(arr.max()) + 1
        if top > self._bits.size:
            grown = np.zeros(max(top, self._bits.size * 2), dtype=bool)
            grown[: self._bits.size] = self._bits
            self._bits = grown
        self._bits[arr] = True
        self._packed = None
        self._count = None

    def discard(self, ids: Iterable[int]) -> None:
        arr = np.fromiter(ids, dtype=np.int64)
        arr = arr[(arr >= 0) & (arr < self._bits.size)]
        self._bits[arr] = False
        self._packed = None
        self._count = None

    def __contains__(self, item: int) -> bool:
        return 0 <= item < self._bits.size and bool(self._bits[item])

    def __len__(self) -> int:
        if self._count is None:
            self._count = int(np.count_nonzero(self._bits))
        return self._count

    def save(self, path: Path) -> None:
        """Write the set atomically (one bit per id: 125 KB per million ids)."""
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            np.save(f, np.packbits(self._bits, bitorder="little"), allow_pickle=False)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> IdFilter:
        """Read a set written by `save`."""
        loaded = cls()
        packed = np.load(path, allow_pickle=False)
        loaded._bits = np.unpackbits(packed, bitorder="little").astype(bool)
        return loaded

    def selector(self) -> faiss.IDSelector:
        if self._packed is None:
            # FAISS reads bit i of byte i >> 3, least significant bit first.
            self._packed = np.packbits(self._bits, bitorder="little")
        # n is the bitmap length in bytes, not bits.
        sel = faiss.IDSelectorBitmap(self._packed.size, faiss.swig_ptr(self._packed))
        sel.referenced_bitmap = self._packed  # keep the buffer alive as long as the selector
        return sel


class VectorIndex(ABC):
    """Nearest-neighbour search over unit vectors keyed by integer ids."""

    dim: int

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors; an id already present is replaced, never duplicated.

        Args:
            ids: int64 array of shape (n,).
            vectors: float32 array of shape (n, dim), unit length.
        """

    @abstractmethod
    def remove(self, ids: np.ndarray) -> int:
        """Remove ids; returns how many were present."""

    @abstractmethod
    def search(
        self, queries: np.ndarray, k: int, allowed: IdFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product.

        Args:
            queries: float32 array (m, dim).
            k: neighbours per query.
            allowed: if given, only these ids may be returned.
        Returns:
            (scores, ids), each (m, k); missing neighbours have id -1.
        """

    @abstractmethod
    def vectors_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stored vectors of these ids (a search's candidates found another way).

        Returns:
            (ids found, their vectors (n, dim)); ids not in the index are left out.
        """

    @abstractmethod
    def count(self) -> int:
        """Number of vectors in the index."""

    @abstractmethod
    def ids(self) -> np.ndarray:
        """All ids in the index (int64, any order)."""

    @abstractmethod
    def save(self, path: Path) -> None:
        """Write the index to `path` atomically."""

    @classmethod
    @abstractmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by `save`."""


# Measured at 1M chunks (Banking77 queries; nlist 2039): nprobe 17 (8,000 vectors)
# finds the exact top 10 in every case and 99.9 % of the top 50, in 1.0 ms; 32 lists
# took 1.9 ms for 0.9997.
MIN_NPROBE = 16
SCAN_AT_LEAST = 8_000  # vectors an IVF search compares at least (see `nprobe`)
# With IVF, a filtered search only sees the allowed ids in the lists it probes; when
# they are expected to fill fewer than this many times the neighbours asked for, it
# scans every list instead (still skipping disallowed ids before any distance), which
# is exact.
EXACT_FALLBACK_FACTOR = 4


class FaissVectorIndex(VectorIndex):
    """FAISS: exact flat search when small, IVF with real deletion when large."""

    def __init__(
        self, dim: int, ivf_threshold: int = 50_000, index: faiss.Index | None = None
    ) -> None:
        self.dim = dim
        self.ivf_threshold = ivf_threshold
        self.index: Any = index if index is not None else self._flat()

    def _flat(self) -> faiss.Index:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    @property
    def nprobe(self) -> int:
        """Inverted lists an IVF search visits: enough to compare `SCAN_AT_LEAST` vectors.

        That is a tenth of the index at 80k vectors (recall close to exact) and still
        at least `MIN_NPROBE` lists at 1M, where a list holds about 250 to 500 vectors.
        """
        ivf: Any = faiss.extract_index_ivf(self.index)
        wanted = math.ceil(ivf.nlist * SCAN_AT_LEAST / max(1, self.index.ntotal))
        return int(min(ivf.nlist, max(MIN_NPROBE, wanted)))

    @property
    def is_ivf(self) -> bool:
        return isinstance(faiss.try_extract_index_ivf(self.index), faiss.IndexIVF)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if ids.shape[0] != vectors.shape[0]:
            raise ValueError("ids and vectors differ in length")
        if ids.size == 0:
            return
        if np.unique(ids).size != ids.size:
            raise ValueError("duplicate ids in one add")
        self.remove(ids)
        self.index.add_with_ids(vectors, ids)
        if not self.is_ivf and self.index.ntotal > self.ivf_threshold:
            self._to_ivf()
        elif self.is_ivf and self.index.ntotal > 4 * self.trained_for():
            # Lists sized for a quarter of today's vectors are four times too long: retrain.
            self._to_ivf()

    def remove(self, ids: np.ndarray) -> int:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.size == 0 or self.index.ntotal == 0:
            return 0
        if self.is_ivf:
            # The IVF's id -> list map removes by looking each id up (an id array, no scan).
            return int(self.index.remove_ids(faiss.IDSelectorArray(ids.size, faiss.swig_ptr(ids))))
        return int(self.index.remove_ids(faiss.IDSelectorBatch(ids.size, faiss.swig_ptr(ids))))

    def vectors_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if ids.size == 0 or self.index.ntotal == 0:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        try:
            return ids, self.index.reconstruct_batch(ids)
        except RuntimeError:  # an id not in the index: look them up one by one
            found, vecs = [], []
            for i in ids.tolist():
                try:
                    vecs.append(self.index.reconstruct(i))
                except RuntimeError:
                    continue
                found.append(i)
            if not found:
                return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
            return np.asarray(found, dtype=np.int64), np.vstack(vecs)

    def search(
        self, queries: np.ndarray, k: int, allowed: IdFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        if self.index.ntotal == 0 or k <= 0:
            m = queries.shape[0]
            return np.zeros((m, 0), np.float32), np.zeros((m, 0), np.int64)
        k = min(k, self.index.ntotal)
        if queries.shape[0] == 1:
            with _one_thread():
                return self._search(queries, k, allowed)
        return self._search(queries, k, allowed)

    def _search(
        self, queries: np.ndarray, k: int, allowed: IdFilter | None
    ) -> tuple[np.ndarray, np.ndarray]:
        sel = allowed.selector() if allowed is not None else None
        if not self.is_ivf:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
            scores, ids = self.index.search(queries, k, params=params)
            return scores, ids
        nlist = int(faiss.extract_index_ivf(self.index).nlist)
        nprobe = self.nprobe
        if allowed is not None:
            # The probed lists hold only a share of the allowed ids: when too few are
            # expected there, scan every list (the selector still skips the others).
            expected = len(allowed) * min(1.0, nprobe / nlist)
            if expected < EXACT_FALLBACK_FACTOR * k:
                nprobe = nlist
        scores, ids = self.index.search(
            queries, k, params=faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        )
        if allowed is not None and nprobe < nlist:
            wanted = min(k, len(allowed))
            if ((ids >= 0).sum(axis=1) < wanted).any():
                scores, ids = self.index.search(
                    queries, k, params=faiss.SearchParametersIVF(sel=sel, nprobe=nlist)
                )
        return scores, ids

    def count(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        if not self.is_ivf:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        ivf: Any = faiss.extract_index_ivf(self.index)
        invlists = ivf.invlists
        parts = []
        for lst in range(ivf.nlist):
            size = invlists.list_size(lst)
            if size:
                ptr = invlists.get_ids(lst)
                parts.append(faiss.rev_swig_ptr(ptr, size).copy())
                invlists.release_ids(lst, ptr)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def trained_for(self) -> int:
        """The number of vectors the IVF lists were sized for (4·√n lists)."""
        ivf: Any = faiss.extract_index_ivf(self.index)
        return int((ivf.nlist / 4) ** 2)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors), e.g. to train an IVF on them."""
        if not self.is_ivf:
            ids = self.ids()
            flat: Any = faiss.downcast_index(self.index.index)
            return ids, flat.reconstruct_n(0, flat.ntotal)
        # IVF-Flat keeps each vector's raw floats as its code in the inverted lists.
        ivf: Any = faiss.extract_index_ivf(self.index)
        ids_parts, vec_parts = [], []
        for lst in range(ivf.nlist):
            size = ivf.invlists.list_size(lst)
            if not size:
                continue
            id_ptr = ivf.invlists.get_ids(lst)
            code_ptr = ivf.invlists.get_codes(lst)
            ids_parts.append(faiss.rev_swig_ptr(id_ptr, size).copy())
            raw = faiss.rev_swig_ptr(code_ptr, size * ivf.code_size).copy()
            vec_parts.append(raw.view(np.float32).reshape(size, self.dim))
            ivf.invlists.release_ids(lst, id_ptr)
            ivf.invlists.release_codes(lst, code_ptr)
        if not ids_parts:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        return np.concatenate(ids_parts), np.concatenate(vec_parts)

    def _to_ivf(self) -> None:
        """Train an IVF on the vectors held so far and move them into it (or retrain it)."""
        ids, vectors = self.vectors()
        self.index = build_ivf(self.dim, ids, vectors)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, ivf_threshold: int = 50_000) -> FaissVectorIndex:
        index = faiss.read_index(str(path))
        if isinstance(faiss.try_extract_index_ivf(index), faiss.IndexIVF):
            _direct_map(index)  # saved by an older kcrm without it
        return cls(dim=index.d, ivf_threshold=ivf_threshold, index=index)


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """FAISS on this thread alone for one query (OpenMP's setting is per thread).

    Splitting one query's scan over both cores made it ten times slower on a busy
    host (10k vectors: 0.3 ms alone, 5-15 ms on two threads, the second one waiting
    for a core); a server's parallelism comes from concurrent requests instead.
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def build_ivf(dim: int, ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    """An IVF-Flat index over `vectors`, with about 4·sqrt(n) lists (FAISS's rule of thumb)."""
    n = vectors.shape[0]
    nlist = max(16, min(65536, int(4 * math.sqrt(n))))
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    # FAISS needs ~39 training points per list; more only slows training down.
    sample = vectors
    if n > nlist * 64:
        pick = np.random.default_rng(0).choice(n, nlist * 64, replace=False)
        sample = vectors[pick]
    ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
    _direct_map(ivf)
    ivf.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    return ivf


def _direct_map(index: faiss.Index) -> None:
    """Let an IVF find a vector by id (`vectors_of`): a hash table, which removal keeps.

    A search needs the vectors of candidates only the lexical side found: read here,
    they cost no database round trip (about 40 bytes per vector at a million).
    """
    ivf: Any = faiss.extract_index_ivf(index)
    if ivf.direct_map.type != faiss.DirectMap.Hashtable:
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
