"""Knowledge records into the database: upsert by id with a content hash, chunk, embed.

Unchanged records embed nothing. A chunk whose text was embedded before (by
the same model) reuses that vector, so editing one paragraph of an article
embeds only that paragraph. Index changes are written to `index_log` in the
same transaction as the chunks; the replica applies them afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kcrm.core.config import Settings
from kcrm.core.db import Database, write_or_bisect
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.chunking import chunk_text
from kcrm.knowledge.documents import Prepared, store
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.records import IngestReport, KnowledgeRecord, Parsed, Rejection
from kcrm.knowledge.text.language import detect_language
from kcrm.knowledge.text.pii import redact_batch
from kcrm.knowledge.text.products import ProductTagger
from kcrm.knowledge.text.tokens import tokenize_batch

ProgressFn = Callable[[int], None]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The free-text fields of a record (and each of its tags); the others hold identifiers
# (id, article_id, case_id, customer_id, product_ids), a language code or a fixed choice.
TEXT_FIELDS = ("title", "body", "resolution", "category", "agent", "queue")


def redact_public(
    records: Sequence[KnowledgeRecord], allow: Sequence[str] = ()
) -> list[KnowledgeRecord]:
    """Public records with every text field and tag redacted; internal ones as they are.

    PII never reaches storage or the indexes for anything customers can read. Internal
    records keep their text: agents need it. All texts go through the detector at once,
    so spaCy's NER runs batched.
    """
    texts: list[str] = []
    slots: list[tuple[int, str, int]] = []  # (record, field, tag position or -1)
    for i, rec in enumerate(records):
        if rec.visibility != "public":
            continue
        for name in TEXT_FIELDS:
            value = getattr(rec, name)
            if value:
                texts.append(value)
                slots.append((i, name, -1))
        for j, tag in enumerate(rec.tags):
            texts.append(tag)
            slots.append((i, "tags", j))
    updates: dict[int, dict[str, Any]] = {}
    for (i, name, j), value in zip(slots, redact_batch(texts, allow), strict=True):
        update = updates.setdefault(i, {})
        if j < 0:
            update[name] = value
        else:
            update.setdefault("tags", list(records[i].tags))[j] = value
    return [
        rec.model_copy(update=updates[i]) if i in updates else rec for i, rec in enumerate(records)
    ]


def prepare(record: KnowledgeRecord, source: str) -> Prepared:
    """Detect the language and hash the content of a record (`redact_public` ran before)."""
    language = record.language or detect_language(f"{record.title}\n{record.body}")
    payload = record.model_dump(mode="json")
    payload["language"] = language
    content_hash = sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False))
    return Prepared(record, language, content_hash, source)


def embedding_text(title: str, heading: str, text: str) -> str:
    """What a chunk is embedded as: its title and heading give the chunk its context."""
    return "\n".join(part for part in (title, heading, text) if part)


@dataclass
class _Pending:
    """A batch whose vectors are being computed."""

    changed: list[Prepared]
    plans: list[list[dict[str, Any]]]
    vectors: dict[str, bytes]
    missing: dict[str, str]
    encoded: Future[np.ndarray]

    @property
    def ids(self) -> set[str]:
        return {p.record.id for p in self.changed}


class Ingestor:
    """Writes batches of records and their chunks; one per ingest run."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        settings: Settings,
        tagger: ProductTagger | None = None,
        progress: ProgressFn | None = None,
        actor: str = "",
    ) -> None:
        self.db = db
        self.actor = actor
        self.embedder = embedder
        self.settings = settings
        self.tagger = tagger
        self.progress = progress

    def ingest(
        self, items: Iterable[Parsed | Rejection], batch_size: int | None = None
    ) -> IngestReport:
        """Upsert every parsed record, collect every rejection.

        Batches go through a two-stage pipeline: while the model embeds one batch on a
        worker thread (outside the GIL), this thread tokenizes it, stores the batch
        before it and parses the next, so ingest runs at nearly the model's own speed.
        """
        batch_size = batch_size or self.settings.ingest_batch_records
        report = IngestReport()
        batch: dict[str, Parsed] = {}
        pending: _Pending | None = None
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kcrm-ingest-embed")

        def finish_pending() -> None:
            nonlocal pending
            if pending is not None:
                done, pending = pending, None
                self._finish(done, report)

        def flush() -> None:
            nonlocal pending
            if pending is not None and not pending.ids.isdisjoint(batch):
                # The same id in both: the earlier version must be stored before the later
                # one is compared with what is stored, or the earlier would win.
                finish_pending()
            try:
                started = self._begin(self._prepare(list(batch.values()), report), pool, report)
            finally:
                # Whatever happens to the new batch, the one embedded before it is stored.
                finish_pending()
            pending = started

        try:
            for item in items:
                if isinstance(item, Rejection):
                    report.rejected.append(item)
                    continue
                if item.record.id in batch or len(batch) >= batch_size:
                    # The same id twice in one run: the later one must win, so the earlier
                    # batch goes first.
                    flush()
                    batch = {}
                batch[item.record.id] = item
            if batch:
                flush()
            finish_pending()
        finally:
            pool.shutdown(wait=pending is None, cancel_futures=True)
        return report

    def _prepare(self, items: Sequence[Parsed], report: IngestReport) -> list[Prepared]:
        """Redact the public records of a batch (one pass), then prepare each record."""
        records = redact_public([item.record for item in items], self.settings.pii_allow)
        prepared = []
        for item, record in zip(items, records, strict=True):
            try:
                prepared.append(prepare(record, f"{item.file}:{item.line}"))
            except ValueError as exc:
                report.rejected.append(Rejection(item.file, item.line, str(exc)))
        return prepared

    def _begin(
        self, batch: Sequence[Prepared], pool: ThreadPoolExecutor, report: IngestReport
    ) -> _Pending | None:
        """Find what changed, start embedding it on `pool`, tokenize and tag it meanwhile."""
        ids = [p.record.id for p in batch]
        # Two steps, so that several processes may ingest at once (workers, servers, a CLI
        # run beside them). First, without any lock: what changed, its chunks, tokens,
        # product tags and vectors (the slow part). Then (`_finish`) one short transaction
        # under the knowledge write lock that reads the records again and writes only what
        # is still different, so the same id ingested twice at once is stored once.
        with self.db.session() as s:
            stored = dict(
                s.execute(
                    select(Document.id, Document.content_hash).where(Document.id.in_(ids))
                ).all()
            )
            changed = [p for p in batch if stored.get(p.record.id) != p.content_hash]
            unchanged = len(batch) - len(changed)
            report.unchanged += unchanged
            if self.progress is not None and unchanged:
                self.progress(unchanged)
            if not changed:
                return None
            plans = [self._plan_chunks(p) for p in changed]
            vectors, missing = self._reusable(s, plans, report)
        encoded = pool.submit(self.embedder.encode, list(missing.values()))
        self._analyse(changed, plans)
        return _Pending(changed, plans, vectors, missing, encoded)

    def _finish(self, p: _Pending, report: IngestReport) -> None:
        """Wait for the batch's vectors and store it; a record the database refuses is
        rejected alone and the others still land."""
        for h, vec in zip(p.missing, p.encoded.result(), strict=True):
            p.vectors[h] = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
        report.embedded_chunks += len(p.missing)

        def write(items: Sequence[tuple[Prepared, list[dict[str, Any]]]]) -> None:
            attempt = IngestReport()  # counted only once the transaction commits
            with self.db.session() as s:
                self.db.write_lock(s)
                changed, plans = [i[0] for i in items], [i[1] for i in items]
                store(s, changed, plans, p.vectors, self.embedder.name, self.actor, attempt)
            report.merge(attempt)

        def reject(item: tuple[Prepared, list[dict[str, Any]]], reason: str) -> None:
            file, _, line = item[0].source.rpartition(":")
            report.rejected.append(Rejection(file, int(line) if line.isdigit() else 0, reason))

        write_or_bisect(list(zip(p.changed, p.plans, strict=True)), write, reject)
        if self.progress is not None:
            self.progress(len(p.changed))

    def _plan_chunks(self, p: Prepared) -> list[dict[str, Any]]:
        rec = p.record
        pieces = chunk_text(rec.body, self.settings.chunk_words, self.settings.chunk_overlap_words)
        plans = []
        for ordinal, piece in enumerate(pieces):
            text = embedding_text(rec.title, piece.heading, piece.text)
            plans.append(
                {
                    "ordinal": ordinal,
                    "heading": piece.heading,
                    "text": piece.text,
                    "embed_text": text,
                    "text_hash": sha256(text),
                    "language": p.language,
                }
            )
        return plans

    def _reusable(
        self, s: Session, plans: list[list[dict[str, Any]]], report: IngestReport
    ) -> tuple[dict[str, bytes], dict[str, str]]:
        """Vectors by text hash of earlier chunks with the same text, and the texts to embed.

        Returns:
            (vector bytes by text hash, text by hash of the texts no chunk has a vector for)
        """
        wanted = {c["text_hash"]: c["embed_text"] for chunks in plans for c in chunks}
        vectors: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):
            hashes = list(wanted)[start : start + 500]
            rows = s.execute(
                select(Chunk.text_hash, Chunk.embedding).where(
                    Chunk.text_hash.in_(hashes),
                    Chunk.embedding_model == self.embedder.name,
                    Chunk.embedding.is_not(None),
                )
            ).all()
            for h, emb in rows:
                if emb is not None:
                    vectors.setdefault(h, emb)
        missing = {h: text for h, text in wanted.items() if h not in vectors}
        report.reused_chunks += len(wanted) - len(missing)
        return vectors, missing

    def _analyse(self, changed: Sequence[Prepared], plans: list[list[dict[str, Any]]]) -> None:
        """Lexical tokens of every chunk (one pass through spaCy) and product tags."""
        flat = [(p, c) for p, chunks in zip(changed, plans, strict=True) for c in chunks]
        tokens = tokenize_batch([c["embed_text"] for _, c in flat], [p.language for p, _ in flat])
        for (_, c), toks in zip(flat, tokens, strict=True):
            c["tokens"] = " ".join(toks)
        for p in changed:
            product_ids = list(p.record.product_ids)
            if self.tagger is not None:
                text = f"{p.record.title}\n{p.record.body}"
                for pid in self.tagger.tag(text, p.language):
                    if pid not in product_ids:
                        product_ids.append(pid)
            p.product_ids = product_ids
