"""`kcrm import customers|products|purchases FILE.csv`: CRM tables from CSV, upserted by key.

Column formats are in docs/formats.md. Every bad row is rejected with its line
and reason; good rows in the same file still land. Values are checked against the
columns they go to before anything is written (lengths, dates, finite amounts, text a
database can store), and a row the database refuses all the same is found and
rejected alone (`write_or_bisect`), so it never takes its batch down.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from kcrm.core.bounds import MAX_AMOUNT, MAX_QUANTITY, EventTime, refuse_unstorable
from kcrm.core.db import Database, write_or_bisect
from kcrm.core.tables import Contact, Customer, Product, Purchase
from kcrm.knowledge.records import IngestReport, Rejection, describe, read_csv_rows

Table = Literal["customers", "products", "purchases"]
CSV_SUFFIXES = (".csv",)
ProgressFn = Callable[[int], None]
BATCH = 2000

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


def parse_when(value: Any) -> Any:
    """ISO 8601 timestamps and plain dates (YYYY-MM-DD or DD-MM-YYYY) as aware UTC."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a date or ISO 8601 timestamp: {text!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return value or []


# Text as long as the column it goes to (kcrm/core/tables.py; tests check they agree).
ContactValue = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Alias = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class _Row(BaseModel):
    """What every CRM row refuses: NaN and infinity, text no database can store."""

    model_config = ConfigDict(str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        return refuse_unstorable(data)


class CustomerRow(_Row):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(default="", max_length=256)
    email: list[ContactValue] = Field(default_factory=list, max_length=20)
    phone: list[ContactValue] = Field(default_factory=list, max_length=20)
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=128)
    segment: str | None = Field(default=None, max_length=64)
    joined_at: EventTime | None = None

    _lists = field_validator("email", "phone", mode="before")(_split)
    _when = field_validator("joined_at", mode="before")(parse_when)


class ProductRow(_Row):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=256)
    category: str | None = Field(default=None, max_length=128)
    description: str = Field(default="", max_length=100_000)
    price: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    active: bool = True
    repeatable: bool = False
    aliases: list[Alias] = Field(default_factory=list, max_length=100)

    _lists = field_validator("aliases", mode="before")(_split)


class PurchaseRow(_Row):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(min_length=1, max_length=128)
    purchased_at: EventTime
    # No order id: one basket per customer and day, named `customer@date` (128 at most).
    order_id: str | None = Field(default=None, max_length=128)
    quantity: float = Field(default=1.0, gt=0, le=MAX_QUANTITY)
    unit_price: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    channel: str | None = Field(default=None, max_length=32)

    _when = field_validator("purchased_at", mode="before")(parse_when)


# Column names other exports use for the same thing (e.g. the groceries data set).
_ALIASES = {
    "member_number": "customer_id",
    "customer": "customer_id",
    "itemdescription": "product_id",
    "product": "product_id",
    "date": "purchased_at",
    "timestamp": "purchased_at",
    "order": "order_id",
    "qty": "quantity",
    "price": "unit_price",
}


def _hash(data: dict[str, Any]) -> str:
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _validated(
    rows: Iterable[tuple[int, dict[str, str] | str]],
    source: str,
    model: type[BaseModel],
    rename: bool,
) -> Iterator[tuple[int, Any]]:
    for line, row in rows:
        if isinstance(row, str):
            yield line, Rejection(source, line, row)
            continue
        data = {
            k.strip().lower(): v
            for k, v in row.items()
            if v is not None and (not isinstance(v, str) or v.strip() != "")
        }
        if rename:
            data = {_ALIASES.get(k, k): v for k, v in data.items()}
        try:
            yield line, model.model_validate(data)
        except ValidationError as exc:
            yield line, Rejection(source, line, describe(exc))


def import_csv(
    db: Database,
    table: Table,
    path: Path,
    create_missing: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Upsert one CSV file into a CRM table."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix.lower() not in CSV_SUFFIXES:
        raise ValueError(f"{path}: unsupported file type {path.suffix!r}; CRM tables are CSV")
    return import_rows(db, table, read_csv_rows(path), str(path), create_missing, progress)


def import_rows(
    db: Database,
    table: Table,
    rows: Iterable[tuple[int, Any]],
    source: str,
    create_missing: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Upsert rows given as (line or position, dict) into a CRM table."""
    models: dict[str, type[BaseModel]] = {
        "customers": CustomerRow,
        "products": ProductRow,
        "purchases": PurchaseRow,
    }
    if table not in models:
        raise ValueError(f"table must be one of {', '.join(models)}, got {table!r}")
    report = IngestReport()
    batch: list[tuple[int, Any]] = []
    for line, item in _validated(rows, source, models[table], rename=table == "purchases"):
        if isinstance(item, Rejection):
            report.rejected.append(item)
            continue
        batch.append((line, item))
        if len(batch) >= BATCH:
            _write(db, table, source, batch, create_missing, report)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        _write(db, table, source, batch, create_missing, report)
        if progress is not None:
            progress(len(batch))
    return report


def _write(
    db: Database,
    table: Table,
    source: str,
    batch: list[tuple[int, Any]],
    create_missing: bool,
    report: IngestReport,
) -> None:
    """Write a batch in one transaction; a row the database refuses is rejected alone."""

    def write(rows: Sequence[tuple[int, Any]]) -> None:
        attempt = IngestReport()  # counted only once the transaction commits
        with db.session() as s:
            # Two imports at once (API, CLI, several servers) must not both insert the same
            # new customer, product or order line: one waits, then sees the other's rows.
            db.write_lock(s)
            if table == "customers":
                _write_customers(s, list(rows), attempt)
            elif table == "products":
                _write_products(s, list(rows), attempt)
            else:
                _write_purchases(s, source, list(rows), create_missing, attempt)
        report.merge(attempt)

    def reject(row: tuple[int, Any], reason: str) -> None:
        report.rejected.append(Rejection(source, row[0], reason))

    write_or_bisect(batch, write, reject)


def _count(report: IngestReport, old_hash: str | None, new_hash: str) -> bool:
    """Count the row; True when it must be written."""
    if old_hash is None:
        report.added += 1
    elif old_hash == new_hash:
        report.unchanged += 1
        return False
    else:
        report.updated += 1
    return True


def _latest(batch: list[tuple[int, Any]], key: Callable[[Any], Any]) -> list[tuple[int, Any]]:
    """One row per key, the last one winning (a file may repeat a key to correct it)."""
    seen: dict[Any, tuple[int, Any]] = {}
    for line, row in batch:
        seen[key(row)] = (line, row)
    return list(seen.values())


def _write_customers(s: Session, batch: list[tuple[int, Any]], report: IngestReport) -> None:
    rows = _latest(batch, lambda r: r.id)
    existing = {
        c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_([r.id for _, r in rows])))
    }
    for _, row in rows:
        data = row.model_dump()
        h = _hash(data)
        cust = existing.get(row.id)
        if not _count(report, cust.content_hash if cust else None, h):
            continue
        if cust is None:
            cust = Customer(id=row.id)
            s.add(cust)
        cust.name, cust.country, cust.city = row.name, row.country, row.city
        cust.segment, cust.joined_at, cust.content_hash = row.segment, row.joined_at, h
        cust.attributes = dict(row.model_extra or {})
        cust.contacts = [
            Contact(kind="email", value=v, is_primary=i == 0) for i, v in enumerate(row.email)
        ] + [Contact(kind="phone", value=v, is_primary=i == 0) for i, v in enumerate(row.phone)]


def _write_products(s: Session, batch: list[tuple[int, Any]], report: IngestReport) -> None:
    rows = _latest(batch, lambda r: r.id)
    existing = {
        p.id: p for p in s.scalars(select(Product).where(Product.id.in_([r.id for _, r in rows])))
    }
    for _, row in rows:
        data = row.model_dump()
        h = _hash(data)
        prod = existing.get(row.id)
        if not _count(report, prod.content_hash if prod else None, h):
            continue
        if prod is None:
            prod = Product(id=row.id)
            s.add(prod)
        for key in (
            "name",
            "category",
            "description",
            "price",
            "cost",
            "active",
            "repeatable",
            "aliases",
        ):
            setattr(prod, key, data[key])
        prod.attributes = dict(row.model_extra or {})
        prod.content_hash = h


def basket_id(customer_id: str, when: datetime) -> str:
    """The order id of a customer's basket of one day (within the column's 128 characters)."""
    who = customer_id
    if len(who) > 116:  # a long id is shortened to its hash, the same one every time
        who = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"{who}@{when.date().isoformat()}"


def _write_purchases(
    s: Session,
    source: str,
    batch: list[tuple[int, Any]],
    create_missing: bool,
    report: IngestReport,
) -> None:
    for _, row in batch:
        if row.order_id is None:
            # No order id: one basket per customer and day, the way the groceries export works.
            row.order_id = basket_id(row.customer_id, row.purchased_at)
    rows = _latest(batch, lambda r: (r.order_id, r.product_id))
    customers = {r.customer_id for _, r in rows}
    products = {r.product_id for _, r in rows}
    known_c = set(s.scalars(select(Customer.id).where(Customer.id.in_(customers))))
    known_p = {p.id: p for p in s.scalars(select(Product).where(Product.id.in_(products)))}
    if create_missing:
        for cid in sorted(customers - known_c):
            s.add(Customer(id=cid, name=""))
        for pid in sorted(products - set(known_p)):
            known_p[pid] = Product(id=pid, name=pid)
            s.add(known_p[pid])
        s.flush()
        known_c = customers
    keys = [(r.order_id, r.product_id) for _, r in rows]
    existing = {
        (p.order_id, p.product_id): p
        for p in s.scalars(
            select(Purchase).where(tuple_(Purchase.order_id, Purchase.product_id).in_(keys))
        )
    }
    for line, row in rows:
        problems = []
        if row.customer_id not in known_c:
            problems.append(f"customer_id: unknown customer {row.customer_id!r}")
        if row.product_id not in known_p:
            problems.append(f"product_id: unknown product {row.product_id!r}")
        if problems:
            report.rejected.append(
                Rejection(source, line, "; ".join(problems) + " (use --create-missing to add them)")
            )
            continue
        if row.unit_price is None:
            row.unit_price = known_p[row.product_id].price
        h = _hash(row.model_dump())
        old = existing.get((row.order_id, row.product_id))
        if not _count(report, old.content_hash if old else None, h):
            continue
        if old is None:
            old = Purchase(order_id=row.order_id, product_id=row.product_id)
            s.add(old)
        old.customer_id, old.quantity, old.unit_price = (
            row.customer_id,
            row.quantity,
            row.unit_price,
        )
        old.purchased_at, old.channel, old.content_hash = row.purchased_at, row.channel, h
