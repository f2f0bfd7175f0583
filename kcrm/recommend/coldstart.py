"""Offers for customers with no purchases: what customers like them bought lately.

"Like them" is whatever the profile says: the same segment, the same country, the
same signup cohort (quarter of `joined_at`). For every group and item the share of
the group's customers who bought the item in the last `window_days` is counted; a
customer's score for an item is the mean over their groups of that share, shrunk
towards the share among all customers (`PRIOR` pseudo-customers), so a group of
three does not decide alone. Products the customer looked at or asked about (cases
and interactions naming them) add content similarity when an embedding model is
loaded. Reasons quote the counts: "bought by 31% of premium customers in the last
90 days".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Interactions

GROUPS = ("segment", "country", "cohort")
PRIOR = 20.0  # pseudo-customers at the overall share added to every group
MIN_GROUP_BUYERS = 3  # a group share resting on fewer buyers is not quoted as a reason
MIN_WINDOW_BUYERS = 20  # fewer buyers than this in the window: count all history instead
VIEWED_WEIGHT = 0.5  # share of the score from likeness to what the customer looked at


def cohort_of(joined: Any) -> str | None:
    """The signup quarter, `2026-Q3`, of a datetime or ISO date string."""
    if joined in (None, ""):
        return None
    when = joined if isinstance(joined, datetime) else None
    if when is None:
        try:
            when = datetime.fromisoformat(str(joined))
        except ValueError:
            return None
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


def groups_of(profile: Mapping[str, Any]) -> dict[str, str]:
    """The group each cold-start key puts a customer in (keys with no value left out)."""
    out = {}
    for key in GROUPS:
        raw = cohort_of(profile.get("joined_at")) if key == "cohort" else profile.get(key)
        if raw not in (None, ""):
            out[key] = str(raw).strip()
    return out


def _label(key: str, value: str) -> str:
    if key == "segment":
        return f"{value} customers"
    if key == "country":
        return f"customers in {value}"
    return f"customers who joined in {value}"


def _pct(share: float) -> str:
    return f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"


class ColdStart:
    """Group shares of recent buyers per item, and the reasons that quote them."""

    def __init__(self, window_days: float = 90.0, prior: float = PRIOR) -> None:
        self.window_days: float | None = window_days  # None: counted over all history
        self.prior = prior
        self.n_items = 0
        self.customers = 0
        self.base = np.zeros(0)  # share of all customers who bought each item
        self.buyers = np.zeros(0)  # how many customers that is
        self.values: dict[str, list[str]] = {}  # group key → group names
        self.sizes: dict[str, np.ndarray] = {}  # group key → customers per group
        self.counts: dict[str, np.ndarray] = {}  # group key → groups × items buyers
        self.similarity: sp.csr_matrix | None = None  # item likeness, for viewed products
        self._cache: dict[tuple[Any, ...], tuple[np.ndarray, list[str]]] = {}

    def fit(self, data: Interactions, profiles: Sequence[Mapping[str, Any]]) -> ColdStart:
        """Count from `data`; `profiles[u]` are the fields of customer index u."""
        self.n_items = data.n_items
        self.customers = max(data.n_users, 1)
        lines = data
        if self.window_days is not None and len(data.day):
            lines = data.between(np.floor(data.last_day) + 1 - self.window_days)
            if len(np.unique(lines.user)) < MIN_WINDOW_BUYERS:
                lines, self.window_days = data, None
        bought = sp.csr_matrix(
            (np.ones(len(lines.user), np.float32), (lines.user, lines.item)),
            shape=(data.n_users, data.n_items),
        )
        bought.sum_duplicates()
        bought.data[:] = 1.0
        self.buyers = np.asarray(bought.sum(axis=0)).ravel()
        self.base = self.buyers / self.customers
        padded = list(profiles)[: data.n_users] + [{}] * max(0, data.n_users - len(profiles))
        per_user = [groups_of(p) for p in padded]
        for key in GROUPS:
            names = [g.get(key) for g in per_user]
            values = sorted({v for v in names if v is not None})
            if not values:
                continue
            code = {v: g for g, v in enumerate(values)}
            member = np.asarray([code.get(v, -1) if v else -1 for v in names], np.int64)
            known = member >= 0
            onehot = sp.csr_matrix(
                (np.ones(int(known.sum())), (member[known], np.flatnonzero(known))),
                shape=(len(values), data.n_users),
            )
            self.values[key] = values
            self.sizes[key] = np.bincount(member[known], minlength=len(values)).astype(float)
            self.counts[key] = np.asarray((onehot @ bought).toarray(), np.float64)
        self._cache = {}
        return self

    def _group(self, key: str, value: str) -> int:
        try:
            return self.values.get(key, []).index(value)
        except ValueError:
            return -1

    def rates(self, profile: Mapping[str, Any]) -> tuple[np.ndarray, list[str]]:
        """(estimated share of customers like this one who buy each item, reason per item).

        Cached per combination of groups: a campaign export meets few combinations.
        """
        groups = groups_of(profile)
        key = tuple(sorted(groups.items()))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        terms, best_lift, best_text = [], np.ones(self.n_items), [""] * self.n_items
        for g, value in groups.items():
            idx = self._group(g, value)
            if idx < 0:
                continue
            size, count = self.sizes[g][idx], self.counts[g][idx]
            smoothed = (count + self.prior * self.base) / (size + self.prior)
            terms.append(smoothed)
            lift = np.where(self.base > 0, smoothed / np.maximum(self.base, 1e-12), 0.0)
            better = np.flatnonzero((lift > best_lift) & (count >= MIN_GROUP_BUYERS))
            best_lift[better] = lift[better]
            for j in better:
                best_text[j] = f"bought by {_pct(count[j] / size)} of {_label(g, value)}"
        rate = np.mean(terms, axis=0) if terms else self.base.copy()
        when = f" in the last {self.window_days:g} days" if self.window_days else ""
        reasons = [
            (text or f"bought by {_pct(self.base[j])} of all customers") + when
            if self.buyers[j] > 0
            else f"nobody bought it{when} yet"
            for j, text in enumerate(best_text)
        ]
        self._cache[key] = (rate.astype(np.float32), reasons)
        return self._cache[key]

    def score(
        self, profiles: Sequence[Mapping[str, Any]], viewed: Sequence[np.ndarray] | None = None
    ) -> tuple[np.ndarray, list[list[str]], np.ndarray, np.ndarray]:
        """Scores of every item for customers without purchases.

        Returns:
            (customers × items scores, per customer the reason per item, and for the
            viewed-product likeness: customers × items best viewed item (-1 none), its
            similarity)
        """
        u = len(profiles)
        out = np.zeros((u, self.n_items), np.float32)
        reasons: list[list[str]] = []
        near = np.full((u, self.n_items), -1, np.int64)
        sim = np.zeros((u, self.n_items), np.float32)
        for r, profile in enumerate(profiles):
            rate, why = self.rates(profile)
            top = float(rate.max()) if len(rate) else 0.0
            out[r] = rate
            reasons.append(why)
            seen = viewed[r] if viewed is not None else None
            if seen is None or not len(seen) or self.similarity is None:
                continue
            rows = self.similarity[seen].toarray()
            near[r] = np.where(rows.max(axis=0) > 0, seen[rows.argmax(axis=0)], -1)
            sim[r] = rows.max(axis=0)
            scaled = rate / top if top > 0 else rate
            out[r] = (1 - VIEWED_WEIGHT) * scaled + VIEWED_WEIGHT * sim[r]
        return out, reasons, near, sim

    # ---- persistence --------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        return {"window_days": self.window_days, "prior": self.prior, "values": self.values}

    def arrays(self) -> dict[str, np.ndarray]:
        out = {
            "base": self.base,
            "buyers": self.buyers,
            "customers": np.asarray(self.customers),
        }
        for key in self.values:
            out[f"sizes_{key}"] = self.sizes[key]
            out[f"counts_{key}"] = self.counts[key]
        return out

    @classmethod
    def restore(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> ColdStart:
        model = cls(meta["window_days"] or 0.0, meta["prior"])
        model.window_days = meta["window_days"]
        model.values = {k: list(v) for k, v in meta["values"].items()}
        model.base = arrays["base"]
        model.buyers = arrays["buyers"]
        model.customers = int(arrays["customers"])
        model.n_items = len(model.base)
        for key in model.values:
            model.sizes[key] = arrays[f"sizes_{key}"]
            model.counts[key] = arrays[f"counts_{key}"]
        return model
