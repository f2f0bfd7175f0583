"""The recommender as the CLI and the API use it: trained models over the database, kept fresh.

The offers themselves are computed by `engine.py`; this module reads customers,
their purchases and what they asked about from the database, and folds new
purchases in. Persistence is in `store.py`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.tables import Purchase
from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend import marketing
from kcrm.recommend.associations import Rule, RuleFilter
from kcrm.recommend.audience import Activity, Member
from kcrm.recommend.base import Recommender
from kcrm.recommend.coldstart import ColdStart
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions, load_interactions, to_day
from kcrm.recommend.engine import Offer, OfferEngine, People
from kcrm.recommend.models import (
    ContentRecommender,
    PopularityRecommender,
)
from kcrm.recommend.people import (
    customer_block,
    customer_history,
    fatigue_of,
    load_profiles,
    profile_of,
    viewed_of,
)
from kcrm.recommend.rerank import Reranker
from kcrm.recommend.rules import OfferType
from kcrm.recommend.train import StepFn, Trained, train

log = logging.getLogger(__name__)
REFRESH_SECONDS = 2.0  # a request looks for new purchases at most this often
EXPORT_BLOCK = 512  # customers scored at once in exports and audiences


def merge(a: sp.csr_matrix, b: sp.csr_matrix, how: str) -> sp.csr_matrix:
    """Elementwise sum (`how="sum"`) or maximum of two non-negative sparse matrices."""
    out = sp.csr_matrix(a + b) if how == "sum" else sp.csr_matrix(a.maximum(b))
    out.sort_indices()
    return out


@dataclass
class RecommendService:
    """Trained models and blend weights over one catalogue, kept fresh from the database."""

    db: Database
    config: RecommendConfig
    catalog: Catalog
    users: list[str]
    history: sp.csr_matrix  # users × items: order lines of each item, as of last_purchase_id
    last: sp.csr_matrix  # users × items: day of the latest of them
    models: dict[str, Recommender]
    weights: dict[str, float]
    last_purchase_id: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    reranker: Reranker | None = None  # the blend's learned last stage, if it won validation
    cold: ColdStart | None = None
    activity: Activity | None = None  # ordering rates, for audiences
    lock: threading.Lock = field(default_factory=threading.Lock)
    _checked: float = 0.0

    def __post_init__(self) -> None:
        self.user_index = {u: i for i, u in enumerate(self.users)}
        if self.cold is not None and isinstance(self.models.get("content"), ContentRecommender):
            self.cold.similarity = self.models["content"].similarity  # type: ignore[attr-defined]
        self.engine = OfferEngine(
            self.catalog, self.config, self.models, self.weights, self.reranker, self.cold
        )

    @property
    def owned(self) -> sp.csr_matrix:
        """users × items, binary: who bought what."""
        owned = sp.csr_matrix(self.history, dtype=np.float32, copy=True)
        owned.data[:] = 1.0
        return owned

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        db: Database,
        config: RecommendConfig,
        embedder: Embedder | None,
        step: StepFn | None = None,
    ) -> RecommendService:
        """Retrain everything on all purchases in the database."""
        with db.session() as s:
            last_id = s.scalar(select(func.max(Purchase.id))) or 0
        data = load_interactions(db)
        profiles = load_profiles(db, data.users)
        if not len(data.item):
            # Nothing bought yet: best sellers cannot be counted, but content still works.
            models: dict[str, Recommender] = {"popularity": PopularityRecommender().fit(data)}
            if embedder is not None and len(data.catalog):
                models["content"] = ContentRecommender(config.neighbours, embedder).fit(data)
            trained = Trained(models, {n: 1.0 / len(models) for n in models})
            return cls.from_trained(db, config, data, trained, int(last_id), {}, profiles)
        trained = train(data, config, embedder, step=step)
        info = {
            "trained_at": datetime.now(UTC).isoformat(),
            "trained_until_day": trained.trained_until,
            "validation_ndcg": trained.validation,
            "purchases": len(data.item),
        }
        return cls.from_trained(db, config, data, trained, int(last_id), info, profiles)

    @classmethod
    def from_trained(
        cls,
        db: Database,
        config: RecommendConfig,
        data: Interactions,
        trained: Trained,
        last_purchase_id: int = 0,
        info: dict[str, Any] | None = None,
        profiles: Sequence[dict[str, Any]] | None = None,
    ) -> RecommendService:
        """The service over models `train` fitted on `data` (`profiles[u]`: customer u's
        fields, for the cold-start groups)."""
        cold = ColdStart(config.cold_window_days).fit(data, profiles or [])
        activity, report = Activity.fit(data, config)
        info = {**(info or {}), **report}
        history, last = data.history()
        return cls(
            db,
            config,
            data.catalog,
            list(data.users),
            history,
            last,
            trained.models,
            trained.weights,
            last_purchase_id,
            info,
            trained.reranker,
            cold,
            activity,
        )

    # ---- freshness ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> int:
        """Fold purchases recorded since the last look into the models; returns how many."""
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return 0
        with self.lock:
            self._checked = now
            with self.db.session() as s:
                rows = s.execute(
                    select(
                        Purchase.id,
                        Purchase.customer_id,
                        Purchase.product_id,
                        Purchase.order_id,
                        Purchase.purchased_at,
                    )
                    .where(Purchase.id > self.last_purchase_id)
                    .order_by(Purchase.id)
                ).all()
            if not rows:
                return 0
            new = self._lines(list(rows))
            before = self.owned
            for model in self.models.values():
                model.update(new, before)
            if self.reranker is not None:
                self.reranker.update(new, before)
            if self.activity is not None:
                self.activity.update(new)
            history, last = new.history()
            self.history = merge(self.history, history, "sum")
            self.last = merge(self.last, last, "max")
            self.engine.changed()
            self.last_purchase_id = int(rows[-1][0])
            return len(rows)

    def _lines(self, rows: list[Any]) -> Interactions:
        keep = [r for r in rows if r[2] in self.catalog.index]  # products newer than the model
        for r in keep:
            if r[1] not in self.user_index:
                self.user_index[r[1]] = len(self.users)
                self.users.append(r[1])
        grow = len(self.users) - self.history.shape[0]
        if grow > 0:
            n = len(self.catalog)
            self.history = sp.csr_matrix(sp.vstack([self.history, sp.csr_matrix((grow, n))]))
            self.last = sp.csr_matrix(sp.vstack([self.last, sp.csr_matrix((grow, n))]))
        orders: dict[str, int] = {}
        return Interactions(
            self.users,
            self.catalog,
            np.asarray([self.user_index[r[1]] for r in keep], np.int32),
            np.asarray([self.catalog.index[r[2]] for r in keep], np.int32),
            np.asarray([orders.setdefault(r[3], len(orders)) for r in keep], np.int64),
            np.asarray([to_day(r[4]) for r in keep], np.float64),
        )

    # ---- offers ---------------------------------------------------------------------------
    def recommend(
        self, customer_id: str, k: int = 10, offer_type: OfferType = "new"
    ) -> list[Offer] | None:
        """The best `k` offers for a customer, with reasons; None for an unknown customer.

        Reads the customer's purchases from the database (not the model's copy), so an
        offer never repeats what was bought a moment ago.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        with self.db.session() as s:
            profile = profile_of(s, customer_id)
            if profile is None:
                return None
            history, last = customer_history(s, customer_id, self.catalog)
            viewed = viewed_of(s, customer_id, self.catalog) if not history.nnz else None
            fatigue = fatigue_of(s, [customer_id], self.catalog, self.config)
        self.refresh()
        people = People(
            history,
            last,
            [profile],
            np.asarray([self.user_index.get(customer_id, -1)]),
            [viewed] if viewed is not None else None,
            fatigue,
        )
        return self.engine.offers(people, k, offer_type)[0]

    def blocks(
        self, customer_ids: Sequence[str] | None = None
    ) -> Iterator[tuple[list[str], People]]:
        """Customers (everyone in id order, or the ids given) in blocks for the engine."""
        self.refresh(force=True)
        yield from customer_block(
            self.db,
            self.catalog,
            self.user_index,
            self.history,
            self.last,
            self.config,
            customer_ids,
            EXPORT_BLOCK,
        )

    def recommend_all(
        self, k: int = 10, offer_type: OfferType = "new", customer_ids: Sequence[str] | None = None
    ) -> Iterator[tuple[str, list[Offer]]]:
        """Offers for every customer (campaign export), scored a block at a time."""
        for ids, people in self.blocks(customer_ids):
            yield from zip(ids, self.engine.offers(people, k, offer_type), strict=True)

    def item(self, product_id: str) -> int:
        """The catalogue index of a product the model knows, or NotFound."""
        j = self.catalog.index.get(product_id)
        if j is None:
            raise NotFound(
                f"no product with id {product_id!r} (or none when the model was trained)"
            )
        return j

    def audience(self, product_id: str, k: int = 100, reasons: bool = True) -> list[Member]:
        """`marketing.audience` of this service."""
        return marketing.audience(self, product_id, k, reasons)

    def rules(self, rule_filter: RuleFilter, product_id: str | None = None) -> list[Rule]:
        """`marketing.rules` of this service."""
        return marketing.rules(self, rule_filter, product_id)
