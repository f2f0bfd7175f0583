"""Customers: find, create, edit, merge; the 360° view, next-best offers and segments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status

from kcrm.api.crm_schemas import (
    CaseList,
    CustomerCreate,
    CustomerPublic,
    CustomerUpdate,
    InteractionList,
    MergeRequest,
)
from kcrm.api.customer_schemas import CustomerList, CustomerView, MergeResult
from kcrm.api.deps import AgentRole, KBDep, MarketingRole, RecommenderDep, actor, require_role
from kcrm.api.marketing_schemas import Offer, Recommendations, SegmentReport
from kcrm.api.params import CustomerId
from kcrm.api.problems import Problem
from kcrm.core.keys import Principal
from kcrm.core.roles import customer_list_for, customer_view_for
from kcrm.crm import profiles
from kcrm.crm.customers import customer_view
from kcrm.crm.interactions import customer_interactions
from kcrm.crm.merge import merge_customers
from kcrm.crm.queues import CaseQuery, list_cases
from kcrm.crm.segments import segment_summary

router = APIRouter(tags=["customers"])
StaffRole = Annotated[Principal, Depends(require_role("agent", "marketing"))]


def _unknown(customer_id: str) -> Problem:
    return Problem(404, "Not found", f"no customer with id {customer_id!r}")


Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _fields(body: CustomerCreate | CustomerUpdate) -> profiles.CustomerFields:
    data = body.model_dump(exclude={"id", "contacts"})
    contacts = (
        [profiles.ContactIn(c.kind, c.value, c.primary) for c in body.contacts]
        if body.contacts is not None
        else None
    )
    return profiles.CustomerFields(**data, contacts=contacts)


@router.get("/v1/customers", response_model=CustomerList)
def find_customers(
    kb: KBDep,
    principal: StaffRole,
    q: Annotated[str | None, Query(max_length=200, description="name, email or phone")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Customers whose name, email or phone matches `q` (prefixes; case, spaces and +44/0
    don't matter), by name: `{items, total, limit, offset, next}`."""
    return customer_list_for(principal.role, profiles.find_customers(kb.db, q, limit, offset))


@router.post("/v1/customers", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(body: CustomerCreate, kb: KBDep, _: AgentRole) -> dict[str, Any]:
    """A new customer; `possible_duplicates` lists others with the same email or phone."""
    return profiles.create_customer(kb.db, _fields(body), body.id)


@router.patch("/v1/customers/{customer_id}", response_model=CustomerPublic)
def update_customer(
    customer_id: CustomerId, body: CustomerUpdate, kb: KBDep, _: AgentRole
) -> dict[str, Any]:
    """Change a customer's profile, contacts, consent or custom attributes."""
    return profiles.update_customer(kb.db, customer_id, _fields(body))


@router.post("/v1/customers/{customer_id}/merge", response_model=MergeResult)
def merge_customer(
    customer_id: CustomerId, body: MergeRequest, kb: KBDep, principal: AgentRole
) -> dict[str, Any]:
    """Merge a duplicate into this customer: cases, interactions, purchases, contacts,
    knowledge records and keys move here; the duplicate's id keeps pointing here."""
    return merge_customers(kb.db, customer_id, body.duplicate_id, actor(principal))


@router.get(
    "/v1/customers/{customer_id}", response_model=CustomerView, response_model_exclude_unset=True
)
def get_customer(
    customer_id: CustomerId,
    kb: KBDep,
    principal: StaffRole,
    recent: Annotated[int, Query(ge=1, le=100, description="entries per list")] = 10,
) -> dict[str, Any]:
    """The customer's 360° view: profile, value, purchases, cases, interactions, totals.

    Marketing keys get the profile, value and purchases only (docs/api.md, "Roles").
    """
    view = customer_view(kb.db, customer_id, recent)
    if view is None:
        raise _unknown(customer_id)
    return customer_view_for(principal.role, view)


def _known(kb: Any, customer_id: str) -> str:
    with kb.db.session() as s:
        cust = profiles.resolve(s, customer_id)
        if cust is None:
            raise _unknown(customer_id)
        return cust.id


@router.get("/v1/customers/{customer_id}/interactions", response_model=InteractionList)
def get_customer_interactions(
    customer_id: CustomerId, kb: KBDep, _: AgentRole, limit: Limit = 20, offset: Offset = 0
) -> dict[str, Any]:
    """The customer's interactions, newest first, paged: `{items, total, limit, offset, next}`."""
    return customer_interactions(kb.db, _known(kb, customer_id), limit, offset)


@router.get("/v1/customers/{customer_id}/cases", response_model=CaseList)
def get_customer_cases(
    customer_id: CustomerId, kb: KBDep, _: AgentRole, limit: Limit = 20, offset: Offset = 0
) -> dict[str, Any]:
    """The customer's cases, newest first, paged."""
    query = CaseQuery(customer_id=_known(kb, customer_id))
    return list_cases(kb, query, limit, offset)


@router.get("/v1/customers/{customer_id}/recommendations", response_model=Recommendations)
def get_recommendations(
    customer_id: CustomerId,
    service: RecommenderDep,
    _: StaffRole,
    k: Annotated[int, Query(ge=1, le=100, description="how many offers")] = 10,
    offer_type: Annotated[
        Literal["new", "renewal", "all"],
        Query(description="new products, renewals of owned repeatable ones, or both"),
    ] = "new",
    include_owned: Annotated[
        bool, Query(description="the same as offer_type=all (kept for older callers)")
    ] = False,
) -> Recommendations:
    """Next-best offers with reasons; by default only products the customer does not own."""
    offers = service.recommend(customer_id, k, "all" if include_owned else offer_type)
    if offers is None:
        raise _unknown(customer_id)
    return Recommendations(customer_id=customer_id, items=[Offer(**o.as_dict()) for o in offers])


@router.get("/v1/segments", response_model=SegmentReport, response_model_exclude_unset=True)
def get_segments(kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """RFM segments, value tiers and loyalty rates over all customers."""
    return segment_summary(kb.db)
