"""Audiences: the customers most likely to take one product next, with reasons.

A customer buys product j in the coming weeks if they shop at all and, when they
do, pick j. The first is their ordering rate (`Activity`: a Poisson rate from
their past orders, recency-weighted only when held-out weeks show that recency
predicts better than the plain count); the second is the blend's score for j, the
same one their offers are ranked by. The score is the product: the chance of at
least one order in the next `validation_days`, times the blend's score for j.
Owners of j, and customers whose products rule j out, are never in an audience.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kcrm.recommend.blend import better
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Interactions
from kcrm.recommend.engine import OfferEngine, People

# Candidate half-lives (days) of the ordering rate; None is the plain count of orders.
HALF_LIVES: tuple[float | None, ...] = (None, 30.0, 60.0, 90.0, 180.0, 365.0)
MIN_CUSTOMERS = 50  # fewer customers in the held-out weeks: keep the plain count


def orders_of(data: Interactions) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every distinct order."""
    if not len(data.order):
        return np.zeros(0, np.int64), np.zeros(0)
    _, first = np.unique(data.order, return_index=True)
    return data.user[first].astype(np.int64), data.day[first]


def _decayed(
    users: np.ndarray, days: np.ndarray, n: int, half_life: float | None, at: float
) -> np.ndarray:
    weights = np.ones(len(days)) if half_life is None else np.exp2((days - at) / half_life)
    return np.bincount(users, weights, minlength=n)


@dataclass
class Activity:
    """Each customer's expected orders over the next `horizon_days`: `scale` × decayed count."""

    half_life_days: float | None = None
    reference_day: float = 0.0
    horizon_days: float = 45.0
    scale: float = 0.0
    decayed: np.ndarray = field(default_factory=lambda: np.zeros(0))  # at reference_day
    orders: np.ndarray = field(default_factory=lambda: np.zeros(0))  # plain count of orders
    last_order: np.ndarray = field(default_factory=lambda: np.zeros(0))  # -inf when none

    @classmethod
    def fit(cls, data: Interactions, config: RecommendConfig) -> tuple[Activity, dict[str, Any]]:
        """The half-life and scale chosen on the last `validation_days`, counts on all of `data`.

        Each candidate half-life predicts every customer's orders in the held-out days
        (Poisson, rate proportional to the decayed count before them); one replaces the
        plain count only if its per-customer log-likelihood beats it by more than noise
        (`blend.better`), as the blend's weights must.
        """
        users, days = orders_of(data)
        end = np.floor(data.last_day) + 1
        split = end - config.validation_days
        before, after = days < split, days >= split
        n = data.n_users
        y = np.bincount(users[after], minlength=n).astype(float)
        seen = np.bincount(users[before], minlength=n) > 0
        report: dict[str, Any] = {}
        chosen: float | None = None
        scale = 0.0
        if seen.sum() >= MIN_CUSTOMERS and y[seen].sum() > 0:
            ll: dict[float | None, np.ndarray] = {}
            scales = {}
            for hl in HALF_LIVES:
                d = _decayed(users[before], days[before], n, hl, split)[seen]
                c = y[seen].sum() / max(d.sum(), 1e-12)
                mu = np.maximum(c * d, 1e-12)
                ll[hl] = y[seen] * np.log(mu) - mu
                scales[hl] = c
                report[f"loglik_{hl or 'count'}"] = round(float(ll[hl].mean()), 4)
            best = max(HALF_LIVES, key=lambda hl: ll[hl].mean())
            chosen = best if best is not None and better(ll[best], ll[None]) else None
            scale = scales[chosen]
        report["activity_half_life_days"] = chosen
        model = cls(chosen, data.last_day, config.validation_days, scale)
        model.decayed = _decayed(users, days, n, chosen, data.last_day)
        model.orders = np.bincount(users, minlength=n).astype(float)
        model.last_order = np.full(n, -np.inf)
        np.maximum.at(model.last_order, users, days)
        if not scale and model.decayed.sum() > 0:
            # Too little history to validate: the plain rate over the history's span.
            span = max(data.last_day - float(days.min()), 1.0) if len(days) else 1.0
            model.scale = config.validation_days / span
        return model, report

    def update(self, new: Interactions) -> None:
        """Add the orders of new lines (customers new to the model get rows)."""
        users, days = orders_of(new)
        n = max(new.n_users, len(self.decayed))
        if n > len(self.decayed):
            grow = n - len(self.decayed)
            self.decayed = np.r_[self.decayed, np.zeros(grow)]
            self.orders = np.r_[self.orders, np.zeros(grow)]
            self.last_order = np.r_[self.last_order, np.full(grow, -np.inf)]
        self.decayed += _decayed(users, days, n, self.half_life_days, self.reference_day)
        self.orders += np.bincount(users, minlength=n)
        np.maximum.at(self.last_order, users, days)

    def propensity(self, userids: np.ndarray) -> np.ndarray:
        """Chance of at least one order in the next `horizon_days` (0 for unknown customers)."""
        known = (userids >= 0) & (userids < len(self.decayed))
        out = np.zeros(len(userids))
        rate = self.scale * self.decayed[userids[known]]
        out[known] = 1.0 - np.exp(-rate)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "decayed": self.decayed,
            "orders": self.orders,
            "last_order": self.last_order,
            "params": np.asarray(
                [
                    np.nan if self.half_life_days is None else self.half_life_days,
                    self.reference_day,
                    self.horizon_days,
                    self.scale,
                ]
            ),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Activity:
        hl, ref, horizon, scale = (float(x) for x in arrays["params"])
        model = cls(None if np.isnan(hl) else hl, ref, horizon, scale)
        model.decayed = arrays["decayed"]
        model.orders = arrays["orders"]
        model.last_order = arrays["last_order"]
        return model


@dataclass
class Member:
    customer_id: str
    score: float
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "score": round(self.score, 6),
            "reasons": self.reasons,
        }


def audience_scores(
    engine: OfferEngine,
    activity: Activity,
    blocks: Iterator[tuple[Sequence[Any], People]],
    item: int,
) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """(customer ids, audience score, the blend's score for the item) of everyone who may
    be offered `item` (owners and customers it is ruled out for are left out)."""
    ids: list[Any] = []
    scores, affinity = [], []
    for block_ids, people in blocks:
        allowed = engine.allowed(people, item)
        if not allowed.any():
            continue
        rows = np.flatnonzero(allowed)
        part = people.rows(rows)
        fit = engine.item_scores(part, item)
        userids = part.userids if part.userids is not None else np.full(len(rows), -1)
        ids.extend(block_ids[r] for r in rows.tolist())
        scores.append(activity.propensity(userids) * fit)
        affinity.append(fit)
    if not ids:
        return [], np.zeros(0), np.zeros(0)
    return ids, np.concatenate(scores), np.concatenate(affinity)


def top(scores: np.ndarray, affinity: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` best, by score, then by the blend's score (customers who have not
    ordered yet all score 0), then in the given order."""
    return np.lexsort((np.arange(len(scores)), -affinity, -scores))[:k]
