"""Shifts in the item mix: found where planted, not found in a stationary history, and
the popularity counted since the shift that follows them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.data import Catalog, Interactions, from_day
from kcrm.recommend.explain import popular_texts
from kcrm.recommend.models import PopularityRecommender
from kcrm.recommend.shift import last_shift, split_statistics, weekly_counts

NAMES = ["cider", "stout", "lager", "mead", "perry", "ale"]
START = 20000.0
CUSTOMERS = 20000  # many, so that counts of customers do not saturate


def history(weeks: int, mixes: list[tuple[int, list[float]]], seed: int = 0) -> Interactions:
    """Random customers buying 300 lines a week; `mixes` are (from week, item shares)."""
    rng = np.random.default_rng(seed)
    users, items, days = [], [], []
    for w in range(weeks):
        shares = [m for first, m in mixes if first <= w][-1]
        p = np.asarray(shares) / sum(shares)
        items.append(rng.choice(len(NAMES), 300, p=p))
        users.append(rng.integers(0, CUSTOMERS, 300))
        days.append(START + 7 * w + rng.integers(0, 7, 300))
    user, item, day = np.concatenate(users), np.concatenate(items), np.concatenate(days)
    return Interactions(
        [f"u{i}" for i in range(CUSTOMERS)],
        Catalog.simple(NAMES),
        user.astype(np.int32),
        item.astype(np.int32),
        np.arange(len(item), dtype=np.int64),
        day.astype(np.float64),
    )


OLD = [5.0, 4.0, 3.0, 2.0, 1.0, 1.0]
NEW = [2.0, 4.0, 3.0, 2.0, 1.0, 5.0]  # ale becomes the best seller, cider fades


def test_weekly_counts_end_on_the_last_day() -> None:
    data = history(6, [(0, OLD)])
    counts, starts = weekly_counts(data)
    assert counts.sum() == len(data.item)
    assert starts[-1] + 7 == np.floor(data.last_day) + 1
    assert np.all(np.diff(starts) == 7)


def test_split_statistic_peaks_at_the_planted_change() -> None:
    counts, starts = weekly_counts(history(30, [(0, OLD), (20, NEW)]))
    g = split_statistics(counts, 4)
    assert abs(starts[int(np.argmax(g)) + 4] - (START + 7 * 20)) < 7


def test_a_planted_shift_is_found_and_a_stationary_history_has_none() -> None:
    shifted = last_shift(history(30, [(0, OLD), (20, NEW)]))
    assert shifted is not None and abs(shifted - (START + 7 * 20)) <= 7
    assert last_shift(history(30, [(0, OLD)])) is None


def test_the_newest_of_two_shifts_is_the_one_kept() -> None:
    found = last_shift(history(40, [(0, OLD), (14, NEW), (30, OLD)]))
    assert found is not None and abs(found - (START + 7 * 30)) <= 7


def test_popularity_since_the_shift_follows_the_new_mix(tmp_path: Path) -> None:
    data = history(30, [(0, OLD), (20, NEW)])
    row = sp.csr_matrix((1, len(NAMES)))
    assert PopularityRecommender().fit(data).recommend(0, row, N=1)[0][0] == 0  # cider
    current = PopularityRecommender(since_shift=True).fit(data)
    assert np.isfinite(current.since_day)
    assert current.recommend(0, row, N=1)[0][0] == 5  # ale
    current.save(tmp_path / "current.npz")
    again = PopularityRecommender.load(tmp_path / "current.npz")
    assert again.since_day == current.since_day and again.since_shift
    np.testing.assert_allclose(again.vector(), current.vector())
    text = popular_texts(current)[5]
    assert text == f"popular since {from_day(current.since_day):%d %b %Y} (bought by " + (
        f"{int(current.customers[5])} customers)"
    )


def test_without_a_shift_it_is_plain_popularity() -> None:
    data = history(30, [(0, OLD)])
    current = PopularityRecommender(since_shift=True).fit(data)
    assert current.since_day == -np.inf
    np.testing.assert_allclose(current.vector(), PopularityRecommender().fit(data).vector())
