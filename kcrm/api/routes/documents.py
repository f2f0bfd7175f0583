"""Knowledge records over HTTP: read (as the role allows), upsert and delete (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from kcrm.api.deps import AdminRole, AnyRole, KBDep, actor
from kcrm.api.params import DocId
from kcrm.api.problems import Problem
from kcrm.api.schemas import DocumentPublic, DocumentsRequest, IngestResponse
from kcrm.core.roles import can_open
from kcrm.core.tables import Document
from kcrm.knowledge.records import Parsed
from kcrm.knowledge.selfservice import record_event

router = APIRouter(tags=["documents"])


@router.get("/v1/documents/{doc_id}", response_model=DocumentPublic)
def get_document(
    doc_id: DocId,
    kb: KBDep,
    principal: AnyRole,
    x_kcrm_session: Annotated[
        str | None,
        Header(max_length=64, pattern=r"^[A-Za-z0-9_-]{8,64}$", description="a help-page visit"),
    ] = None,
) -> DocumentPublic:
    """One record; a customer key gets 404 for anything not public and published."""
    with kb.db.session() as s:
        doc = s.get(Document, doc_id)
        if doc is None or not can_open(principal.role, doc):
            raise Problem(404, "Not found", f"no document with id {doc_id!r}")
        found = DocumentPublic.model_validate(doc, from_attributes=True)
    if principal.role == "customer":  # an article opened in self-service (deflection)
        record_event(kb.db, principal, "view", x_kcrm_session, item_id=doc_id)
    return found


@router.post("/v1/documents", response_model=IngestResponse)
def upsert_documents(body: DocumentsRequest, kb: KBDep, principal: AdminRole) -> IngestResponse:
    """Add or update records by id (unchanged ones embed nothing)."""
    items = (Parsed(r, "api", i) for i, r in enumerate(body.records, start=1))
    report = kb.ingest(items, actor=actor(principal))
    data = report.as_dict()
    return IngestResponse(**{k: data[k] for k in IngestResponse.model_fields})


@router.delete("/v1/documents/{doc_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_document(doc_id: DocId, kb: KBDep, principal: AdminRole) -> Response:
    """Remove a record from the database and both indexes (its history stays)."""
    deleted, _missing = kb.delete([doc_id], actor=actor(principal))
    if not deleted:
        raise Problem(404, "Not found", f"no document with id {doc_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
