"""CRM imports: upsert by key, unknown references rejected unless asked to create them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kcrm.core.tables import Customer, Product, Purchase
from kcrm.crm.imports import import_csv
from kcrm.crm.loader import import_table, load_paths
from kcrm.knowledge.kb import KnowledgeBase
from tests.conftest import SHARED_DATA

CUSTOMERS = (
    "id,name,email,phone,country,segment,joined_at,vip_note\n"
    "c1,Ada,ada@example.com,+44 7700 900001,GB,retail,2025-01-02,yes\n"
    "c2,Bo,bo@example.com;bo2@example.com,,CN,premium,2025-03-04,\n"
    ",Nameless,,,,,,\n"
    "c3,Cy,,,,business,not-a-date,\n"
)
PRODUCTS = (
    "id,name,category,description,price,cost,active,repeatable,aliases\n"
    "p-card,Metal card,cards,A heavy card,49,10,true,false,metal cards\n"
    "p-fx,FX pack,travel,Currency bundle,5,1,true,true,\n"
    "p-bad,Bad price,cards,,-3,,true,false,\n"
)
PURCHASES = (
    "order_id,customer_id,product_id,quantity,unit_price,purchased_at,channel\n"
    "o1,c1,p-card,1,49,2026-01-05T10:00:00Z,app\n"
    "o1,c1,p-fx,2,,2026-01-05T10:00:00Z,app\n"
    "o2,c9,p-fx,1,5,2026-02-01,web\n"
    "o3,c2,p-none,1,5,2026-02-01,web\n"
    "o4,c2,p-fx,0,5,2026-02-01,web\n"
)


def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("customers", CUSTOMERS), ("products", PRODUCTS), ("purchases", PURCHASES)):
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text)
    return out


def test_customers_products_purchases(kb: KnowledgeBase, tmp_path: Path) -> None:
    f = files(tmp_path)
    cust = import_csv(kb.db, "customers", f["customers"])
    assert (cust.added, len(cust.rejected)) == (2, 2)
    assert {r.line for r in cust.rejected} == {4, 5}
    prod = import_csv(kb.db, "products", f["products"])
    assert prod.added == 2 and prod.rejected[0].line == 4 and "price" in prod.rejected[0].reason
    pur = import_csv(kb.db, "purchases", f["purchases"])
    assert pur.added == 2
    reasons = {r.line: r.reason for r in pur.rejected}
    assert "unknown customer 'c9'" in reasons[4]
    assert "unknown product 'p-none'" in reasons[5]
    assert "quantity" in reasons[6]
    with kb.db.session() as s:
        ada = s.get(Customer, "c1")
        assert ada is not None and [c.value for c in ada.contacts] == [
            "ada@example.com",
            "+44 7700 900001",
        ]
        assert ada.attributes == {"vip_note": "yes"}
        bo = s.get(Customer, "c2")
        assert bo is not None and len([c for c in bo.contacts if c.kind == "email"]) == 2
        fx_line = s.scalars(select(Purchase).where(Purchase.product_id == "p-fx")).one()
        assert fx_line.unit_price == 5 and fx_line.quantity == 2  # price taken from the catalogue


def test_reimport_is_unchanged_and_edits_update(kb: KnowledgeBase, tmp_path: Path) -> None:
    f = files(tmp_path)
    import_csv(kb.db, "customers", f["customers"])
    again = import_csv(kb.db, "customers", f["customers"])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    f["customers"].write_text(CUSTOMERS.replace("Ada,", "Ada Lovelace,"))
    edited = import_csv(kb.db, "customers", f["customers"])
    assert (edited.updated, edited.unchanged) == (1, 1)
    with kb.db.session() as s:
        assert s.get(Customer, "c1").name == "Ada Lovelace"  # type: ignore[union-attr]


def test_create_missing_adds_stub_customers_and_products(kb: KnowledgeBase, tmp_path: Path) -> None:
    f = files(tmp_path)
    report = import_csv(kb.db, "purchases", f["purchases"], create_missing=True)
    assert report.added == 4 and len(report.rejected) == 1  # only the zero quantity
    with kb.db.session() as s:
        assert s.get(Product, "p-none") is not None and s.get(Customer, "c9") is not None


def test_products_feed_the_product_tagger(kb: KnowledgeBase, tmp_path: Path) -> None:
    f = files(tmp_path)
    import_table(kb, "products", f["products"])
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"id": "f1", "kind": "faq", "body": "Can I order two metal cards?", '
        '"visibility": "public"}\n'
    )
    load_paths(kb, [folder])
    with kb.db.session() as s:
        from kcrm.core.tables import Document

        assert s.get(Document, "f1").product_ids == ["p-card"]  # type: ignore[union-attr]


def test_unknown_table_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="table must be"):
        import_table(kb, "orders", tmp_path / "x.csv")


@pytest.mark.skipif(not (SHARED_DATA / "groceries").exists(), reason="shared data not present")
def test_groceries_export_imports_with_its_own_column_names(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    lines = (SHARED_DATA / "groceries" / "history.csv").read_text().splitlines()[:501]
    sample = tmp_path / "purchases.csv"
    sample.write_text("\n".join(lines) + "\n")
    report = import_csv(kb.db, "purchases", sample, create_missing=True)
    assert not report.rejected
    assert report.added + report.updated + report.unchanged == 500
    with kb.db.session() as s:
        baskets = s.scalar(select(func.count(func.distinct(Purchase.order_id))))
        assert baskets is not None and 0 < baskets <= 500


def test_product_rules_are_kept_for_the_recommender(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "id,name,repeatable,replaces,conflicts_with,upgrade_of\n"
        "plus,Plus plan,true,,,\n"
        "premium,Premium plan,true,legacy,,plus\n"
        "metal,Metal plan,true,,,premium;plus\n"
        "junior,Junior account,false,,business,\n"
        "loop,Loop plan,true,loop,,\n"
    )
    report = import_csv(kb.db, "products", path)
    assert report.added == 4 and [r.line for r in report.rejected] == [6]
    assert "names the product itself" in report.rejected[0].reason
    with kb.db.session() as s:
        attrs = {p.id: p.attributes for p in s.scalars(select(Product))}
    assert attrs["premium"] == {"replaces": ["legacy"], "upgrade_of": ["plus"]}
    assert attrs["metal"] == {"upgrade_of": ["premium", "plus"]}
    assert attrs["junior"] == {"conflicts_with": ["business"]}
    assert attrs["plus"] == {}
