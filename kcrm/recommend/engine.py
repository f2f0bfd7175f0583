"""Offers for a block of customers: scores, business rules, top-k and reasons, in matrix ops.

One customer is a block of one: the API, the campaign export and audiences run the
same code. No database here (`service.py` loads the customers), so the benchmark
times exactly what the service runs after its queries.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.base import Recommender, best_owned, entries
from kcrm.recommend.coldstart import ColdStart
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog
from kcrm.recommend.explain import MAX_REASONS, Explainer, day_text
from kcrm.recommend.explain_one import reasons_one
from kcrm.recommend.rerank import Reranker
from kcrm.recommend.rules import OfferType, Rules

# Customers × items scored at once: 2.5 MB per float32 array, so that a block's arrays
# stay in the CPU's cache (64 customers of 10,000 items ran about 20% faster than 512).
CELLS = 640_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while offers are built, back on after.

    A block's offers are tens of thousands of small lists and objects, none in a
    reference cycle (plain reference counting frees them); each time so many survive,
    the collector walks every long-lived object of the process, which took a fifth of
    an export's time. Only the thread that found it on turns it back on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(slots=True)  # no per-offer __dict__: an export makes hundreds of thousands
class Offer:
    product_id: str
    name: str
    score: float
    reasons: list[str]
    category: str | None = None
    offer_type: str = "new"  # or "renewal": an owned product bought again

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "score": round(self.score, 6),
            "reasons": self.reasons,
            "category": self.category,
            "offer_type": self.offer_type,
        }


@dataclass
class People:
    """A block of customers as the engine needs them (one row each)."""

    history: sp.csr_matrix  # customers × items: order lines of each item bought
    last: sp.csr_matrix  # customers × items: day of the latest of them (same pattern)
    profiles: Sequence[Mapping[str, Any]]  # fields for eligibility and cold-start groups
    userids: np.ndarray | None = None  # row in the training data, -1 when not in it
    viewed: Sequence[np.ndarray] | None = None  # items each looked at or asked about
    fatigue: sp.csr_matrix | None = None  # customers × items offers not to repeat now

    def __post_init__(self) -> None:
        owned = sp.csr_matrix(self.history, dtype=np.float32, copy=True)
        owned.eliminate_zeros()
        owned.data[:] = 1.0
        self.owned = owned

    def rows(self, idx: np.ndarray | slice) -> People:
        """The customers at `idx` (positions, or a slice of them)."""

        def pick(seq: Sequence[Any]) -> list[Any]:
            return list(seq[idx]) if isinstance(idx, slice) else [seq[i] for i in idx]

        return People(
            sp.csr_matrix(self.history[idx]),
            sp.csr_matrix(self.last[idx]),
            pick(self.profiles),
            None if self.userids is None else self.userids[idx],
            None if self.viewed is None else pick(self.viewed),
            None if self.fatigue is None else sp.csr_matrix(self.fatigue[idx]),
        )


class OfferEngine:
    """The trained models, blend and rules over one catalogue."""

    def __init__(
        self,
        catalog: Catalog,
        config: RecommendConfig,
        models: dict[str, Recommender],
        weights: dict[str, float],
        reranker: Reranker | None = None,
        cold: ColdStart | None = None,
    ) -> None:
        self.catalog = catalog
        self.config = config
        self.models = models
        self.weights = weights
        self.reranker = reranker
        self.cold = cold
        self.rules = Rules(catalog, config)
        self.explainer = Explainer(catalog, models)
        if reranker is None:
            self.used = [n for n, w in weights.items() if w > 0 and n in models]
            self.contribution = {n: weights[n] for n in self.used}
        else:
            self.used = [n for n in reranker.names if n in models]
            self.contribution = {n: w for n, w in reranker.model_weights().items() if w > 0}

    def changed(self) -> None:
        """Models were updated with new purchases: drop what was cached from them."""
        self.explainer.reset()

    def score(
        self, owned: sp.csr_matrix, userids: np.ndarray | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """(each used model's part of the blend, the blend), customers × items.

        With a linear blend a part is the model's normalised score times its weight
        (`blend.combine`'s terms, so the parts at an offer are its contributions), worked
        out in place: a block's arrays are large, and every copy costs.
        """
        if not self.used:
            return {}, np.zeros(owned.shape, np.float32)
        parts = {}
        one = owned.shape[0] == 1
        for n in self.used:
            raw = self.models[n].score(owned, userids)
            part = (
                raw if raw.flags.writeable and raw.dtype == np.float32 else raw.astype(np.float32)
            )
            if one and self.reranker is None:  # float32 scalars: the same sums as below
                low, high = part.min(), part.max()
                if low:
                    part -= low
                span = high - low
                part *= np.float32(self.weights[n]) / span if span > 0 else np.float32(0)
                parts[n] = part
                continue
            lo = part.min(axis=1, keepdims=True)
            span = part.max(axis=1, keepdims=True) - lo
            if lo.any():  # neighbour models' rows hold zeros: nothing to take off
                part -= lo  # a row with no span is all zeros now
            if self.reranker is not None:
                np.divide(part, span, out=part, where=span > 0)
            else:  # normalised and weighted in one pass
                weight = np.float32(self.weights[n])
                part *= np.divide(weight, span, out=np.zeros_like(span), where=span > 0)
            parts[n] = part
        if self.reranker is not None:
            blend = self.reranker.score(parts, np.diff(owned.indptr))
            return parts, np.asarray(blend, np.float32)
        first, *rest = (parts[n] for n in self.used)
        total = first + rest[0] if rest else first.copy()
        for part in rest[1:]:
            total += part
        return parts, total

    def offers(
        self, people: People, k: int = 10, offer_type: OfferType = "new"
    ) -> list[list[Offer]]:
        """The best `k` offers of each customer, with reasons, best first."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if len(people.profiles) == 1:  # a few dozen objects: no collection to put off
            return self._offers(people, k, offer_type)
        with collector_paused():
            return self._offers(people, k, offer_type)

    def _offers(self, people: People, k: int, offer_type: OfferType) -> list[list[Offer]]:
        size = len(people.profiles)
        step = max(1, CELLS // max(len(self.catalog), 1))
        if size > step:  # a few customers at a time: their arrays stay in the CPU's cache
            return [
                offers
                for lo in range(0, size, step)
                for offers in self._offers(people.rows(slice(lo, lo + step)), k, offer_type)
            ]
        if size == 1:  # one customer: no mask to build
            one = self._warm if people.owned.indptr[-1] else self._cold
            return one(people, k, offer_type)
        warm = np.diff(people.owned.indptr) > 0
        if warm.all():
            return self._warm(people, k, offer_type)
        if not warm.any():
            return self._cold(people, k, offer_type)
        out: list[list[Offer]] = [[] for _ in range(len(warm))]
        for idx, part in (
            (np.flatnonzero(warm), self._warm),
            (np.flatnonzero(~warm), self._cold),
        ):
            for i, offers in zip(idx, part(people.rows(idx), k, offer_type), strict=True):
                out[i] = offers
        return out

    def _warm(self, people: People, k: int, offer_type: OfferType) -> list[list[Offer]]:
        parts, scores = self.score(people.owned, people.userids)
        picked = self._pick(scores, people, k, offer_type)
        return self._build(people, picked, scores, self._reasons(people, picked, parts), offer_type)

    def _reasons(
        self, people: People, picked: np.ndarray, parts: Mapping[str, np.ndarray]
    ) -> list[list[list[str]]]:
        safe = np.maximum(picked, 0)
        if len(picked) == 1:  # one customer: plain lists, fewer numpy calls
            one = {
                n: (w * parts[n][0, safe[0]]).tolist()
                for n, w in self.contribution.items()
                if n in parts
            }
            return [reasons_one(self.explainer, people.owned, picked, one)]
        rows = np.arange(len(picked))[:, None]
        contrib = {n: w * parts[n][rows, safe] for n, w in self.contribution.items() if n in parts}
        return self.explainer.reasons(people.owned, picked, contrib)

    def _cold_scores(
        self, people: People
    ) -> tuple[np.ndarray, list[list[str]], np.ndarray, np.ndarray]:
        u, n = len(people.profiles), len(self.catalog)
        if self.cold is None:
            empty = [[""] * n for _ in range(u)]
            return np.zeros((u, n), np.float32), empty, np.full((u, n), -1), np.zeros((u, n))
        return self.cold.score(people.profiles, people.viewed)

    def _cold(self, people: People, k: int, offer_type: OfferType) -> list[list[Offer]]:
        if offer_type == "renewal":  # nothing owned, nothing to renew
            return [[] for _ in people.profiles]
        scores, why, near, sim = self._cold_scores(people)
        picked = self._pick(scores, people, k, offer_type)
        reasons = self._cold_reasons(picked, why, near, sim)
        return self._build(people, picked, scores, reasons, offer_type)

    def _cold_reasons(
        self, picked: np.ndarray, why: list[list[str]], near: np.ndarray, sim: np.ndarray
    ) -> list[list[list[str]]]:
        names = self.catalog.names
        out = []
        for r, row in enumerate(picked.tolist()):
            texts = []
            for j in row:
                got = [why[r][j]] if j >= 0 and why[r][j] else []
                if j >= 0 and near[r, j] >= 0 and sim[r, j] > 0:
                    got.append(f"similar to {names[near[r, j]]} you asked about")
                texts.append(got or (["in the catalogue"] if j >= 0 else []))
            out.append(texts)
        return out

    # ---- one item for many customers (audiences) ----------------------------------------
    def allowed(self, people: People, item: int) -> np.ndarray:
        """Bool per customer: `item` may be offered to them as a new product."""
        u = len(people.profiles)
        if not self.rules.active[item]:
            return np.zeros(u, bool)
        owned = people.owned
        ok = np.asarray(owned[:, [item]].toarray()).ravel() == 0
        if self.rules.blocks.nnz:
            ok &= np.asarray((owned @ self.rules.blocks[:, [item]]).toarray()).ravel() == 0
        if people.fatigue is not None:
            ok &= np.asarray(people.fatigue[:, [item]].toarray()).ravel() == 0
        if self.rules.eligibility:
            ok &= np.asarray([item not in self.rules.ineligible(p) for p in people.profiles])
        return ok

    def item_scores(self, people: People, item: int) -> np.ndarray:
        """The blend's score for `item` of each customer (cold start for those with nothing)."""
        warm = np.diff(people.owned.indptr) > 0
        out = np.zeros(len(warm))
        if warm.any():
            sub = people.rows(np.flatnonzero(warm)) if not warm.all() else people
            out[warm] = self.score(sub.owned, sub.userids)[1][:, item]
        if not warm.all():
            cold = people.rows(np.flatnonzero(~warm))
            out[~warm] = self._cold_scores(cold)[0][:, item]
        return out

    def explain_item(self, people: People, item: int) -> list[list[str]]:
        """Reasons to offer `item` to each customer."""
        warm = np.diff(people.owned.indptr) > 0
        out: list[list[str]] = [[] for _ in warm]
        for idx in (np.flatnonzero(warm), np.flatnonzero(~warm)):
            if not len(idx):
                continue
            part = people.rows(idx)
            items = np.full((len(idx), 1), item)
            if warm[idx[0]]:
                reasons = self._reasons(part, items, self.score(part.owned, part.userids)[0])
            else:
                reasons = self._cold_reasons(items, *self._cold_scores(part)[1:])
            for i, got in zip(idx, reasons, strict=True):
                out[i] = got[0]
        return out

    def _pick(
        self, scores: np.ndarray, people: People, k: int, offer_type: OfferType
    ) -> np.ndarray:
        if self.rules.has_value:
            scores *= self.rules.value
        self.rules.apply(scores, people.owned, people.profiles, offer_type, people.fatigue)
        return self.rules.select(scores, k)

    def _build(
        self,
        people: People,
        picked: np.ndarray,
        scores: np.ndarray,
        reasons: list[list[list[str]]],
        offer_type: OfferType,
    ) -> list[list[Offer]]:
        """Offers from the picked items, with what the product rules and history add."""
        owned = people.owned
        c = self.catalog
        safe = np.maximum(picked, 0)
        rows = np.arange(len(picked))[:, None]
        mine = None  # customers × k: the offer is an owned product (a renewal)
        if offer_type != "new" and owned.nnz:
            mine = (entries(owned, rows, safe) > 0) & (picked >= 0)
        # What the product rules and the history say first, per offer ("" for nothing).
        lead: list[list[str]] | None = None
        for rel, verb in (
            (self.rules.upgrades, "upgrade from"),
            (self.rules.replacements, "replaces"),
        ):
            if rel.nnz and owned.nnz:
                best, _ = best_owned(rel, owned, picked)
                lead = lead or [[""] * picked.shape[1] for _ in range(len(picked))]
                for r, s in zip(*np.nonzero(best >= 0), strict=True):
                    lead[r][s] = lead[r][s] or f"{verb} your {c.names[best[r, s]]}"
        if mine is not None and mine.any():
            times, last = entries(people.history, rows, safe), entries(people.last, rows, safe)
            lead = lead or [[""] * picked.shape[1] for _ in range(len(picked))]
            for r, s in zip(*np.nonzero(mine), strict=True):
                n = int(times[r, s])
                when = day_text(float(last[r, s]))
                lead[r][s] = (
                    f"renewal: bought {n} times, the last on {when}"
                    if n > 1
                    else (f"renewal: bought once, on {when}")
                )
        # Plain lists from here: indexing numpy arrays one cell at a time costs more.
        values = scores[rows, safe].tolist()
        new = ["new"] * picked.shape[1]
        kinds = np.where(mine, "renewal", "new").tolist() if mine is not None else None
        ids, names, categories = c.ids, c.names, c.categories
        out = []
        for r, row in enumerate(picked.tolist()):
            offers = []
            kind = new if kinds is None else kinds[r]
            for s, j in enumerate(row):
                if j < 0:
                    break
                why = reasons[r][s]
                if lead is not None and lead[r][s]:
                    why = [lead[r][s], *why][:MAX_REASONS]
                offers.append(Offer(ids[j], names[j], values[r][s], why, categories[j], kind[s]))
            out.append(offers)
        return out
