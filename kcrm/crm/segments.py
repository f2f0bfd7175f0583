"""Customer analytics for marketing: RFM scores and segments, value tiers, loyalty rates."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Customer, Purchase

# The usual RFM grid by recency then frequency score (as in the `rfm` literature).
SEGMENTS = (
    (r"5[4-5]", "champions"),
    (r"[3-4][4-5]", "loyal customers"),
    (r"[4-5][2-3]", "potential loyalists"),
    (r"51", "new customers"),
    (r"41", "promising"),
    (r"33", "needs attention"),
    (r"3[1-2]", "about to sleep"),
    (r"[1-2]5", "can't lose them"),
    (r"[1-2][3-4]", "at risk"),
    (r"[1-2][1-2]", "hibernating"),
)
SEGMENT_ORDER = [name for _, name in SEGMENTS]
QUINTILES = (0.2, 0.4, 0.6, 0.8)
# Value tiers by spend: the top fifth are the "golden customers" (Pareto), the next 30 % silver.
TIERS = (("gold", 0.8), ("silver", 0.5), ("bronze", 0.0))
LOYALTY_WINDOW_DAYS = 180
COHORT_TTL_SECONDS = 900.0


def segment_of(r: int, f: int) -> str:
    key = f"{r}{f}"
    return next(name for pattern, name in SEGMENTS if re.fullmatch(pattern, key))


@dataclass
class Cohort:
    """The population's cut points, so one customer can be scored without scanning everyone."""

    as_of: str  # ISO time of the latest purchase: recency is measured from it
    basis: str  # "revenue" when prices are known, else "lines" (order lines stand in)
    recency_cuts: list[float]
    frequency_cuts: list[float]
    monetary_cuts: list[float]
    tier_cuts: list[float]  # monetary at the gold and silver quantiles
    customers: int

    def score(self, days: float, orders: float, monetary: float) -> dict[str, Any]:
        r = 5 - int(np.sum(days > np.asarray(self.recency_cuts)))
        f = 1 + int(np.sum(orders > np.asarray(self.frequency_cuts)))
        m = 1 + int(np.sum(monetary > np.asarray(self.monetary_cuts)))
        tier = next(
            (
                name
                for (name, _), cut in zip(TIERS, self.tier_cuts, strict=False)
                if monetary >= cut
            ),
            "bronze",
        )
        return {
            "recency_days": round(float(days), 1),
            "orders": int(orders),
            "monetary": round(float(monetary), 2),
            "r": r,
            "f": f,
            "m": m,
            "rfm": f"{r}{f}{m}",
            "segment": segment_of(r, f),
            "value_tier": tier,
        }


def _per_customer(db: Database, customer_id: str | None = None) -> tuple[list[Any], bool]:
    """(customer, last purchase, orders, spend, lines) rows; and whether any price is known."""
    spend = func.sum(Purchase.quantity * func.coalesce(Purchase.unit_price, 0.0))
    q = select(
        Purchase.customer_id,
        func.max(Purchase.purchased_at),
        func.count(func.distinct(Purchase.order_id)),
        spend,
        func.count(),
    ).group_by(Purchase.customer_id)
    if customer_id is not None:
        q = q.where(Purchase.customer_id == customer_id)
    with db.session() as s:
        rows = s.execute(q).all()
        priced = (
            s.scalar(select(func.count()).where(Purchase.unit_price.is_not(None)))
            if (customer_id is None)
            else None
        )
    return list(rows), bool(priced)


def _as_days(values: list[datetime]) -> np.ndarray:
    return np.asarray([v.timestamp() / 86400.0 for v in values], float)


def compute_cohort(db: Database) -> tuple[Cohort | None, list[Any]]:
    rows, priced = _per_customer(db)
    if not rows:
        return None, rows
    last = _as_days([r[1] for r in rows])
    as_of = float(last.max())
    days = as_of - last
    orders = np.asarray([r[2] for r in rows], float)
    money = np.asarray([r[3] if priced else r[4] for r in rows], float)
    cohort = Cohort(
        as_of=max(r[1] for r in rows).isoformat(),
        basis="revenue" if priced else "lines",
        recency_cuts=[float(x) for x in np.quantile(days, QUINTILES)],
        frequency_cuts=[float(x) for x in np.quantile(orders, QUINTILES)],
        monetary_cuts=[float(x) for x in np.quantile(money, QUINTILES)],
        tier_cuts=[float(np.quantile(money, q)) for _, q in TIERS[:-1]],
        customers=len(rows),
    )
    return cohort, rows


_cache: dict[str, tuple[float, Cohort | None]] = {}
_cache_lock = threading.Lock()


def cohort(
    db: Database, path: Path | None = None, max_age: float = COHORT_TTL_SECONDS
) -> Cohort | None:
    """The cut points: from memory (re-read every `max_age` s), else the file that
    `kcrm train recommend` and `kcrm segments` write, else computed (a full scan)."""
    key = db.settings.db_url
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < max_age:
            return hit[1]
    found: Cohort | None = None
    if path is not None and path.is_file():
        found = Cohort(**json.loads(path.read_text()))
    if found is None:
        found, _ = compute_cohort(db)
    with _cache_lock:
        _cache[key] = (time.monotonic(), found)
    return found


def save_cohort(c: Cohort, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(c)))


def customer_rfm(db: Database, customer_id: str, c: Cohort | None) -> dict[str, Any] | None:
    """One customer's RFM scores, segment and value tier (None without purchases)."""
    rows, _ = _per_customer(db, customer_id)
    if not rows or c is None:
        return None
    _, last, orders, spend, lines = rows[0]
    days = datetime.fromisoformat(c.as_of).timestamp() / 86400.0 - last.timestamp() / 86400.0
    scores = c.score(max(days, 0.0), orders, spend if c.basis == "revenue" else lines)
    # Recency counts from the newest purchase in the data (`as_of`), not from today: the
    # page shows both dates so "7 days" is never read without what it is counted from.
    return {**scores, "last_purchased_at": last.isoformat(), "as_of": c.as_of}


def segment_report(db: Database) -> dict[str, Any]:
    """Segments, value tiers and rates over all customers with purchases."""
    c, rows = compute_cohort(db)
    with db.session() as s:
        total_customers = s.scalar(select(func.count()).select_from(Customer)) or 0
    if c is None:
        return {
            "customers": total_customers,
            "buyers": 0,
            "segments": [],
            "tiers": [],
            "rates": {},
            "cohort": None,
            "scores": [],
        }
    as_of = datetime.fromisoformat(c.as_of)
    scores = []
    for cid, last, orders, spend, lines in rows:
        sc = c.score(
            (as_of - last).total_seconds() / 86400.0,
            orders,
            spend if c.basis == "revenue" else lines,
        )
        scores.append({"customer_id": cid, **sc})
    money = np.asarray([x["monetary"] for x in scores])
    total = money.sum() or 1.0

    def group(key: str, order: list[str]) -> list[dict[str, Any]]:
        out = []
        for name in order:
            members = [x for x in scores if x[key] == name]
            if not members:
                continue
            m = np.asarray([x["monetary"] for x in members])
            out.append(
                {
                    key: name,
                    "customers": len(members),
                    "share": round(len(members) / len(scores), 4),
                    "monetary_share": round(float(m.sum() / total), 4),
                    "mean_recency_days": round(
                        float(np.mean([x["recency_days"] for x in members])), 1
                    ),
                    "mean_orders": round(float(np.mean([x["orders"] for x in members])), 2),
                    "mean_monetary": round(float(m.mean()), 2),
                }
            )
        return out

    return {
        "customers": total_customers,
        "buyers": len(scores),
        "as_of": c.as_of,
        "monetary_basis": c.basis,
        "segments": group("segment", SEGMENT_ORDER),
        "tiers": group("value_tier", [name for name, _ in TIERS]),
        "rates": rates(db, rows, as_of),
        "cohort": asdict(c),
        "scores": scores,
    }


def rates(db: Database, rows: list[Any], as_of: datetime) -> dict[str, float]:
    """Repeat-purchase rate (customers with 2+ orders), repeat-item rate, and loyalty:
    of the customers who bought in the half-year before the last one, the share who
    bought again in the last."""
    orders = np.asarray([r[2] for r in rows], float)
    with db.session() as s:
        pairs = (
            s.execute(
                select(func.count(func.distinct(Purchase.order_id))).group_by(
                    Purchase.customer_id, Purchase.product_id
                )
            )
            .scalars()
            .all()
        )
        window = timedelta(days=LOYALTY_WINDOW_DAYS)
        recent = set(
            s.scalars(
                select(Purchase.customer_id)
                .where(Purchase.purchased_at > as_of - window)
                .distinct()
            )
        )
        before = set(
            s.scalars(
                select(Purchase.customer_id)
                .where(
                    Purchase.purchased_at <= as_of - window,
                    Purchase.purchased_at > as_of - 2 * window,
                )
                .distinct()
            )
        )
    item_orders = np.asarray(pairs, float)
    return {
        "repeat_purchase_rate": round(float((orders >= 2).mean()), 4),
        "repeat_item_rate": round(float((item_orders >= 2).mean()), 4) if len(pairs) else 0.0,
        "loyalty_rate": round(len(before & recent) / len(before), 4) if before else 0.0,
        "active_last_window": len(recent),
        "window_days": LOYALTY_WINDOW_DAYS,
    }


_summary: dict[str, tuple[float, dict[str, Any]]] = {}


def segment_summary(db: Database, max_age: float = 300.0) -> dict[str, Any]:
    """The segment report without per-customer rows, cached for `max_age` seconds
    (it scans every purchase; marketing dashboards poll it)."""
    key = db.settings.db_url
    with _cache_lock:
        hit = _summary.get(key)
        if hit is not None and time.monotonic() - hit[0] < max_age:
            return hit[1]
    report = {k: v for k, v in segment_report(db).items() if k != "scores"}
    with _cache_lock:
        _summary[key] = (time.monotonic(), report)
    return report
