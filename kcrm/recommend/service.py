"""The recommender as the CLI and the API use it: trained models, rules, reasons, freshness.

Persistence is in `store.py`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Customer, Purchase
from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.base import Recommender, owned_mask
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions, load_interactions, to_day
from kcrm.recommend.explain import explain
from kcrm.recommend.models import (
    ContentRecommender,
    PopularityRecommender,
)
from kcrm.recommend.rerank import Reranker, final_scores
from kcrm.recommend.rules import Rules
from kcrm.recommend.train import BLOCK, StepFn, Trained, score_parts, train

log = logging.getLogger(__name__)
REFRESH_SECONDS = 2.0  # a request looks for new purchases at most this often


@dataclass
class Offer:
    product_id: str
    name: str
    score: float
    reasons: list[str]
    category: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "score": round(self.score, 6),
            "reasons": self.reasons,
            "category": self.category,
        }


@dataclass
class RecommendService:
    """Trained models and blend weights over one catalogue, kept fresh from the database."""

    db: Database
    config: RecommendConfig
    catalog: Catalog
    users: list[str]
    owned: sp.csr_matrix  # users × items as of `last_purchase_id`
    models: dict[str, Recommender]
    weights: dict[str, float]
    last_purchase_id: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    reranker: Reranker | None = None  # the blend's learned last stage, if it won validation
    lock: threading.Lock = field(default_factory=threading.Lock)
    _checked: float = 0.0

    def __post_init__(self) -> None:
        self.rules = Rules(self.catalog, self.config)
        self.user_index = {u: i for i, u in enumerate(self.users)}

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
        if not len(data.item):
            # Nothing bought yet: best sellers cannot be counted, but content still works.
            models: dict[str, Recommender] = {"popularity": PopularityRecommender().fit(data)}
            if embedder is not None and len(data.catalog):
                models["content"] = ContentRecommender(config.neighbours, embedder).fit(data)
            return cls(
                db,
                config,
                data.catalog,
                data.users,
                data.user_items(),
                models,
                {n: 1.0 / len(models) for n in models},
                int(last_id),
                {},
            )
        trained = train(data, config, embedder, step=step)
        info = {
            "trained_at": datetime.now(UTC).isoformat(),
            "trained_until_day": trained.trained_until,
            "validation_ndcg": trained.validation,
            "purchases": len(data.item),
        }
        return cls.from_trained(db, config, data, trained, int(last_id), info)

    @classmethod
    def from_trained(
        cls,
        db: Database,
        config: RecommendConfig,
        data: Interactions,
        trained: Trained,
        last_purchase_id: int = 0,
        info: dict[str, Any] | None = None,
    ) -> RecommendService:
        """The service over models `train` fitted on `data`."""
        return cls(
            db,
            config,
            data.catalog,
            data.users,
            data.user_items(),
            trained.models,
            trained.weights,
            last_purchase_id,
            info or {},
            trained.reranker,
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
            for model in self.models.values():
                model.update(new, self.owned)
            if self.reranker is not None:
                self.reranker.update(new, self.owned)
            add = new.user_items()
            self.owned = sp.csr_matrix(self.owned + add)
            self.owned.data[:] = 1.0
            self.last_purchase_id = int(rows[-1][0])
            return len(rows)

    def _lines(self, rows: list[Any]) -> Interactions:
        keep = [r for r in rows if r[2] in self.catalog.index]  # products newer than the model
        for r in keep:
            if r[1] not in self.user_index:
                self.user_index[r[1]] = len(self.users)
                self.users.append(r[1])
        grow = len(self.users) - self.owned.shape[0]
        if grow > 0:
            self.owned = sp.csr_matrix(
                sp.vstack([self.owned, sp.csr_matrix((grow, len(self.catalog)))])
            )
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
        self, customer_id: str, k: int = 10, include_owned: bool = False
    ) -> list[Offer] | None:
        """The best `k` offers for a customer, with reasons; None for an unknown customer."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.refresh()
        with self.db.session() as s:
            cust = s.execute(
                select(
                    Customer.segment, Customer.country, Customer.city, Customer.attributes
                ).where(Customer.id == customer_id)
            ).first()
            if cust is None:
                return None
            products = s.scalars(
                select(Purchase.product_id).where(Purchase.customer_id == customer_id).distinct()
            ).all()
        profile = {
            **(cust.attributes or {}),
            "segment": cust.segment,
            "country": cust.country,
            "city": cust.city,
        }
        owned = np.unique([self.catalog.index[p] for p in products if p in self.catalog.index])
        return self.offers(owned.astype(np.int64), profile, k, include_owned)

    def offers(
        self, owned: np.ndarray, profile: dict[str, Any], k: int, include_owned: bool = False
    ) -> list[Offer]:
        """Offers for a customer who owns the item indices `owned`."""
        row = sp.csr_matrix(
            (np.ones(len(owned), np.float32), (np.zeros(len(owned), np.int64), owned)),
            shape=(1, len(self.catalog)),
        )
        parts = {n: p[0] for n, p in score_parts(self.models, row, np.zeros(1, np.int64)).items()}
        return self._pick(parts, owned, profile, k, include_owned)

    def _pick(
        self,
        parts: dict[str, np.ndarray],
        owned: np.ndarray,
        profile: dict[str, Any],
        k: int,
        include_owned: bool = False,
    ) -> list[Offer]:
        rows = {name: p[None, :] for name, p in parts.items()}
        blend = final_scores(rows, self.weights, self.reranker, np.asarray([len(owned)]))[0]
        weights = self.weights if self.reranker is None else self.reranker.model_weights()
        allowed = self.rules.offerable(profile, owned, include_owned)
        picked = self.rules.select(blend, allowed, k)
        mask = owned_mask(owned, len(self.catalog))
        return [
            Offer(
                self.catalog.ids[j],
                self.catalog.names[j],
                float(blend[j] * self.rules.value[j]),
                explain(self.models, weights, parts, self.catalog, mask, j),
                self.catalog.categories[j],
            )
            for j in picked
        ]

    def recommend_all(self, k: int = 10) -> Iterator[tuple[str, list[Offer]]]:
        """Offers for every customer (campaign export), scored a block at a time."""
        self.refresh(force=True)
        with self.db.session() as s:
            people = s.execute(
                select(
                    Customer.id,
                    Customer.segment,
                    Customer.country,
                    Customer.city,
                    Customer.attributes,
                ).order_by(Customer.id)
            ).all()
        for lo in range(0, len(people), BLOCK):
            block = people[lo : lo + BLOCK]
            idx = [self.user_index.get(p.id, -1) for p in block]
            rows = sp.csr_matrix(
                sp.vstack(
                    [
                        self.owned[i] if i >= 0 else sp.csr_matrix((1, len(self.catalog)))
                        for i in idx
                    ]
                )
            )
            parts = score_parts(self.models, rows, np.asarray(idx))
            for r, p in enumerate(block):
                profile = {
                    **(p.attributes or {}),
                    "segment": p.segment,
                    "country": p.country,
                    "city": p.city,
                }
                owned = rows[r].indices.astype(np.int64)
                yield p.id, self._pick({n: v[r] for n, v in parts.items()}, owned, profile, k)
