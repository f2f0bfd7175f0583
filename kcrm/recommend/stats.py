"""Item statistics at a point in time: the item-level features of the re-ranker.

Evaluation (and marketing) counts *first* purchases of items new to a customer,
so besides plain popularity these keep how often each item is adopted: the
recency-weighted share of all first purchases that went to it, and the share of
baskets holding it. All are sums of `2^((day - reference) / half-life)` from a
fixed reference day, so new purchases add on (`update`) without a refit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Interactions

# Half-lives (days) the statistics are kept at; the re-ranker learns how to mix them.
HALF_LIVES = (30.0, 90.0, 365.0)
EPS = 1e-4  # floor under shares before the log: an unseen item is rare, not impossible


def _first(key: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index of the earliest line of each distinct key."""
    order = np.lexsort((day, key))
    keep = np.ones(len(order), bool)
    keep[1:] = key[order][1:] != key[order][:-1]
    return order[keep]


class ItemStats:
    """Owners, decayed basket lines and decayed first purchases of every item."""

    def __init__(self, half_lives: tuple[float, ...] = HALF_LIVES) -> None:
        if not half_lives or min(half_lives) <= 0:
            raise ValueError(f"half_lives must be positive, got {half_lives}")
        self.half_lives = tuple(float(h) for h in half_lives)
        self.reference_day = 0.0
        self.n_items = 0
        self.customers = 0.0  # customers with any purchase
        self.owners = np.zeros(0)  # customers who bought each item
        self.lines = np.zeros(0)  # order lines of each item (repeat purchases included)
        self.baskets = np.zeros(len(self.half_lives))  # decayed orders, one per half-life
        self.basket_lines = np.zeros((len(self.half_lives), 0))  # decayed order lines
        self.adoptions = np.zeros((len(self.half_lives), 0))  # decayed first purchases

    def _decay(self, day: np.ndarray) -> np.ndarray:
        """half-lives × len(day) weights, 1 on the reference day."""
        h = np.asarray(self.half_lives)[:, None]
        return np.exp2((np.asarray(day, np.float64)[None, :] - self.reference_day) / h)

    def _add(self, lines: Interactions, adopted: np.ndarray) -> None:
        """Add distinct order lines, of which `adopted` (bool) are first purchases."""
        key = lines.order.astype(np.int64) * max(self.n_items, 1) + lines.item
        one = _first(key, lines.day)
        item, day = lines.item[one], lines.day[one]
        w = self._decay(day)
        self.lines += np.bincount(item, minlength=self.n_items)
        for k in range(len(self.half_lives)):
            self.basket_lines[k] += np.bincount(item, w[k], minlength=self.n_items)
        first = adopted[one]
        self.owners += np.bincount(item[first], minlength=self.n_items)
        wf = w[:, first]
        for k in range(len(self.half_lives)):
            self.adoptions[k] += np.bincount(item[first], wf[k], minlength=self.n_items)
        orders = _first(lines.order.astype(np.int64), lines.day)
        self.baskets += self._decay(lines.day[orders]).sum(axis=1)

    def fit(self, data: Interactions) -> ItemStats:
        self.n_items = data.n_items
        self.reference_day = data.last_day
        hl = len(self.half_lives)
        self.owners = np.zeros(self.n_items)
        self.lines = np.zeros(self.n_items)
        self.baskets = np.zeros(hl)
        self.basket_lines = np.zeros((hl, self.n_items))
        self.adoptions = np.zeros((hl, self.n_items))
        self.customers = float(len(np.unique(data.user)))
        adopted = np.zeros(len(data.item), bool)
        adopted[_first(data.user.astype(np.int64) * max(self.n_items, 1) + data.item, data.day)] = (
            True
        )
        self._add(data, adopted)
        return self

    def update(self, new: Interactions, before: sp.csr_matrix) -> None:
        """Fold in new lines; `before` is users × items as it was before them."""
        if not len(new.item):
            return
        before = sp.csr_matrix(before)
        rows = before.shape[0]
        known = new.user < rows
        had = np.zeros(len(new.item), bool)
        had[known] = np.asarray(before[new.user[known], new.item[known]]).ravel() > 0
        adopted = np.zeros(len(new.item), bool)
        first = _first(new.user.astype(np.int64) * max(self.n_items, 1) + new.item, new.day)
        adopted[first] = True
        adopted &= ~had
        was_customer = np.zeros(len(new.user), bool)
        was_customer[known] = np.diff(before.indptr)[new.user[known]] > 0
        self.customers += float(len(np.unique(new.user[~was_customer])))
        self._add(new, adopted)

    def features(self) -> tuple[np.ndarray, list[str]]:
        """items × features (logs of shares), and their names."""
        pop = self.owners / max(self.customers, 1.0)
        cols = [np.log(pop + EPS), np.log(np.clip(1.0 - pop, 0.0, 1.0) + EPS)]
        names = ["log_owner_share", "log_non_owner_share"]
        for k, h in enumerate(self.half_lives):
            basket = self.basket_lines[k] / max(self.baskets[k], 1e-12)
            total = self.adoptions[k].sum()
            adopt = self.adoptions[k] / total if total > 0 else np.zeros(self.n_items)
            cols += [np.log(basket + EPS), np.log(adopt + EPS)]
            names += [f"log_basket_share_{h:g}d", f"log_adoption_share_{h:g}d"]
        # Lines per owner: items bought again and again fill baskets without new buyers.
        cols.append(np.log((self.lines + 1.0) / (self.owners + 1.0)))
        names.append("log_lines_per_owner")
        return np.stack(cols, axis=1).astype(np.float32), names

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "half_lives": np.asarray(self.half_lives),
            "reference_day": np.asarray(self.reference_day),
            "customers": np.asarray(self.customers),
            "owners": self.owners,
            "lines": self.lines,
            "baskets": self.baskets,
            "basket_lines": self.basket_lines,
            "adoptions": self.adoptions,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ItemStats:
        stats = cls(tuple(float(h) for h in arrays["half_lives"]))
        stats.reference_day = float(arrays["reference_day"])
        stats.customers = float(arrays["customers"])
        stats.owners = arrays["owners"].astype(np.float64)
        stats.lines = arrays["lines"].astype(np.float64)
        stats.baskets = arrays["baskets"].astype(np.float64)
        stats.basket_lines = arrays["basket_lines"].astype(np.float64)
        stats.adoptions = arrays["adoptions"].astype(np.float64)
        stats.n_items = len(stats.owners)
        return stats
