"""Ranking metrics by hand, blend tuning that finds the signal, and the business rules."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kcrm.recommend.blend import combine, normalise, tune_weights
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog
from kcrm.recommend.metrics import holdout, ranking_metrics, top_k
from kcrm.recommend.rules import Rules
from tests.recommend.test_recommend_models import interactions


def test_metrics_match_a_hand_computation() -> None:
    recs = np.asarray([[0, 1, 2], [3, 4, 5]])
    truth = sp.csr_matrix(np.asarray([[0, 1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1]]))
    m = ranking_metrics(recs, truth, n_items=7)
    assert m["hr"] == 0.5
    assert m["precision"] == pytest.approx(1 / 6)
    assert m["recall"] == pytest.approx(0.25)
    # Row 0: a hit at rank 2 of two relevant items: (1/log2 3) / (1 + 1/log2 3).
    assert m["ndcg"] == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)) / 2)
    assert m["map"] == pytest.approx((0.5 / 2) / 2)
    assert m["coverage"] == pytest.approx(6 / 7)


def test_holdout_keeps_only_first_purchases_of_new_items() -> None:
    # User 0 buys item 0 before and again after the split, item 1 only after.
    data = interactions([(0, 0), (0, 0), (0, 1), (1, 2)], 2, days=[1.0, 5.0, 6.0, 6.0])
    h = holdout(data, 3.0)
    assert h.truth[0].indices.tolist() == [1]
    assert h.users.tolist() == [0]  # user 1 had nothing before the split


def test_top_k_never_picks_excluded_items() -> None:
    scores = np.asarray([[3.0, 2.0, 1.0, 0.0]])
    assert top_k(scores, sp.csr_matrix(np.asarray([[1, 0, 1, 0]])), 2).tolist() == [[1, 3]]


def test_tuning_weights_the_informative_model_and_drops_noise() -> None:
    rng = np.random.default_rng(0)
    n, items = 600, 40
    dense = (rng.random((n, items)) < 0.05).astype(np.float32)
    dense[dense.sum(axis=1) == 0, 0] = 1.0  # every customer bought something new
    truth = sp.csr_matrix(dense)
    signal = normalise(dense + rng.random((n, items)))
    noise = normalise(rng.random((n, items)))
    owned = sp.csr_matrix((n, items))
    weights, report = tune_weights({"noise": noise, "signal": signal}, truth, owned)
    assert weights["signal"] == 1.0 and weights["noise"] == 0.0
    assert report["blend"] == report["signal"] > report["noise"]


def test_combine_and_normalise() -> None:
    parts = {"a": normalise(np.asarray([[1.0, 3.0, 2.0]])), "b": np.asarray([[1.0, 0.0, 0.0]])}
    np.testing.assert_allclose(parts["a"], [[0.0, 1.0, 0.5]])
    np.testing.assert_allclose(combine(parts, {"a": 1.0, "b": 2.0}), [[2.0, 1.0, 0.5]])


def catalog() -> Catalog:
    return Catalog.simple(
        ["card", "loan", "coffee", "tea", "gold card"],
        categories=["cards", "loans", "drinks", "drinks", "cards"],
        active=[True, True, True, True, False],
        repeatable=[False, False, True, False, False],
        price=[10.0, 100.0, 3.0, 2.0, 50.0],
        cost=[9.0, 20.0, 1.0, 1.0, 10.0],
    )


def test_owned_inactive_and_ineligible_items_are_not_offered() -> None:
    cat = catalog()
    cat.attributes[1] = {"eligible_segment": "premium;gold"}
    rules = Rules(cat, RecommendConfig())
    owned = np.asarray([0, 2])  # the card (not repeatable) and coffee (repeatable)
    mask = rules.offerable({"segment": "retail"}, owned)
    assert mask.tolist() == [False, False, True, True, False]
    assert rules.offerable({"segment": "Premium"}, owned)[1]


def test_repeatable_categories_from_config() -> None:
    rules = Rules(catalog(), RecommendConfig(repeatable_categories=["drinks"]))
    assert rules.offerable({}, np.asarray([3]))[3]


def test_value_objective_and_category_cap() -> None:
    scores = np.asarray([1.0, 0.5, 0.9, 0.8, 0.0], np.float32)
    mask = np.asarray([True, True, True, True, False])
    plain = Rules(catalog(), RecommendConfig())
    assert plain.select(scores, mask, 3) == [0, 2, 3]
    margin = Rules(catalog(), RecommendConfig(value_objective="margin", value_weight=2.0))
    assert margin.select(scores, mask, 1) == [1]  # margin 80 doubles the loan's score
    capped = Rules(catalog(), RecommendConfig(max_per_category=1))
    assert capped.select(scores, mask, 3) == [0, 2, 1]  # one drink only, then the loan


def test_a_model_tuned_on_the_validation_weeks_leads_only_beyond_noise() -> None:
    rng = np.random.default_rng(0)
    n, items = 600, 40
    dense = (rng.random((n, items)) < 0.05).astype(np.float32)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    truth = sp.csr_matrix(dense)
    owned = sp.csr_matrix((n, items))
    signal = normalise(0.5 * dense + rng.random((n, items)))  # informative, not perfect
    # "flattered" is the signal with a few rankings improved: better here, within noise.
    flattered = signal.copy()
    flattered[:5] = normalise(dense[:5] * 10 + rng.random((5, items)))
    parts = {"plain": signal, "flattered": flattered}
    weights, report = tune_weights(parts, truth, owned, tuned={"flattered"})
    assert report["flattered"] >= report["plain"]
    assert weights["plain"] == 1.0 and weights["flattered"] == 0.0
    # Far better than noise: it leads.
    strong = normalise(dense * 10 + rng.random((n, items)))
    weights, _ = tune_weights({"plain": signal, "strong": strong}, truth, owned, tuned={"strong"})
    assert weights["strong"] == 1.0
