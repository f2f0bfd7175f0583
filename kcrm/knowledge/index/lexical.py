"""Lexical (BM25) search over language-aware tokens, backed by tantivy.

Why tantivy (docs/architecture.md has the long form): it updates in place
(add/delete + commit, unlike bm25s which rebuilds), persists to disk and opens
without rebuilding, and answers top-k with block-max WAND, so a query costs
milliseconds at a million chunks where SQLite FTS5 has to score every match.
Terms come from `kcrm.knowledge.text.tokens` (English lemmas, jieba words and
Chinese characters), so the index itself only splits on whitespace. The record
fields searches filter on are indexed beside them, so a filter restricts the
candidates inside tantivy, before top-k, and scores nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tantivy

from kcrm.knowledge.index.fields import ChunkFields, FieldFilter

log = logging.getLogger(__name__)

_TOKEN_FIELD = "tokens"
_ID_FIELD = "chunk_id"
_PUBLIC_FIELD = "public"
_RAW_FIELDS = ("language", "kind", "category", "tags", "products")
_CREATED_FIELD = "created"
_UNKNOWN = ChunkFields(language="", kind="")


class IndexInUse(RuntimeError):
    """Another process holds the folder's tantivy writer (tantivy allows one per folder)."""


class LexicalIndex(ABC):
    """BM25 search over pre-tokenised text keyed by integer ids."""

    @abstractmethod
    def add(
        self,
        ids: Sequence[int],
        tokens: Sequence[Sequence[str]],
        public: Sequence[bool],
        fields: Sequence[ChunkFields] | None = None,
    ) -> None:
        """Add entries; an id already present is replaced.

        Args:
            ids: chunk ids.
            tokens: the index terms of each chunk.
            public: whether customers may see each chunk.
            fields: each chunk's record fields, for filtered searches.
        """

    @abstractmethod
    def remove(self, ids: Sequence[int]) -> None:
        """Remove ids (absent ids are ignored)."""

    @abstractmethod
    def search(
        self,
        tokens: Sequence[str],
        k: int,
        public_only: bool = False,
        where: FieldFilter | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by BM25 for a query given as terms, among entries `where` admits.

        Returns:
            (scores, ids), best first.
        """

    @abstractmethod
    def doc_freqs(self, terms: Sequence[str]) -> tuple[int, list[int]]:
        """(number of entries, entries containing each term): the inputs of IDF."""

    @abstractmethod
    def count(self) -> int:
        """Number of entries."""

    @abstractmethod
    def ids(self) -> np.ndarray:
        """All ids in the index."""

    @abstractmethod
    def commit(self) -> None:
        """Make changes durable and visible to searches."""


class TantivyLexicalIndex(LexicalIndex):
    """A tantivy index in a folder; one writer per folder (tantivy holds a lock)."""

    def __init__(self, path: Path | None, writer_heap_bytes: int = 64_000_000) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field(_ID_FIELD, stored=True, indexed=True, fast=True)
        builder.add_integer_field(_PUBLIC_FIELD, stored=False, indexed=True, fast=True)
        # "whitespace" keeps our tokens as they are: lemmas and jieba words are
        # already normalised, and positions are kept for phrase queries later.
        builder.add_text_field(_TOKEN_FIELD, stored=False, tokenizer_name="whitespace")
        # Filter fields: whole values ("raw"), never scored (see `_filters`).
        for name in _RAW_FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="raw")
        builder.add_integer_field(_CREATED_FIELD, stored=False, indexed=True, fast=True)
        self.schema = builder.build()
        self.path = path
        if path is None:
            self.index = tantivy.Index(self.schema)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._heap = writer_heap_bytes
        self._writer: tantivy.IndexWriter | None = None
        self._dirty = False
        self._searcher: tantivy.Searcher | None = None

    def searcher(self) -> tantivy.Searcher:
        """The index as of the last commit (kept: getting a new one cost 0.7 ms a search).

        Only this process writes the folder (tantivy's writer lock), so what it sees
        changes only when it commits, which drops the kept one.
        """
        searcher = self._searcher
        if searcher is None:
            searcher = self._searcher = self.index.searcher()
        return searcher

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=self._heap, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                raise IndexInUse(
                    f"the lexical index in {self.path} is in use by another process "
                    "(a running server?)"
                ) from exc
        return self._writer

    def acquire(self) -> None:
        """Take the folder's writer lock now; `IndexInUse` if another process holds it."""
        _ = self.writer

    def add(
        self,
        ids: Sequence[int],
        tokens: Sequence[Sequence[str]],
        public: Sequence[bool],
        fields: Sequence[ChunkFields] | None = None,
    ) -> None:
        if not (len(ids) == len(tokens) == len(public)):
            raise ValueError("ids, tokens and public differ in length")
        if fields is not None and len(fields) != len(ids):
            raise ValueError("ids and fields differ in length")
        self.remove(ids)
        writer = self.writer
        for i, (cid, toks, pub) in enumerate(zip(ids, tokens, public, strict=True)):
            f = fields[i] if fields is not None else _UNKNOWN
            doc: dict[str, object] = {
                _ID_FIELD: int(cid),
                _PUBLIC_FIELD: int(pub),
                _TOKEN_FIELD: " ".join(toks),
                "language": f.language,
                "kind": f.kind,
                "tags": list(f.tags),
                "products": list(f.products),
                _CREATED_FIELD: int(f.created),
            }
            if f.category is not None:
                doc["category"] = f.category
            writer.add_document(tantivy.Document(**doc))
        self._dirty = True

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids) == 0:
            return
        writer = self.writer
        for cid in ids:
            writer.delete_documents_by_term(_ID_FIELD, int(cid))
        self._dirty = True

    def clear(self) -> None:
        """Remove every entry (a rebuild starts from here, in the same open folder)."""
        self.writer.delete_all_documents()
        self._dirty = True

    def commit(self) -> None:
        if self._dirty:
            self.writer.commit()
            self._dirty = False
        self.index.reload()
        self._searcher = None

    def _filters(self, public_only: bool, where: FieldFilter | None) -> list[tantivy.Query]:
        """Restrictions as zero-score clauses: they select documents and add nothing to BM25."""
        schema = self.schema
        parts: list[tantivy.Query] = []
        if public_only:
            parts.append(tantivy.Query.term_query(schema, _PUBLIC_FIELD, 1))
        if where is not None:
            for name, values in (
                ("kind", where.kinds),
                ("category", where.categories),
                ("tags", where.tags),
                ("language", (where.language,) if where.language else ()),
                ("language", where.languages),
                ("products", (where.product,) if where.product else ()),
            ):
                if values:
                    parts.append(tantivy.Query.term_set_query(schema, name, list(values)))
            if where.created_after is not None or where.created_before is not None:
                parts.append(
                    tantivy.Query.range_query(
                        schema,
                        _CREATED_FIELD,
                        tantivy.FieldType.Integer,
                        where.created_after,
                        None if where.created_before is None else where.created_before - 1,
                    )
                )
        return [tantivy.Query.const_score_query(p, 0.0) for p in parts]

    def _query(
        self, tokens: Sequence[str], public_only: bool, where: FieldFilter | None = None
    ) -> tantivy.Query:
        terms = list(dict.fromkeys(t for t in tokens if t))
        should = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, _TOKEN_FIELD, t))
                for t in terms
            ]
        )
        filters = self._filters(public_only, where)
        if not filters:
            return should
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, should), *((tantivy.Occur.Must, f) for f in filters)]
        )

    def doc_freqs(self, terms: Sequence[str]) -> tuple[int, list[int]]:
        searcher = self.searcher()
        return int(searcher.num_docs), [int(searcher.doc_freq(_TOKEN_FIELD, t)) for t in terms]

    def search(
        self,
        tokens: Sequence[str],
        k: int,
        public_only: bool = False,
        where: FieldFilter | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        if not tokens or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        searcher = self.searcher()
        # count=False: no total hit count, so tantivy can skip documents that cannot
        # reach the top k (0.25 ms of 1.9 at 1M chunks).
        result = searcher.search(self._query(tokens, public_only, where), k, count=False)
        if not result.hits:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores = np.fromiter((s for s, _ in result.hits), dtype=np.float32)
        return scores, self._chunk_ids(searcher, [addr for _, addr in result.hits])

    @staticmethod
    def _chunk_ids(searcher: tantivy.Searcher, addrs: list[tantivy.DocAddress]) -> np.ndarray:
        # From the fast field (a column): reading each stored document took 37 µs a hit.
        return np.asarray(searcher.fast_field_values(_ID_FIELD, addrs), dtype=np.int64)

    def count(self) -> int:
        return int(self.searcher().num_docs)

    def terms(self, public_only: bool = False) -> list[tuple[str, int]]:
        """Every term with the number of entries holding it (the spell checker's words).

        With `public_only`, only terms of entries customers may see: a correction must
        never reveal a word that only internal records use.
        """
        searcher = self.searcher()
        only = tantivy.Query.term_query(self.schema, _PUBLIC_FIELD, 1) if public_only else None
        found = searcher.terms_with_prefix(_TOKEN_FIELD, "", filter_query=only)
        return [(str(t), int(n)) for t, n in found if n > 0]

    def ids(self) -> np.ndarray:
        searcher = self.searcher()
        n = searcher.num_docs
        if n == 0:
            return np.zeros(0, np.int64)
        hits = searcher.search(tantivy.Query.all_query(), n).hits
        return self._chunk_ids(searcher, [a for _, a in hits])

    def close(self) -> None:
        """Commit, let tantivy's merge threads finish, and release the folder's writer lock."""
        if self._writer is not None:
            if self._dirty:
                self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None


def remove_folder(path: Path) -> None:
    """Delete an index folder that no index of this process has open any more.

    A full rebuild never comes here: it clears the documents of the open index
    (`clear`), because a folder an open index still watches cannot be removed safely.
    tantivy's reader watches `meta.json` from a thread of its own and, up to half a
    second after a commit, reloads and takes `.tantivy-meta.lock` again: removing the
    folder meanwhile failed now and then with "Directory not empty" (the lock file came
    back between listing the folder and removing it). So the folder is first renamed
    aside (one atomic step: whatever still writes by the old path finds nothing there),
    and the renamed folder is removed, again if something was late.
    """
    if not path.exists():
        return
    trash = path.with_name(f".{path.name}.removed-{uuid.uuid4().hex[:12]}")
    os.replace(path, trash)
    for pause in (0.0, 0.05, 0.2, 0.5, 1.0):
        time.sleep(pause)
        shutil.rmtree(trash, ignore_errors=True)
        if not trash.exists():
            return
    log.warning("could not remove %s entirely; it is removed with the next rebuild", trash)


def remove_leftovers(path: Path) -> None:
    """Remove folders `remove_folder` renamed aside and could not finish removing."""
    for old in path.parent.glob(f".{path.name}.removed-*"):
        shutil.rmtree(old, ignore_errors=True)
