"""A file with some bad rows never loses the good ones, whatever the defect.

Bad JSON, dates out of range, NaN and infinity, text no database can store (NUL,
undecodable bytes, longer than its column), a value the database refuses anyway:
the bad row is rejected with its file, line and reason, every other row lands, and
the exit status says rows were rejected. Runs on PostgreSQL too (its text columns
enforce their lengths and refuse NUL, where SQLite stores anything).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select, text

from kcrm.core.db import Database
from kcrm.core.tables import Case, Contact, Customer, Document, Interaction, Product, Purchase
from kcrm.crm.imports import import_csv
from kcrm.crm.rows import CustomerRow, ProductRow, PurchaseRow
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord
from tests.conftest import Invoke, faq

GOOD_CUSTOMERS = "id,name,country\nc1,Ada,GB\nc2,Bo,CN\n"


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def rejected_lines(report: object) -> dict[int, str]:
    return {r.line: r.reason for r in report.rejected}  # type: ignore[attr-defined]


def purchases_csv(tmp_path: Path) -> Path:
    rows = [
        b"customer_id,product_id,purchased_at,quantity,unit_price,channel",
        b"c1,p1,2026-01-05,1,10,web",  # 2 good
        b"c1,p1,0001-01-01,1,10,web",  # 3 before 1900
        b"c1,p1,2999-01-01,1,10,web",  # 4 centuries ahead
        b"c1,p1,2026-01-06,1,nan,web",  # 5 NaN price
        b"c1,p1,2026-01-07,inf,10,web",  # 6 infinite quantity
        b"c1,p1,2026-01-08,1,1e400,web",  # 7 a price no float holds
        b"c1,p1,2026-01-09,1,10,w\xffb",  # 8 not UTF-8
        b"c1,p1,2026-01-10,1,10,w\x00b",  # 9 NUL
        b"c1,p1,2026-01-11,1,10," + b"x" * 40,  # 10 longer than the column (32)
        b"c2,p1,2026-01-12,2,10,app",  # 11 good
        b"c2,p1,2026-01-13T09:30:00,1,10,app",  # 12 good: no time zone, read as UTC
    ]
    return write(tmp_path / "purchases.csv", b"\n".join(rows) + b"\n")


def test_purchases_with_every_kind_of_bad_row(kb: KnowledgeBase, tmp_path: Path) -> None:
    import_csv(kb.db, "customers", write(tmp_path / "c.csv", GOOD_CUSTOMERS))
    import_csv(kb.db, "products", write(tmp_path / "p.csv", "id,name\np1,Card\n"))
    report = import_csv(kb.db, "purchases", purchases_csv(tmp_path))
    reasons = rejected_lines(report)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "before 1900" in reasons[3] and "future" in reasons[4]
    assert "finite" in reasons[5] and "finite" in reasons[6] and "finite" in reasons[7]
    assert "UTF-8" in reasons[8] and "NUL" in reasons[9] and "channel" in reasons[10]
    assert report.added == 3
    with kb.db.session() as s:
        times = sorted(s.scalars(select(Purchase.purchased_at)))
    assert len(times) == 3 and times[-1].isoformat() == "2026-01-13T09:30:00+00:00"


def test_customers_longer_than_their_columns(kb: KnowledgeBase, tmp_path: Path) -> None:
    long_country = "X" * 65
    csv = f"id,name,country,email\nc1,Ada,GB,a@x.io\nc2,Bo,{long_country},b@x.io\nc3,Cy,CN,\n"
    report = import_csv(kb.db, "customers", write(tmp_path / "c.csv", csv))
    assert list(rejected_lines(report)) == [3] and "country" in report.rejected[0].reason
    assert report.added == 2


@contextmanager
def refusing(db: Database, table: str, column: str, value: str) -> Iterator[None]:
    """Make the database itself refuse rows whose `column` is `value` (a trigger or check)."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                    f"WHEN NEW.{column} = '{value}' "
                    "BEGIN SELECT RAISE(ABORT, 'this value cannot be stored'); END"
                )
            )
        else:
            conn.execute(
                text(f"ALTER TABLE {table} ADD CONSTRAINT refuse CHECK ({column} <> '{value}')")
            )
    yield


def test_a_row_the_database_refuses_does_not_take_its_batch_down(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    names = [f"c{i},Name {i}" for i in range(50)]
    names[31] = "c31,boom"
    with refusing(kb.db, "customers", "name", "boom"):
        report = import_csv(
            kb.db, "customers", write(tmp_path / "c.csv", "id,name\n" + "\n".join(names))
        )
    assert list(rejected_lines(report)) == [33]  # the header is line 1
    assert "database refused" in report.rejected[0].reason
    assert report.added == 49
    with kb.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 49


def test_knowledge_files_keep_their_good_rows(kb: KnowledgeBase, tmp_path: Path) -> None:
    good = [faq(f"ok-{i}", f"Good {i}", f"Answer number {i}.") for i in range(3)]
    jsonl = write(
        tmp_path / "k.jsonl",
        b"\n".join(
            [
                json.dumps(good[0]).encode(),
                b"{not json",
                json.dumps({**good[1], "id": "old", "created_at": "0001-01-01"}).encode(),
                json.dumps({**good[1], "id": "nul", "body": "a\u0000b"}).encode(),
                json.dumps({**good[1], "id": "bad-utf8"}).encode()[:-2] + b'\xff"}',
                json.dumps({**good[1], "id": "long", "product_ids": ["p" * 129]}).encode(),
                json.dumps(good[1]).encode(),
            ]
        ),
    )
    as_json = write(
        tmp_path / "k.json",
        b'[{"id": "ok-2", "kind": "faq", "body": "fine"},'
        b' {"id": "x", "kind": "faq", "body": "caf\xe9"}]',
    )
    as_csv = write(
        tmp_path / "k.csv",
        b"id,kind,body,created_at\nc-ok,faq,fine,2026-01-01\nc-bad,faq,b\xe9d,\n"
        b"c-late,faq,late,3000-01-01\nc-naive,faq,naive,2026-01-01T10:00:00\n",
    )
    report = kb.ingest_files([jsonl, as_json, as_csv])
    where = sorted((Path(r.file).name, r.line) for r in report.rejected)
    assert where == [
        ("k.csv", 3),
        ("k.csv", 4),
        ("k.json", 2),
        ("k.jsonl", 2),
        ("k.jsonl", 3),
        ("k.jsonl", 4),
        ("k.jsonl", 5),
        ("k.jsonl", 6),
    ], report.rejected
    assert report.added == 5
    with kb.db.session() as s:
        naive = s.get(Document, "c-naive")
        assert naive is not None and naive.created_at.isoformat() == "2026-01-01T10:00:00+00:00"


def test_a_record_the_database_refuses_is_rejected_alone(kb: KnowledgeBase, tmp_path: Path) -> None:
    records = [faq(f"r-{i}", f"Title {i}", f"Body {i}") for i in range(20)]
    records[7]["id"] = "boom"
    src = write(tmp_path / "k.jsonl", "\n".join(json.dumps(r) for r in records))
    with refusing(kb.db, "documents", "id", "boom"):
        report = kb.ingest_files([src])
    assert [(r.line, "database refused" in r.reason) for r in report.rejected] == [(8, True)]
    assert report.added == 19
    assert kb.status()["documents"] == 19 and kb.status()["consistent"]


def test_cli_summarises_rejections_and_counts_them_at_the_top(cli: Invoke, tmp_path: Path) -> None:
    lines = "\n".join(f"u{i},p1,2026-01-0{1 + i % 9}" for i in range(30))
    src = write(tmp_path / "orders.csv", "customer_id,product_id,purchased_at\n" + lines)
    code, out = cli("import", "purchases", str(src), "--json")
    data = json.loads(out)
    assert code == 2
    assert data["rejected"] == 30 and data["tables"]["purchases"]["rejected"] == 30
    assert len(data["rejections"]) == 20  # the first ones; all are counted by reason
    assert list(data["rejected_by_reason"].values()) == [30]
    code, out = cli("import", "purchases", str(src), "--json", "--show-rejections", "3")
    assert [r["line"] for r in json.loads(out)["rejections"]] == [2, 3, 4]


def test_unsupported_file_types_are_reported(cli: Invoke, tmp_path: Path) -> None:
    sheet = write(tmp_path / "customers.xlsx", b"PK\x03\x04 not a csv")
    code, _ = cli("import", "customers", str(sheet))
    assert code == 2
    code, out = cli("ingest", str(sheet), "--json")
    data = json.loads(out)
    assert code == 2 and data["rejected"] == 1
    assert "unsupported file type" in data["rejections"][0]["reason"]


def max_length(model: type[BaseModel], name: str) -> int | None:
    """A field's bound on its text (or on each item of a list of text), from its schema."""
    prop = model.model_json_schema()["properties"][name]
    for node in [prop, *prop.get("anyOf", [])]:
        node = node.get("items", node)
        if "maxLength" in node:
            return int(node["maxLength"])
    return None


@pytest.mark.parametrize(
    ("model", "table", "fields"),
    [
        (
            CustomerRow,
            Customer,
            {
                "id": "id",
                "name": "name",
                "country": "country",
                "city": "city",
                "segment": "segment",
            },
        ),
        (CustomerRow, Contact, {"email": "value", "phone": "value"}),
        (ProductRow, Product, {"id": "id", "name": "name", "category": "category"}),
        (
            PurchaseRow,
            Purchase,
            {
                "customer_id": "customer_id",
                "product_id": "product_id",
                "order_id": "order_id",
                "channel": "channel",
            },
        ),
        (
            KnowledgeRecord,
            Document,
            {
                "id": "id",
                "category": "category",
                "article_id": "article_id",
                "customer_id": "customer_id",
                "language": "language",
            },
        ),
        (
            KnowledgeRecord,
            Case,
            {"product_ids": "product_id", "agent": "assignee", "queue": "queue"},
        ),
        (KnowledgeRecord, Interaction, {"case_id": "case_id"}),
    ],
)
def test_rows_are_checked_against_the_columns_they_go_to(
    model: type[BaseModel], table: type, fields: dict[str, str]
) -> None:
    for field, column in fields.items():
        limit = table.__table__.c[column].type.length
        bound = max_length(model, field)
        assert bound is not None and bound <= limit, (model.__name__, field, bound, limit)
