"""What marketing asks of the recommender: association rules that match a brute-force count,
audiences that never hold owners, cold-start offers from customers alike, ordering rates."""

from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import numpy as np
import pytest

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.tables import Customer
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend.associations import RuleFilter, association_rules
from kcrm.recommend.audience import Activity
from kcrm.recommend.coldstart import ColdStart, cohort_of
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.models import CoPurchaseRecommender
from kcrm.recommend.service import RecommendService
from tests.recommend.test_recommend_models import interactions
from tests.recommend.test_recommend_service import START, add_purchase, make_shop

BASKETS = [
    {"bread", "butter", "jam"},
    {"bread", "butter"},
    {"bread", "jam"},
    {"beer", "crisps"},
    {"beer", "crisps", "bread"},
    {"beer", "crisps"},
    {"butter", "jam"},
    {"milk"},
]
ITEMS = sorted(set().union(*BASKETS))


def brute_force(x: str, y: str) -> tuple[int, float, float, float]:
    """(customers, support, confidence, lift) of x → y, counted basket by basket."""
    n = len(BASKETS)
    both = sum(1 for b in BASKETS if {x, y} <= b)
    has_x = sum(1 for b in BASKETS if x in b)
    has_y = sum(1 for b in BASKETS if y in b)
    return both, both / n, both / has_x, (both / has_x) / (has_y / n)


def basket_rules(**filters: object) -> list[dict[str, object]]:
    pairs = [(u, ITEMS.index(i)) for u, b in enumerate(BASKETS) for i in sorted(b)]
    data = interactions(pairs, len(BASKETS), ITEMS)
    model = CoPurchaseRecommender(min_support=1).fit(data)
    rule_filter = RuleFilter(**filters)  # type: ignore[arg-type]
    rules = association_rules(model.pairs, model.item_units, model.units, data.catalog, rule_filter)
    return [r.as_dict() for r in rules]


def test_every_rule_matches_a_brute_force_count() -> None:
    rules = basket_rules(min_customers=1, min_lift=0.0, k=1000)
    expected = {
        (x, y): brute_force(x, y) for x, y in permutations(ITEMS, 2) if brute_force(x, y)[0] >= 1
    }
    assert {(r["antecedent"][0], r["consequent"][0]) for r in rules} == set(expected)
    for r in rules:
        both, support, confidence, lift = expected[(r["antecedent"][0], r["consequent"][0])]
        assert r["customers"] == both
        assert r["support"] == pytest.approx(support, abs=1e-12)
        assert r["confidence"] == pytest.approx(confidence, abs=1e-12)
        assert r["lift"] == pytest.approx(lift, abs=1e-12)
    # The top rule: beer and crisps are always bought together by 3 of 8 customers.
    top = rules[0]
    assert {top["antecedent"][0], top["consequent"][0]} == {"beer", "crisps"}
    assert top["lift"] == pytest.approx(8 / 3, abs=1e-12)


def test_rules_filter_by_product_and_thresholds_and_sort() -> None:
    jam = ITEMS.index("jam")
    rules = basket_rules(product=jam, min_customers=2, min_lift=0.0)
    assert rules and all("jam" in r["antecedent"] + r["consequent"] for r in rules)
    assert all(r["customers"] >= 2 for r in rules)
    strong = basket_rules(min_customers=1, min_lift=2.0)
    assert strong and all(r["lift"] >= 2.0 for r in strong)
    confident = basket_rules(min_customers=1, min_confidence=0.9, sort="confidence")
    assert [r["confidence"] for r in confident] == sorted(
        (r["confidence"] for r in confident), reverse=True
    )
    assert all(r["confidence"] >= 0.9 for r in confident)
    with pytest.raises(ValueError, match="min_confidence"):
        basket_rules(min_confidence=1.5)
    with pytest.raises(ValueError, match="sort"):
        basket_rules(sort="popularity")


@pytest.fixture
def shop(settings: Settings) -> Database:
    db = Database(settings)
    make_shop(db)
    return db


@pytest.fixture
def service(shop: Database) -> RecommendService:
    return RecommendService.train(shop, RecommendConfig(), HashEmbedder(64))


def test_audience_never_holds_owners_and_puts_the_rule_first(
    shop: Database, service: RecommendService
) -> None:
    add_purchase(shop, "c20", "beer", "aud-1")  # c20 now owns beer, the diapers rule applies
    members = service.audience("diapers", k=100)
    ids = [m.customer_id for m in members]
    owners = {f"c{c:02d}" for c in range(12)}  # c00-c11 bought diapers
    assert ids and not owners & set(ids)
    assert len(ids) == len(set(ids)) == 29  # c12-c40: everyone else
    assert ids[0] == "c20"
    assert members[0].reasons[0] == "3 orders, the last on 20 Jul 2025"  # milk, bread, beer
    # c00-c11 bought beer and diapers; c20 beer only: lift 40 × 12 / (13 × 12).
    assert "bought with Lager beer by 12 customers (lift 3.1)" in members[0].reasons
    assert [m.score for m in members] == sorted((m.score for m in members), reverse=True)
    assert service.audience("diapers", k=3)[0].customer_id == "c20"


def test_audience_refuses_unknown_and_inactive_products(service: RecommendService) -> None:
    with pytest.raises(NotFound, match="no-such"):
        service.audience("no-such")
    with pytest.raises(ValueError, match="not active"):
        service.audience("wine")
    with pytest.raises(ValueError, match="k must be"):
        service.audience("bread", k=0)


def test_service_rules_are_the_copurchase_counts(service: RecommendService) -> None:
    rules = service.rules(RuleFilter(min_customers=5), "beer")
    top = rules[0]
    assert top.antecedent == ["beer"] and top.consequent == ["diapers"]
    # 12 of 40 buyers bought beer, the same 12 diapers: lift 40 / 12.
    assert top.customers == 12 and top.lift == pytest.approx(40 / 12)
    with pytest.raises(NotFound):
        service.rules(RuleFilter(), "no-such")


def test_cold_start_quotes_the_group_that_stands_out(settings: Settings) -> None:
    db = Database(settings)
    make_shop(db)
    with db.session() as s:
        for c in range(12):  # the beer buyers are the premium segment
            s.get(Customer, f"c{c:02d}").segment = "premium"  # type: ignore[union-attr]
        s.add(Customer(id="newbie", name="New", segment="premium", country="GB"))
        s.add(Customer(id="stranger", name="Other"))
    service = RecommendService.train(db, RecommendConfig(), None)
    offers = service.recommend("newbie", k=5)
    assert offers is not None and len(offers) == 5
    assert offers[0].score > 0
    beer = next(o for o in offers if o.product_id == "beer")
    # c00-c11 bought beer on days 1-12; the window is the 90 days to day 90: 11 of them.
    assert beer.reasons == ["bought by 92% of premium customers in the last 90 days"]
    plain = service.recommend("stranger", k=5)
    assert plain is not None and all("of all customers" in o.reasons[0] for o in plain)
    assert [o.score for o in plain] == sorted((o.score for o in plain), reverse=True)


def test_cold_start_groups_and_shrinkage() -> None:
    assert cohort_of("2026-08-25") == "2026-Q3" and cohort_of(None) is None
    pairs = [(u, 0) for u in range(4)] + [(u, 1) for u in range(4, 20)]
    data = interactions(pairs, 20, ["gold card", "basic card"])
    profiles = [{"segment": "gold" if u < 4 else "basic"} for u in range(20)]
    cold = ColdStart(window_days=None, prior=20.0).fit(data, profiles)  # type: ignore[arg-type]
    rates, reasons = cold.rates({"segment": "gold"})
    # 4 of 4 gold customers, shrunk towards 4 of 20 overall with 20 pseudo-customers.
    assert rates[0] == pytest.approx((4 + 20 * 0.2) / (4 + 20))
    assert reasons[0] == "bought by 100% of gold customers"
    unknown, why = cold.rates({"segment": "platinum"})
    np.testing.assert_allclose(unknown, [0.2, 0.8])
    assert why == ["bought by 20% of all customers", "bought by 80% of all customers"]


def test_activity_prefers_recency_only_when_it_predicts_better() -> None:
    rng = np.random.default_rng(0)
    config = RecommendConfig(validation_days=30)
    # Stationary: every customer orders at their own steady rate for a year.
    pairs, days = [], []
    for u in range(300):
        for d in np.sort(rng.uniform(0, 365, rng.poisson(12))):
            pairs.append((u, 0))
            days.append(20000.0 + d)
    steady, _ = Activity.fit(interactions(pairs, 300, ["tea"], days), config)
    assert steady.half_life_days is None
    # Churn: half the customers stop after four months; recency now tells them apart.
    pairs, days = [], []
    for u in range(300):
        end = 120 if u % 2 else 365
        for d in np.sort(rng.uniform(0, end, rng.poisson(end / 30))):
            pairs.append((u, 0))
            days.append(20000.0 + d)
    churn, report = Activity.fit(interactions(pairs, 300, ["tea"], days), config)
    assert churn.half_life_days is not None, report
    p = churn.propensity(np.arange(300))
    assert p[0::2].mean() > 3 * p[1::2].mean()
    assert churn.propensity(np.asarray([-1]))[0] == 0.0


def test_a_new_purchase_moves_a_customer_out_of_the_audience(
    shop: Database, service: RecommendService
) -> None:
    before = {m.customer_id for m in service.audience("cheese", k=100)}
    assert "c13" in before
    with shop.session() as s:
        from kcrm.core.tables import Purchase

        s.add(
            Purchase(
                order_id="aud-2",
                customer_id="c13",
                product_id="cheese",
                quantity=1,
                purchased_at=START + timedelta(days=300),
            )
        )
    service.refresh(force=True)
    assert "c13" not in {m.customer_id for m in service.audience("cheese", k=100)}
