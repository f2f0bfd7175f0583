"""The knowledge base: one object over the database, the embedder and the index replica."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select, update

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Chunk, Customer, Document, Product, Purchase, QueryLog
from kcrm.knowledge.boosts import FeedbackMemory
from kcrm.knowledge.documents import delete_documents, set_embeddings, stale_chunks
from kcrm.knowledge.embedders.base import Embedder, QueryBatcher
from kcrm.knowledge.embedders.registry import active_embedder
from kcrm.knowledge.index.lexical import IndexInUse
from kcrm.knowledge.index.replica import IndexMismatch, IndexReplica, copy_replica
from kcrm.knowledge.ingest import Ingestor, embedding_text
from kcrm.knowledge.logwriter import QueryLogWriter
from kcrm.knowledge.querylog import redact_rows
from kcrm.knowledge.records import IngestReport, Parsed, Rejection, knowledge_files, read_path
from kcrm.knowledge.relevance import ModelProfile, profile
from kcrm.knowledge.search import SearchFilters, SearchHit, SearchResult, full_search
from kcrm.knowledge.text.products import ProductTagger
from kcrm.knowledge.text.spelling import Speller

log = logging.getLogger(__name__)
ProgressFn = Callable[[int], None]

# Logged queries embedded again when the model changes (the most recent ones).
QUERY_REEMBED_LIMIT = 20_000
# Query vectors kept by text (the same question asked again embeds nothing).
QUERY_VECTORS_KEPT = 4096
# The spell checker's vocabulary is rebuilt from the index when it changed, at most this often.
SPELLER_REFRESH_SECONDS = 60.0


def _ignore(stage: str, seconds: float) -> None:
    pass


def private_replica_dir(settings: Settings) -> Path:
    """A folder for this process's own replica; those of processes that died are removed."""
    root = settings.data_dir / "replicas"
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        if folder.name.isdigit() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)  # left behind by a crash (kill -9)
    return root / str(os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class KnowledgeBase:
    """Ingest, delete, reindex, search and check the knowledge of one data dir."""

    def __init__(
        self, settings: Settings, db: Database, embedder: Embedder, replica: IndexReplica
    ) -> None:
        self.settings = settings
        self.db = db
        self.embedder = embedder
        self.replica = replica
        self.lock = threading.RLock()
        self.private_dir: Path | None = None  # a replica of this process only, deleted at close
        self.tagger = self._load_tagger()
        self._batcher: QueryBatcher | None = None  # concurrent queries embedded together
        # A search and its log entry (and the same query typed again) embed once.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._asked: dict[str, Future[np.ndarray]] = {}  # being embedded now, by text
        self.profile: ModelProfile = profile(embedder.name, settings.embedding_languages)
        self.feedback: FeedbackMemory | None = FeedbackMemory(db, embedder.name)
        self._spellers: dict[bool, tuple[int, float, Speller]] = {}
        self._speller_lock = threading.Lock()
        # Told how long each stage of the work took (a server exports it on /metrics).
        self.observe: Callable[[str, float], None] = _ignore
        # Written at once until a server starts it: then behind the requests.
        self.query_log = QueryLogWriter(db, redact_rows, observe=self._observe)

    def _observe(self, stage: str, seconds: float) -> None:
        self.observe(stage, seconds)

    def speller(self, public_only: bool = False) -> Speller:
        """A spell checker over the words the index holds (rebuilt when they changed).

        With `public_only`, over the words of public records only: a customer's typo is
        never corrected into a word only internal records use.
        """
        version = self.replica.fields.version
        held = self._spellers.get(public_only)
        now = time.monotonic()
        if held is not None and (held[0] == version or now - held[1] < SPELLER_REFRESH_SECONDS):
            return held[2]
        with self._speller_lock:
            held = self._spellers.get(public_only)
            if held is None or (held[0] != version and now - held[1] >= SPELLER_REFRESH_SECONDS):
                with self.lock:
                    terms = self.replica.lexical.terms(public_only)
                held = self._spellers[public_only] = (version, now, Speller(terms))
            return held[2]

    def embed_query(self, text: str) -> np.ndarray:
        """The query's vector (read-only), cached by text."""
        return self.embed_query_soon(text).result()

    def embed_query_soon(self, text: str) -> Future[np.ndarray]:
        """The query's vector, computed on another thread while the caller does other work.

        The model runs outside the GIL, so a search tokenizes and searches the lexical
        index meanwhile (at 1M chunks that hides about 2.5 ms of a 12 ms search), and
        queries of concurrent searches are embedded together (`QueryBatcher`).
        """
        with self._vectors_lock:
            known = self._vectors.get(text)
            if known is not None:
                self._vectors.move_to_end(text)
                done: Future[np.ndarray] = Future()
                done.set_result(known)
                return done
            asked = self._asked.get(text)
            if asked is not None:  # the same query being embedded for another search
                return asked
            batcher = self._batcher
            if batcher is None or batcher.embedder is not self.embedder:
                together = self.embedder.batches_queries and self.embedder.batch_invariant
                old, batcher = (
                    batcher,
                    QueryBatcher(
                        self.embedder, max_batch=8 if together else 1, observe=self._observe
                    ),
                )
                batcher.remember = functools.partial(self._remember, batcher)
                self._batcher = batcher
                if old is not None:
                    threading.Thread(target=old.close, daemon=True).start()
            pending = self._asked[text] = batcher.submit(text)
        pending.add_done_callback(lambda _: self._asked.pop(text, None))
        return pending

    def _remember(self, batcher: QueryBatcher, text: str, vector: np.ndarray) -> None:
        with self._vectors_lock:
            if batcher is self._batcher:  # not a vector of a model switched away from
                self._vectors[text] = vector
                if len(self._vectors) > QUERY_VECTORS_KEPT:
                    self._vectors.popitem(last=False)

    def forget_query_vectors(self) -> None:
        """Drop the cached query vectors (a bench timing the embedding, a model switch)."""
        with self._vectors_lock:
            self._vectors.clear()
            self._asked.clear()

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        for_rebuild: bool = False,
        index_dir: Path | None = None,
    ) -> KnowledgeBase:
        """Open (creating on first use) the database and the indexes of `settings`.

        With `for_rebuild` the saved indexes are not loaded: the caller runs `reindex`.
        `index_dir` puts this process's index replica somewhere else than the shared one.
        """
        settings.ensure_dirs()
        db = Database(settings)
        db.ensure_schema()
        if embedder is None:
            embedder = active_embedder(settings)
        private: Path | None = None
        try:
            replica = IndexReplica.open(
                db,
                embedder,
                index_dir or settings.index_dir,
                settings.ivf_threshold,
                empty=for_rebuild,
            )
        except IndexInUse:
            if for_rebuild or index_dir is not None:
                raise
            # A server (or another command) keeps the shared replica: this process follows
            # the log in a private copy instead, removed again at close.
            private = private_replica_dir(settings)
            copy_replica(settings.index_dir, private)
            copied: IndexReplica | None = None
            try:
                copied = IndexReplica.open(db, embedder, private, settings.ivf_threshold)
                copied.lexical.ids()  # reads every segment: a copy torn by a merge fails here
                replica = copied
            except IndexMismatch:
                raise
            except Exception as exc:  # any damage to a copy: rebuild it from the database
                log.warning("the copied index replica is unusable (%s); rebuilding", exc)
                if copied is not None:
                    with contextlib.suppress(Exception):
                        copied.close()
                shutil.rmtree(private, ignore_errors=True)
                replica = IndexReplica.open(db, embedder, private, settings.ivf_threshold)
        kb = cls(settings, db, embedder, replica)
        kb.private_dir = private
        return kb

    def close(self) -> None:
        self.query_log.stop()
        if self._batcher is not None:
            self._batcher.close()
        with self.lock:
            self.replica.sync()
            if self.private_dir is None:
                self.replica.save()
            self.replica.close()
            self.db.dispose()
            if self.private_dir is not None:
                shutil.rmtree(self.private_dir, ignore_errors=True)

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reload_products(self) -> None:
        """Tag records with the catalogue as it now is (after a products import)."""
        self.tagger = self._load_tagger()

    def _load_tagger(self) -> ProductTagger:
        with self.db.session() as s:
            products = s.execute(select(Product.id, Product.name, Product.aliases)).all()
        return ProductTagger((p.id, p.name, p.aliases or []) for p in products)

    # ---- writing -------------------------------------------------------------------------
    def ingest_files(
        self, paths: Sequence[Path], progress: ProgressFn | None = None, actor: str = ""
    ) -> IngestReport:
        """Ingest knowledge files and folders (each record read once, in file order)."""
        files = knowledge_files(paths)
        items = (item for file, root in files for item in read_path(file, root))
        return self.ingest(items, progress, actor)

    def ingest(
        self,
        items: Iterable[Parsed | Rejection],
        progress: ProgressFn | None = None,
        actor: str = "",
    ) -> IngestReport:
        """Upsert records and bring the indexes up to date; `actor` goes into the history."""
        # Only the replica needs the process lock: the ingest itself touches the database
        # alone (serialised there by the knowledge write lock), so searches go on while a
        # batch is embedded instead of queueing behind it.
        ingestor = Ingestor(self.db, self.embedder, self.settings, self.tagger, progress, actor)
        report = ingestor.ingest(items)
        with self.lock:
            self.replica.sync()
        return report

    def delete(self, ids: Sequence[str], actor: str = "") -> tuple[list[str], list[str]]:
        """Remove records from the database and both indexes; returns (deleted, not found)."""
        with self.lock:
            deleted, missing = delete_documents(self.db, ids, actor)
            self.replica.sync()
            return deleted, missing

    def reembed_stale(
        self, progress: ProgressFn | None = None, known: Mapping[str, np.ndarray] | None = None
    ) -> int:
        """Embed again every chunk embedded by another model than the configured one.

        `known`: vectors this embedder already computed, by embedding text (the cases
        `kcrm train suggest` scored a new model on); those texts are not embedded again.
        """
        known = known or {}
        done = 0
        with self.lock:
            while True:
                with self.db.session() as s:
                    rows = stale_chunks(s, self.embedder.name, 1024)
                    if not rows:
                        return done
                    texts = [embedding_text(r.title, r.heading, r.text) for r in rows]
                    # A vector still right for this embedder is kept (a second model
                    # turned on re-embeds only the languages it takes over).
                    still = {
                        t: np.frombuffer(r.embedding, dtype=np.float32)
                        for r, t in zip(rows, texts, strict=True)
                        if r.embedding is not None and self.embedder.keeps(r.embedding_model, t)
                    }
                    vectors = self.encode_unknown(texts, {**known, **still} if still else known)
                    blobs = (v.astype("float32").tobytes() for v in vectors)
                    ids = (r.id for r in rows)
                    set_embeddings(s, zip(ids, blobs, strict=True), self.embedder.name)
                done += sum(t not in still for t in texts)
                if progress is not None:
                    progress(len(rows))

    def encode_unknown(self, texts: list[str], known: Mapping[str, np.ndarray]) -> np.ndarray:
        """`texts` embedded, taking the vectors `known` has and computing only the others."""
        missing = [i for i, t in enumerate(texts) if t not in known]
        vectors = np.empty((len(texts), self.embedder.dim), dtype=np.float32)
        if missing:
            vectors[missing] = self.embedder.encode([texts[i] for i in missing])
        for i, text in enumerate(texts):
            if text in known:
                vectors[i] = known[text]
        return vectors

    def reembed_queries(self, limit: int = QUERY_REEMBED_LIMIT) -> int:
        """Embed again the most recent logged queries embedded by another model.

        Feedback boosts and the gap report compare logged queries by their vectors, so
        after a model switch the recent ones must be in the new model's space too.
        """
        with self.db.session() as s:
            rows = s.execute(
                select(QueryLog.id, QueryLog.query)
                .where(
                    QueryLog.embedding.is_not(None),
                    QueryLog.embedding_model != self.embedder.name,
                )
                .order_by(QueryLog.created_at.desc())
                .limit(limit)
            ).all()
        for start in range(0, len(rows), 1024):
            part = rows[start : start + 1024]
            vectors = self.embedder.encode([r.query for r in part])
            with self.db.session() as s:
                for row, vec in zip(part, vectors, strict=True):
                    s.execute(
                        update(QueryLog)
                        .where(QueryLog.id == row.id)
                        .values(embedding=vec.tobytes(), embedding_model=self.embedder.name)
                    )
        return len(rows)

    def use_embedder(
        self,
        embedder: Embedder,
        progress: ProgressFn | None = None,
        known: Mapping[str, np.ndarray] | None = None,
    ) -> int:
        """Switch to another embedding model: re-embed what it did not embed, rebuild the indexes.

        `known` holds vectors `embedder` already computed, by text (`reembed_stale`).
        Returns the number of chunks given new vectors (none when another process already did).
        """
        with self.lock:
            self.embedder = embedder
            self.replica.embedder = embedder
            self.profile = profile(embedder.name, self.settings.embedding_languages)
            self.feedback = FeedbackMemory(self.db, embedder.name)
            self.forget_query_vectors()
            done = self.reembed_stale(progress, known)
            self.reembed_queries()
            self.replica.rebuild()
            return done

    def reindex(self, progress: ProgressFn | None = None) -> int:
        """Rebuild both indexes from the database (re-embedding only stale chunks)."""
        with self.lock:
            self.reembed_stale(progress)
            return self.replica.rebuild(progress)

    # ---- reading -------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 10,
        role: str = "agent",
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        """Records best matching `query`; public-only roles see public, published ones only."""
        return full_search(self, query, k, role, filters or SearchFilters()).hits

    def search_full(
        self,
        query: str,
        k: int = 10,
        role: str = "agent",
        filters: SearchFilters | None = None,
        facets: tuple[str, ...] = (),
    ) -> SearchResult:
        """`search` with `no_match`, the spelling it ran with and facet counts."""
        return full_search(self, query, k, role, filters or SearchFilters(), facets)

    def status(self) -> dict[str, Any]:
        """Counts of everything stored and indexed, and whether the indexes match the database."""
        with self.lock:
            rep = self.replica.status()
        with self.db.session() as s:
            by_kind = dict(
                s.execute(select(Document.kind, func.count()).group_by(Document.kind)).all()
            )
            by_status = dict(
                s.execute(select(Document.status, func.count()).group_by(Document.status)).all()
            )
            counts = {
                "documents": sum(by_kind.values()),
                "documents_by_kind": by_kind,
                "documents_by_status": by_status,
                "chunks": s.scalar(select(func.count()).select_from(Chunk)) or 0,
                "indexed_chunks": rep.expected,
                "vectors": rep.vectors,
                "lexical_entries": rep.lexical,
                "customers": s.scalar(select(func.count()).select_from(Customer)) or 0,
                "products": s.scalar(select(func.count()).select_from(Product)) or 0,
                "purchases": s.scalar(select(func.count()).select_from(Purchase)) or 0,
            }
        counts.update(
            {
                "consistent": rep.consistent,
                "index_seq": rep.applied_seq,
                "log_seq": rep.log_seq,
                "embedding_model": self.embedder.name,
                "vector_index": "ivf" if self.replica.vectors.is_ivf else "flat",
                "database": self.db.engine.url.render_as_string(hide_password=True),
                "data_dir": str(self.settings.data_dir),
            }
        )
        return counts
