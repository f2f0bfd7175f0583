"""What a campaign achieved and who to contact: conversion per group with the uplift and its
interval, the list of campaigns, and the treatment group as CSV for the campaign tool."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import case, exists, func, select

from kcrm.core.db import Database
from kcrm.core.tables import Campaign, CampaignMember, Customer, OfferOutcome, Purchase
from kcrm.crm.campaigns import GROUPS, campaign_row, summary
from kcrm.crm.consent import CONSENT_COLUMNS, contact_sheet
from kcrm.crm.offer_lists import csv_line
from kcrm.crm.uplift import newcombe

METHOD = "Newcombe hybrid score interval (Wilson), 95%"


def report(db: Database, campaign_id: int) -> dict[str, Any]:
    """Conversion per group (bought the offered product after the start), the uplift of the
    treatment over the holdout and its 95 % interval (`uplift.newcombe`)."""
    with db.session() as s:
        campaign = campaign_row(s, campaign_id)
        bought = exists().where(
            Purchase.customer_id == CampaignMember.customer_id,
            Purchase.product_id == CampaignMember.product_id,
            Purchase.purchased_at >= campaign.started_at,
        )
        rows = s.execute(
            select(CampaignMember.arm, func.count(), func.sum(case((bought, 1), else_=0)))
            .where(CampaignMember.campaign_id == campaign_id)
            .group_by(CampaignMember.arm)
        ).all()
        answers = dict(
            s.execute(
                select(OfferOutcome.outcome, func.count(func.distinct(OfferOutcome.customer_id)))
                .where(OfferOutcome.campaign_id == campaign_id)
                .group_by(OfferOutcome.outcome)
            ).all()
        )
        contactable = s.scalar(
            select(func.count())
            .select_from(CampaignMember)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .where(
                CampaignMember.campaign_id == campaign_id,
                CampaignMember.arm == "treatment",
                Customer.consent_marketing.is_(True),
            )
        )
        about = summary(campaign)
    counts = {arm: (int(n), int(x or 0)) for arm, n, x in rows}
    groups = {}
    for arm in GROUPS:
        n, x = counts.get(arm, (0, 0))
        groups[arm] = {"customers": n, "converted": x, "rate": round(x / n, 6) if n else None}
    groups["treatment"]["accepted"] = int(answers.get("accepted", 0))
    # Offered members without marketing consent are never contacted: with many of them the
    # uplift measured is that of the list, not of the offer (create with consent_only).
    groups["treatment"]["contactable"] = int(contactable or 0)
    groups["treatment"]["rejected"] = int(answers.get("rejected", 0))
    diff = newcombe(*counts.get("treatment", (0, 0))[::-1], *counts.get("holdout", (0, 0))[::-1])
    uplift, low, high = (round(v, 6) for v in diff) if diff else (None, None, None)
    return {**about, **groups, "uplift": uplift, "ci_low": low, "ci_high": high, "ci": METHOD}


def list_campaigns(db: Database) -> list[dict[str, Any]]:
    """Every campaign, newest first, with its group sizes."""
    with db.session() as s:
        sizes: dict[int, dict[str, int]] = {}
        for cid, arm, n in s.execute(
            select(CampaignMember.campaign_id, CampaignMember.arm, func.count()).group_by(
                CampaignMember.campaign_id, CampaignMember.arm
            )
        ):
            sizes.setdefault(cid, {})[arm] = int(n)
        return [
            {
                **summary(c),
                "treatment": sizes.get(c.id, {}).get("treatment", 0),
                "holdout": sizes.get(c.id, {}).get("holdout", 0),
            }
            for c in s.scalars(select(Campaign).order_by(Campaign.id.desc()))
        ]


EXPORT_COLUMNS = ["customer_id", "name", *CONSENT_COLUMNS, "rank", "product_id", "score"]


def export_csv(db: Database, campaign_id: int) -> Iterator[str]:
    """CSV lines (header first): the treatment group in rank order, with contact details
    and consent flags; members without marketing consent are left out (`consent.py`).

    Raises:
        NotFound: an unknown campaign (before anything is written).
    """
    with db.session() as s:
        campaign_row(s, campaign_id)
        rows = s.scalars(
            select(CampaignMember)
            .where(CampaignMember.campaign_id == campaign_id, CampaignMember.arm == "treatment")
            .order_by(CampaignMember.rank)
        ).all()
        s.expunge_all()
    sheet = contact_sheet(db, [m.customer_id for m in rows])
    lines = [csv_line(EXPORT_COLUMNS)]
    for m in rows:
        who = sheet.get(m.customer_id)
        if who is not None:
            lines.append(
                csv_line(
                    [m.customer_id, who.name, *who.cells(), m.rank, m.product_id, f"{m.score:.6f}"]
                )
            )
    return iter(lines)
