"""Business rules on top of the blend: what may be offered to whom, and in what order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog


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


class Rules:
    """Offerable items and the value objective, precomputed as arrays over the catalogue."""

    def __init__(self, catalog: Catalog, config: RecommendConfig) -> None:
        self.config = config
        self.active = catalog.active.copy()
        cats = np.asarray([c or "" for c in catalog.categories], dtype=object)
        wanted = {c.lower() for c in config.repeatable_categories}
        by_category = np.asarray([c.lower() in wanted for c in cats], bool)
        # Consumables and renewals are bought again, so owning them must not hide them.
        self.repeatable = catalog.repeatable | by_category
        _, self.category = np.unique(cats, return_inverse=True)
        self.has_category = cats != ""
        self.eligibility = {
            i: rules
            for i, attrs in enumerate(catalog.attributes)
            if (rules := eligibility_of(attrs))
        }
        self.value = self._value(catalog)

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

    def offerable(
        self, customer: Mapping[str, Any], owned: np.ndarray, include_owned: bool = False
    ) -> np.ndarray:
        """Bool mask of the items this customer may be offered now."""
        mask = self.active.copy()
        if len(owned) and not include_owned:
            mask[owned[~self.repeatable[owned]]] = False
        fields = {str(k).lower(): v for k, v in customer.items() if v not in (None, "")}
        for i, rules in self.eligibility.items():
            for field, allowed in rules.items():
                value = fields.get(field.lower())
                if value is None or str(value).strip().lower() not in allowed:
                    mask[i] = False
                    break
        return mask

    def select(self, scores: np.ndarray, mask: np.ndarray, k: int) -> list[int]:
        """The best `k` offerable items after the value objective, at most
        `max_per_category` from any one category."""
        s = np.where(mask, scores * self.value, -np.inf).astype(np.float32)
        cap = self.config.max_per_category
        n = min(int(mask.sum()), len(s))
        if n == 0:
            return []
        # Enough candidates that the category cap can still fill k slots in most cases.
        pool = min(n, k * 4 if cap else k)
        while True:
            idx = np.argpartition(-s, pool - 1)[:pool] if pool < len(s) else np.arange(len(s))
            idx = idx[np.argsort(-s[idx], kind="stable")]
            idx = idx[np.isfinite(s[idx])]
            picked = self._cap(idx, k)
            if len(picked) >= k or pool >= n:
                return picked
            pool = min(n, pool * 4)

    def _cap(self, ranked: np.ndarray, k: int) -> list[int]:
        cap = self.config.max_per_category
        if not cap:
            return [int(i) for i in ranked[:k]]
        taken: dict[int, int] = {}
        out: list[int] = []
        for i in ranked:
            c = int(self.category[i])
            if self.has_category[i]:
                if taken.get(c, 0) >= cap:
                    continue
                taken[c] = taken.get(c, 0) + 1
            out.append(int(i))
            if len(out) == k:
                break
        return out
