"""Request and response bodies of marketing: products, audiences, rules, segments, campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from kcrm.api.schemas import Strict


class ProductOut(BaseModel):
    """A product with its rules (ids of other products)."""

    id: str
    name: str
    category: str | None
    active: bool = Field(description="may be offered")
    repeatable: bool = Field(description="bought again (renewal offers)")
    replaces: list[str]
    conflicts_with: list[str]
    upgrade_of: list[str]


class ProductList(BaseModel):
    """GET /v1/products, by name."""

    items: list[ProductOut]


class Offer(BaseModel):
    """One next-best offer, with the reasons it is made."""

    product_id: str
    name: str
    score: float
    reasons: list[str]
    category: str | None = None
    offer_type: Literal["new", "renewal"] = "new"


class Recommendations(BaseModel):
    """A customer's offers, best first."""

    customer_id: str
    items: list[Offer]


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


class GroupFigures(BaseModel):
    """Customers of one segment or tier, their share and means."""

    customers: int
    share: float
    monetary_share: float
    mean_recency_days: float
    mean_orders: float
    mean_monetary: float


class SegmentFigures(GroupFigures):
    segment: str


class TierFigures(GroupFigures):
    value_tier: str


class Rates(BaseModel):
    """Repeat and loyalty rates (absent when nobody bought anything)."""

    repeat_purchase_rate: float | None = None
    repeat_item_rate: float | None = None
    loyalty_rate: float | None = Field(
        default=None, description="of the buyers of the half-year before, who bought again"
    )
    active_last_window: int | None = None
    window_days: int | None = None


class CohortCuts(BaseModel):
    """The population's RFM cut points (quintiles) and value-tier cuts."""

    as_of: datetime
    basis: str = Field(description='"revenue" when prices are known, else "lines"')
    recency_cuts: list[float]
    frequency_cuts: list[float]
    monetary_cuts: list[float]
    tier_cuts: list[float]
    customers: int


class SegmentReport(BaseModel):
    """GET /v1/segments (`as_of` and `monetary_basis` absent when nobody bought anything)."""

    customers: int
    buyers: int
    as_of: datetime | None = None
    monetary_basis: str | None = None
    segments: list[SegmentFigures]
    tiers: list[TierFigures]
    rates: Rates
    cohort: CohortCuts | None


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


class CampaignSummary(BaseModel):
    """What a campaign was created with."""

    id: int
    name: str
    product_id: str | None
    segment: str | None
    tier: str | None
    size: int | None
    holdout_share: float
    seed: int
    consent_only: bool
    started_at: datetime


class CampaignSizes(CampaignSummary):
    """A campaign with the number of members in each group."""

    treatment: int
    holdout: int


class CampaignList(BaseModel):
    """GET /v1/campaigns, newest first."""

    items: list[CampaignSizes]


class MemberOut(BaseModel):
    customer_id: str
    name: str
    group: Literal["treatment", "holdout"]
    product_id: str = Field(description="offered, or would have been (holdout)")
    score: float
    rank: int
    outcome: Literal["accepted", "rejected"] | None = Field(description="the latest answer")


class CampaignMembers(CampaignSummary):
    """GET /v1/campaigns/{id}/members, in rank order."""

    group: Literal["treatment", "holdout"] | None = Field(description="null: both groups")
    customers: list[MemberOut]


class OutcomeRecorded(BaseModel):
    id: int
    campaign_id: int
    customer_id: str
    product_id: str
    outcome: Literal["accepted", "rejected"]
    recorded_at: datetime


class GroupResult(BaseModel):
    """Members who bought the offered product after the start."""

    customers: int
    converted: int
    rate: float | None


class TreatmentResult(GroupResult):
    accepted: int
    contactable: int = Field(description="members who agreed to marketing")
    rejected: int


class CampaignReport(CampaignSummary):
    """GET /v1/campaigns/{id}/report: conversion per group and the uplift with its interval."""

    treatment: TreatmentResult
    holdout: GroupResult
    uplift: float | None = Field(description="treatment rate minus holdout rate")
    ci_low: float | None
    ci_high: float | None
    ci: str = Field(description="how the 95 % interval is computed")
