"""Purchases in, sparse matrices out: the catalogue and the interaction log every model fits on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import select

from kcrm.core.bounds import EARLIEST, latest_event
from kcrm.core.db import Database
from kcrm.core.tables import Customer, Product, Purchase

log = logging.getLogger(__name__)
DAY = 86400.0


def to_day(when: datetime) -> float:
    """Days since the epoch (a float, so recency decay is plain arithmetic)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() / DAY


def from_day(day: float) -> datetime:
    return datetime.fromtimestamp(day * DAY, tz=UTC)


# An evaluation without a split date scores the newest fifth of the purchases: most of
# the history to train on, and enough later purchases to measure (on any data's dates).
DEFAULT_TEST_SHARE = 0.2


def default_split_day(data: Interactions, test_share: float = DEFAULT_TEST_SHARE) -> float:
    """The midnight (UTC) before which `1 - test_share` of the purchases fall."""
    if not len(data.day):
        raise ValueError("no purchases to evaluate on: import some (kcrm import purchases)")
    return float(np.floor(np.quantile(data.day, 1.0 - test_share)))


@dataclass
class Catalog:
    """Products by dense index, with the attributes the business rules need."""

    ids: list[str]
    names: list[str]
    descriptions: list[str]
    categories: list[str | None]
    active: np.ndarray  # bool
    repeatable: np.ndarray  # bool
    price: np.ndarray  # float, nan when unknown
    cost: np.ndarray  # float, nan when unknown
    attributes: list[dict[str, Any]] = field(default_factory=list)
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        if not self.attributes:
            self.attributes = [{} for _ in self.ids]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def simple(cls, names: list[str], **columns: Any) -> Catalog:
        """A catalogue from names only (ids = names), for tests and benchmarks."""
        n = len(names)
        return cls(
            ids=list(columns.pop("ids", names)),
            names=list(names),
            descriptions=list(columns.pop("descriptions", names)),
            categories=list(columns.pop("categories", [None] * n)),
            active=np.asarray(columns.pop("active", np.ones(n, bool)), bool),
            repeatable=np.asarray(columns.pop("repeatable", np.zeros(n, bool)), bool),
            price=np.asarray(columns.pop("price", np.full(n, np.nan)), float),
            cost=np.asarray(columns.pop("cost", np.full(n, np.nan)), float),
        )


@dataclass
class Interactions:
    """One row per order line, as dense user/item indices, with the order and the day."""

    users: list[str]
    catalog: Catalog
    user: np.ndarray  # int32
    item: np.ndarray  # int32
    order: np.ndarray  # int64 order codes (lines of one order share a code)
    day: np.ndarray  # float64 days since the epoch
    user_index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.user_index = {uid: i for i, uid in enumerate(self.users)}

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.catalog)

    @property
    def last_day(self) -> float:
        return float(self.day.max()) if len(self.day) else 0.0

    def user_items(self) -> sp.csr_matrix:
        """Binary users × items matrix: who bought what at least once."""
        m = sp.csr_matrix(
            (np.ones(len(self.user), np.float32), (self.user, self.item)),
            shape=(self.n_users, self.n_items),
        )
        m.sum_duplicates()
        m.data[:] = 1.0
        return m

    def history(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(order lines of each item per customer, the day of the latest one), users × items,
        with the same sparsity pattern: what renewals and audiences say about a customer."""
        key = self.user.astype(np.int64) * max(self.n_items, 1) + self.item
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1][: len(key)]
        if not len(key):
            empty = sp.csr_matrix((self.n_users, self.n_items), dtype=np.float32)
            return empty, sp.csr_matrix((self.n_users, self.n_items), dtype=np.float64)
        counts = np.diff(np.r_[starts, len(key)]).astype(np.float32)
        last = np.maximum.reduceat(self.day[order], starts)
        rows = (sorted_key[starts] // max(self.n_items, 1)).astype(np.int64)
        cols = (sorted_key[starts] % max(self.n_items, 1)).astype(np.int64)
        shape = (self.n_users, self.n_items)
        return (
            sp.csr_matrix((counts, (rows, cols)), shape=shape),
            sp.csr_matrix((last, (rows, cols)), shape=shape),
        )

    def where(self, mask: np.ndarray) -> Interactions:
        """The lines selected by `mask`, with the same user and item indices."""
        return replace(
            self,
            user=self.user[mask],
            item=self.item[mask],
            order=self.order[mask],
            day=self.day[mask],
        )

    def before(self, day: float) -> Interactions:
        return self.where(self.day < day)

    def between(self, start: float, end: float | None = None) -> Interactions:
        mask = self.day >= start
        if end is not None:
            mask &= self.day < end
        return self.where(mask)


def load_catalog(db: Database) -> Catalog:
    """Every product, active or not, in id order."""
    with db.session() as s:
        rows = s.execute(select(Product).order_by(Product.id)).scalars().all()
        return Catalog(
            ids=[p.id for p in rows],
            names=[p.name for p in rows],
            descriptions=[p.description or "" for p in rows],
            categories=[p.category for p in rows],
            active=np.array([bool(p.active) for p in rows], bool),
            repeatable=np.array([bool(p.repeatable) for p in rows], bool),
            price=np.array([np.nan if p.price is None else p.price for p in rows], float),
            cost=np.array([np.nan if p.cost is None else p.cost for p in rows], float),
            attributes=[dict(p.attributes or {}) for p in rows],
        )


def load_interactions(db: Database, catalog: Catalog | None = None) -> Interactions:
    """All purchases of all customers (customers without purchases get an empty row)."""
    catalog = catalog or load_catalog(db)
    with db.session() as s:
        users = list(s.scalars(select(Customer.id).order_by(Customer.id)))
        rows = s.execute(
            select(
                Purchase.customer_id, Purchase.product_id, Purchase.order_id, Purchase.purchased_at
            ).execution_options(yield_per=50_000)
        ).all()
    uidx = {u: i for i, u in enumerate(users)}
    for cid, *_ in rows:
        if cid not in uidx:  # a purchase may name a customer deleted since; keep its signal
            uidx[cid] = len(users)
            users.append(cid)
    orders: dict[str, int] = {}
    n = len(rows)
    user = np.empty(n, np.int32)
    item = np.empty(n, np.int32)
    order = np.empty(n, np.int64)
    day = np.empty(n, np.float64)
    keep = np.ones(n, bool)
    for k, (cid, pid, oid, when) in enumerate(rows):
        j = catalog.index.get(pid)
        if j is None:
            keep[k] = False
            continue
        user[k], item[k] = uidx[cid], j
        order[k] = orders.setdefault(oid, len(orders))
        day[k] = to_day(when)
    # Dates are checked where purchases come in; any stored before that (year 1 for
    # "unknown", say) would stretch every time window (weeks since the first purchase,
    # validation weeks before the last), so they are left out of the models.
    sane = (day >= to_day(EARLIEST)) & (day <= to_day(latest_event()))
    if (keep & ~sane).any():
        log.warning(
            "%d purchases dated before 1900 or over a year ahead are left out",
            int((keep & ~sane).sum()),
        )
    keep &= sane
    return Interactions(users, catalog, user[keep], item[keep], order[keep], day[keep])
