"""The one writer of knowledge: documents, their chunks, their history and the index log.

Every change to what the indexes hold goes through here, in the same transaction
as the change itself: the index log (`index_log`) is what replicas replay, so a
crash anywhere loses nothing. Ingest, lifecycle, deletion and cases call these
functions; nothing else writes those tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from kcrm.core.db import KNOWLEDGE_WRITE_LOCK, Database
from kcrm.core.tables import Case, Chunk, Document, DocumentRevision, IndexLog, Interaction, utcnow
from kcrm.knowledge.records import IngestReport, KnowledgeRecord, Rejection


@dataclass
class Prepared:
    """A record made ready to store: redacted, language known, hashed."""

    record: KnowledgeRecord
    language: str
    content_hash: str
    source: str
    product_ids: list[str] = field(default_factory=list)  # given ones, then tagged ones


def log_index(s: Session, chunk_ids: Iterable[int], op: str) -> None:
    """Record that chunks joined ("a") or left ("r") the indexes; replicas replay it.

    Replicas apply the log in `seq` order and remember the last seq they applied. On
    PostgreSQL a sequence hands out numbers at insert time, not in commit order: without
    the knowledge write lock, seq 11 could commit while seq 10 is still in flight, a
    replica would apply 11 and never look at 10 again. With it, a transaction that writes
    the log commits before the next one draws a number. (SQLite has one writer at a time
    anyway.) The lock is re-entrant and released at commit, so taking it again is harmless.
    """
    rows = [{"chunk_id": int(cid), "op": op} for cid in chunk_ids]
    if not rows:
        return
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KNOWLEDGE_WRITE_LOCK})
    s.execute(insert(IndexLog), rows)


def change_status(s: Session, doc: Document, status: str, actor: str, note: str = "") -> None:
    """Move a record to `status` in this transaction: its version, history and index log."""
    was_published = doc.status == "published"
    doc.status = status
    doc.version += 1
    doc.updated_at = utcnow()
    if was_published != (status == "published"):
        chunk_ids = s.scalars(select(Chunk.id).where(Chunk.document_id == doc.id))
        log_index(s, list(chunk_ids), "a" if status == "published" else "r")
    s.add(revision(doc, actor, "status", note))


def stale_chunks(s: Session, model: str, limit: int) -> list[Any]:
    """Up to `limit` chunks not embedded by `model`.

    Rows of (id, title, heading, text, embedding, embedding_model).
    """
    return list(
        s.execute(
            select(
                Chunk.id,
                Document.title,
                Chunk.heading,
                Chunk.text,
                Chunk.embedding,
                Chunk.embedding_model,
            )
            .join(Document)
            .where((Chunk.embedding_model != model) | Chunk.embedding_model.is_(None))
            .limit(limit)
        ).all()
    )


def set_embeddings(s: Session, vectors: Iterable[tuple[int, bytes]], model: str) -> None:
    """Store new vectors of `model` for chunks (after a model switch)."""
    s.execute(
        update(Chunk),
        [{"id": cid, "embedding": blob, "embedding_model": model} for cid, blob in vectors],
    )


def store(
    s: Session,
    changed: Sequence[Prepared],
    plans: list[list[dict[str, Any]]],
    vectors: dict[str, bytes],
    model: str,
    actor: str,
    report: IngestReport,
) -> None:
    """Write a batch in a few statements: documents, chunks, index log, history, CRM rows.

    Call it under the knowledge write lock (`Database.write_lock`), in one transaction.
    """
    changed_ids = [p.record.id for p in changed]
    existing = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(changed_ids)))}
    owners = _crm_owners(s, [p.record for p in changed])
    todo = []
    for prepared, chunks in zip(changed, plans, strict=True):
        doc = existing.get(prepared.record.id)
        owner = owners.get(prepared.record.id) or (doc.kind if doc is not None else None)
        if owner is not None and _other_space(owner, prepared.record.kind):
            # One id, one thing: a FAQ must not overwrite a case's record, nor a case an FAQ's.
            file, _, line = prepared.source.rpartition(":")
            report.rejected.append(
                Rejection(
                    file or prepared.source,
                    int(line) if line.isdigit() else 0,
                    f"id: {prepared.record.id!r} is a {owner}; a {prepared.record.kind} cannot "
                    "reuse it (choose another id, or delete that record first)",
                )
            )
            continue
        if doc is not None and doc.content_hash == prepared.content_hash:
            report.unchanged += 1  # another process stored this very version meanwhile
            continue
        todo.append((prepared, doc, chunks))
    replaced = [doc.id for _, doc, _ in todo if doc is not None]
    if replaced:
        old = list(s.scalars(select(Chunk.id).where(Chunk.document_id.in_(replaced))))
        s.execute(delete(Chunk).where(Chunk.document_id.in_(replaced)))
        log_index(s, old, "r")
    crm = _crm_rows(s, [p.record for p, _, _ in todo])
    past = last_versions(s, [p.record.id for p, doc, _ in todo if doc is None])
    # New documents go in as one multi-row insert; existing ones are updated in place.
    docs: list[tuple[Any, str]] = []  # (a Document, or the new row's values) and change
    new_docs: list[dict[str, Any]] = []
    with s.no_autoflush:
        for prepared, doc, _ in todo:
            rec = prepared.record
            fields = _fields(prepared)
            if doc is None:
                report.added += 1
                values = {
                    "id": rec.id,
                    # An id deleted before comes back with its next number: the history
                    # outlives the record, and (id, version) is unique in it.
                    "version": past.get(rec.id, 0) + 1,
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
            "embedding_model": model,
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
        log_index(
            s,
            (
                chunk_id
                for (chunk_id,), row in zip(inserted, rows, strict=True)
                if row["document_id"] in published
            ),
            "a",
        )
    if not todo:
        return  # another process stored every one of them meanwhile
    s.execute(
        insert(DocumentRevision),
        [revision_row(doc, actor, change) for doc, change in docs],
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
                if rec.kind == "case":
                    wanted["priority"] = wanted["priority"] or "normal"
                    wanted["updated_at"] = utcnow()
                new_crm[rec.kind].append(wanted)
            else:
                for key, value in wanted.items():
                    if value is not None or key in NULLABLE_CRM:
                        setattr(row, key, value)
    if new_crm["case"]:
        s.execute(insert(Case), new_crm["case"])
    if new_crm["interaction"]:
        s.execute(insert(Interaction), new_crm["interaction"])


def _fields(p: Prepared) -> dict[str, Any]:
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
                mode="json",
                include={
                    "direction",
                    "agent",
                    "case_id",
                    "closed_at",
                    "case_status",
                    "priority",
                    "queue",
                },
            ).items()
            if v is not None
        },
        "content_hash": p.content_hash,
        "source": p.source,
        "updated_at": utcnow(),
    }


def last_versions(s: Session, ids: Sequence[str]) -> dict[str, int]:
    """The highest version in the history of each id that has one (deleted records too)."""
    if not ids:
        return {}
    rows = s.execute(
        select(DocumentRevision.document_id, func.max(DocumentRevision.version))
        .where(DocumentRevision.document_id.in_(list(ids)))
        .group_by(DocumentRevision.document_id)
    ).all()
    return {doc_id: int(version) for doc_id, version in rows}


def _other_space(owner: str, kind: str) -> bool:
    """Whether a record of `kind` would take over an id that a record of `owner` kind holds."""
    crm = ("case", "interaction")
    return owner != kind and (owner in crm or kind in crm)


def _crm_owners(s: Session, records: list[KnowledgeRecord]) -> dict[str, str]:
    """Kind ("case" or "interaction") of CRM rows already holding the batch's ids."""
    ids = [r.id for r in records]
    owners = {
        i: "interaction" for i in s.scalars(select(Interaction.id).where(Interaction.id.in_(ids)))
    }
    owners.update((i, "case") for i in s.scalars(select(Case.id).where(Case.id.in_(ids))))
    return owners


def _crm_rows(s: Session, records: list[KnowledgeRecord]) -> dict[str, Any]:
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
    "assignee",
    "closed_at",
    "resolved_at",
    "case_id",
}


def crm_values(rec: KnowledgeRecord) -> dict[str, Any] | None:
    """The CRM's own case or interaction row for a knowledge record (None for other kinds)."""
    if rec.kind == "case":
        status = rec.case_status or ("closed" if rec.resolution or rec.closed_at else "open")
        done = status in ("resolved", "closed")
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
            "assignee": rec.agent,
            "priority": rec.priority,
            "queue": rec.queue,
            "status": status,
            "opened_at": rec.created_at,
            "closed_at": rec.closed_at if status == "closed" else None,
            # An export's closing time is when the case was resolved (for resolution times).
            "resolved_at": rec.closed_at if done else None,
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
            log_index(s, chunk_ids, "r")
            # The case or interaction row came from this record: it goes with it.
            s.execute(delete(Case).where(Case.document_id == doc.id))
            s.execute(delete(Interaction).where(Interaction.document_id == doc.id))
            s.delete(doc)
            deleted.append(doc.id)
    missing = [i for i in ids if i not in set(deleted)]
    return deleted, missing


def reassign_customer(s: Session, old: str, new: str, actor: str) -> int:
    """Point the records about customer `old` at `new` (a merge), each with a history entry.

    Only the link changes, not what is indexed, so nothing is re-embedded or re-logged.
    """
    docs = list(s.scalars(select(Document).where(Document.customer_id == old)))
    for doc in docs:
        doc.customer_id = new
        doc.version += 1
        doc.updated_at = utcnow()
        s.add(revision(doc, actor, "updated", f"customer {old} merged into {new}"))
    return len(docs)
