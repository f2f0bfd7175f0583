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
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kcrm.config import Settings
from kcrm.db import Database
from kcrm.knowledge import nlp
from kcrm.knowledge.chunking import chunk_text
from kcrm.knowledge.embeddings import Embedder
from kcrm.knowledge.records import KnowledgeRecord, Parsed, Rejection
from kcrm.models import Case, Chunk, Document, DocumentRevision, IndexLog, Interaction, utcnow

ProgressFn = Callable[[int], None]


@dataclass
class IngestReport:
    """What an ingest did, in the counts INTERFACE.md names."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    embedded_chunks: int = 0
    reused_chunks: int = 0

    def merge(self, other: IngestReport) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rejected.extend(other.rejected)
        self.embedded_chunks += other.embedded_chunks
        self.reused_chunks += other.reused_chunks

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": len(self.rejected),
            "rejections": [r.as_dict() for r in self.rejected],
            "embedded_chunks": self.embedded_chunks,
            "reused_chunks": self.reused_chunks,
        }


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Prepared:
    """A record made ready to store: redacted, language known, hashed."""

    record: KnowledgeRecord
    language: str
    content_hash: str
    source: str
    product_ids: list[str] = field(default_factory=list)  # given ones, then tagged ones


def prepare(record: KnowledgeRecord, source: str) -> Prepared:
    """Redact what the public will see, detect the language, hash the content."""
    if record.visibility == "public":
        # PII never reaches storage or the indexes for anything customers can read.
        record = record.model_copy(
            update={
                "title": nlp.redact(record.title),
                "body": nlp.redact(record.body),
                "resolution": nlp.redact(record.resolution) if record.resolution else None,
            }
        )
    language = record.language or nlp.detect_language(f"{record.title}\n{record.body}")
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
        tagger: nlp.ProductTagger | None = None,
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
        batch: dict[str, Prepared] = {}
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
                started = self._begin(list(batch.values()), pool, report)
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
                try:
                    batch[item.record.id] = prepare(item.record, f"{item.file}:{item.line}")
                except ValueError as exc:
                    report.rejected.append(Rejection(item.file, item.line, str(exc)))
            if batch:
                flush()
            finish_pending()
        finally:
            pool.shutdown(wait=pending is None, cancel_futures=True)
        return report

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
        """Wait for the batch's vectors and store it."""
        for h, vec in zip(p.missing, p.encoded.result(), strict=True):
            p.vectors[h] = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
        report.embedded_chunks += len(p.missing)
        with self.db.session() as s:
            self.db.write_lock(s)
            self._store(s, p.changed, p.plans, p.vectors, report)
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
        tokens = nlp.tokenize_batch(
            [c["embed_text"] for _, c in flat], [p.language for p, _ in flat]
        )
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

    def _store(
        self,
        s: Session,
        changed: Sequence[Prepared],
        plans: list[list[dict[str, Any]]],
        vectors: dict[str, bytes],
        report: IngestReport,
    ) -> None:
        """Write the batch in a few statements: documents, chunks, log, history, CRM rows."""
        changed_ids = [p.record.id for p in changed]
        existing = {
            d.id: d for d in s.scalars(select(Document).where(Document.id.in_(changed_ids)))
        }
        todo = []
        for prepared, chunks in zip(changed, plans, strict=True):
            doc = existing.get(prepared.record.id)
            if doc is not None and doc.content_hash == prepared.content_hash:
                report.unchanged += 1  # another process stored this very version meanwhile
                continue
            todo.append((prepared, doc, chunks))
        replaced = [doc.id for _, doc, _ in todo if doc is not None]
        if replaced:
            old = list(s.scalars(select(Chunk.id).where(Chunk.document_id.in_(replaced))))
            s.execute(delete(Chunk).where(Chunk.document_id.in_(replaced)))
            s.add_all(IndexLog(chunk_id=cid, op="r") for cid in old)
        crm = self._crm_rows(s, [p.record for p, _, _ in todo])
        # New documents go in as one multi-row insert; existing ones are updated in place.
        docs: list[tuple[Any, str]] = []  # (a Document, or the new row's values) and change
        new_docs: list[dict[str, Any]] = []
        with s.no_autoflush:
            for prepared, doc, _ in todo:
                rec = prepared.record
                fields = self._fields(prepared)
                if doc is None:
                    report.added += 1
                    values = {
                        "id": rec.id,
                        "version": 1,
                        "created_at": rec.created_at or utcnow(),
                        **fields,
                    }
                    new_docs.append(values)
                    docs.append((SimpleNamespace(**values), "created"))
                else:
                    report.updated += 1
                    change = "updated" if doc.status == rec.status else "status"
                    for key, value in fields.items():
                        setattr(doc, key, value)
                    doc.version += 1
                    if rec.created_at is not None:
                        doc.created_at = rec.created_at
                    docs.append((doc, change))
        if new_docs:
            s.execute(insert(Document), new_docs)
        s.flush()  # the documents first: chunks, history and CRM rows refer to them
        rows = [
            {
                "document_id": prepared.record.id,
                "ordinal": c["ordinal"],
                "heading": c["heading"],
                "text": c["text"],
                "tokens": c["tokens"],
                "text_hash": c["text_hash"],
                "embedding": vectors[c["text_hash"]],
                "embedding_model": self.embedder.name,
            }
            for prepared, _, chunks in todo
            for c in chunks
        ]
        if rows:
            # Core inserts: one multi-row statement per table, ids back in parameter order.
            inserted = s.execute(
                insert(Chunk).returning(Chunk.id, sort_by_parameter_order=True), rows
            ).all()
            published = {p.record.id for p, _, _ in todo if p.record.status == "published"}
            log_rows = [
                {"chunk_id": chunk_id, "op": "a"}
                for (chunk_id,), row in zip(inserted, rows, strict=True)
                if row["document_id"] in published
            ]
            if log_rows:
                s.execute(insert(IndexLog), log_rows)
        if not todo:
            return  # another process stored every one of them meanwhile
        s.execute(
            insert(DocumentRevision),
            [revision_row(doc, self.actor, change) for doc, change in docs],
        )
        new_crm: dict[str, list[dict[str, Any]]] = {"case": [], "interaction": []}
        with s.no_autoflush:
            for prepared, _, _ in todo:
                rec = prepared.record
                wanted = crm_values(rec)
                if wanted is None:
                    continue
                row = crm.get(rec.id)
                if row is None:
                    for key in ("opened_at", "occurred_at"):
                        if key in wanted and wanted[key] is None:
                            wanted[key] = utcnow()
                    new_crm[rec.kind].append(wanted)
                else:
                    for key, value in wanted.items():
                        if value is not None or key in NULLABLE_CRM:
                            setattr(row, key, value)
        if new_crm["case"]:
            s.execute(insert(Case), new_crm["case"])
        if new_crm["interaction"]:
            s.execute(insert(Interaction), new_crm["interaction"])

    def _fields(self, p: Prepared) -> dict[str, Any]:
        rec = p.record
        return {
            "kind": rec.kind,
            "title": rec.title,
            "body": rec.body,
            "language": p.language,
            "visibility": rec.visibility,
            "status": rec.status,
            "tags": rec.tags,
            "category": rec.category,
            "resolution": rec.resolution,
            "article_id": rec.article_id,
            "customer_id": rec.customer_id,
            "product_ids": p.product_ids,
            "channel": rec.channel,
            "extra": {
                k: v
                for k, v in rec.model_dump(
                    mode="json", include={"direction", "agent", "case_id", "closed_at"}
                ).items()
                if v is not None
            },
            "content_hash": p.content_hash,
            "source": p.source,
            "updated_at": utcnow(),
        }

    def _crm_rows(self, s: Session, records: list[KnowledgeRecord]) -> dict[str, Any]:
        """The case and interaction rows the batch's records already have, by id."""
        cases = [r.id for r in records if r.kind == "case"]
        inters = [r.id for r in records if r.kind == "interaction"]
        rows: dict[str, Any] = {}
        if cases:
            rows.update((c.id, c) for c in s.scalars(select(Case).where(Case.id.in_(cases))))
        if inters:
            found = s.scalars(select(Interaction).where(Interaction.id.in_(inters)))
            rows.update((i.id, i) for i in found)
        return rows


# Fields a re-ingested record may clear; the others keep what the row had when left out.
NULLABLE_CRM = {
    "customer_id",
    "product_id",
    "subject",
    "description",
    "resolution",
    "resolution_category",
    "article_id",
    "channel",
    "agent",
    "closed_at",
    "case_id",
}


def crm_values(rec: KnowledgeRecord) -> dict[str, Any] | None:
    """The CRM's own case or interaction row for a knowledge record (None for other kinds)."""
    if rec.kind == "case":
        return {
            "id": rec.id,
            "customer_id": rec.customer_id,
            "product_id": rec.product_ids[0] if rec.product_ids else None,
            "subject": rec.title,
            "description": rec.body,
            "resolution": rec.resolution,
            "resolution_category": rec.category,
            "article_id": rec.article_id,
            "channel": rec.channel,
            "agent": rec.agent,
            "status": "closed" if rec.resolution or rec.closed_at else "open",
            "opened_at": rec.created_at,
            "closed_at": rec.closed_at,
            "document_id": rec.id,
        }
    if rec.kind == "interaction":
        return {
            "id": rec.id,
            "customer_id": rec.customer_id,
            "case_id": rec.case_id,
            "channel": rec.channel or "web",
            "direction": rec.direction or "inbound",
            "text": rec.body,
            "agent": rec.agent,
            "occurred_at": rec.created_at,
            "document_id": rec.id,
        }
    return None


def revision_row(doc: Document, actor: str, change: str, note: str = "") -> dict[str, Any]:
    """The history row for the document as it now stands, as column values."""
    return {
        "document_id": doc.id,
        "version": doc.version,
        "status": doc.status,
        "title": doc.title,
        "body": doc.body,
        "category": doc.category,
        "content_hash": doc.content_hash,
        "changed_by": actor,
        "change": change,
        "note": note,
        "created_at": utcnow(),
    }


def revision(doc: Document, actor: str, change: str, note: str = "") -> DocumentRevision:
    """The history row for the document as it now stands."""
    return DocumentRevision(**revision_row(doc, actor, change, note))


def delete_documents(
    db: Database, ids: Sequence[str], actor: str = ""
) -> tuple[list[str], list[str]]:
    """Delete records and log their chunks' removal; returns (deleted, not found)."""
    deleted: list[str] = []
    with db.session() as s:
        db.write_lock(s)  # no concurrent ingest may add chunks to a record being deleted
        for doc in s.scalars(select(Document).where(Document.id.in_(list(ids)))):
            doc.version += 1
            s.add(revision(doc, actor, "deleted"))
            chunk_ids = list(s.scalars(select(Chunk.id).where(Chunk.document_id == doc.id)))
            s.add_all(IndexLog(chunk_id=cid, op="r") for cid in chunk_ids)
            # The case or interaction row came from this record: it goes with it.
            s.execute(delete(Case).where(Case.document_id == doc.id))
            s.execute(delete(Interaction).where(Interaction.document_id == doc.id))
            s.delete(doc)
            deleted.append(doc.id)
    missing = [i for i in ids if i not in set(deleted)]
    return deleted, missing
