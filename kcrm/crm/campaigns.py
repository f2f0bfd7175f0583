"""Campaign lists: every customer's next-best offers, optionally for one segment or tier."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.tables import Customer
from kcrm.crm.segments import SEGMENT_ORDER, TIERS, segment_report
from kcrm.recommend.service import RecommendService

COLUMNS = [
    "customer_id",
    "customer_name",
    "segment",
    "value_tier",
    "rank",
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


def _line(values: list[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([_cell(v) for v in values])
    return buf.getvalue()


def campaign_csv(
    service: RecommendService,
    db: Database,
    k: int = 3,
    segment: str | None = None,
    tier: str | None = None,
) -> Iterator[str]:
    """CSV lines (header first): the top `k` offers of each customer in the segment and tier.

    Raises:
        ValueError: an unknown segment or tier name, before anything is written.
    """
    if segment is not None and segment not in SEGMENTS:
        raise ValueError(f"segment must be one of {', '.join(SEGMENTS)}; got {segment!r}")
    if tier is not None and tier not in TIER_NAMES:
        raise ValueError(f"tier must be one of {', '.join(TIER_NAMES)}; got {tier!r}")
    return _lines(service, db, k, segment, tier)


def _lines(
    service: RecommendService, db: Database, k: int, segment: str | None, tier: str | None
) -> Iterator[str]:
    scores = {s["customer_id"]: s for s in segment_report(db)["scores"]}
    with db.session() as s:
        names = {row.id: row.name for row in s.execute(select(Customer.id, Customer.name))}
    yield _line(list(COLUMNS))
    for customer_id, offers in service.recommend_all(k):
        value = scores.get(customer_id, {})
        if segment is not None and value.get("segment") != segment:
            continue
        if tier is not None and value.get("value_tier") != tier:
            continue
        for rank, offer in enumerate(offers, 1):
            yield _line(
                [
                    customer_id,
                    names.get(customer_id, ""),
                    value.get("segment", ""),
                    value.get("value_tier", ""),
                    rank,
                    offer.product_id,
                    offer.name,
                    offer.category or "",
                    f"{offer.score:.6f}",
                    " | ".join(offer.reasons),
                ]
            )
