"""Campaigns: members and a seeded holdout, outcomes, conversion and uplift, offer fatigue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.tables import Customer, OfferOutcome, Product, Purchase
from kcrm.crm.campaign_results import report
from kcrm.crm.campaigns import CampaignSpec, create_campaign, members, record_outcome
from kcrm.crm.uplift import newcombe, wilson
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.service import RecommendService

START = datetime(2025, 1, 1, tzinfo=UTC)
CUSTOMERS = 640


def make_bank(db: Database) -> None:
    """640 customers: all hold a current account, every fourth a savings account, every
    fifth a loan; nobody has the new card yet. Nine in ten agreed to marketing."""
    db.upgrade()
    with db.session() as s:
        for pid, name in (
            ("current", "Current account"),
            ("savings", "Savings account"),
            ("loan", "Personal loan"),
            ("card", "Travel card"),
        ):
            s.add(Product(id=pid, name=name, description=name))
        for c in range(CUSTOMERS):
            s.add(
                Customer(
                    id=f"k{c:03d}",
                    name=f"Customer {c}",
                    segment="retail",
                    consent_marketing=c % 10 != 9,  # every tenth never agreed to marketing
                    consent_email=c % 3 != 2,
                    consent_phone=c % 2 == 0,
                )
            )
        s.flush()
        n = 0
        for c in range(CUSTOMERS):
            held = ["current"] + ["savings"] * (c % 4 == 0) + ["loan"] * (c % 5 == 0)
            for i, pid in enumerate(held):
                n += 1
                s.add(
                    Purchase(
                        order_id=f"o{n}",
                        customer_id=f"k{c:03d}",
                        product_id=pid,
                        purchased_at=START + timedelta(days=c % 90 + 3 * i),
                    )
                )


@pytest.fixture
def bank(settings: Settings) -> Database:
    db = Database(settings)
    make_bank(db)
    return db


@pytest.fixture
def service(bank: Database) -> RecommendService:
    return RecommendService.train(bank, RecommendConfig(), None)


def buy(db: Database, customer: str, product: str, order: str, when: datetime) -> None:
    with db.session() as s:
        s.add(Purchase(order_id=order, customer_id=customer, product_id=product, purchased_at=when))


def test_a_500_customer_campaign_splits_400_100_the_same_way_every_time(
    bank: Database, service: RecommendService
) -> None:
    spec = CampaignSpec("Card launch", 0.2, product_id="card", size=500, seed=42)
    created = create_campaign(bank, service, spec, "test")
    assert (created["treatment"], created["holdout"]) == (400, 100)
    again = create_campaign(bank, service, spec, "test")
    first = members(bank, created["id"])["customers"]
    second = members(bank, again["id"])["customers"]
    assert [(m["customer_id"], m["group"]) for m in first] == [
        (m["customer_id"], m["group"]) for m in second
    ]
    assert [m["rank"] for m in first] == list(range(1, 501))
    other = create_campaign(bank, service, CampaignSpec("B", 0.2, product_id="card", seed=7), "")
    held = {m["customer_id"] for m in members(bank, other["id"], "holdout")["customers"]}
    assert len(held) == round(0.2 * CUSTOMERS)
    assert held != {m["customer_id"] for m in first if m["group"] == "holdout"}


def test_a_product_campaign_never_holds_owners(bank: Database, service: RecommendService) -> None:
    created = create_campaign(bank, service, CampaignSpec("Savers", 0.1, product_id="savings"))
    ids = {m["customer_id"] for m in members(bank, created["id"])["customers"]}
    owners = {f"k{c:03d}" for c in range(0, CUSTOMERS, 4)}
    assert ids and not ids & owners
    assert len(ids) == CUSTOMERS - len(owners)


def test_a_segment_campaign_offers_each_member_their_best_product(
    bank: Database, service: RecommendService
) -> None:
    created = create_campaign(bank, service, CampaignSpec("Loyal", 0.25, tier="gold", seed=1))
    rows = members(bank, created["id"])["customers"]
    assert rows and created["treatment"] + created["holdout"] == len(rows)
    for m in rows[:20]:
        best = service.recommend(m["customer_id"], 1)
        assert best is not None and best[0].product_id == m["product_id"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (CampaignSpec("x", 0.0, product_id="card"), "holdout"),
        (CampaignSpec("x", 0.6, product_id="card"), "holdout"),
        (CampaignSpec("x", 0.2), "product_id, a segment or a tier"),
        (CampaignSpec("x", 0.2, segment="vips"), "segment must be one of"),
        (CampaignSpec(" ", 0.2, product_id="card"), "name"),
        (CampaignSpec("x", 0.2, segment="champions", tier="bronze"), "campaign would be empty"),
    ],
)
def test_bad_campaigns_are_refused_before_anything_is_stored(
    bank: Database, service: RecommendService, spec: CampaignSpec, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_campaign(bank, service, spec)
    with pytest.raises(NotFound):
        create_campaign(bank, service, CampaignSpec("x", 0.2, product_id="no-such"))


def test_conversion_uplift_and_its_interval(bank: Database, service: RecommendService) -> None:
    created = create_campaign(bank, service, CampaignSpec("Card", 0.5, product_id="card", seed=3))
    rows = members(bank, created["id"])["customers"]
    treated = [m["customer_id"] for m in rows if m["group"] == "treatment"]
    held = [m["customer_id"] for m in rows if m["group"] == "holdout"]
    later = datetime.now(UTC) + timedelta(minutes=1)
    for i, cid in enumerate(treated[:40]):
        buy(bank, cid, "card", f"t{i}", later)
    for i, cid in enumerate(held[:10]):
        buy(bank, cid, "card", f"h{i}", later)
    buy(bank, held[10], "card", "before", START)  # before the start: no conversion
    record_outcome(bank, created["id"], treated[0], "accepted", "test")
    record_outcome(bank, created["id"], treated[50], "rejected", "test")
    got = report(bank, created["id"])
    t, h = got["treatment"], got["holdout"]
    assert (t["customers"], t["converted"], h["customers"], h["converted"]) == (
        len(treated),
        40,
        len(held),
        10,
    )
    assert t["accepted"] == 1 and t["rejected"] == 1
    d, low, high = newcombe(40, len(treated), 10, len(held))  # type: ignore[misc]
    assert got["uplift"] == pytest.approx(d, abs=1e-6)
    assert (got["ci_low"], got["ci_high"]) == (
        pytest.approx(low, abs=1e-6),
        pytest.approx(high, abs=1e-6),
    )
    assert low > 0  # 40 of 320 against 10 of 320 is more than chance


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Table II, method 10, examples (a), (b) and (d).
    for (x1, n1, x2, n2), published in (
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ):
        d, low, high = newcombe(x1, n1, x2, n2)  # type: ignore[misc]
        assert d == pytest.approx(x1 / n1 - x2 / n2)
        assert (low, high) == (
            pytest.approx(published[0], abs=1e-4),
            pytest.approx(published[1], abs=1e-4),
        )
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert newcombe(1, 0, 1, 5) is None


def test_outcomes_only_for_treatment_members(bank: Database, service: RecommendService) -> None:
    created = create_campaign(bank, service, CampaignSpec("Card", 0.2, product_id="card", seed=5))
    rows = members(bank, created["id"])["customers"]
    held = next(m["customer_id"] for m in rows if m["group"] == "holdout")
    with pytest.raises(Conflict, match="holdout"):
        record_outcome(bank, created["id"], held, "accepted")
    with pytest.raises(ValueError, match="not a member"):
        record_outcome(bank, created["id"], "nobody", "accepted")
    with pytest.raises(ValueError, match="accepted or rejected"):
        record_outcome(bank, created["id"], rows[0]["customer_id"], "maybe")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        record_outcome(bank, 999, rows[0]["customer_id"], "accepted")


def test_offer_fatigue_after_repeated_rejections(bank: Database) -> None:
    config = RecommendConfig(fatigue_rejections=2, fatigue_days=30)
    service = RecommendService.train(bank, config, None)
    created = create_campaign(bank, service, CampaignSpec("Card", 0.1, product_id="card", seed=9))
    member = next(m["customer_id"] for m in members(bank, created["id"], "treatment")["customers"])

    def offered() -> bool:
        offers = service.recommend(member, 5)
        audience = {m.customer_id for m in service.audience("card", k=CUSTOMERS)}
        assert offers is not None
        assert ("card" in {o.product_id for o in offers}) == (member in audience)
        return member in audience

    assert offered()
    record_outcome(bank, created["id"], member, "rejected")
    assert offered()  # once is not yet fatigue
    record_outcome(bank, created["id"], member, "rejected")
    assert not offered()
    # The period passes: offered again.
    with bank.session() as s:
        s.execute(update(OfferOutcome).values(recorded_at=datetime.now(UTC) - timedelta(days=31)))
    assert offered()


def test_consent_only_campaigns_hold_customers_who_agreed_to_marketing(
    bank: Database, service: RecommendService
) -> None:
    spec = CampaignSpec("Card", 0.2, product_id="card", seed=2, consent_only=True)
    created = create_campaign(bank, service, spec)
    ids = {m["customer_id"] for m in members(bank, created["id"])["customers"]}
    assert len(ids) == CUSTOMERS - CUSTOMERS // 10
    assert not {f"k{c:03d}" for c in range(9, CUSTOMERS, 10)} & ids
    assert report(bank, created["id"])["treatment"]["contactable"] == created["treatment"]
    with bank.session() as s:
        s.execute(update(Customer).values(consent_marketing=False))
    with pytest.raises(ValueError, match="agreed to marketing"):
        create_campaign(bank, service, spec)
