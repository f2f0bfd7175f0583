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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, select
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

    def ingest(self, items: Iterable[Parsed | Rejection], batch_size: int = 256) -> IngestReport:
        """Upsert every parsed record, collect every rejection."""
        report = IngestReport()
        batch: dict[str, Prepared] = {}
        for item in items:
            if isinstance(item, Rejection):
                report.rejected.append(item)
                continue
            if item.record.id in batch or len(batch) >= batch_size:
                # The same id twice in one run: the later one must win, so write the earlier first.
                report.merge(self._write(list(batch.values())))
                batch = {}
            try:
                batch[item.record.id] = prepare(item.record, f"{item.file}:{item.line}")
            except ValueError as exc:
                report.rejected.append(Rejection(item.file, item.line, str(exc)))
        if batch:
            report.merge(self._write(list(batch.values())))
        return report

    def _write(self, batch: Sequence[Prepared]) -> IngestReport:
        report = IngestReport()
        ids = [p.record.id for p in batch]
        # Two steps, so that several processes may ingest at once (workers, servers, a CLI
        # run beside them). First, without any lock: what changed, and its vectors
        # (embedding is the slow part). Then one short transaction under the knowledge
        # write lock that reads the records again and writes only what is still
        # different, so the same id ingested twice at once is stored once.
        with self.db.session() as s:
            stored = dict(
                s.execute(
                    select(Document.id, Document.content_hash).where(Document.id.in_(ids))
                ).all()
            )
            changed = [p for p in batch if stored.get(p.record.id) != p.content_hash]
            report.unchanged = len(batch) - len(changed)
            if self.progress is not None and report.unchanged:
                self.progress(report.unchanged)
            if not changed:
                return report
            plans = [self._plan_chunks(p) for p in changed]
            vectors = self._embed(s, plans, report)
        with self.db.session() as s:
            self.db.write_lock(s)
            changed_ids = [p.record.id for p in changed]
            existing = {
                d.id: d for d in s.scalars(select(Document).where(Document.id.in_(changed_ids)))
            }
            for prepared, chunks in zip(changed, plans, strict=True):
                doc = existing.get(prepared.record.id)
                if doc is not None and doc.content_hash == prepared.content_hash:
                    report.unchanged += 1  # another process stored this very version meanwhile
                    continue
                if doc is None:
                    report.added += 1
                else:
                    report.updated += 1
                self._upsert(s, prepared, doc, chunks, vectors)
        if self.progress is not None:
            self.progress(len(changed))
        return report

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

    def _embed(
        self, s: Session, plans: list[list[dict[str, Any]]], report: IngestReport
    ) -> dict[str, bytes]:
        """Vectors by text hash: reused from earlier chunks where possible, else embedded."""
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
        missing = [h for h in wanted if h not in vectors]
        report.reused_chunks += len(wanted) - len(missing)
        if missing:
            encoded = self.embedder.encode([wanted[h] for h in missing])
            for h, vec in zip(missing, encoded, strict=True):
                vectors[h] = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
            report.embedded_chunks += len(missing)
        return vectors

    def _upsert(
        self,
        s: Session,
        p: Prepared,
        doc: Document | None,
        chunks: list[dict[str, Any]],
        vectors: dict[str, bytes],
    ) -> None:
        rec = p.record
        product_ids = list(rec.product_ids)
        if self.tagger is not None:
            for pid in self.tagger.tag(f"{rec.title}\n{rec.body}", p.language):
                if pid not in product_ids:
                    product_ids.append(pid)
        fields: dict[str, Any] = {
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
            "product_ids": product_ids,
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
        change = "created"
        if doc is None:
            doc = Document(id=rec.id, version=1, created_at=rec.created_at or utcnow(), **fields)
            s.add(doc)
            s.flush()
        else:
            change = "updated" if doc.status == rec.status else "status"
            old_ids = list(s.scalars(select(Chunk.id).where(Chunk.document_id == doc.id)))
            s.execute(delete(Chunk).where(Chunk.document_id == doc.id))
            s.add_all(IndexLog(chunk_id=cid, op="r") for cid in old_ids)
            for key, value in fields.items():
                setattr(doc, key, value)
            doc.version += 1
            if rec.created_at is not None:
                doc.created_at = rec.created_at
        token_lists = nlp.tokenize_batch(
            [embedding_text(rec.title, c["heading"], c["text"]) for c in chunks],
            [p.language] * len(chunks),
        )
        new_chunks = [
            Chunk(
                document_id=doc.id,
                ordinal=c["ordinal"],
                heading=c["heading"],
                text=c["text"],
                tokens=" ".join(toks),
                text_hash=c["text_hash"],
                embedding=vectors[c["text_hash"]],
                embedding_model=self.embedder.name,
            )
            for c, toks in zip(chunks, token_lists, strict=True)
        ]
        s.add_all(new_chunks)
        s.flush()
        if rec.status == "published":
            s.add_all(IndexLog(chunk_id=c.id, op="a") for c in new_chunks)
        s.add(revision(doc, self.actor, change))
        self._upsert_crm(s, rec, doc)

    def _upsert_crm(self, s: Session, rec: KnowledgeRecord, doc: Document) -> None:
        """Keep the CRM's own case and interaction rows in step with their knowledge."""
        if rec.kind == "case":
            case = s.get(Case, rec.id) or Case(id=rec.id)
            case.customer_id = rec.customer_id
            case.product_id = rec.product_ids[0] if rec.product_ids else None
            case.subject = rec.title
            case.description = rec.body
            case.resolution = rec.resolution
            case.resolution_category = rec.category
            case.article_id = rec.article_id
            case.channel = rec.channel
            case.agent = rec.agent
            case.status = "closed" if rec.resolution or rec.closed_at else "open"
            case.opened_at = rec.created_at or case.opened_at or utcnow()
            case.closed_at = rec.closed_at
            case.document_id = doc.id
            s.add(case)
        elif rec.kind == "interaction":
            inter = s.get(Interaction, rec.id) or Interaction(id=rec.id)
            inter.customer_id = rec.customer_id
            inter.case_id = rec.case_id
            inter.channel = rec.channel or "web"
            inter.direction = rec.direction or "inbound"
            inter.text = rec.body
            inter.agent = rec.agent
            inter.occurred_at = rec.created_at or inter.occurred_at or utcnow()
            inter.document_id = doc.id
            s.add(inter)


def revision(doc: Document, actor: str, change: str, note: str = "") -> DocumentRevision:
    """The history row for the document as it now stands."""
    return DocumentRevision(
        document_id=doc.id,
        version=doc.version,
        status=doc.status,
        title=doc.title,
        body=doc.body,
        category=doc.category,
        content_hash=doc.content_hash,
        changed_by=actor,
        change=change,
        note=note,
    )


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
