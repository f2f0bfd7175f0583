"""A case's knowledge record: what a resolved case teaches, kept in step with the case.

A case resolved or closed with a resolution is an internal, published `case` record at
once (evidence for suggestions); reopened, the record is archived. The record has the
case's id and is written through `kb.ingest` (knowledge/documents is its only writer),
with the agent who made the change as its history's `changed_by`.
"""

from __future__ import annotations

from kcrm.core.tables import Case, Document
from kcrm.crm import timeline
from kcrm.crm.tickets import DONE
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed


def sync_knowledge(kb: KnowledgeBase, case_id: str, actor: str) -> None:
    """A resolved or closed case with a resolution is internal knowledge; reopened, archived.

    The record has the case's id; if that id now belongs to another kind of record
    (ingested after the case was opened), it is left alone and the timeline says so.
    """
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            return
        done = case.status in DONE and bool((case.resolution or "").strip())
        if not done and case.document_id is None:
            return
        doc = s.get(Document, case.id)
        if doc is not None and (doc.kind != "case" or case.document_id != doc.id):
            note = f"the id {case.id!r} belongs to a {doc.kind} record, which is left unchanged"
            timeline.record(s, case.id, "knowledge", actor, None, "not stored", {"reason": note})
            return
        workflow = (case.status, case.closed_at, case.resolved_at)
        record = KnowledgeRecord(
            id=case.id,
            kind="case",
            title=case.subject or "",
            body=case.description or case.subject or "(no description)",
            status=case.status if done else "open",  # type: ignore[arg-type]
            priority=case.priority,  # type: ignore[arg-type]
            category=case.resolution_category,
            resolution=case.resolution,
            article_id=case.article_id,
            customer_id=case.customer_id,
            product_ids=[case.product_id] if case.product_id else [],
            channel=case.channel,  # type: ignore[arg-type]
            agent=case.assignee,
            queue=case.queue,
            tags=list(case.tags or []),
            created_at=case.opened_at,
            closed_at=(case.closed_at or case.resolved_at) if done else None,
        )
    report = kb.ingest([Parsed(record, f"case:{case_id}", 0)], actor=actor)
    # Ingest derives the case row from the record; the workflow's own times stay the workflow's.
    with kb.db.session() as s:
        row = s.get(Case, case_id)
        if row is not None:
            row.status, row.closed_at, row.resolved_at = workflow
            if report.added or report.updated:
                state = "published (internal)" if done else "archived"
                timeline.record(s, case_id, "knowledge", actor, None, state)
