"""Customers as the engine needs them, read from the database: profiles, purchases, what
they asked about, and the offers they have refused too often lately (offer fatigue)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kcrm.core.db import Database
from kcrm.core.tables import Customer, Document, OfferOutcome, Purchase
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, to_day
from kcrm.recommend.engine import People

PROFILE = (Customer.id, Customer.segment, Customer.country, Customer.city, Customer.joined_at)


def _profile(row: Any, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        **(attributes or {}),
        "segment": row.segment,
        "country": row.country,
        "city": row.city,
        "joined_at": row.joined_at,
    }


def load_profiles(db: Database, users: Sequence[str]) -> list[dict[str, Any]]:
    """The fields of each of `users` (empty for ids no longer in the customers table)."""
    with db.session() as s:
        rows = {
            r.id: _profile(r, r.attributes)
            for r in s.execute(select(*PROFILE, Customer.attributes))
        }
    return [rows.get(u, {}) for u in users]


def profile_of(s: Session, customer_id: str) -> dict[str, Any] | None:
    row = s.execute(select(*PROFILE, Customer.attributes).where(Customer.id == customer_id)).first()
    return None if row is None else _profile(row, row.attributes)


def customer_history(
    s: Session, customer_id: str, catalog: Catalog
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(order lines per item, day of the latest), one row each, as of now."""
    rows = s.execute(
        select(Purchase.product_id, func.count(), func.max(Purchase.purchased_at))
        .where(Purchase.customer_id == customer_id)
        .group_by(Purchase.product_id)
    ).all()
    known = sorted((catalog.index[p], n, when) for p, n, when in rows if p in catalog.index)
    cols = np.asarray([j for j, _, _ in known], np.int64)
    zero = np.zeros(len(known), np.int64)
    shape = (1, len(catalog))
    counts = np.asarray([n for _, n, _ in known], np.float32)
    days = np.asarray([to_day(w) for _, _, w in known], np.float64)
    return sp.csr_matrix((counts, (zero, cols)), shape=shape), sp.csr_matrix(
        (days, (zero, cols)), shape=shape
    )


def _viewed_rows(s: Session, customer_ids: Sequence[str] | None) -> dict[str, list[str]]:
    query = select(Document.customer_id, Document.product_ids).where(
        Document.customer_id.is_not(None), Document.kind.in_(("case", "interaction"))
    )
    if customer_ids is not None:
        query = query.where(Document.customer_id.in_(list(customer_ids)))
    out: dict[str, list[str]] = defaultdict(list)
    for cid, products in s.execute(query):
        if cid is not None:
            out[cid].extend(products or [])
    return out


def viewed_of(s: Session, customer_id: str, catalog: Catalog) -> np.ndarray:
    """Products the customer's cases and interactions name: what they looked at or asked about."""
    found = _viewed_rows(s, [customer_id]).get(customer_id, [])
    return np.unique([catalog.index[p] for p in found if p in catalog.index]).astype(np.int64)


def _fatigued(s: Session, customer_ids: Sequence[str] | None, config: RecommendConfig) -> list[Any]:
    if config.fatigue_rejections <= 0:
        return []
    since = datetime.now(UTC) - timedelta(days=config.fatigue_days)
    query = (
        select(OfferOutcome.customer_id, OfferOutcome.product_id)
        .where(OfferOutcome.outcome == "rejected")
        .group_by(OfferOutcome.customer_id, OfferOutcome.product_id)
        .having(
            func.count() >= config.fatigue_rejections,
            func.max(OfferOutcome.recorded_at) >= since,
        )
    )
    if customer_ids is not None:
        query = query.where(OfferOutcome.customer_id.in_(list(customer_ids)))
    return list(s.execute(query))


def fatigue_of(
    s: Session, customer_ids: Sequence[str], catalog: Catalog, config: RecommendConfig
) -> sp.csr_matrix | None:
    """customers × items: offers each refused `fatigue_rejections` times, the last less than
    `fatigue_days` ago (None when there are none)."""
    return _fatigue_matrix(_fatigued(s, customer_ids, config), customer_ids, catalog)


def _fatigue_matrix(
    pairs: list[Any], customer_ids: Sequence[str], catalog: Catalog
) -> sp.csr_matrix | None:
    row = {c: r for r, c in enumerate(customer_ids)}
    hits = [(row[c], catalog.index[p]) for c, p in pairs if c in row and p in catalog.index]
    if not hits:
        return None
    r, c = zip(*hits, strict=True)
    return sp.csr_matrix(
        (np.ones(len(hits), np.float32), (r, c)), shape=(len(customer_ids), len(catalog))
    )


def customer_block(
    db: Database,
    catalog: Catalog,
    user_index: Mapping[str, int],
    history: sp.csr_matrix,
    last: sp.csr_matrix,
    config: RecommendConfig,
    customer_ids: Sequence[str] | None,
    size: int,
) -> Iterator[tuple[list[str], People]]:
    """Customers (all, in id order, or those given, in their order) in blocks of `size`.

    Purchases come from the service's matrices (kept fresh by `refresh`); profiles,
    viewed products and fatigue from three queries over everyone at the start.
    """
    # Whole-table reads, filtered here: a list of ids can outgrow a statement's parameters.
    with db.session() as s:
        query = select(*PROFILE, Customer.attributes).order_by(Customer.id)
        rows = {r.id: _profile(r, r.attributes) for r in s.execute(query)}
        viewed = _viewed_rows(s, None)
        fatigued = _fatigued(s, None, config)
    ids = list(rows) if customer_ids is None else [c for c in customer_ids if c in rows]
    empty = history.shape[0]  # an all-empty row appended for customers the model has not seen
    n = len(catalog)
    pad = sp.csr_matrix((1, n))
    history = sp.csr_matrix(sp.vstack([history, pad]))
    last = sp.csr_matrix(sp.vstack([last, pad]))
    for lo in range(0, len(ids), size):
        block = ids[lo : lo + size]
        idx = np.asarray([user_index.get(c, empty) for c in block], np.int64)
        seen = [
            np.unique([catalog.index[p] for p in viewed.get(c, ()) if p in catalog.index]).astype(
                np.int64
            )
            for c in block
        ]
        yield (
            block,
            People(
                sp.csr_matrix(history[idx]),
                sp.csr_matrix(last[idx]),
                [rows[c] for c in block],
                np.where(idx == empty, -1, idx),
                seen,
                _fatigue_matrix(fatigued, block, catalog),
            ),
        )
