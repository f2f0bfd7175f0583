"""Campaigns: an offer to a list of customers, a random holdout that gets nothing, the
answers customers give, and the conversion of each group with the uplift between them.

A campaign is for one product (its audience: non-owners by their chance of taking
it) or for a segment or value tier (each member is offered their own best new
product). The holdout is drawn with a seeded generator over the list in rank order,
so the same seed and list give the same split. A member converted if they bought
the product they were (or would have been) offered after the campaign started.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.tables import (
    Campaign,
    CampaignMember,
    Customer,
    OfferOutcome,
)
from kcrm.crm.consent import marketing_consent
from kcrm.crm.segments import SEGMENT_ORDER, TIERS, segment_report
from kcrm.recommend.service import RecommendService

Group = Literal["treatment", "holdout"]
Outcome = Literal["accepted", "rejected"]
GROUPS: tuple[str, ...] = ("treatment", "holdout")
SEGMENTS = tuple(SEGMENT_ORDER)
TIER_NAMES = tuple(name for name, _ in TIERS)


@dataclass
class CampaignSpec:
    """What a marketer asks for."""

    name: str
    holdout: float
    product_id: str | None = None
    segment: str | None = None
    tier: str | None = None
    size: int | None = None
    seed: int | None = None
    # Only customers who agreed to marketing: both groups are then people the offer can
    # reach, and the uplift is the offer's. Off, the treatment may hold customers no
    # export will contact (the report counts those who can be: `contactable`).
    consent_only: bool = False

    def check(self) -> None:
        """ValueError naming the first field a marketer has to change."""
        if not self.name.strip():
            raise ValueError("name must not be empty")
        if not 0.0 < self.holdout <= 0.5:
            raise ValueError(f"holdout must be above 0 and at most 0.5, got {self.holdout}")
        if self.product_id is None and self.segment is None and self.tier is None:
            raise ValueError("give a product_id, a segment or a tier to choose the customers")
        if self.segment is not None and self.segment not in SEGMENTS:
            raise ValueError(f"segment must be one of {', '.join(SEGMENTS)}; got {self.segment!r}")
        if self.tier is not None and self.tier not in TIER_NAMES:
            raise ValueError(f"tier must be one of {', '.join(TIER_NAMES)}; got {self.tier!r}")
        if self.size is not None and self.size < 2:
            raise ValueError(
                f"size must be at least 2 (a treatment and a holdout), got {self.size}"
            )


def _cut(db: Database, spec: CampaignSpec) -> list[str] | None:
    """The customers of the segment and tier asked for (None: no cut)."""
    if spec.segment is None and spec.tier is None:
        return None
    ids = [
        s["customer_id"]
        for s in segment_report(db)["scores"]
        if spec.segment in (None, s["segment"]) and spec.tier in (None, s["value_tier"])
    ]
    if not ids:
        wanted = " and ".join(
            f"{k} {v!r}" for k, v in (("segment", spec.segment), ("tier", spec.tier)) if v
        )
        raise ValueError(f"no customer is in {wanted}: the campaign would be empty")
    return sorted(ids)


def _candidates(
    db: Database, service: RecommendService, spec: CampaignSpec
) -> list[tuple[str, str, float]]:
    """(customer, product offered, score), best first."""
    cut = _cut(db, spec)
    if spec.consent_only:
        agreed = marketing_consent(db)
        cut = sorted(agreed if cut is None else agreed.intersection(cut))
        if not cut:
            raise ValueError(
                "no customer chosen has agreed to marketing (consent_marketing): "
                "nobody to offer this to"
            )
    if spec.product_id is not None:
        members = service.audience(spec.product_id, k=len(service.users) + 1, reasons=False)
        allowed = set(cut) if cut is not None else None
        return [
            (m.customer_id, spec.product_id, m.score)
            for m in members
            if allowed is None or m.customer_id in allowed
        ]
    found = [
        (cid, offers[0].product_id, offers[0].score)
        for cid, offers in service.recommend_all(1, "new", cut)
        if offers
    ]
    return sorted(found, key=lambda x: (-x[2], x[0]))


def create_campaign(
    db: Database, service: RecommendService, spec: CampaignSpec, created_by: str = ""
) -> dict[str, Any]:
    """Choose the members, draw the holdout and store the campaign.

    Raises:
        ValueError: a field out of range, or nobody left to offer anything to.
        NotFound: an unknown product.
    """
    spec.check()
    ranked = _candidates(db, service, spec)
    if spec.size is not None:
        ranked = ranked[: spec.size]
    if len(ranked) < 2:
        raise ValueError(
            f"only {len(ranked)} customer(s) can be offered this (owners, customers it is ruled "
            "out for, and customers who refused it lately are left out): a campaign needs two"
        )
    seed = spec.seed if spec.seed is not None else secrets.randbelow(2**31)
    n = len(ranked)
    held = np.zeros(n, bool)
    held[np.random.default_rng(seed).permutation(n)[: max(1, round(n * spec.holdout))]] = True
    with db.session() as s:
        campaign = Campaign(
            name=spec.name.strip(),
            product_id=spec.product_id,
            segment=spec.segment,
            tier=spec.tier,
            size=spec.size,
            holdout=spec.holdout,
            seed=seed,
            consent_only=spec.consent_only,
            created_by=created_by,
        )
        s.add(campaign)
        s.flush()
        s.add_all(
            CampaignMember(
                campaign_id=campaign.id,
                customer_id=cid,
                arm="holdout" if held[rank] else "treatment",
                product_id=product,
                score=float(score),
                rank=rank + 1,
            )
            for rank, (cid, product, score) in enumerate(ranked)
        )
        s.flush()
        return {**summary(campaign), "treatment": int(n - held.sum()), "holdout": int(held.sum())}


def summary(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "product_id": c.product_id,
        "segment": c.segment,
        "tier": c.tier,
        "size": c.size,
        "holdout_share": c.holdout,
        "seed": c.seed,
        "consent_only": bool(c.consent_only),
        "started_at": c.started_at.isoformat(),
    }


def campaign_row(s: Any, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign with id {campaign_id}")
    return campaign


def members(db: Database, campaign_id: int, group: Group | None = None) -> dict[str, Any]:
    """The campaign's members (one group or both) in rank order, with their latest answer."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"group must be treatment or holdout, got {group!r}")
    with db.session() as s:
        campaign = campaign_row(s, campaign_id)
        query = (
            select(CampaignMember, Customer.name)
            .join(Customer, Customer.id == CampaignMember.customer_id, isouter=True)
            .where(CampaignMember.campaign_id == campaign_id)
            .order_by(CampaignMember.rank)
        )
        if group is not None:
            query = query.where(CampaignMember.arm == group)
        answers = dict(
            s.execute(
                select(OfferOutcome.customer_id, OfferOutcome.outcome)
                .where(OfferOutcome.campaign_id == campaign_id)
                .order_by(OfferOutcome.id)
            ).all()
        )
        rows = [
            {
                "customer_id": m.customer_id,
                "name": name or "",
                "group": m.arm,
                "product_id": m.product_id,
                "score": round(m.score, 6),
                "rank": m.rank,
                "outcome": answers.get(m.customer_id),
            }
            for m, name in s.execute(query)
        ]
        return {**summary(campaign), "group": group, "customers": rows}


def record_outcome(
    db: Database, campaign_id: int, customer_id: str, outcome: Outcome, recorded_by: str = ""
) -> dict[str, Any]:
    """A treatment member's answer to the offer (rejections feed offer fatigue).

    Raises:
        NotFound: an unknown campaign.
        ValueError: the customer is not a member, or the outcome is not accepted/rejected.
        Conflict: the customer is in the holdout, which gets no offer.
    """
    if outcome not in ("accepted", "rejected"):
        raise ValueError(f"outcome must be accepted or rejected, got {outcome!r}")
    with db.session() as s:
        campaign_row(s, campaign_id)
        member = s.get(CampaignMember, (campaign_id, customer_id))
        if member is None:
            raise ValueError(f"customer {customer_id!r} is not a member of campaign {campaign_id}")
        if member.arm == "holdout":
            raise Conflict(
                f"customer {customer_id!r} is in the holdout of campaign {campaign_id}: "
                "the holdout gets no offer, so it has no answer to record"
            )
        row = OfferOutcome(
            campaign_id=campaign_id,
            customer_id=customer_id,
            product_id=member.product_id,
            outcome=outcome,
            recorded_by=recorded_by,
        )
        s.add(row)
        s.flush()
        return {
            "id": row.id,
            "campaign_id": campaign_id,
            "customer_id": customer_id,
            "product_id": member.product_id,
            "outcome": outcome,
            "recorded_at": row.recorded_at.isoformat(),
        }
