"""POST /v1/help/contact: the help page's "contact us" when no answer helped."""

from __future__ import annotations

from fastapi import APIRouter, status

from kcrm.api.deps import CustomerRole, KBDep
from kcrm.api.schemas import ContactRequest, ContactResponse
from kcrm.crm.contact import open_contact_case

router = APIRouter(tags=["help"])


@router.post(
    "/v1/help/contact", response_model=ContactResponse, status_code=status.HTTP_201_CREATED
)
def contact(body: ContactRequest, kb: KBDep, principal: CustomerRole) -> ContactResponse:
    """Open a case with the visitor's message, their searches and the articles they saw."""
    case_id = open_contact_case(
        kb, principal, body.name, body.email, body.message, body.query, body.query_id, body.session
    )
    return ContactResponse(case_id=case_id)
