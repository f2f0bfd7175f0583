"""The offers engine: a block of customers gets exactly the offers each gets alone.

The export and campaigns run blocks (scored a few dozen customers at a time), the API
one customer; top-k, category cap, product rules, reasons and texts must agree.
"""

from __future__ import annotations

import gc
import re

import numpy as np
import pytest

from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend import engine as engine_module
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions
from kcrm.recommend.engine import OfferEngine, People
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)
from kcrm.recommend.neighbours import Neighbours
from kcrm.recommend.rules import Rules, best_columns

ITEMS, GROUPS, CUSTOMERS = 120, 6, 150


def shop(seed: int = 0) -> Interactions:
    """Customers leaning to one of six categories; a few customers with nothing bought."""
    rng = np.random.default_rng(seed)
    group = np.arange(ITEMS) % GROUPS
    users, items = [], []
    for u in range(CUSTOMERS - 5):  # the last five bought nothing
        mine = np.flatnonzero(group == u % GROUPS)
        picks = rng.choice(mine, rng.integers(1, 8)).tolist() + rng.choice(ITEMS, 2).tolist()
        users += [u] * len(picks)
        items += picks
    names = [f"item {i} of shelf {g}" for i, g in enumerate(group)]
    catalog = Catalog.simple(
        names,
        categories=[f"shelf {g}" for g in group],
        price=rng.uniform(1, 50, ITEMS),
        cost=rng.uniform(0, 1, ITEMS),
    )
    n = len(users)
    return Interactions(
        [f"u{i}" for i in range(CUSTOMERS)],
        catalog,
        np.asarray(users, np.int32),
        np.asarray(items, np.int32),
        np.arange(n, dtype=np.int64),
        20000.0 + rng.random(n) * 100,
    )


@pytest.fixture(scope="module")
def setup() -> tuple[OfferEngine, People]:
    data = shop()
    models = {
        "popularity": PopularityRecommender().fit(data),
        "copurchase": CoPurchaseRecommender(neighbours=20, min_support=1).fit(data),
        "item_knn": ItemKNNRecommender(K=10).fit(data),
        "content": ContentRecommender(neighbours=10, embedder=HashEmbedder(64)).fit(data),
    }
    config = RecommendConfig(max_per_category=2, value_objective="margin", value_weight=0.3)
    weights = {"popularity": 0.2, "copurchase": 0.5, "item_knn": 0.3}
    history, last = data.history()
    people = People(history, last, [{}] * CUSTOMERS, np.arange(CUSTOMERS))
    # A product rule on what customer 0 is offered: it replaces what they own.
    first = OfferEngine(data.catalog, config, models, weights).offers(
        people.rows(np.asarray([0])), 1
    )[0][0]
    owned = data.catalog.names[int(people.owned.indices[0])]
    data.catalog.attributes[data.catalog.index[first.product_id]] = {"replaces": owned}
    return OfferEngine(data.catalog, config, models, weights), people


def alone(engine: OfferEngine, people: People, k: int, kind: str = "new") -> list[list[dict]]:
    return [
        [o.as_dict() for o in engine.offers(people.rows(np.asarray([u])), k, kind)[0]]  # type: ignore[arg-type]
        for u in range(CUSTOMERS)
    ]


@pytest.mark.parametrize("kind", ["new", "all"])
def test_a_block_gets_the_offers_each_customer_gets_alone(
    setup: tuple[OfferEngine, People], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, people = setup
    # Scored 16 at a time: the block crosses several of the engine's own steps.
    monkeypatch.setattr(engine_module, "CELLS", 16 * ITEMS)
    block = [[o.as_dict() for o in row] for row in engine.offers(people, 10, kind)]  # type: ignore[arg-type]
    assert block == alone(engine, people, 10, kind)
    offered = [o for row in block for o in row]
    # Personal evidence speaks, and a rule of the catalogue is said.
    assert any(r.startswith("bought with") for o in offered for r in o["reasons"])
    assert any(r.startswith("customers who bought") for o in offered for r in o["reasons"])
    owned = engine.catalog.names[int(people.owned.indices[0])]
    assert f"replaces your {owned}" in block[0][0]["reasons"]


def test_no_customer_gets_more_than_the_cap_from_a_category(
    setup: tuple[OfferEngine, People],
) -> None:
    engine, people = setup
    for row in engine.offers(people, 10):
        shelves = [o.category for o in row]
        assert max(shelves.count(s) for s in set(shelves)) <= 2
        assert len(row) == 10  # six categories of 20 items: the cap still fills ten


def test_the_cycle_collector_is_back_as_it_was(setup: tuple[OfferEngine, People]) -> None:
    engine, people = setup
    assert gc.isenabled()
    engine.offers(people, 5)
    assert gc.isenabled()
    gc.disable()
    try:
        engine.offers(people, 5)
        assert not gc.isenabled()  # an application that turned it off keeps it off
    finally:
        gc.enable()


def test_best_columns_holds_the_largest_scores_of_every_row() -> None:
    rng = np.random.default_rng(3)
    scores = rng.random((40, 1003)).astype(np.float32)
    scores[rng.random(scores.shape) < 0.5] = 0.0  # many ties at zero, as the sparse models give
    scores[rng.random(scores.shape) < 0.1] = -np.inf
    scores[:, 1000:] = 2.0  # the last columns, outside every group, hold the best
    got = best_columns(scores, 30)
    top = -np.sort(-scores, axis=1)[:, :30]
    assert (np.sort(np.take_along_axis(scores, got, axis=1), axis=1) == np.sort(top, axis=1)).all()
    assert all(len(set(row)) == 30 for row in got.tolist())


def test_the_category_cap_reaches_past_its_first_pool() -> None:
    """Most of the best items in one category: the walk goes far down the row."""
    n = 400
    cat = Catalog.simple(
        [f"p{i}" for i in range(n)], categories=["big" if i < 380 else f"c{i}" for i in range(n)]
    )
    rules = Rules(cat, RecommendConfig(max_per_category=1))
    scores = np.linspace(1.0, 0.0, n, dtype=np.float32)[None, :].repeat(3, axis=0)
    scores[1, 385:] = -np.inf  # fewer items left than k
    picked = rules.select(scores.copy(), 8)
    assert picked[0].tolist() == [0, *range(380, 387)]
    assert picked[1].tolist() == [0, *range(380, 385), -1, -1]
    assert rules.select(scores[:1].copy(), 8).tolist() == picked[:1].tolist()


def test_a_new_purchase_updates_the_rule_count_in_its_reason() -> None:
    """Texts are remembered per rule; an update makes new rules, and new texts."""
    data = shop(1)
    model = CoPurchaseRecommender(neighbours=20, min_support=1).fit(data)
    engine = OfferEngine(data.catalog, RecommendConfig(), {"copurchase": model}, {"copurchase": 1})
    history, last = data.history()
    people = People(history[:1], last[:1], [{}], np.asarray([0]))
    top = engine.offers(people, 1)[0][0]
    found = re.fullmatch(r"bought with (.+) by (\d+) customers \(lift .+\)", top.reasons[0])
    assert found is not None
    partner, count = engine.catalog.index[found[1]], int(found[2])
    offered = engine.catalog.index[top.product_id]
    nobody = CUSTOMERS - 1  # bought nothing so far
    extra = Interactions(
        data.users,
        data.catalog,
        np.asarray([nobody, nobody], np.int32),
        np.asarray([partner, offered], np.int32),
        np.asarray([10**6, 10**6], np.int64),
        np.asarray([20200.0, 20200.0]),
    )
    model.update(extra, data.user_items())
    picked = np.asarray([[offered]])
    again = engine.explainer.reasons(people.owned, picked, {"copurchase": np.ones((1, 1))})
    assert f"bought with {found[1]} by {count + 1} customers" in again[0][0][0]


def test_a_model_without_tables_gives_the_same_reasons_alone_and_in_a_block(
    setup: tuple[OfferEngine, People], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ALS keeps no neighbour tables: one customer's reasons ask it as a block of one.

    Its scores come from a least-squares solve and a matrix product, whose float
    rounding depends on the block's shape: scores agree to 1e-5, all else exactly.
    """
    engine, people = setup
    data = shop()
    models = {
        **engine.models,
        "als": ALSRecommender(factors=4, iterations=10).fit(data),
    }
    weights = {"als": 0.6, "copurchase": 0.4}
    als = OfferEngine(engine.catalog, engine.config, models, weights)
    monkeypatch.setattr(engine_module, "CELLS", 16 * ITEMS)
    block = [[o.as_dict() for o in row] for row in als.offers(people, 10)]
    single = alone(als, people, 10)
    scores = [[o.pop("score") for o in row] for rows in (block, single) for row in rows]
    assert block == single
    half = len(scores) // 2
    for a, b in zip(scores[:half], scores[half:], strict=True):
        assert a == pytest.approx(b, rel=1e-5)
    reasons = [r for row in block for o in row for r in o["reasons"]]
    assert any(r.startswith("fits the taste of customers who bought") for r in reasons)


def test_stacked_tables_leave_each_models_table_and_scores_as_they_were() -> None:
    data = shop(2)
    tables = [
        CoPurchaseRecommender(neighbours=20, min_support=1).fit(data).table(),
        ItemKNNRecommender(K=10).fit(data).table(),
    ]
    owned = data.user_items()
    before = [(t.index.copy(), t.value.copy(), t.row_sums(owned)) for t in tables]
    stacked = Neighbours.stack(tables)
    assert stacked.index.dtype == np.int16  # 120 items: item numbers fit in 16 bits
    for t, (index, value, sums) in zip(tables, before, strict=True):
        assert (t.index == index).all() and (t.value == value).all()
        assert np.array_equal(t.row_sums(owned), sums)
        assert np.shares_memory(t.index, stacked.index)  # one copy in memory
