"""Business rules on top of the blend: what may be offered to whom, and in what order.

Every rule works on a block of customers at once (scores are customers × items), so
one customer's offers and a campaign export of everyone run the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import expand
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog

log = logging.getLogger(__name__)
OfferType = Literal["new", "renewal", "all"]
OFFER_TYPES: tuple[str, ...] = ("new", "renewal", "all")
# Product columns (or attributes) that relate products to each other: lists of product ids.
LINKS = ("replaces", "conflicts_with", "upgrade_of")


def _allowed_values(value: Any) -> set[str]:
    if isinstance(value, str):
        return {v.strip().lower() for v in value.replace(",", ";").split(";") if v.strip()}
    if isinstance(value, list | tuple | set):
        return {str(v).strip().lower() for v in value}
    return {str(value).strip().lower()}


def eligibility_of(attributes: Mapping[str, Any]) -> dict[str, set[str]]:
    """A product's eligibility rules: customer field → allowed values.

    Either `{"eligible": {"segment": ["gold"], "country": "DE;AT"}}` in the product's
    attributes, or flat CSV columns such as `eligible_segment=gold;silver`.
    """
    rules: dict[str, set[str]] = {}
    nested = attributes.get("eligible")
    if isinstance(nested, Mapping):
        rules.update({str(k): _allowed_values(v) for k, v in nested.items()})
    for key, value in attributes.items():
        if key.startswith("eligible_") and value not in (None, ""):
            rules[key.removeprefix("eligible_")] = _allowed_values(value)
    return rules


def links_of(attributes: Mapping[str, Any], link: str) -> list[str]:
    """Product ids named by one of `LINKS` in a product's attributes (a list or `a;b`)."""
    value = attributes.get(link)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _closure(m: sp.csr_matrix) -> sp.csr_matrix:
    """Transitive closure of a boolean relation (Metal > Premium > Plus: Metal > Plus)."""
    m = sp.csr_matrix(m, dtype=np.float32)
    while True:
        grown = m + m @ m
        grown.data[:] = 1.0
        if grown.nnz == m.nnz:
            return m
        m = sp.csr_matrix(grown)


NEG_INF = float("-inf")  # a name read per item in Python loops, not `-np.inf` worked out each time
# Columns per group when `best_columns` narrows a block's rows down before selecting.
GROUP = 16


def best_columns(scores: np.ndarray, n: int) -> np.ndarray:
    """The columns of the `n` largest scores of every row (rows × n, in no order).

    `argpartition` over whole rows of a large catalogue costs most of a block's top-k.
    Every row is cut into groups of `GROUP` columns (column c in group c mod groups),
    and the `n` largest scores lie in the `n` groups with the largest maxima (a group
    without one of them has a maximum no larger than the `n`th largest): a max over the
    groups, then `argpartition` over n × GROUP columns instead of all of them.
    """
    u, width = scores.shape
    groups = width // GROUP
    if groups <= 2 * n:  # too few groups to leave many out
        return np.argpartition(-scores, n - 1, axis=1)[:, :n]
    body = scores[:, : groups * GROUP].reshape(u, GROUP, groups)
    top = np.argpartition(-body.max(axis=1), n - 1, axis=1)[:, :n]
    cols = (top[:, :, None] + groups * np.arange(GROUP)).reshape(u, n * GROUP)
    if groups * GROUP < width:  # the last columns, in no group: always candidates
        rest = np.arange(groups * GROUP, width)
        cols = np.hstack([cols, np.broadcast_to(rest, (u, len(rest)))])
    vals = np.take_along_axis(scores, cols, axis=1)
    best = np.argpartition(-vals, n - 1, axis=1)[:, :n]
    return np.take_along_axis(cols, best, axis=1)


class Rules:
    """Offerable items and the value objective, precomputed as arrays over the catalogue.

    Product rules, from the catalogue (`LINKS`, each a list of product ids):
    - `replaces`: the product supersedes those (annual insurance replaces single-trip);
    - `upgrade_of`: the product is a higher tier of those (Premium of Plus);
    - `conflicts_with`: the two are never held together (symmetric).
    Owning a product blocks what it replaces or upgrades (transitively: owning Metal
    blocks Plus too) and what it conflicts with; what replaces or upgrades an owned
    product is offered with that said.
    """

    def __init__(self, catalog: Catalog, config: RecommendConfig) -> None:
        self.config = config
        n = len(catalog)
        self.n_items = n
        self.active = catalog.active.copy()
        self.inactive = np.flatnonzero(~self.active)
        cats = np.asarray([c or "" for c in catalog.categories], dtype=object)
        wanted = {c.lower() for c in config.repeatable_categories}
        by_category = np.asarray([c.lower() in wanted for c in cats], bool)
        # Consumables and renewals are bought again, so owning them must not hide them.
        self.repeatable = catalog.repeatable | by_category
        self.category: np.ndarray = (
            np.unique(cats, return_inverse=True)[1] if n else np.zeros(0, int)
        )
        self.has_category = cats != ""
        # Per item, its category number or -1 (plain list: read item by item when capping).
        self.category_of: list[int] = np.where(self.has_category, self.category, -1).tolist()
        self.eligibility = {
            i: rules
            for i, attrs in enumerate(catalog.attributes)
            if (rules := eligibility_of(attrs))
        }
        self._eligible_fields = sorted({f.lower() for r in self.eligibility.values() for f in r})
        self._ineligible: dict[tuple[str, ...], np.ndarray] = {}
        self.value = self._value(catalog)
        self.has_value = bool((self.value != 1.0).any())  # else multiplying changes nothing
        self.upgrades, self.replacements, self.blocks = self._links(catalog)

    def _links(self, catalog: Catalog) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """(upgrades, replacements, blocks): items × items, row = an owned item.

        upgrades[i, j]: j is a higher tier of i; replacements[i, j]: j replaces i;
        blocks[i, j]: owning i rules out offering j.
        """
        n = len(catalog)
        edges: dict[str, tuple[list[int], list[int]]] = {link: ([], []) for link in LINKS}
        for j, attrs in enumerate(catalog.attributes):
            for link in LINKS:
                for pid in links_of(attrs, link):
                    i = catalog.index.get(pid)
                    if i is None or i == j:
                        log.warning(
                            "product %s: %s names unknown product %r", catalog.ids[j], link, pid
                        )
                        continue
                    edges[link][0].append(j)
                    edges[link][1].append(i)

        def relation(link: str) -> sp.csr_matrix:
            rows, cols = edges[link]  # rows: the product declaring it; cols: the one it names
            m = sp.csr_matrix(
                (np.ones(len(rows), np.float32), (rows, cols)), shape=(n, n), dtype=np.float32
            )
            m.data[:] = 1.0
            return m

        # above[j, i]: j is above i (replaces or upgrades it, directly or through others).
        upgrade = _closure(relation("upgrade_of"))
        above = _closure(relation("upgrade_of") + relation("replaces"))
        conflicts = relation("conflicts_with")
        blocks = sp.csr_matrix(above + conflicts + conflicts.T)
        blocks.data[:] = 1.0
        blocks.setdiag(0)
        blocks.eliminate_zeros()
        replaced = sp.csr_matrix(above - above.multiply(upgrade))
        replaced.eliminate_zeros()
        return sp.csr_matrix(upgrade.T), sp.csr_matrix(replaced.T), sp.csr_matrix(blocks)

    def _value(self, catalog: Catalog) -> np.ndarray:
        """Multiplier 1 + weight × (price or margin relative to the catalogue's highest)."""
        cfg = self.config
        n = len(catalog)
        if cfg.value_objective == "none" or cfg.value_weight == 0 or n == 0:
            return np.ones(n, np.float32)
        raw = catalog.price if cfg.value_objective == "price" else catalog.price - catalog.cost
        known = raw[np.isfinite(raw)]
        # Unknown price or cost: the median, so a missing number neither helps nor hurts.
        fill = float(np.median(known)) if len(known) else 0.0
        v = np.maximum(np.where(np.isfinite(raw), raw, fill), 0.0)
        top = v.max()
        rel = v / top if top > 0 else v
        return (1.0 + cfg.value_weight * rel).astype(np.float32)

    def ineligible(self, customer: Mapping[str, Any]) -> np.ndarray:
        """Items this customer is not eligible for (cached per combination of field values)."""
        if not self.eligibility:
            return np.zeros(0, np.int64)
        fields = {str(k).lower(): v for k, v in customer.items() if v not in (None, "")}
        key = tuple(str(fields.get(f, "")).strip().lower() for f in self._eligible_fields)
        hit = self._ineligible.get(key)
        if hit is None:
            values = dict(zip(self._eligible_fields, key, strict=True))
            hit = np.asarray(
                [
                    i
                    for i, rules in self.eligibility.items()
                    if any(values.get(f.lower(), "") not in allowed for f, allowed in rules.items())
                ],
                np.int64,
            )
            self._ineligible[key] = hit
        return hit

    def apply(
        self,
        scores: np.ndarray,
        owned: sp.csr_matrix,
        profiles: Sequence[Mapping[str, Any]],
        offer_type: OfferType = "new",
        fatigue: sp.csr_matrix | None = None,
    ) -> None:
        """Set to -inf, in place, the scores of everything that may not be offered.

        Args:
            scores: customers × items.
            owned: customers × items, binary: what each has bought.
            profiles: each customer's fields, for eligibility.
            offer_type: `new` (not owned), `renewal` (owned and repeatable) or `all`.
            fatigue: customers × items offers they refused too often lately.
        """
        if len(self.inactive):
            scores[:, self.inactive] = -np.inf
        if self.eligibility:
            for r, profile in enumerate(profiles):
                scores[r, self.ineligible(profile)] = -np.inf
        if self.blocks.nnz and owned.nnz:
            rows, cols, _, _ = expand(self.blocks, owned)
            scores[rows, cols] = -np.inf
        if fatigue is not None and fatigue.nnz:
            scores[fatigue.nonzero()] = -np.inf
        cols = owned.indices
        if offer_type == "new" and owned.shape[0] == 1:
            scores[0, cols] = -np.inf
            return
        rows = np.repeat(np.arange(owned.shape[0]), np.diff(owned.indptr))
        if offer_type == "new":
            scores[rows, cols] = -np.inf
        elif offer_type == "all":
            once = ~self.repeatable[cols]
            scores[rows[once], cols[once]] = -np.inf
        else:
            keep = self.repeatable[cols]
            kept = scores[rows[keep], cols[keep]]
            scores[:] = -np.inf
            scores[rows[keep], cols[keep]] = kept

    def select(self, scores: np.ndarray, k: int) -> np.ndarray:
        """The best `k` finite items of every row, best first, at most `max_per_category`
        from any one category; customers × k item indices, -1 where fewer exist."""
        u, n = scores.shape
        cap = self.config.max_per_category
        if n == 0 or u == 0:
            return np.full((u, k), -1, np.int64)
        # Enough candidates that the category cap can still fill k slots in most cases.
        pool = min(n, k * 4 if cap else k)
        if u == 1:  # one customer: fewer numpy calls, each costing more than its work here
            return np.asarray([self._one(scores[0], k, cap, pool)], np.int64)
        out = np.full((u, k), -1, np.int64)
        idx = best_columns(scores, pool) if pool < n else np.broadcast_to(np.arange(n), (u, n))
        vals = np.take_along_axis(scores, idx, axis=1)
        # Equal scores in item order, however the pool came out: one customer alone and
        # in a block get the same offers, as `_capped_row` would give.
        order = np.lexsort((idx, -vals), axis=1)
        idx = np.take_along_axis(idx, order, axis=1)
        keep = np.isfinite(np.take_along_axis(vals, order, axis=1))
        if cap:
            keep &= self._under_cap(idx, keep, cap)
        first = np.argsort(~keep, axis=1, kind="stable")[:, :k]
        got = np.take_along_axis(keep, first, axis=1)
        out[:, : got.shape[1]] = np.where(got, np.take_along_axis(idx, first, axis=1), -1)
        if cap and pool < n:
            # A row whose pool the cap emptied below k while it has more candidates.
            for r in np.flatnonzero(got.sum(axis=1) < k):
                if np.isfinite(scores[r]).sum() > pool:
                    out[r] = self._capped_row(scores[r], k, cap, pool)
        return out

    def _under_cap(self, idx: np.ndarray, keep: np.ndarray, cap: int) -> np.ndarray:
        """Bool mask: each entry is among the first `cap` kept of its category in its row."""
        u, p = idx.shape
        cat = self.category[idx].astype(np.int64)
        group = np.where(keep & self.has_category[idx], cat, -1)
        key = np.arange(u)[:, None] * (int(self.category.max(initial=0)) + 2) + group + 1
        flat = key.ravel()
        order = np.argsort(flat, kind="stable")  # row-major positions stay in rank order
        sorted_key = flat[order]
        starts = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1]
        lengths = np.diff(np.r_[starts, len(flat)])
        rank = np.empty(len(flat), np.int64)
        rank[order] = np.arange(len(flat)) - np.repeat(starts, lengths)
        return (rank.reshape(u, p) < cap) | (group < 0)

    def _one(self, s: np.ndarray, k: int, cap: int, pool: int) -> list[int]:
        n = len(s)
        if pool < n:
            # The pool among the positive scores when there are enough of them (the
            # neighbour models score a few hundred items of a catalogue of thousands).
            positive = np.flatnonzero(s > 0)
            if len(positive) >= pool:
                idx = positive[np.argpartition(-s[positive], pool - 1)[:pool]]
            else:
                idx = np.argpartition(-s, pool - 1)[:pool]
        else:
            idx = np.arange(n)
        vals = s[idx]
        order = np.lexsort((idx, -vals))
        idx, vals = idx[order].tolist(), vals[order].tolist()
        out = self._capped(idx, vals, k, cap)
        if len(out) < k and cap and len(idx) == pool < n and np.isfinite(s).sum() > pool:
            out = self._capped_row(s, k, cap, pool).tolist()
        return out + [-1] * (k - len(out))

    def _capped(self, idx: list[int], vals: list[float], k: int, cap: int) -> list[int]:
        """The first `k` finite of items in rank order, at most `cap` from a category."""
        out: list[int] = []
        if not cap:
            for i, v in zip(idx, vals, strict=True):
                if v == NEG_INF or len(out) == k:
                    break
                out.append(i)
            return out
        taken: dict[int, int] = {}
        category_of = self.category_of
        for i, v in zip(idx, vals, strict=True):
            if v == NEG_INF:
                break
            c = category_of[i]
            if c >= 0:
                have = taken.get(c, 0)
                if have >= cap:
                    continue
                taken[c] = have + 1
            out.append(i)
            if len(out) == k:
                break
        return out

    def _capped_row(self, s: np.ndarray, k: int, cap: int, pool: int = 0) -> np.ndarray:
        """The best `k` of one row under the category cap, walking the row in rank order
        (equal scores in item order): the best 4 × `pool` first, four times more while
        the cap leaves fewer than `k` and more items are left, rather than sorting them all.
        """
        n = len(s)
        size = max(pool, k)
        while True:
            size = min(n, size * 4)
            idx = np.argpartition(-s, size - 1)[:size] if size < n else np.arange(n)
            idx = idx[np.lexsort((idx, -s[idx]))]
            vals = s[idx]
            got = self._capped(idx.tolist(), vals.tolist(), k, cap)
            if len(got) == k or size == n or vals[-1] == -np.inf:
                return np.asarray(got + [-1] * (k - len(got)), np.int64)
