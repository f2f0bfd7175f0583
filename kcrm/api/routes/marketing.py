"""Marketing: audiences per product, association rules, campaigns with a holdout."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse

from kcrm.api.deps import KBDep, MarketingRole, RecommenderDep, actor, require_role
from kcrm.api.marketing_schemas import (
    Audience,
    AudienceMember,
    CampaignCreate,
    CampaignList,
    CampaignMembers,
    CampaignReport,
    CampaignSizes,
    OutcomeIn,
    OutcomeRecorded,
    ProductList,
    RuleOut,
    Rules,
)
from kcrm.api.openapi import csv_response
from kcrm.core.keys import Principal
from kcrm.crm import campaign_results, campaigns
from kcrm.crm.products import list_products
from kcrm.recommend.associations import RuleFilter

router = APIRouter(tags=["marketing"])
StaffRole = Annotated[Principal, Depends(require_role("agent", "marketing"))]
# Campaign ids are 32-bit integers (PostgreSQL's INTEGER): a larger one names no campaign.
CampaignId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the campaign's id")]
TREATMENT_CSV = csv_response(
    "The treatment group in rank order, members with marketing consent only",
    campaign_results.EXPORT_COLUMNS,
    "k001,Ada Lovelace,ada@example.com,,True,False,True,1,card,0.912345",
)


@router.get("/v1/products", response_model=ProductList)
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


@router.post("/v1/campaigns", response_model=CampaignSizes, status_code=201)
def post_campaign(
    body: CampaignCreate, kb: KBDep, service: RecommenderDep, who: MarketingRole
) -> dict[str, Any]:
    """Create a campaign: choose the members, draw the holdout. Returns the group sizes."""
    spec = campaigns.CampaignSpec(**body.model_dump())
    return campaigns.create_campaign(kb.db, service, spec, actor(who))


@router.get("/v1/campaigns", response_model=CampaignList)
def list_campaigns(kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """Every campaign, newest first, with its group sizes."""
    return {"items": campaign_results.list_campaigns(kb.db)}


@router.get("/v1/campaigns/{campaign_id}/members", response_model=CampaignMembers)
def get_members(
    campaign_id: CampaignId,
    kb: KBDep,
    _: MarketingRole,
    group: Literal["treatment", "holdout"] | None = None,
) -> dict[str, Any]:
    """The members of one group (or both), in rank order, with their answers."""
    return campaigns.members(kb.db, campaign_id, group)


@router.post(
    "/v1/campaigns/{campaign_id}/outcomes", response_model=OutcomeRecorded, status_code=201
)
def post_outcome(
    campaign_id: CampaignId, body: OutcomeIn, kb: KBDep, who: MarketingRole
) -> dict[str, Any]:
    """Record a treatment member's answer (rejections count towards offer fatigue)."""
    return campaigns.record_outcome(kb.db, campaign_id, body.customer_id, body.outcome, actor(who))


@router.get("/v1/campaigns/{campaign_id}/report", response_model=CampaignReport)
def get_report(campaign_id: CampaignId, kb: KBDep, _: MarketingRole) -> dict[str, Any]:
    """Conversion per group, the uplift and its 95 % interval."""
    return campaign_results.report(kb.db, campaign_id)


@router.get(
    "/v1/campaigns/{campaign_id}/export",
    response_class=StreamingResponse,
    responses={200: TREATMENT_CSV},
)
def export_members(campaign_id: CampaignId, kb: KBDep, _: MarketingRole) -> StreamingResponse:
    """The treatment group with contact details and consent, as CSV for the campaign tool."""
    lines = campaign_results.export_csv(kb.db, campaign_id)
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'},
    )
