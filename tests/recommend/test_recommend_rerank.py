"""The re-ranker: item statistics by hand, a planted adoption pattern it must learn,
the guard that keeps it out when it adds nothing, persistence and freshness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Customer, Product, Purchase
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions, from_day
from kcrm.recommend.metrics import holdout, ranking_metrics, top_k
from kcrm.recommend.rerank import Reranker, final_scores
from kcrm.recommend.service import RecommendService
from kcrm.recommend.stats import ItemStats
from kcrm.recommend.store import load_service, save_service
from kcrm.recommend.train import score_parts, train
from tests.recommend.test_recommend_models import interactions

ITEMS = ["milk", "bread", "eggs", "tea", "coffee", *(f"filler {i}" for i in range(5))]


def planted(customers: int = 600, days: int = 360, seed: int = 0) -> Interactions:
    """Milk, bread and eggs are the best sellers by any count, but nobody has taken them
    up for months: their buyers all started in the first 60 days and buy them again
    every 30. Tea and coffee are taken up by a steady stream of customers. So the new
    items of any late window are tea, coffee and fillers, never the staples; nothing in
    a customer's own history says so (who owns a staple is chance).
    """
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, int, float]] = []
    for c in range(customers):
        for item in range(3):
            if rng.random() < 0.7:
                rows += [(c, item, float(d)) for d in range(int(rng.integers(0, 60)), days, 30)]
        for item in (3, 4):
            if rng.random() < 0.6:
                rows.append((c, item, float(rng.integers(0, days))))
        for item in rng.choice(5, size=2, replace=False):
            rows.append((c, 5 + int(item), float(rng.integers(0, days))))
    user, item, day = (np.asarray(x) for x in zip(*rows, strict=True))
    return Interactions(
        [f"u{i}" for i in range(customers)],
        Catalog.simple(ITEMS),
        user.astype(np.int32),
        item.astype(np.int32),
        np.arange(len(rows), dtype=np.int64),
        20000.0 + day.astype(np.float64),
    )


def test_item_stats_count_first_purchases_and_decay() -> None:
    # Item 0: u0 on days 0 and 10 (one adoption), u1 on day 10. Item 1: u1 on day 0.
    data = interactions([(0, 0), (0, 0), (1, 0), (1, 1)], 2, days=[0.0, 10.0, 10.0, 0.0])
    stats = ItemStats(half_lives=(10.0,)).fit(data)
    assert stats.owners[:2].tolist() == [2, 1] and stats.lines[:2].tolist() == [3, 1]
    assert stats.customers == 2
    # Adoptions weighted 2^((day - 10) / 10): u0's on day 0 counts 0.5, u1's on day 10 counts 1.
    np.testing.assert_allclose(stats.adoptions[0, :2], [1.5, 0.5])
    # Three orders (each line is its own order here): days 0, 10, 10 and 0.
    np.testing.assert_allclose(stats.baskets, [0.5 + 1 + 1 + 0.5])


def test_item_stats_update_equals_refit() -> None:
    data = planted(customers=60)
    cut = 20000.0 + 300
    early = data.before(cut)
    stats = ItemStats().fit(early)
    stats.update(data.between(cut), early.user_items())
    full = ItemStats().fit(data)
    np.testing.assert_allclose(stats.owners, full.owners)
    np.testing.assert_allclose(stats.lines, full.lines)
    assert stats.customers == full.customers
    # Decayed sums are kept relative to the first fit's reference day: rescale to compare.
    shift = np.exp2((stats.reference_day - full.reference_day) / np.asarray(stats.half_lives))
    np.testing.assert_allclose(stats.adoptions * shift[:, None], full.adoptions)
    np.testing.assert_allclose(stats.basket_lines * shift[:, None], full.basket_lines)
    np.testing.assert_allclose(stats.baskets * shift, full.baskets)
    np.testing.assert_allclose(stats.features()[0], full.features()[0], rtol=1e-5)


def evaluate_split(data: Interactions, config: RecommendConfig) -> dict[str, float]:
    split = holdout(data, data.last_day - 40)
    trained = train(split.train, config, None)
    owned = split.train.user_items()[split.users]
    parts = score_parts(trained.models, owned, split.users)
    truth = split.truth[split.users]
    out = {
        name: ranking_metrics(top_k(p, owned, 3), truth, data.n_items)["ndcg"]
        for name, p in parts.items()
    }
    final = final_scores(parts, trained.weights, trained.reranker, np.diff(owned.indptr))
    out["blend"] = ranking_metrics(top_k(final, owned, 3), truth, data.n_items)["ndcg"]
    out["reranked"] = float(trained.reranker is not None)
    return out


def test_reranker_learns_the_planted_adoption_pattern() -> None:
    result = evaluate_split(planted(), RecommendConfig(validation_days=40))
    assert result["reranked"] == 1.0
    best_single = max(v for k, v in result.items() if k not in ("blend", "reranked"))
    assert result["blend"] > best_single + 0.05, result


def test_tea_and_coffee_come_before_the_staples() -> None:
    data = planted()
    trained = train(data, RecommendConfig(validation_days=40), None)
    assert trained.reranker is not None
    everyone = data.user_items()
    for row in (everyone[[0]], everyone[[599]], everyone[[0]] * 0):  # the last owns nothing
        parts = score_parts(trained.models, row, np.zeros(1, np.int64))
        scores = trained.reranker.score(parts, np.diff(row.indptr))[0]
        assert scores[[3, 4]].min() > scores[[0, 1, 2]].max()


def test_without_a_pattern_the_blend_stays_linear() -> None:
    # Everyone buys items at random from one fixed distribution: nothing to learn.
    rng = np.random.default_rng(1)
    n, lines = 500, 4000
    p = np.linspace(3, 1, len(ITEMS)) / np.linspace(3, 1, len(ITEMS)).sum()
    pairs = list(
        zip(
            rng.integers(0, n, lines).tolist(),
            rng.choice(len(ITEMS), lines, p=p).tolist(),
            strict=True,
        )
    )
    data = interactions(pairs, n, ITEMS, days=(20000.0 + rng.random(lines) * 360).tolist())
    trained = train(data, RecommendConfig(validation_days=40), None)
    assert trained.reranker is None
    assert trained.validation["reranked"] == 0.0


def test_save_load_gives_the_same_scores(tmp_path: Path) -> None:
    data = planted(customers=200)
    trained = train(data, RecommendConfig(validation_days=40), None)
    model = trained.reranker or Reranker(ItemStats().fit(data), ["popularity"], np.ones(19), 0.5)
    model.save(tmp_path / "reranker.npz")
    again = Reranker.load(tmp_path / "reranker.npz")
    rows = data.user_items()[:20]
    parts = score_parts(trained.models, rows, np.arange(20))
    history = np.diff(rows.indptr)
    np.testing.assert_allclose(again.score(parts, history), model.score(parts, history))
    assert again.names == model.names


def test_update_moves_scores_towards_new_adoptions() -> None:
    data = planted(customers=200)
    stats = ItemStats().fit(data)
    names = ["popularity"]
    _, item_names = stats.features()
    coef = np.zeros(len(item_names) * 2 + len(names))
    coef[item_names.index("log_adoption_share_30d")] = 1.0
    model = Reranker(stats, names, coef, 0.0)
    parts = {"popularity": np.zeros((1, data.n_items), np.float32)}
    before = model.score(parts, np.zeros(1))[0]
    # Fifty customers take up filler 4 today.
    new = interactions([(c, 9) for c in range(50)], 200, ITEMS, days=[data.last_day] * 50)
    model.update(new, data.user_items())
    after = model.score(parts, np.zeros(1))[0]
    assert after[9] > before[9] and np.argmax(after) == 9


def test_reranker_refuses_bad_windows() -> None:
    from kcrm.recommend.rerank import fit

    with pytest.raises(ValueError, match="both bought and unbought"):
        fit(np.zeros((3, 19), np.float32), np.zeros(3, bool), ItemStats(), ["popularity"])


def planted_shop(db: Database, data: Interactions) -> None:
    """The planted purchases as customers, products and purchase rows in the database."""
    db.upgrade()
    with db.session() as s:
        s.add_all(Product(id=name, name=name.title()) for name in ITEMS)
        s.add_all(Customer(id=u, name=u) for u in data.users)
        s.flush()
        s.add_all(
            Purchase(
                order_id=f"o{k}",
                customer_id=data.users[u],
                product_id=ITEMS[i],
                quantity=1,
                purchased_at=from_day(float(d)),
            )
            for k, (u, i, d) in enumerate(zip(data.user, data.item, data.day, strict=True))
        )


def test_service_offers_tea_explains_saves_and_stays_fresh(
    settings: Settings, tmp_path: Path
) -> None:
    db = Database(settings)
    data = planted(customers=400)
    planted_shop(db, data)
    config = RecommendConfig(validation_days=40)
    service = RecommendService.train(db, config, None)
    assert service.reranker is not None
    offers = service.recommend("u399", k=3)
    assert offers is not None and all(o.reasons for o in offers)
    assert not {"milk", "bread", "eggs"} & {o.product_id for o in offers}
    # A customer with nothing bought yet gets what customers buy (cold start), scored.
    with db.session() as s:
        s.add(Customer(id="u400", name="new"))
    newcomer = service.recommend("u400", k=7)
    assert newcomer is not None and len(newcomer) == 7
    assert all(o.score > 0 and o.reasons[0].startswith("bought by ") for o in newcomer)

    save_service(service, tmp_path / "rec")
    again = load_service(tmp_path / "rec", db, config)
    assert again.reranker is not None
    for cid in ("u0", "u250", "u399"):
        a, b = service.recommend(cid, 4), again.recommend(cid, 4)
        assert a is not None and b is not None
        assert [o.as_dict() for o in a] == [o.as_dict() for o in b]

    # Customers take up filler 4 today: the re-ranker's adoption counts follow.
    j = again.catalog.index["filler 4"]
    before = again.reranker.stats.adoptions[:, j].copy()
    with db.session() as s:
        s.add_all(
            Purchase(
                order_id=f"new{c}",
                customer_id=f"u{c}",
                product_id="filler 4",
                quantity=1,
                purchased_at=from_day(data.last_day + 1),
            )
            for c in range(40)
            if not data.user_items()[c, 9]
        )
    assert again.refresh(force=True) > 0
    assert (again.reranker.stats.adoptions[:, j] > before).all()
