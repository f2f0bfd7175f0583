"""Marketing: audiences per product, association rules, campaigns with a holdout."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from kcrm.api.deps import KBDep, MarketingRole, RecommenderDep, actor, require_role
from kcrm.api.schemas import Strict
from kcrm.core.keys import Principal
from kcrm.crm import campaign_results, campaigns
from kcrm.crm.products import list_products
from kcrm.recommend.associations import RuleFilter

router = APIRouter(tags=["marketing"])
StaffRole = Annotated[Principal, Depends(require_role("agent", "marketing"))]
# Campaign ids are 32-bit integers (PostgreSQL's INTEGER): a larger one names no campaign.
CampaignId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the campaign's id")]


class AudienceMember(BaseModel):
    """A customer who does not own the product, and why they may take it."""

    customer_id: str
    score: float
    reasons: list[str]


class Audience(BaseModel):
    """The customers most likely to take a product, best first."""

    product_id: str
    customers: list[AudienceMember]


class RuleOut(BaseModel):
    """Customers who bought the antecedent also bought the consequent."""

    antecedent: list[str]
    consequent: list[str]
    antecedent_names: list[str]
    consequent_names: list[str]
    support: float
    confidence: float
    lift: float
    customers: int


class Rules(BaseModel):
    rules: list[RuleOut]


class CampaignCreate(Strict):
    """A campaign for a product (its audience) or a segment and/or value tier."""

    name: str = Field(min_length=1, max_length=256)
    product_id: str | None = Field(default=None, min_length=1, max_length=128)
    segment: str | None = Field(default=None, min_length=1, max_length=64)
    tier: str | None = Field(default=None, min_length=1, max_length=16)
    size: int | None = Field(default=None, ge=2, le=10_000_000, description="most members")
    holdout: float = Field(gt=0, le=0.5, description="share of members who get no offer")
    seed: int | None = Field(default=None, ge=0, lt=2**31, description="of the holdout draw")
    consent_only: bool = Field(
        default=False, description="only customers who agreed to marketing (a clean test)"
    )


class OutcomeIn(Strict):
    """A treatment member's answer to the offer."""

    customer_id: str = Field(min_length=1, max_length=128)
    outcome: Literal["accepted", "rejected"]


@router.get("/v1/products")
def get_products(
    kb: KBDep,
    _: StaffRole,
    active: Annotated[bool, Query(description="only products that may be offered")] = False,
) -> dict[str, Any]:
    """The catalogue by name, with each product's rules (replaces, conflicts_with, upgrade_of)."""
    return {"items": list_products(kb.db, active)}


@router.get("/v1/products/{product_id:path}/audience", response_model=Audience)
def get_audience(
    product_id: Annotated[str, Path(max_length=128, description="may contain /")],
    service: RecommenderDep,
    _: MarketingRole,
    k: Annotated[int, Query(ge=1, le=10_000, description="how many customers")] = 100,
) -> Audience:
    """Non-owners most likely to take the product, best first, with reasons."""
    members = service.audience(product_id, k)
    return Audience(
        product_id=product_id, customers=[AudienceMember(**m.as_dict()) for m in members]
    )


@router.get("/v1/rules", response_model=Rules)
def get_rules(
    service: RecommenderDep,
    _: MarketingRole,
    product_id: Annotated[str | None, Query(max_length=128, description="on either side")] = None,
    min_lift: Annotated[float, Query(ge=0)] = 1.0,
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
    min_support: Annotated[float, Query(ge=0, le=1)] = 0.0,
    min_customers: Annotated[int, Query(ge=1, description="customers with both")] = 10,
    k: Annotated[int, Query(ge=1, le=1000)] = 50,
    sort: Literal["lift", "confidence", "support", "customers"] = "lift",
) -> Rules:
    """Association rules between products (customer baskets), best first."""
    rule_filter = RuleFilter(
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        min_customers=min_customers,
        k=k,
        sort=sort,
    )
    found = service.rules(rule_filter, product_id or None)
    return Rules(rules=[RuleOut(**r.as_dict()) for r in found])


@router.post("/v1/campaigns", status_code=201)
def post_campaign(
    body: CampaignCreate, kb: KBDep, service: RecommenderDep, who: MarketingRole
) -> dict[str, Any]:
    """Create a campaign: choose the members, draw the holdout. Returns the group sizes."""
    spec = campaigns.CampaignSpec(**body.model_dump())
    return campaigns.create_campaign(kb.db, service, spec, actor(who))


@router.get("/v1/campaigns")
def list_campaigns(kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """Every campaign, newest first, with its group sizes."""
    return {"items": campaign_results.list_campaigns(kb.db)}


@router.get("/v1/campaigns/{campaign_id}/members")
def get_members(
    campaign_id: CampaignId,
    kb: KBDep,
    _: MarketingRole,
    group: Literal["treatment", "holdout"] | None = None,
) -> dict[str, Any]:
    """The members of one group (or both), in rank order, with their answers."""
    return campaigns.members(kb.db, campaign_id, group)


@router.post("/v1/campaigns/{campaign_id}/outcomes", status_code=201)
def post_outcome(
    campaign_id: CampaignId, body: OutcomeIn, kb: KBDep, who: MarketingRole
) -> dict[str, Any]:
    """Record a treatment member's answer (rejections count towards offer fatigue)."""
    return campaigns.record_outcome(kb.db, campaign_id, body.customer_id, body.outcome, actor(who))


@router.get("/v1/campaigns/{campaign_id}/report")
def get_report(campaign_id: CampaignId, kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """Conversion per group, the uplift and its 95 % interval."""
    return campaign_results.report(kb.db, campaign_id)


@router.get(
    "/v1/campaigns/{campaign_id}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "the treatment group"}},
)
def export_members(campaign_id: CampaignId, kb: KBDep, _: MarketingRole) -> StreamingResponse:
    """The treatment group with contact details and consent, as CSV for the campaign tool."""
    lines = campaign_results.export_csv(kb.db, campaign_id)
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'},
    )
