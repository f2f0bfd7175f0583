"""Offer lists for a campaign tool: every customer's next-best offers, or the audience of one
product, optionally for one segment or value tier only; only customers who agreed to
marketing, with their contact details and consent flags (`consent.py`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from kcrm.core.db import Database
from kcrm.crm.consent import CONSENT_COLUMNS, contact_sheet
from kcrm.crm.segments import SEGMENT_ORDER, TIERS, segment_report
from kcrm.recommend.engine import Offer
from kcrm.recommend.rules import OfferType
from kcrm.recommend.service import RecommendService

COLUMNS = [
    "customer_id",
    "customer_name",
    *CONSENT_COLUMNS,
    "segment",
    "value_tier",
    "rank",
    "offer_type",
    "product_id",
    "product_name",
    "category",
    "score",
    "reasons",
]
SEGMENTS = tuple(SEGMENT_ORDER)
TIER_NAMES = tuple(name for name, _ in TIERS)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_line(values: Sequence[object]) -> str:
    """One CSV line, every cell safe to open in a spreadsheet."""
    buf = io.StringIO()
    csv.writer(buf).writerow([_cell(v) for v in values])
    return buf.getvalue()


def campaign_csv(
    service: RecommendService,
    db: Database,
    k: int = 3,
    segment: str | None = None,
    tier: str | None = None,
    product_id: str | None = None,
    offer_type: OfferType = "new",
) -> Iterator[str]:
    """CSV lines (header first): the top `k` offers of each customer in the segment and tier,
    or with `product_id` that product's audience (one row a customer, best first).

    Raises:
        ValueError: an unknown segment or tier name, before anything is written.
        NotFound: an unknown product.
    """
    if segment is not None and segment not in SEGMENTS:
        raise ValueError(f"segment must be one of {', '.join(SEGMENTS)}; got {segment!r}")
    if tier is not None and tier not in TIER_NAMES:
        raise ValueError(f"tier must be one of {', '.join(TIER_NAMES)}; got {tier!r}")
    if product_id is not None:
        j = service.item(product_id)
        if not service.catalog.active[j]:
            raise ValueError(f"product {product_id!r} is not active: it is never offered")
    return _lines(service, db, k, segment, tier, product_id, offer_type)


def _offers(
    service: RecommendService, k: int, product_id: str | None, offer_type: OfferType
) -> Iterator[tuple[str, list[Offer]]]:
    if product_id is None:
        yield from service.recommend_all(k, offer_type)
        return
    j = service.item(product_id)
    c = service.catalog
    for m in service.audience(product_id, k=len(service.users) + 1):
        yield m.customer_id, [Offer(c.ids[j], c.names[j], m.score, m.reasons, c.categories[j])]


def _lines(
    service: RecommendService,
    db: Database,
    k: int,
    segment: str | None,
    tier: str | None,
    product_id: str | None,
    offer_type: OfferType,
) -> Iterator[str]:
    scores = {s["customer_id"]: s for s in segment_report(db)["scores"]}
    sheet = contact_sheet(db)  # only customers who agreed to marketing leave in a list
    yield csv_line(list(COLUMNS))
    rank = 0
    for customer_id, offers in _offers(service, k, product_id, offer_type):
        who = sheet.get(customer_id)
        if who is None:
            continue
        value = scores.get(customer_id, {})
        if segment is not None and value.get("segment") != segment:
            continue
        if tier is not None and value.get("value_tier") != tier:
            continue
        for i, offer in enumerate(offers, 1):
            rank = rank + 1 if product_id is not None else i
            yield csv_line(
                [
                    customer_id,
                    who.name,
                    *who.cells(),
                    value.get("segment", ""),
                    value.get("value_tier", ""),
                    rank,
                    offer.offer_type,
                    offer.product_id,
                    offer.name,
                    offer.category or "",
                    f"{offer.score:.6f}",
                    " | ".join(offer.reasons),
                ]
            )
