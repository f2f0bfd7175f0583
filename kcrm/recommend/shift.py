"""When did the item mix last change? A test for shifts in what customers buy.

Weekly counts of order lines per item, counted back from the last day. For every
week boundary the G statistic (likelihood ratio of one item distribution against
two, before and after it) measures how different the two sides are; the largest
is compared with the largest found when the weeks are shuffled, which keeps their
sizes and any week-to-week noise but removes any order in time. A significant
split starts a new period; the newest period is then searched again, so the
result is the start of the latest stable stretch (binary segmentation).

On the groceries data this finds 2015-01-01, where sausage, frankfurter and citrus
fruit double their share; inside 2014 it finds nothing (G 217 against 225 at the
95th percentile of shuffles).
"""

from __future__ import annotations

import numpy as np

from kcrm.recommend.data import Interactions

MIN_WEEKS = 4  # a period shorter than this is too noisy to estimate an item mix from
# Only the last five years are counted: the test looks for the newest stable stretch,
# and the cost grows with weeks × items. Counting from the earliest line, one purchase
# dated year 1 made 105,000 weeks (4.4 s for 150 items, minutes for a real catalogue,
# at every start before offers were ready).
MAX_WEEKS = 260
PERMUTATIONS = 200
ALPHA = 0.01  # a shift must beat 99 % of shuffles of the weeks


def weekly_counts(data: Interactions) -> tuple[np.ndarray, np.ndarray]:
    """(weeks × items line counts, oldest week first; each week's first day).

    Weeks end on the last day of `data`, so the newest week is always full; lines
    more than `MAX_WEEKS` before it are left out.
    """
    end = np.floor(data.last_day) + 1
    key = data.order.astype(np.int64) * max(data.n_items, 1) + data.item
    _, one = np.unique(key, return_index=True)  # an order line once, however many units
    back = np.floor((end - data.day[one]) / 7).astype(np.int64)
    recent = back < MAX_WEEKS
    one, back = one[recent], back[recent]
    weeks = int(back.max()) + 1 if len(back) else 0
    counts = np.zeros((weeks, data.n_items))
    np.add.at(counts, (weeks - 1 - back, data.item[one]), 1.0)
    starts = end - 7.0 * (weeks - np.arange(weeks))
    return counts, starts


def _xlogx_sum(x: np.ndarray) -> np.ndarray:
    """Σ x log(x / Σx) over the last axis (0 log 0 = 0)."""
    total = x.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(x > 0, x * np.log(x / np.where(total > 0, total, 1.0)), 0.0)
    return terms.sum(axis=-1)


def split_statistics(counts: np.ndarray, min_weeks: int = MIN_WEEKS) -> np.ndarray:
    """G statistic of splitting before week t, for t = min_weeks .. weeks - min_weeks."""
    cum = np.cumsum(counts, axis=0)
    before = cum[min_weeks - 1 : len(counts) - min_weeks]
    after = cum[-1] - before
    return 2.0 * (_xlogx_sum(before) + _xlogx_sum(after) - _xlogx_sum(cum[-1]))


def significant(
    counts: np.ndarray,
    observed: float,
    min_weeks: int,
    permutations: int,
    alpha: float,
    rng: np.random.Generator,
) -> bool:
    """Whether fewer than `alpha` of the shuffles of the weeks split as well as `observed`.

    Stops as soon as the answer is known: on a stationary history a few shuffles suffice.
    """
    allowed = int(np.ceil(alpha * permutations))  # as many shuffles reaching it make it noise
    reached = 0
    for _ in range(permutations):
        shuffled = counts[rng.permutation(len(counts))]
        reached += int(split_statistics(shuffled, min_weeks).max() >= observed)
        if reached >= allowed:
            return False
    return True


def last_shift(
    data: Interactions,
    min_weeks: int = MIN_WEEKS,
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
    seed: int = 0,
) -> float | None:
    """The first day of the newest stable period of the item mix, or None if it never changed."""
    if not len(data.item):
        return None
    counts, starts = weekly_counts(data)
    rng = np.random.default_rng(seed)
    start = 0
    while len(counts) - start >= 2 * min_weeks:
        segment = counts[start:]
        g = split_statistics(segment, min_weeks)
        best = int(np.argmax(g))
        if not significant(segment, g[best], min_weeks, permutations, alpha, rng):
            break
        start += best + min_weeks
    return float(starts[start]) if start > 0 else None
