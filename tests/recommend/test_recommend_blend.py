"""Ranking metrics by hand and blend tuning that finds the signal."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kcrm.recommend.blend import combine, normalise, tune_weights
from kcrm.recommend.metrics import holdout, ranking_metrics, top_k
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
