"""Business rules, one test each: ownership and renewals, inactive products, eligibility,
product rules (replaces, upgrade_of, conflicts_with), offer fatigue, value, category cap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog
from kcrm.recommend.engine import OfferEngine, People
from kcrm.recommend.models import PopularityRecommender
from kcrm.recommend.rules import Rules
from tests.recommend.test_recommend_models import interactions


def catalog() -> Catalog:
    return Catalog.simple(
        ["card", "loan", "coffee", "tea", "gold card"],
        categories=["cards", "loans", "drinks", "drinks", "cards"],
        active=[True, True, True, True, False],
        repeatable=[False, False, True, False, False],
        price=[10.0, 100.0, 3.0, 2.0, 50.0],
        cost=[9.0, 20.0, 1.0, 1.0, 10.0],
    )


def plans() -> Catalog:
    """Three plan tiers, two travel insurances, and two accounts that exclude each other."""
    names = ["plus", "premium", "metal", "single trip", "annual trip", "junior", "business"]
    cat = Catalog.simple(names, repeatable=[True, True, True, True, True, False, False])
    cat.attributes[1] = {"upgrade_of": "plus"}
    cat.attributes[2] = {"upgrade_of": ["premium"]}
    cat.attributes[4] = {"replaces": "single trip"}
    cat.attributes[5] = {"conflicts_with": "business"}
    return cat


def row(items: list[int], n: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(items)), ([0] * len(items), items)), shape=(1, n))


def offerable(
    rules: Rules,
    owned: list[int],
    profile: dict[str, Any] | None = None,
    offer_type: str = "new",
    fatigue: list[int] | None = None,
) -> list[int]:
    n = rules.n_items
    scores = np.ones((1, n), np.float32)
    tired = row(fatigue, n) if fatigue else None
    rules.apply(scores, row(owned, n), [profile or {}], offer_type, tired)  # type: ignore[arg-type]
    return np.flatnonzero(np.isfinite(scores[0])).tolist()


def test_owned_products_are_not_new_offers_and_repeatable_ones_are_renewals() -> None:
    rules = Rules(catalog(), RecommendConfig())
    owned = [0, 2]  # the card (bought once for good) and coffee (bought again and again)
    assert offerable(rules, owned) == [1, 3]
    assert offerable(rules, owned, offer_type="renewal") == [2]
    assert offerable(rules, owned, offer_type="all") == [1, 2, 3]


def test_inactive_products_are_never_offered() -> None:
    rules = Rules(catalog(), RecommendConfig())
    assert 4 not in offerable(rules, [], offer_type="all")


def test_eligibility_follows_the_customer_fields() -> None:
    cat = catalog()
    cat.attributes[1] = {"eligible_segment": "premium;gold"}
    cat.attributes[3] = {"eligible": {"country": ["GB", "IE"]}}
    rules = Rules(cat, RecommendConfig())
    assert offerable(rules, [], {"segment": "retail", "country": "GB"}) == [0, 2, 3]
    assert offerable(rules, [], {"segment": "Premium", "country": "de"}) == [0, 1, 2]
    assert offerable(rules, [], {}) == [0, 2]  # unknown fields meet no restriction


def test_repeatable_categories_from_config() -> None:
    rules = Rules(catalog(), RecommendConfig(repeatable_categories=["drinks"]))
    assert offerable(rules, [3], offer_type="renewal") == [3]


def test_upgrade_of_blocks_lower_tiers_transitively() -> None:
    rules = Rules(plans(), RecommendConfig())
    # Metal > Premium > Plus: a Metal customer is offered neither lower plan, even to renew.
    assert not {0, 1} & set(offerable(rules, [2], offer_type="all"))
    # A Plus customer may move up to either.
    assert {1, 2} <= set(offerable(rules, [0]))
    assert rules.upgrades[0].indices.tolist() == [1, 2]
    assert rules.upgrades[1].indices.tolist() == [2]


def test_replaces_blocks_the_replaced_product_only() -> None:
    rules = Rules(plans(), RecommendConfig())
    assert 3 not in offerable(rules, [4], offer_type="all")  # annual holders: no single trip
    assert 4 in offerable(rules, [3])  # single-trip holders: annual, as a replacement
    assert rules.replacements[3].indices.tolist() == [4]
    assert rules.upgrades[3].nnz == 0


def test_conflicts_with_works_both_ways() -> None:
    rules = Rules(plans(), RecommendConfig())
    assert 6 not in offerable(rules, [5])
    assert 5 not in offerable(rules, [6])


def test_unknown_products_in_rules_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    cat = plans()
    cat.attributes[0] = {"conflicts_with": "no-such-plan"}
    rules = Rules(cat, RecommendConfig())
    assert offerable(rules, [0]) == offerable(Rules(plans(), RecommendConfig()), [0])
    assert "no-such-plan" in caplog.text


def test_fatigue_removes_the_offers_refused_too_often() -> None:
    rules = Rules(catalog(), RecommendConfig())
    assert offerable(rules, [], fatigue=[1, 3]) == [0, 2]


def test_value_objective_and_category_cap() -> None:
    scores = np.asarray([[1.0, 0.5, 0.9, 0.8, -np.inf]], np.float32)
    plain = Rules(catalog(), RecommendConfig())
    assert plain.select(scores.copy(), 3).tolist() == [[0, 2, 3]]
    margin = Rules(catalog(), RecommendConfig(value_objective="margin", value_weight=2.0))
    # Margin 80 of 80 triples the loan's score (1 + 2 × 1); the card's 1 of 80 barely moves.
    assert margin.select(scores * margin.value, 1).tolist() == [[1]]
    capped = Rules(catalog(), RecommendConfig(max_per_category=1))
    assert capped.select(scores.copy(), 3).tolist() == [[0, 2, 1]]  # one drink, then the loan
    assert capped.select(scores.copy(), 5).tolist() == [[0, 2, 1, -1, -1]]


def test_category_cap_on_a_block_matches_one_row_at_a_time() -> None:
    rng = np.random.default_rng(0)
    cat = Catalog.simple(
        [f"p{i}" for i in range(60)], categories=[f"c{i % 4}" if i % 7 else None for i in range(60)]
    )
    rules = Rules(cat, RecommendConfig(max_per_category=2))
    scores = rng.random((40, 60)).astype(np.float32)
    scores[rng.random((40, 60)) < 0.3] = -np.inf
    block = rules.select(scores.copy(), 8)
    for r in range(40):
        assert block[r].tolist() == rules._capped_row(scores[r], 8, 2).tolist()


def test_offers_say_upgrade_and_renewal() -> None:
    cat = plans()
    data = interactions([(u, 0) for u in range(5)] + [(u, 1) for u in range(3)], 6, cat.names)
    data.catalog = cat
    engine = OfferEngine(
        cat, RecommendConfig(), {"popularity": PopularityRecommender().fit(data)}, {"popularity": 1}
    )
    history = row([0], len(cat)) * 3
    last = row([0], len(cat)) * 20000.0
    offers = engine.offers(People(history, last, [{}]), 3, "all")[0]
    kinds = {o.product_id: (o.offer_type, o.reasons[0]) for o in offers}
    assert kinds["premium"] == ("new", "upgrade from your plus")
    assert kinds["plus"] == ("renewal", "renewal: bought 3 times, the last on 04 Oct 2024")
