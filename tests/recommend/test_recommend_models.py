"""Every candidate model through one contract on a checkerboard whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend.base import Recommender
from kcrm.recommend.data import Catalog, Interactions
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)

NAMES = [
    *(f"alpha {w}" for w in ("apple", "pear", "plum", "fig", "kiwi")),
    *(f"beta {w}" for w in ("hammer", "saw", "drill", "chisel", "wrench")),
]


def lines(pairs: list[tuple[int, int]], days: list[float] | None = None) -> dict[str, np.ndarray]:
    users, items = zip(*pairs, strict=True) if pairs else ((), ())
    n = len(pairs)
    return {
        "user": np.asarray(users, np.int32),
        "item": np.asarray(items, np.int32),
        "order": np.arange(n, dtype=np.int64),
        "day": np.asarray(days if days is not None else [20000.0] * n, np.float64),
    }


def interactions(
    pairs: list[tuple[int, int]],
    n_users: int,
    names: list[str] | None = None,
    days: list[float] | None = None,
) -> Interactions:
    catalog = Catalog.simple(names or NAMES)
    return Interactions([f"u{i}" for i in range(n_users)], catalog, **lines(pairs, days))


def checkerboard() -> Interactions:
    """Users 0-4 buy the alpha items 0-4, users 5-9 the beta items 5-9; user u lacks item u.
    Users 10 and 11 buy only item 2, which makes it the best seller."""
    pairs = [(u, i) for u in range(10) for i in range(10) if (u < 5) == (i < 5) and i != u]
    pairs += [(10, 2), (11, 2)]
    return interactions(pairs, 12)


def row(items: list[int], n: int = len(NAMES)) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(items)), ([0] * len(items), items)), shape=(1, n))


class RecommenderContract:
    """The contract every model keeps; subclasses say how to build theirs."""

    personal = True

    def make(self) -> Recommender:
        raise NotImplementedError

    @pytest.fixture
    def model(self) -> Recommender:
        return self.make().fit(checkerboard())

    def test_checkerboard_offers_the_missing_item_of_the_own_group(
        self, model: Recommender
    ) -> None:
        if not self.personal:
            pytest.skip("not personal")
        x = checkerboard().user_items()
        for u in range(10):
            ids, scores = model.recommend(u, x[u], N=3)
            assert ids[0] == u, (u, ids, scores)
            assert scores[0] >= scores[-1]

    def test_owned_and_filtered_items_are_never_offered(self, model: Recommender) -> None:
        x = checkerboard().user_items()
        ids, _ = model.recommend(0, x[0], N=10, filter_items=np.asarray([0, 5]))
        assert not set(ids) & {0, 5, *x[0].indices}
        ids, _ = model.recommend(0, x[0], N=10, filter_already_liked_items=False)
        assert len(ids) == 10

    def test_similar_items_stay_in_the_group(self, model: Recommender) -> None:
        if not self.personal:
            pytest.skip("not personal")
        ids, _ = model.similar_items(1, N=3)
        assert 1 not in ids and set(ids) <= {0, 2, 3, 4}

    def test_save_load_gives_the_same_scores(self, model: Recommender, tmp_path: Path) -> None:
        model.save(tmp_path / "m.npz")
        again = type(model).load(tmp_path / "m.npz")
        x = checkerboard().user_items()
        np.testing.assert_allclose(again.score(x), model.score(x), rtol=1e-5, atol=1e-6)

    def test_bad_input_is_refused_up_front(self, model: Recommender) -> None:
        with pytest.raises(ValueError, match="columns"):
            model.recommend(0, sp.csr_matrix((1, 3)))
        with pytest.raises(ValueError, match="N must be"):
            model.recommend(0, row([1]), N=0)
        with pytest.raises(ValueError, match="sparse"):
            model.recommend(0, np.ones((1, len(NAMES))))  # type: ignore[arg-type]

    def test_a_customer_without_purchases_gets_finite_scores(self, model: Recommender) -> None:
        scores = model.score(row([]))
        assert scores.shape == (1, len(NAMES)) and np.isfinite(scores).all()


class TestPopularity(RecommenderContract):
    personal = False

    def make(self) -> Recommender:
        return PopularityRecommender()

    def test_best_seller_first(self, model: Recommender) -> None:
        ids, _ = model.recommend(0, row([1]), N=1)
        assert ids[0] == 2

    def test_recency_decay_prefers_what_sells_now(self) -> None:
        # Item 0: five buyers a year ago; item 1: three buyers this week.
        pairs = [(u, 0) for u in range(5)] + [(u, 1) for u in range(5, 8)]
        data = interactions(pairs, 8, days=[19600.0] * 5 + [20000.0] * 3)
        assert PopularityRecommender().fit(data).recommend(0, row([]), N=1)[0][0] == 0
        recent = PopularityRecommender(half_life_days=30).fit(data)
        assert recent.recommend(0, row([]), N=1)[0][0] == 1

    def test_update_counts_only_customers_new_to_the_item(self) -> None:
        data = checkerboard()
        model = PopularityRecommender().fit(data)
        new = interactions([(0, 2), (0, 0)], 12)  # user 0 already has item 2, not item 0
        model.update(new, data.user_items())
        assert model.customers[2] == 6 and model.customers[0] == 5


class TestCoPurchase(RecommenderContract):
    def make(self) -> Recommender:
        return CoPurchaseRecommender(min_support=1)

    def test_planted_rule_beer_and_diapers(self) -> None:
        names = ["beer", "diapers", "milk", "bread"]
        # Everyone buys milk or bread; the beer buyers (0-5) also buy diapers.
        pairs = [(u, 0) for u in range(6)] + [(u, 1) for u in range(6)]
        pairs += [(u, 2) for u in range(20)] + [(u, 3) for u in range(6, 20)]
        data = interactions(pairs, 21, names)
        model = CoPurchaseRecommender().fit(data)
        ids, _ = model.recommend(20, row([0], 4), N=1)
        assert ids[0] == 1
        best, both, lift = model.evidence(row([0], 4), np.asarray([[1, 2, -1]]))
        assert best[0, 0] == 0 and both[0, 0] == 6 and lift[0, 0] == pytest.approx(6 * 20 / 36)
        assert best[0, 2] == -1

    def test_incremental_update_equals_refit(self) -> None:
        data = checkerboard()
        half = data.where(np.arange(len(data.item)) % 3 != 0)
        rest = data.where(np.arange(len(data.item)) % 3 == 0)
        model = CoPurchaseRecommender(min_support=1).fit(half)
        model.update(rest, half.user_items())
        full = CoPurchaseRecommender(min_support=1).fit(data)
        assert abs(model.pairs - full.pairs).sum() == 0
        np.testing.assert_allclose(model.item_units, full.item_units)
        assert model.units == full.units
        np.testing.assert_allclose(model.rules.toarray(), full.rules.toarray(), atol=1e-6)


class TestItemKNN(RecommenderContract):
    def make(self) -> Recommender:
        return ItemKNNRecommender(K=5)


class TestALS(RecommenderContract):
    def make(self) -> Recommender:
        return ALSRecommender(factors=4, iterations=30, regularization=1.0, alpha=10.0)

    def test_user_solve_matches_implicit(self, model: ALSRecommender) -> None:
        x = checkerboard().user_items()
        ours = model.user_factors(x)
        implicit = model._make()
        implicit.item_factors = model.item_factors
        implicit.user_factors = np.zeros((x.shape[0], model.factors), np.float32)
        theirs = implicit.recalculate_user(np.arange(x.shape[0]), x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-5)

    def test_user_factors_follow_new_purchases(self, model: Recommender) -> None:
        before = model.score(row([0]))
        after = model.score(row([0, 5, 6, 7]))
        assert after[0, 8] > before[0, 8]


class TestContent(RecommenderContract):
    def make(self) -> Recommender:
        return ContentRecommender(neighbours=5, embedder=HashEmbedder(64))

    def test_offers_a_product_nobody_bought_yet(self) -> None:
        names = [*NAMES, "alpha mango"]
        pairs = [(0, i) for i in range(5)]
        model = ContentRecommender(neighbours=5, embedder=HashEmbedder(64))
        model.fit(interactions(pairs, 1, names))
        ids, _ = model.recommend(0, row(list(range(5)), len(names)), N=1)
        assert ids[0] == 10
