"""A process's replica of the indexes, kept in step with the database through `index_log`.

The database commits first; the indexes follow by replaying the log from the
last sequence number they saved. A crash anywhere therefore loses nothing: the
next start replays what the files missed. Replaying is idempotent (add removes
the id first), so saving the indexes before the sequence number is safe.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Chunk, Document, IndexLog
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.index.fields import ChunkFields, FieldFilter, FieldStore
from kcrm.knowledge.index.lexical import TantivyLexicalIndex, remove_folder, remove_leftovers
from kcrm.knowledge.index.vector import FaissVectorIndex, IdFilter
from kcrm.knowledge.text.tokens import index_terms

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
VECTORS_FILE = "vectors.faiss"
# The public chunk ids, saved with the indexes: reading them from the database at
# open took 0.5 s at 100k chunks and 3.5 s at 1M.
PUBLIC_FILE = "public.npy"
# Record fields per chunk id (filters inside both indexes): index/fields.py.
FIELDS_FILE = "fields.npz"
# The layout of the files above: a replica saved with another is rebuilt from the
# database on open (2: filter fields in tantivy, CJK characters as terms, fields.npz).
LAYOUT = 2
LEXICAL_DIR = f"lexical-v{LAYOUT}"
OLD_LEXICAL_DIRS = ("lexical",)
FETCH_BATCH = 2000
FILTER_CACHE = 64  # filter bitmaps kept (the help page's language filter is one)


def copy_replica(source: Path, target: Path) -> None:
    """Start a private replica in `target` from the one another process keeps in `source`.

    `state.json` is copied first: the index files copied after it are at least as new as
    the sequence number it names, and replaying the log from an older number is harmless
    (idempotent), where index files older than their number would miss entries for good.
    If the owner saves or merges while we copy and a file vanishes, the copy is dropped
    and the replica is rebuilt from the database instead.
    """
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if not (source / STATE_FILE).exists():
        return
    try:
        shutil.copy2(source / STATE_FILE, target / STATE_FILE)
        shutil.copy2(source / VECTORS_FILE, target / VECTORS_FILE)
        for name in (PUBLIC_FILE, FIELDS_FILE):
            if (source / name).exists():
                shutil.copy2(source / name, target / name)
        shutil.copytree(
            source / LEXICAL_DIR,
            target / LEXICAL_DIR,
            ignore=shutil.ignore_patterns("*.lock", "*.tmp"),
        )
    except OSError as exc:
        log.warning("copying the index replica from %s failed (%s); rebuilding", source, exc)
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)


def _open_lexical(path: Path, repair: bool) -> TantivyLexicalIndex:
    """The lexical index in `path`; with `repair`, a folder tantivy cannot read starts anew."""
    remove_leftovers(path)
    try:
        return TantivyLexicalIndex(path)
    except ValueError as exc:  # how tantivy reports a damaged folder ("Data corrupted")
        if not repair:
            raise
        log.warning("the lexical index in %s is unreadable (%s); starting it anew", path, exc)
        remove_folder(path)  # nothing has it open: opening it failed
        return TantivyLexicalIndex(path)


class IndexRow(NamedTuple):
    """What the indexes need of one chunk."""

    id: int
    embedding: bytes | None
    embedding_model: str | None
    tokens: str
    visibility: str
    fields: ChunkFields


class IndexMismatch(RuntimeError):
    """The saved indexes were built with another embedding model or dimension."""


@dataclass
class ReplicaStatus:
    vectors: int
    lexical: int
    expected: int
    applied_seq: int
    log_seq: int
    consistent: bool


class IndexReplica:
    """The vector index, the lexical index and the public-id filter of one process."""

    def __init__(self, db: Database, embedder: Embedder, path: Path, ivf_threshold: int) -> None:
        self.db = db
        self.embedder = embedder
        self.path = path
        self.ivf_threshold = ivf_threshold
        self.vectors = FaissVectorIndex(embedder.dim, ivf_threshold)
        self.lexical: TantivyLexicalIndex
        self.public = IdFilter()
        self.fields = FieldStore()
        self.applied_seq = 0
        self._filters: dict[tuple[bool, FieldFilter], tuple[int, IdFilter]] = {}

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        db: Database,
        embedder: Embedder,
        path: Path,
        ivf_threshold: int = 50_000,
        empty: bool = False,
    ) -> IndexReplica:
        """Load the saved indexes (never re-embedding) and replay what they missed.

        With `empty`, start from empty indexes for the caller to `rebuild`.
        """
        replica = cls(db, embedder, path, ivf_threshold)
        path.mkdir(parents=True, exist_ok=True)
        # The folder is this process's from here on, or IndexInUse tells the caller that
        # another process (a running server, another command) already follows the log in it.
        replica.lexical = _open_lexical(path / LEXICAL_DIR, repair=empty)
        replica.lexical.acquire()
        if empty:
            replica.lexical.clear()
            replica.lexical.commit()
            return replica
        state = replica._read_state()
        vec_file = path / VECTORS_FILE
        if state is not None and state.get("layout") != LAYOUT:
            log.info("the index in %s has an older layout; rebuilding it", path)
            state = None
        if state is not None and vec_file.exists():
            if state.get("model") != embedder.name or state.get("dim") != embedder.dim:
                replica.lexical.close()
                raise IndexMismatch(
                    f"the index in {path} was built with {state.get('model')!r} "
                    f"({state.get('dim')} dims) but the configured model is {embedder.name!r} "
                    f"({embedder.dim} dims): run `kcrm reindex`"
                )
            replica.vectors = FaissVectorIndex.load(vec_file, ivf_threshold)
            replica.applied_seq = int(state["applied_seq"])
            replica.public = IdFilter.load(path / PUBLIC_FILE)
            replica.fields = FieldStore.load(path / FIELDS_FILE)
            replica._fill_records()
            replica.sync()
        else:
            for old in OLD_LEXICAL_DIRS:
                shutil.rmtree(path / old, ignore_errors=True)
            replica.rebuild()
        return replica

    def _fill_records(self) -> None:
        """Which record each chunk belongs to, for a field store saved before it said so."""
        missing = self.fields.missing_records().tolist()
        for start in range(0, len(missing), FETCH_BATCH * 10):
            part = missing[start : start + FETCH_BATCH * 10]
            with self.db.session() as s:
                rows = s.execute(
                    select(Chunk.id, Chunk.document_id).where(Chunk.id.in_(part))
                ).all()
            self.fields.set_records([r.id for r in rows], [r.document_id for r in rows])

    def _read_state(self) -> dict[str, Any] | None:
        file = self.path / STATE_FILE
        if not file.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(file.read_text())
            return data
        except (OSError, json.JSONDecodeError):
            log.warning("index state %s unreadable; rebuilding from the database", file)
            return None

    # ---- keeping in step -----------------------------------------------------------------
    def log_head(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.max(IndexLog.seq))) or 0)

    def sync(self) -> int:
        """Apply log entries newer than the replica; returns how many chunks changed."""
        with self.db.session() as s:
            rows = s.execute(
                select(IndexLog.seq, IndexLog.chunk_id, IndexLog.op)
                .where(IndexLog.seq > self.applied_seq)
                .order_by(IndexLog.seq)
            ).all()
        if not rows:
            return 0
        last_op: dict[int, str] = {}
        for _, chunk_id, op in rows:
            last_op[chunk_id] = op  # chunk ids are never reused, so the last op decides
        removed = [cid for cid, op in last_op.items() if op == "r"]
        added = [cid for cid, op in last_op.items() if op == "a"]
        self._remove(removed)
        self._add_from_db(added)
        self.lexical.commit()
        self.applied_seq = int(rows[-1][0])
        return len(last_op)

    def _remove(self, ids: list[int]) -> None:
        if not ids:
            return
        arr = np.asarray(ids, dtype=np.int64)
        self.vectors.remove(arr)
        self.lexical.remove(ids)
        self.public.discard(ids)
        self.fields.discard(ids)

    def _add_from_db(self, ids: list[int], progress: Any = None) -> None:
        """Index these chunks as the database has them now (skipping any gone or hidden)."""
        self._remove(ids)
        for start in range(0, len(ids), FETCH_BATCH):
            part = ids[start : start + FETCH_BATCH]
            # Two primary-key lookups, not a join: given a join, SQLite may walk every
            # published document through the status index for each batch of ids.
            with self.db.session() as s:
                chunks = s.execute(
                    select(
                        Chunk.id,
                        Chunk.document_id,
                        Chunk.embedding,
                        Chunk.embedding_model,
                        Chunk.tokens,
                    ).where(Chunk.id.in_(part))
                ).all()
                doc_ids = list({c.document_id for c in chunks})
                docs = {
                    d.id: d
                    for d in s.execute(
                        select(
                            Document.id,
                            Document.visibility,
                            Document.language,
                            Document.kind,
                            Document.category,
                            Document.tags,
                            Document.product_ids,
                            Document.created_at,
                        ).where(Document.id.in_(doc_ids), Document.status == "published")
                    )
                }
            rows = [
                IndexRow(
                    c.id,
                    c.embedding,
                    c.embedding_model,
                    c.tokens,
                    d.visibility,
                    chunk_fields(d),
                )
                for c in chunks
                if (d := docs.get(c.document_id)) is not None
            ]
            self._index_rows(rows)
            if progress is not None:
                progress(len(part))

    def _index_rows(self, rows: Any) -> None:
        if not rows:
            return
        for row in rows:
            if row.embedding is None or row.embedding_model != self.embedder.name:
                raise IndexMismatch(
                    f"chunk {row.id} has no embedding from {self.embedder.name!r}: "
                    "run `kcrm reindex` to re-embed"
                )
        ids = np.fromiter((r.id for r in rows), dtype=np.int64, count=len(rows))
        vecs = np.frombuffer(b"".join(r.embedding for r in rows), dtype=np.float32)
        self.vectors.add(ids, vecs.reshape(len(rows), self.embedder.dim))
        public = [r.visibility == "public" for r in rows]
        id_list = [int(i) for i in ids]
        fields = [r.fields for r in rows]
        terms = [index_terms(r.tokens.split()) for r in rows]
        self.lexical.add(id_list, terms, public, fields)
        self.public.add(i for i, p in zip(id_list, public, strict=True) if p)
        self.fields.set(id_list, fields)

    def allowed(self, public_only: bool, where: FieldFilter) -> IdFilter | None:
        """The chunk ids a search may return (None: any), as a bitmap FAISS can take.

        Built from the field store and the public ids, and kept until the indexes change
        (the public ids only change together with the field store, whose version counts),
        so a page that always filters by language pays for the bitmap once.
        """
        if where.is_empty():
            return self.public if public_only else None
        key = (public_only, where)
        hit = self._filters.get(key)
        if hit is not None and hit[0] == self.fields.version:
            return hit[1]
        mask = self.fields.mask(where)
        if public_only:
            bits = self.public.bits
            n = min(mask.size, bits.size)
            mask = mask[:n] & bits[:n]
        made = IdFilter.from_mask(mask)
        if len(self._filters) >= FILTER_CACHE:
            self._filters.pop(next(iter(self._filters)))
        self._filters[key] = (self.fields.version, made)
        return made

    def rebuild(self, progress: Any = None) -> int:
        """Drop both indexes and index every published chunk from the database."""
        head = self.log_head()
        self.vectors = FaissVectorIndex(self.embedder.dim, self.ivf_threshold)
        # Cleared in place, never removed: the open index's reader still watches the folder.
        self.lexical.clear()
        self.public = IdFilter()
        self.fields = FieldStore()
        with self.db.session() as s:
            ids = list(
                s.scalars(
                    select(Chunk.id).join(Document).where(Document.status == "published")
                ).all()
            )
        self._add_from_db(ids, progress)
        self.lexical.commit()
        self.applied_seq = head
        self.sync()
        self.save()
        return len(ids)

    def save(self) -> None:
        """Persist both indexes, then the sequence number they reflect."""
        start = time.perf_counter()
        self.lexical.commit()
        self.vectors.save(self.path / VECTORS_FILE)
        self.public.save(self.path / PUBLIC_FILE)
        self.fields.save(self.path / FIELDS_FILE)
        state = {
            "applied_seq": self.applied_seq,
            "layout": LAYOUT,
            "model": self.embedder.name,
            "dim": self.embedder.dim,
            "saved_at": time.time(),
        }
        tmp = self.path / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path / STATE_FILE)
        log.debug("indexes saved in %.2fs", time.perf_counter() - start)

    def close(self) -> None:
        self.lexical.close()

    # ---- checking ------------------------------------------------------------------------
    def status(self) -> ReplicaStatus:
        """Compare both indexes with the database, id for id."""
        self.sync()
        with self.db.session() as s:
            expected = set(
                s.scalars(
                    select(Chunk.id).join(Document).where(Document.status == "published")
                ).all()
            )
        vec_ids = self.vectors.ids()
        lex_ids = self.lexical.ids()
        consistent = (
            vec_ids.size == len(expected) == lex_ids.size
            and set(vec_ids.tolist()) == expected
            and set(lex_ids.tolist()) == expected
        )
        return ReplicaStatus(
            vectors=int(vec_ids.size),
            lexical=int(lex_ids.size),
            expected=len(expected),
            applied_seq=self.applied_seq,
            log_seq=self.log_head(),
            consistent=consistent,
        )


def chunk_fields(doc: Any) -> ChunkFields:
    """A record's filterable fields (a row with Document's columns)."""
    created = doc.created_at
    return ChunkFields(
        language=doc.language or "",
        kind=doc.kind,
        category=doc.category,
        tags=tuple(doc.tags or ()),
        products=tuple(doc.product_ids or ()),
        created=int(created.replace(tzinfo=created.tzinfo or UTC).timestamp()) if created else 0,
        record=doc.id,
    )
