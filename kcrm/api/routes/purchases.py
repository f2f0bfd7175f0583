"""POST /v1/purchases (admin): order lines into the CRM."""

from __future__ import annotations

from fastapi import APIRouter

from kcrm.api.deps import AdminRole, KBDep
from kcrm.api.schemas import IngestResponse, PurchasesRequest
from kcrm.crm.imports import import_rows

router = APIRouter(tags=["purchases"])


@router.post("/v1/purchases", response_model=IngestResponse)
def add_purchases(body: PurchasesRequest, kb: KBDep, _: AdminRole) -> IngestResponse:
    """Upsert order lines; unknown customers or products are rejected unless create_missing."""
    rows = (
        (i, line.model_dump(exclude_none=True, mode="json"))
        for i, line in enumerate(body.purchases, start=1)
    )
    report = import_rows(kb.db, "purchases", rows, "api", body.create_missing)
    data = report.as_dict()
    return IngestResponse(**{k: data[k] for k in IngestResponse.model_fields})
