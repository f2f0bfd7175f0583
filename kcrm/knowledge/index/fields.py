"""The record fields of every indexed chunk, so filters act inside both indexes.

A filter applied after retrieval starves the result list: `language=zh` with
k = 10 found 1 record when the top candidates were English. So the replica keeps,
per chunk id, the fields a search filters on; FAISS receives them as an id bitmap
(like the public ids), tantivy as indexed fields of its own (`lexical.py`).
Single-valued fields are small integer codes in arrays indexed by chunk id
(4 bytes per chunk and field: 12 MB at a million chunks), multi-valued ones
(tags, products) are id sets per value, since few chunks carry them.

It also tells which record each chunk belongs to (a 64-bit hash of the record's id,
8 bytes per chunk): a search keeps one chunk per record, counts facets and applies
the role's visibility from here, and reads from the database only the rows it returns.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CODED = ("language", "kind", "category")
MULTI = ("tags", "products")


@dataclass(frozen=True)
class ChunkFields:
    """What filters and facets read of a chunk's record."""

    language: str
    kind: str
    category: str | None = None
    tags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    created: int = 0  # epoch seconds
    record: str = ""  # the record's id (chunks of one record share it)


@dataclass(frozen=True)
class FieldFilter:
    """Restrictions on record fields; every given one must hold (hashable: masks are cached)."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    # Any of these languages (a search keeps its dense side to one embedding space so).
    languages: tuple[str, ...] = ()
    product: str | None = None
    created_after: int | None = None  # inclusive, epoch seconds
    created_before: int | None = None  # exclusive

    def is_empty(self) -> bool:
        return self == FieldFilter()


class FieldStore:
    """Per-chunk field codes with vectorised filtering."""

    def __init__(self) -> None:
        self._codes = {f: np.full(1024, -1, dtype=np.int32) for f in CODED}
        self._created = np.zeros(1024, dtype=np.int64)
        self._record = np.zeros(1024, dtype=np.int64)  # record_key(); 0: not known
        self._values: dict[str, list[str]] = {f: [] for f in CODED}
        self._lookup: dict[str, dict[str, int]] = {f: {} for f in CODED}
        self._multi: dict[str, dict[str, set[int]]] = {f: {} for f in MULTI}
        self.version = 0  # bumped on every change: cached masks compare it

    @property
    def size(self) -> int:
        return int(self._created.size)

    def _grow(self, top: int) -> None:
        if top <= self.size:
            return
        new = max(top, self.size * 2)
        for f in CODED:
            grown = np.full(new, -1, dtype=np.int32)
            grown[: self.size] = self._codes[f]
            self._codes[f] = grown
        created = np.zeros(new, dtype=np.int64)
        created[: self.size] = self._created
        record = np.zeros(new, dtype=np.int64)
        record[: self.size] = self._record
        self._created, self._record = created, record

    def _code(self, field: str, value: str | None) -> int:
        if value is None:
            return -1
        lookup = self._lookup[field]
        code = lookup.get(value)
        if code is None:
            code = lookup[value] = len(self._values[field])
            self._values[field].append(value)
        return code

    def set(self, ids: Sequence[int], fields: Sequence[ChunkFields]) -> None:
        """Record the fields of these chunks (replacing what they had)."""
        if len(ids) != len(fields):
            raise ValueError("ids and fields differ in length")
        if not ids:
            return
        self.discard(ids)
        arr = np.asarray(ids, dtype=np.int64)
        self._grow(int(arr.max()) + 1)
        for f in CODED:
            self._codes[f][arr] = [self._code(f, getattr(x, f)) for x in fields]
        self._created[arr] = [x.created for x in fields]
        self._record[arr] = [record_key(x.record) for x in fields]
        for cid, x in zip(ids, fields, strict=True):
            for f in MULTI:
                for value in getattr(x, f):
                    self._multi[f].setdefault(value, set()).add(int(cid))
        self.version += 1

    def discard(self, ids: Iterable[int]) -> None:
        arr = np.fromiter(ids, dtype=np.int64)
        arr = arr[(arr >= 0) & (arr < self.size)]
        if arr.size == 0:
            return
        for f in CODED:
            self._codes[f][arr] = -1
        self._record[arr] = 0
        gone = set(arr.tolist())
        for f in MULTI:
            for members in self._multi[f].values():
                members.difference_update(gone)
        self.version += 1

    def language_of(self, ids: Sequence[int]) -> list[str | None]:
        """Each chunk's record language (None for an id the store does not hold)."""
        values = self._values["language"]
        return [values[c] if c >= 0 else None for c in self.codes("language", ids).tolist()]

    def codes(self, field: str, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The code of `field` of each chunk (-1: none, or an id the store does not hold)."""
        arr = np.asarray(ids, dtype=np.int64)
        codes = self._codes[field]
        inside = (arr >= 0) & (arr < codes.size)
        return np.where(inside, codes[np.where(inside, arr, 0)], -1)

    def values(self, field: str) -> list[str]:
        """The value each code of `field` stands for (`values(f)[code]`)."""
        return self._values[field]

    def record_keys(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Which record each chunk belongs to, as a number equal for chunks of one record.

        A chunk whose record the store does not know counts as a record of its own.
        """
        arr = np.asarray(ids, dtype=np.int64)
        inside = (arr >= 0) & (arr < self._record.size)
        keys = np.where(inside, self._record[np.where(inside, arr, 0)], 0)
        return np.where(keys != 0, keys, -(arr + 1))

    def missing_records(self) -> np.ndarray:
        """Indexed chunk ids whose record is not known (a store saved by an older kcrm)."""
        return np.flatnonzero((self._codes["kind"] >= 0) & (self._record == 0))

    def set_records(self, ids: Sequence[int], records: Sequence[str]) -> None:
        """Fill in the records of chunks (see `missing_records`)."""
        arr = np.asarray(ids, dtype=np.int64)
        self._record[arr] = [record_key(r) for r in records]

    def mask(self, flt: FieldFilter) -> np.ndarray:
        """A boolean array over chunk ids: True where every restriction of `flt` holds."""
        keep = self._codes["kind"] >= 0  # indexed chunks only
        for field, wanted in (
            ("kind", flt.kinds),
            ("category", flt.categories),
            ("language", (flt.language,) if flt.language else ()),
            ("language", flt.languages),
        ):
            if wanted:
                codes = [self._lookup[field][v] for v in wanted if v in self._lookup[field]]
                keep &= np.isin(self._codes[field], np.asarray(codes, dtype=np.int32))
        for field, wanted in (
            ("tags", flt.tags),
            ("products", (flt.product,) if flt.product else ()),
        ):
            if wanted:
                hit = np.zeros(self.size, dtype=bool)
                for value in wanted:
                    members = self._multi[field].get(value)
                    if members:
                        hit[np.fromiter(members, dtype=np.int64, count=len(members))] = True
                keep &= hit
        if flt.created_after is not None:
            keep &= self._created >= flt.created_after
        if flt.created_before is not None:
            keep &= self._created < flt.created_before
        return keep

    # ---- persistence ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the store atomically (arrays in one .npz, value tables as JSON inside it)."""
        tables = {
            "values": self._values,
            "multi": {f: {v: sorted(m) for v, m in self._multi[f].items() if m} for f in MULTI},
        }
        arrays: dict[str, np.ndarray] = {f"code_{f}": self._codes[f] for f in CODED}
        arrays["created"] = self._created
        arrays["record"] = self._record
        arrays["tables"] = np.frombuffer(json.dumps(tables).encode(), dtype=np.uint8)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> FieldStore:
        store = cls()
        with np.load(path, allow_pickle=False) as z:
            store._created = z["created"].copy()
            # Stores saved before records were kept: the replica fills them in on open.
            store._record = z["record"].copy() if "record" in z else np.zeros_like(store._created)
            for f in CODED:
                store._codes[f] = z[f"code_{f}"].copy()
            tables = json.loads(z["tables"].tobytes().decode())
        store._values = {f: list(tables["values"].get(f, [])) for f in CODED}
        store._lookup = {f: {v: i for i, v in enumerate(store._values[f])} for f in CODED}
        store._multi = {
            f: {v: set(ids) for v, ids in tables["multi"].get(f, {}).items()} for f in MULTI
        }
        return store


def record_key(record: str) -> int:
    """A record id as a non-zero 64-bit number (blake2b: stable across processes).

    Two records share a number with probability about n² / 2⁶⁵: 3·10⁻⁸ at a million.
    """
    if not record:
        return 0
    key = int.from_bytes(hashlib.blake2b(record.encode(), digest_size=8).digest(), "little")
    return (key - (1 << 63)) or 1
