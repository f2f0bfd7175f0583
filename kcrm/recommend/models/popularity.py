"""Popularity: how many customers bought each item, optionally with recency decay."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import IdsScores, Recommender, top_n
from kcrm.recommend.data import Interactions
from kcrm.recommend.shift import last_shift


class PopularityRecommender(Recommender):
    """Counts customers per item; with `half_life_days`, each counts 2^(-age/half-life);
    with `since_shift`, only customers who bought it since the item mix last changed.

    A customer counts once per item, weighted by their most recent purchase of it,
    so heavy repeat buyers do not swamp the count. Decay and shifts matter when the
    mix changes: on the groceries data it changes at the new year; a 30-day
    half-life follows it while the all-time count lags for months, and counting
    from the shift (`shift.last_shift`) follows it with all the data since.
    """

    name = "popularity"

    def __init__(self, half_life_days: float | None = None, since_shift: bool = False) -> None:
        if half_life_days is not None and half_life_days <= 0:
            raise ValueError(f"half_life_days must be positive, got {half_life_days}")
        self.half_life_days = half_life_days
        self.since_shift = since_shift
        self.since_day = -np.inf  # lines before this day do not count (`since_shift`)
        self.reference_day = 0.0
        self.counts = np.zeros(0, np.float64)  # decayed customer counts at reference_day
        self.customers = np.zeros(0, np.float64)  # plain customer counts, for explanations
        self._vector: np.ndarray | None = None

    def _weights(self, day: np.ndarray) -> np.ndarray:
        counted = (np.asarray(day) >= self.since_day).astype(np.float64)
        if self.half_life_days is None:
            return counted
        # Relative to a fixed reference day, so later updates add on without rescaling.
        return counted * np.exp2((day - self.reference_day) / self.half_life_days)

    def _pairs(self, data: Interactions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(user, item, newest day) once per customer and item."""
        key = data.user.astype(np.int64) * max(1, data.n_items) + data.item
        order = np.lexsort((-data.day, key))
        first = np.ones(len(order), bool)
        first[1:] = key[order][1:] != key[order][:-1]
        pick = order[first]
        return data.user[pick], data.item[pick], data.day[pick]

    def fit(self, data: Interactions) -> Self:
        self.n_items = data.n_items
        self.reference_day = data.last_day
        if self.since_shift:
            shift = last_shift(data)
            self.since_day = -np.inf if shift is None else shift
        _, items, days = self._pairs(data)
        self.counts = np.bincount(items, self._weights(days), minlength=self.n_items).astype(float)
        counted = days >= self.since_day
        self.customers = np.bincount(items[counted], minlength=self.n_items).astype(np.float64)
        self._vector = None
        return self

    def update(self, new: Interactions, before: sp.csr_matrix) -> None:
        # A customer who owned the item already is not counted again, though a repeat
        # purchase would renew their weight on a refit (decay, or a shift since): the
        # counts lag a little for repeat buyers until the next `kcrm train recommend`.
        users, items, days = self._pairs(new)
        # Only customers new to the item add to its count, as in `fit`.
        fresh = np.asarray(before[users, items]).ravel() == 0 if len(users) else np.zeros(0, bool)
        np.add.at(self.counts, items[fresh], self._weights(days[fresh]))
        np.add.at(self.customers, items[fresh], 1.0)
        self._vector = None

    def vector(self) -> np.ndarray:
        """The counts scaled to [0, 1] (cached; read-only)."""
        if self._vector is None:
            top = self.counts.max() if len(self.counts) else 0.0
            v = (self.counts / top if top > 0 else self.counts).astype(np.float32)
            v.flags.writeable = False
            self._vector = v
        return self._vector

    def score(self, user_items: sp.csr_matrix, userids: np.ndarray | None = None) -> np.ndarray:
        # The same row for everyone: a read-only view, not user_items.shape[0] copies.
        return np.broadcast_to(self.vector(), (user_items.shape[0], self.n_items))

    def similar_items(self, itemid: int, N: int = 10) -> IdsScores:
        # Popularity knows nothing about items' likeness: the best sellers stand in.
        return top_n(self.vector(), N, np.asarray([itemid]))

    def params(self) -> dict[str, Any]:
        return {"half_life_days": self.half_life_days, "since_shift": self.since_shift}

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "counts": self.counts,
            "customers": self.customers,
            "reference_day": np.asarray(self.reference_day),
            "since_day": np.asarray(self.since_day),
        }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.counts = arrays["counts"].astype(np.float64)
        self.customers = arrays["customers"].astype(np.float64)
        self.reference_day = float(arrays["reference_day"])
        self.since_day = float(arrays["since_day"]) if "since_day" in arrays else -np.inf
        self._vector = None
