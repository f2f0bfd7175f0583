"""Customers: the 360° view, next-best offers and marketing segments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from kcrm.api.deps import KBDep, MarketingRole, RecommenderDep, require_role
from kcrm.api.params import CustomerId
from kcrm.api.problems import Problem
from kcrm.core.keys import Principal
from kcrm.core.roles import customer_view_for
from kcrm.crm.customers import customer_view
from kcrm.crm.segments import segment_summary

router = APIRouter(tags=["customers"])
StaffRole = Annotated[Principal, Depends(require_role("agent", "marketing"))]


class Offer(BaseModel):
    """One next-best offer, with the reasons it is made."""

    product_id: str
    name: str
    score: float
    reasons: list[str]
    category: str | None = None


class Recommendations(BaseModel):
    """A customer's offers, best first."""

    customer_id: str
    items: list[Offer]


def _unknown(customer_id: str) -> Problem:
    return Problem(404, "Not found", f"no customer with id {customer_id!r}")


@router.get("/v1/customers/{customer_id}")
def get_customer(customer_id: CustomerId, kb: KBDep, principal: StaffRole) -> dict[str, Any]:
    """The customer's 360° view: profile, value, purchases, cases, interactions.

    Marketing keys get the profile, value and purchases only (docs/api.md, "Roles").
    """
    view = customer_view(kb.db, customer_id)
    if view is None:
        raise _unknown(customer_id)
    return customer_view_for(principal.role, view)


@router.get("/v1/customers/{customer_id}/recommendations", response_model=Recommendations)
def get_recommendations(
    customer_id: CustomerId,
    service: RecommenderDep,
    _: StaffRole,
    k: Annotated[int, Query(ge=1, le=100, description="how many offers")] = 10,
    include_owned: Annotated[
        bool, Query(description="offer owned products too (renewals, upgrades)")
    ] = False,
) -> Recommendations:
    """Next-best offers with reasons, excluding products the customer already owns."""
    offers = service.recommend(customer_id, k, include_owned)
    if offers is None:
        raise _unknown(customer_id)
    return Recommendations(customer_id=customer_id, items=[Offer(**o.as_dict()) for o in offers])


@router.get("/v1/segments")
def get_segments(kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """RFM segments, value tiers and loyalty rates over all customers."""
    return segment_summary(kb.db)
