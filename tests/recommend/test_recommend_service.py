"""The recommender over a real database: offers with reasons, rules, freshness, persistence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Customer, Product, Purchase
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.service import RecommendService
from kcrm.recommend.store import load_service, save_service

START = datetime(2025, 1, 1, tzinfo=UTC)
PRODUCTS = [
    # id, name, category, price, active, repeatable
    ("beer", "Lager beer", "drinks", 2.0, True, False),
    ("diapers", "Baby diapers", "baby", 9.0, True, False),
    ("milk", "Whole milk", "dairy", 1.0, True, True),
    ("bread", "Rye bread", "bakery", 2.5, True, False),
    ("cheese", "Aged cheese", "dairy", 6.0, True, False),
    ("wine", "Red wine", "drinks", 12.0, False, False),
]


def make_shop(db: Database) -> None:
    """40 customers: 0-11 buy beer then diapers (the planted rule), all buy milk,
    12-39 bread, every third one cheese; wine is inactive but once sold."""
    db.upgrade()
    with db.session() as s:
        for pid, name, cat, price, active, rep in PRODUCTS:
            s.add(
                Product(
                    id=pid,
                    name=name,
                    category=cat,
                    description=f"{name} ({cat})",
                    price=price,
                    cost=price / 2,
                    active=active,
                    repeatable=rep,
                )
            )
        for c in range(41):
            s.add(Customer(id=f"c{c:02d}", name=f"Customer {c}", segment="retail", country="GB"))
        s.flush()
        n = 0

        def buy(c: int, pid: str, day: int) -> None:
            nonlocal n
            n += 1
            s.add(
                Purchase(
                    order_id=f"o{n}",
                    customer_id=f"c{c:02d}",
                    product_id=pid,
                    quantity=1,
                    unit_price=2.0,
                    purchased_at=START + timedelta(days=day),
                )
            )

        for c in range(40):
            buy(c, "milk", c)
            if c < 12:
                buy(c, "beer", c + 1)
                buy(c, "diapers", c + 30)
            else:
                buy(c, "bread", c + 2)
            if c % 3 == 0:
                buy(c, "cheese", c + 50)
        buy(39, "wine", 90)


@pytest.fixture
def shop(settings: Settings) -> Database:
    db = Database(settings)
    make_shop(db)
    return db


@pytest.fixture
def service(shop: Database) -> RecommendService:
    return RecommendService.train(shop, RecommendConfig(), HashEmbedder(64))


def add_purchase(db: Database, customer: str, product: str, order: str) -> None:
    with db.session() as s:
        s.add(
            Purchase(
                order_id=order,
                customer_id=customer,
                product_id=product,
                quantity=1,
                purchased_at=START + timedelta(days=200),
            )
        )


def test_planted_rule_comes_first_with_its_reason(
    shop: Database, service: RecommendService
) -> None:
    add_purchase(shop, "c40", "beer", "new-1")
    service.refresh(force=True)
    offers = service.recommend("c40", k=3)
    assert offers is not None and offers[0].product_id == "diapers"
    assert any(
        r.startswith("bought with Lager beer by 12 customers (lift") for r in offers[0].reasons
    )


def test_every_offer_has_reasons_and_respects_the_rules(service: RecommendService) -> None:
    offers = service.recommend("c00", k=10)
    assert offers is not None and offers
    ids = [o.product_id for o in offers]
    assert "wine" not in ids  # inactive
    assert not {"beer", "diapers", "milk"} & set(ids)  # owned: not a new offer
    assert all(o.reasons and o.offer_type == "new" for o in offers)
    assert [o.score for o in offers] == sorted((o.score for o in offers), reverse=True)
    # Milk is owned and repeatable: a renewal, said to be one, and only when asked for.
    renewals = service.recommend("c00", k=10, offer_type="renewal")
    assert renewals is not None and [o.product_id for o in renewals] == ["milk"]
    assert renewals[0].offer_type == "renewal"
    assert renewals[0].reasons[0] == "renewal: bought once, on 01 Jan 2025"
    both = service.recommend("c00", k=10, offer_type="all")
    assert both is not None and {o.product_id for o in both} == {"milk", "bread"}


def test_unknown_customer_is_none_and_new_customer_gets_popular_offers(
    service: RecommendService,
) -> None:
    assert service.recommend("nobody") is None
    offers = service.recommend("c40", k=3)
    assert offers is not None and len(offers) == 3
    # c01-c39 bought milk in the 90 days before the last purchase (day 90), c00 on day 0;
    # c40, like everyone, is in segment retail and country GB: no group stands out.
    assert offers[0].product_id == "milk" and offers[0].score == pytest.approx(39 / 41)
    assert offers[0].reasons == ["bought by 95% of all customers in the last 90 days"]
    assert [o.score for o in offers] == sorted((o.score for o in offers), reverse=True)


def test_a_new_purchase_changes_offers_without_retraining(
    shop: Database, service: RecommendService
) -> None:
    before = service.recommend("c20", k=2)
    assert before is not None and before[0].product_id != "diapers"
    pairs_before = service.models["copurchase"].pairs.sum()  # type: ignore[attr-defined]
    add_purchase(shop, "c20", "beer", "new-2")
    assert service.refresh(force=True) == 1
    after = service.recommend("c20", k=2)
    assert after is not None and after[0].product_id == "diapers"
    assert service.models["copurchase"].pairs.sum() > pairs_before  # type: ignore[attr-defined]


def test_saved_service_loads_with_the_same_offers(
    shop: Database, service: RecommendService, tmp_path: Path
) -> None:
    save_service(service, tmp_path / "rec")
    again = load_service(tmp_path / "rec", shop, RecommendConfig())
    for cid in ("c00", "c15", "c40"):
        a, b = service.recommend(cid, 5), again.recommend(cid, 5)
        assert a is not None and b is not None
        assert [o.as_dict() for o in a] == [o.as_dict() for o in b]


def test_recommend_all_covers_every_customer(service: RecommendService) -> None:
    rows = dict(service.recommend_all(k=2))
    assert len(rows) == 41 and all(rows.values())
    for cid in ("c05", "c13", "c40"):
        single = service.recommend(cid, 2)
        assert single is not None
        assert [o.as_dict() for o in rows[cid]] == [o.as_dict() for o in single]


def test_no_purchases_yet_still_serves(settings: Settings) -> None:
    db = Database(settings)
    db.upgrade()
    with db.session() as s:
        s.add(Product(id="p1", name="Savings account", description="save money"))
        s.add(Customer(id="c1", name="A"))
    svc = RecommendService.train(db, RecommendConfig(), HashEmbedder(64))
    offers = svc.recommend("c1", 3)
    assert offers is not None and [o.product_id for o in offers] == ["p1"]
