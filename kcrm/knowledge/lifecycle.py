"""The life of a knowledge record: draft → review → published → archived, with history.

Only published records are in the indexes. Archiving keeps the record and its
history but takes it out of search and suggestions; publishing again puts it
back without embedding anything (chunks keep their vectors).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.tables import Document, DocumentRevision
from kcrm.knowledge.documents import change_status
from kcrm.knowledge.kb import KnowledgeBase

STATUSES = ("draft", "review", "published", "archived")

# Which moves a reviewer may make; anything else is refused with the allowed moves named.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("review", "published", "archived"),
    "review": ("draft", "published", "archived"),
    "published": ("draft", "archived"),
    "archived": ("draft", "published"),
}


def set_status(
    kb: KnowledgeBase, doc_id: str, status: str, actor: str = "", note: str = ""
) -> dict[str, Any]:
    """Move a record to `status`, recording who did it and why."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    with kb.lock, kb.db.session() as s:
        # Other processes may ingest this record meanwhile: the chunks whose removal (or
        # return) is logged below must be the ones it has when this commits.
        kb.db.write_lock(s)
        doc = s.get(Document, doc_id)
        if doc is None:
            raise NotFound(f"no document with id {doc_id!r}")
        if doc.status == status:
            return document_summary(doc)
        if status not in TRANSITIONS[doc.status]:
            raise ValueError(
                f"a {doc.status} record can move to {', '.join(TRANSITIONS[doc.status])}, "
                f"not {status}"
            )
        change_status(s, doc, status, actor, note)
        summary = document_summary(doc)
    with kb.lock:
        kb.replica.sync()
    return summary


def document_summary(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "status": doc.status,
        "visibility": doc.visibility,
        "version": doc.version,
        "updated_at": doc.updated_at,
    }


def require_document(db: Database, doc_id: str) -> None:
    """`NotFound` unless a knowledge record has this id (a cheap check before heavy work)."""
    with db.session() as s:
        if s.get(Document, doc_id) is None:
            raise NotFound(f"no document with id {doc_id!r}")


def history(db: Database, doc_id: str) -> list[dict[str, Any]]:
    """Every version of a record, oldest first (kept after deletion)."""
    with db.session() as s:
        rows = s.scalars(
            select(DocumentRevision)
            .where(DocumentRevision.document_id == doc_id)
            .order_by(DocumentRevision.version, DocumentRevision.id)
        ).all()
        if not rows:
            raise NotFound(f"no history for document {doc_id!r}")
        return [
            {
                "version": r.version,
                "status": r.status,
                "change": r.change,
                "changed_by": r.changed_by,
                "note": r.note,
                "title": r.title,
                "body": r.body,
                "category": r.category,
                "content_hash": r.content_hash,
                "at": r.created_at,
            }
            for r in rows
        ]
