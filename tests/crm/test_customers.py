"""The 360° customer view and RFM scoring on data whose answer is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Case, Contact, Customer, Interaction, Product, Purchase
from kcrm.crm.customers import customer_view
from kcrm.crm.segments import compute_cohort, segment_report

END = datetime(2025, 6, 30, tzinfo=UTC)


def make_db(settings: Settings) -> Database:
    """Ten customers: c0 buys weekly up to the end (champion); c9 once, a year ago."""
    db = Database(settings)
    db.upgrade()
    with db.session() as s:
        s.add(Product(id="p", name="Coffee", category="drinks", price=4.0))
        s.add(Product(id="q", name="Tea", category="drinks", price=3.0))
        for c in range(10):
            s.add(Customer(id=f"c{c}", name=f"Customer {c}", country="GB", segment="retail"))
        s.add(Customer(id="new", name="No purchases"))
        s.flush()
        s.add(Contact(customer_id="c0", kind="email", value="c0@example.com"))
        n = 0
        for c in range(10):
            orders = 10 - c  # c0 ten orders, c9 one
            for k in range(orders):
                n += 1
                when = END - timedelta(days=c * 40 + k * 7)
                s.add(
                    Purchase(
                        order_id=f"o{n}",
                        customer_id=f"c{c}",
                        product_id="p",
                        quantity=1,
                        unit_price=4.0,
                        purchased_at=when,
                    )
                )
        s.add(
            Purchase(
                order_id="o-tea",
                customer_id="c0",
                product_id="q",
                quantity=2,
                unit_price=3.0,
                purchased_at=END - timedelta(days=1),
            )
        )
        s.add(
            Case(
                id="case-1",
                customer_id="c0",
                subject="Card late",
                status="open",
                opened_at=END - timedelta(days=2),
            )
        )
        s.add(
            Interaction(
                id="int-1",
                customer_id="c0",
                channel="chat",
                text="Where is my card?",
                occurred_at=END - timedelta(days=3),
            )
        )
    return db


def test_view_of_a_customer(settings: Settings) -> None:
    db = make_db(settings)
    view = customer_view(db, "c0", recent=3)
    assert view is not None
    assert view["profile"]["name"] == "Customer 0"
    assert view["contacts"] == [{"kind": "email", "value": "c0@example.com", "primary": True}]
    owned = {p["product_id"]: p for p in view["products_owned"]}
    assert owned["p"]["orders"] == 10 and owned["q"]["quantity"] == 2
    # Newest first: coffee on the last day, tea the day before, coffee a week before.
    assert [p["product_id"] for p in view["recent_purchases"]] == ["p", "q", "p"]
    assert view["cases"][0]["id"] == "case-1" and view["open_cases"] == 1
    assert view["interactions"][0]["text"] == "Where is my card?"
    value = view["value"]
    assert value["segment"] == "champions" and value["value_tier"] == "gold"
    assert value["r"] == 5 and value["f"] == 5 and value["orders"] == 11


def test_unknown_and_new_customers(settings: Settings) -> None:
    db = make_db(settings)
    assert customer_view(db, "nobody") is None
    view = customer_view(db, "new")
    assert view is not None and view["value"] is None and view["products_owned"] == []


def test_segments_tiers_and_rates(settings: Settings) -> None:
    db = make_db(settings)
    cohort, _ = compute_cohort(db)
    assert cohort is not None and cohort.basis == "revenue"
    report = segment_report(db)
    by_id = {x["customer_id"]: x for x in report["scores"]}
    assert by_id["c9"]["segment"] == "hibernating" and by_id["c9"]["value_tier"] == "bronze"
    assert sum(t["customers"] for t in report["tiers"]) == 10
    assert report["tiers"][0]["value_tier"] == "gold" and report["tiers"][0]["customers"] == 2
    assert report["rates"]["repeat_purchase_rate"] == 0.9  # all but c9 ordered twice or more
    assert report["buyers"] == 10 and report["customers"] == 11
