"""Customers: found however their details are typed, created and edited, merged with history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.core.keys import create_key
from kcrm.core.tables import ApiKey, Case, CustomerMerge, Document, Interaction, Product, Purchase
from kcrm.crm import directory
from kcrm.crm.cases import NewCase, get_case, open_case
from kcrm.crm.customers import customer_view
from kcrm.crm.imports import import_csv
from kcrm.crm.interactions import NewInteraction, log_interaction
from kcrm.crm.merge import merge_customers, merges_of
from kcrm.crm.profiles import (
    ContactIn,
    CustomerFields,
    create_customer,
    find_customers,
    get_customer,
    update_customer,
)
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed


@pytest.fixture
def db(settings: Settings) -> Database:
    database = Database(settings)
    database.upgrade()
    return database


def ids(db: Database, q: str) -> list[str]:
    return [c["id"] for c in find_customers(db, q)["items"]]


def test_phone_numbers_typed_any_way_are_one_number() -> None:
    forms = [
        "+44 7700 900123",
        "0044 7700 900123",
        "07700 900123",
        "(07700) 900-123",
        "＋４４７７００９００１２３",
    ]
    assert {directory.phone_number(f, "44") for f in forms} == {"447700900123"}
    assert directory.phone_terms("07700 900123", "44") == ["447700900123", "7700900123"]
    assert directory.phone_number("12", "44") is None
    assert directory.query_tokens("7700 900 123", "44") == ["7700900123"]


def test_names_fold_case_accents_and_punctuation() -> None:
    assert directory.fold("JOSÉ Ålvarez") == "jose alvarez"
    assert {"o'neil", "oneil", "o", "neil", "mary-jane", "maryjane"} <= set(
        directory.name_terms("Mary-Jane O'Neil")
    )
    assert {"王小明", "小明"} <= set(directory.name_terms("王小明"))
    assert directory.query_tokens("  Lucy   TAYLOR ", "44") == ["lucy", "taylor"]
    assert {" lucy taylor", " taylor lucy"} <= set(directory.name_terms("Lucy Taylor"))


def test_find_by_name_email_phone_with_totals_and_pages(db: Database) -> None:
    for i, (name, email, phone) in enumerate(
        [
            ("Lucy Taylor", "lucy.taylor@example.com", "+44 7700 900860"),
            ("Lucas Taylor", "lucas@example.com", "07700 900861"),
            ("José Álvarez", "jose@example.es", "+34 600 123 456"),
            ("王小明", "xiaoming@example.cn", "+86 138 0013 8000"),
        ]
    ):
        create_customer(db, CustomerFields(name=name, email=email, phone=phone), f"c{i}")
    assert ids(db, "lucy taylor") == ["c0"]
    assert ids(db, "TAYLOR") == ["c1", "c0"]  # by name: Lucas before Lucy
    assert ids(db, "luc tay") == ["c1", "c0"]  # no whole name starts so: words intersected
    assert ids(db, "lucy tay") == ids(db, "taylor lucy") == ["c0"]
    assert ids(db, "Lucy.Taylor@EXAMPLE.com") == ["c0"]
    assert ids(db, "07700900861") == ids(db, "+44 7700 900 861") == ["c1"]
    assert ids(db, "0770090086") == ["c1", "c0"]  # a prefix of both numbers
    assert ids(db, "jose alvarez") == ids(db, "José") == ["c2"]
    assert ids(db, "小明") == ids(db, "13800138000") == ["c3"]
    assert ids(db, "c2") == ["c2"]
    assert ids(db, "nobody") == []
    page = find_customers(db, "taylor", limit=1)
    assert (page["total"], page["next"], [c["id"] for c in page["items"]]) == (2, 1, ["c1"])
    last = find_customers(db, "taylor", limit=1, offset=1)
    assert (last["next"], [c["id"] for c in last["items"]]) == (None, ["c0"])
    assert find_customers(db, None)["total"] == 4


def test_create_and_edit_contacts_consent_and_attributes(db: Database) -> None:
    made = create_customer(
        db,
        CustomerFields(
            name="Ada Lovelace",
            email="ada@example.com",
            contacts=[
                ContactIn("phone", "+44 7700 900001"),
                ContactIn("phone", "+44 7700 900002", primary=True),
                ContactIn("email", "ada@work.example.com"),
            ],
            consent_email=True,
            attributes={"tier": "vip"},
        ),
    )
    assert made["id"].startswith("cust-")
    assert (made["email"], made["phone"]) == ("ada@example.com", "+44 7700 900002")
    assert (made["consent_email"], made["consent_phone"], made["consent_marketing"]) == (
        True,
        False,
        False,
    )
    primaries = [(c["kind"], c["value"]) for c in made["contacts"] if c["primary"]]
    assert sorted(primaries) == [("email", "ada@example.com"), ("phone", "+44 7700 900002")]

    edited = update_customer(
        db,
        made["id"],
        CustomerFields(
            phone="+44 7700 900001",
            consent_marketing=True,
            consent_email=False,
            attributes={"tier": None, "language": "en"},
            name="Ada King",
        ),
    )
    assert edited["phone"] == "+44 7700 900001" and edited["name"] == "Ada King"
    assert sum(c["primary"] for c in edited["contacts"] if c["kind"] == "phone") == 1
    assert (edited["consent_email"], edited["consent_marketing"]) == (False, True)
    assert edited["attributes"] == {"language": "en"}
    assert ids(db, "king") == [made["id"]] and ids(db, "lovelace") == []

    twin = create_customer(db, CustomerFields(name="A. King", email="ADA@example.com"))
    assert twin["possible_duplicates"] == [made["id"]]


def test_bad_customer_input_is_refused_and_nothing_changes(db: Database) -> None:
    create_customer(db, CustomerFields(name="Bo"), "b1")
    with pytest.raises(Conflict):
        create_customer(db, CustomerFields(name="Bo again"), "b1")
    with pytest.raises(ValueError, match="email"):
        update_customer(db, "b1", CustomerFields(email="not-an-email", name="Changed"))
    with pytest.raises(ValueError, match="phone"):
        create_customer(db, CustomerFields(name="X", phone="12"))
    with pytest.raises(ValueError, match="name"):
        create_customer(db, CustomerFields(name="  "))
    with pytest.raises(NotFound):
        update_customer(db, "nobody", CustomerFields(name="Y"))
    assert get_customer(db, "b1")["name"] == "Bo"


def test_import_customers_with_contacts_and_consent(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "id,name,email,mobile,phone,consent_email,consent_marketing,tier\n"
        "c1,Ada,ada@example.com;ada@work.com,07700 900001,+44 20 7946 0000,yes,0,gold\n"
        "c2,Bo,not-an-email,,,true,true,\n"
        "c3,Cy,,,,no,no,\n",
        encoding="utf-8",
    )
    report = import_csv(db, "customers", path)
    assert (report.added, len(report.rejected)) == (2, 1)
    assert report.rejected[0].line == 3 and "email" in report.rejected[0].reason
    ada = get_customer(db, "c1")
    assert ada["email"] == "ada@example.com" and ada["phone"] == "+44 20 7946 0000"
    assert len(ada["contacts"]) == 4 and ada["attributes"] == {"tier": "gold"}
    assert (ada["consent_email"], ada["consent_phone"], ada["consent_marketing"]) == (
        True,
        False,
        False,
    )
    assert ids(db, "+447700900001") == ["c1"]
    # A file without contact columns leaves the contacts as they are.
    path.write_text("id,name,consent_marketing\nc1,Ada L,true\n", encoding="utf-8")
    assert import_csv(db, "customers", path).updated == 1
    ada = get_customer(db, "c1")
    assert len(ada["contacts"]) == 4 and ada["consent_marketing"] and ada["consent_email"]
    assert ids(db, "ada l") == ["c1"]


def test_merge_moves_all_history_and_is_recorded(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = kb.db
    create_customer(db, CustomerFields(name="Lucy Taylor", email="lucy@example.com"), "keep")
    create_customer(
        db,
        CustomerFields(
            name="L Taylor",
            email="LUCY@example.com",
            phone="07700 900860",
            country="GB",
            consent_marketing=True,
            attributes={"source": "shop"},
        ),
        "dup",
    )
    with db.session() as s:
        s.add(Product(id="p", name="Card"))
        s.flush()
        s.add(
            Purchase(
                order_id="o1", customer_id="dup", product_id="p", purchased_at=datetime.now(UTC)
            )
        )
    case = open_case(kb, NewCase("dup", "My card is late"), "agent:a#1")
    log_interaction(db, NewInteraction("dup", "phone", "inbound", "Called about the card"))
    record = {"id": "note-1", "kind": "interaction", "body": "chat", "customer_id": "dup"}
    kb.ingest([Parsed(KnowledgeRecord.model_validate(record), "t", 1)])
    create_key(db, "customer", "lucy-app", customer_id="dup")

    result = merge_customers(db, "keep", "dup", "agent:a#1")
    assert result["moved"] == {
        "contacts": 1,  # the phone; the same email in other case is not a second contact
        "cases": 1,
        "interactions": 2,
        "purchases": 1,
        "api_keys": 1,
        "queries": 0,
        "knowledge_records": 1,
    }
    kept = result["customer"]
    assert kept["phone"] == "07700 900860" and kept["email"] == "lucy@example.com"
    assert kept["country"] == "GB" and kept["attributes"] == {"source": "shop"}
    assert kept["consent_marketing"] is False  # a merge never widens consent
    with db.session() as s:
        assert s.scalar(select(Case.customer_id).where(Case.id == case["id"])) == "keep"
        assert set(s.scalars(select(Interaction.customer_id))) == {"keep"}
        assert set(s.scalars(select(Purchase.customer_id))) == {"keep"}
        assert s.scalar(select(Document.customer_id).where(Document.id == "note-1")) == "keep"
        assert s.scalar(select(ApiKey.customer_id).where(ApiKey.name == "lucy-app")) == "keep"
        assert s.scalar(select(CustomerMerge.actor)) == "agent:a#1"
    # The duplicate's id still leads to the customer kept; search shows only one of them.
    assert customer_view(db, "dup")["customer_id"] == "keep"  # type: ignore[index]
    assert customer_view(db, "keep")["profile"]["merged_ids"] == ["dup"]  # type: ignore[index]
    assert ids(db, "taylor") == ["keep"] and ids(db, "07700 900860") == ["keep"]
    assert [m["merged_id"] for m in merges_of(db, "keep")] == ["dup"]
    timeline = get_case(kb, case["id"])["timeline"]
    assert ("customer", "dup", "keep") in [
        (e["kind"], e.get("old"), e.get("new")) for e in timeline
    ]
    with pytest.raises(Conflict, match="already merged"):
        merge_customers(db, "keep", "dup", "agent:a#1")
    with pytest.raises(ValueError, match="itself"):
        merge_customers(db, "keep", "keep", "agent:a#1")
    with pytest.raises(NotFound):
        merge_customers(db, "keep", "ghost", "agent:a#1")
    # Purchases exported later under the old id land on the customer kept.
    path = tmp_path / "purchases.csv"
    path.write_text("order_id,customer_id,product_id,purchased_at\no2,dup,p,2026-01-01\n")
    assert import_csv(db, "purchases", path).added == 1
    with db.session() as s:
        assert s.scalar(select(Purchase.customer_id).where(Purchase.order_id == "o2")) == "keep"
