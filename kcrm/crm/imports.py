"""`kcrm import customers|products|purchases FILE.csv`: CRM tables from CSV, upserted by key.

Column formats are in docs/formats.md; the row models that check them, in `crm/rows`.
Every bad row is rejected with its line and reason; good rows in the same file still
land. Values are checked against the columns they go to before anything is written
(lengths, dates, finite amounts, text a database can store), and a row the database
refuses all the same is found and rejected alone (`write_or_bisect`), so it never
takes its batch down.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from kcrm.core.db import Database, write_or_bisect
from kcrm.core.tables import Contact, Customer, Product, Purchase
from kcrm.crm import directory
from kcrm.crm.profiles import CONSENTS
from kcrm.crm.rows import ALIASES, CustomerRow, ProductRow, PurchaseRow
from kcrm.knowledge.records import IngestReport, Rejection, describe, read_csv_rows

Table = Literal["customers", "products", "purchases"]
CSV_SUFFIXES = (".csv",)
ProgressFn = Callable[[int], None]
BATCH = 2000


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
            data = {ALIASES.get(k, k): v for k, v in data.items()}
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
                country = db.settings.phone_country_code
                _write_customers(s, source, list(rows), attempt, country)
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


def _write_customers(
    s: Session, source: str, batch: list[tuple[int, Any]], report: IngestReport, country: str
) -> None:
    rows = _latest(batch, lambda r: r.id)
    existing = {
        c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_([r.id for _, r in rows])))
    }
    written: list[Customer] = []
    for line, row in rows:
        cust = existing.get(row.id)
        if cust is not None and cust.merged_into:
            reason = f"id: customer {row.id!r} was merged into {cust.merged_into!r}; use that id"
            report.rejected.append(Rejection(source, line, reason))
            continue
        data = row.model_dump()
        h = _hash(data)
        if not _count(report, cust.content_hash if cust else None, h):
            continue
        if cust is None:
            cust = Customer(id=row.id, contacts=[])
            s.add(cust)
        cust.name, cust.country, cust.city = row.name, row.country, row.city
        cust.segment, cust.joined_at, cust.content_hash = row.segment, row.joined_at, h
        cust.attributes = dict(row.model_extra or {})
        for key in CONSENTS:
            value = getattr(row, key)
            if value is not None:
                setattr(cust, key, value)
            elif getattr(cust, key) is None:
                setattr(cust, key, False)
        contacts = list(cust.contacts)
        for kind in ("email", "phone"):
            if kind in row.model_fields_set:
                given = [
                    Contact(kind=kind, value=v, is_primary=i == 0)
                    for i, v in enumerate(getattr(row, kind))
                ]
                contacts = [c for c in contacts if c.kind != kind] + given
        cust.contacts = contacts
        written.append(cust)
    s.flush()  # new customers first: their search terms refer to them
    directory.write_terms(
        s,
        [
            (
                c.id,
                directory.customer_terms(
                    c.id, c.name, [(x.kind, x.value) for x in c.contacts], country
                ),
            )
            for c in written
        ],
    )


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
        links = {k: data[k] for k in ("replaces", "conflicts_with", "upgrade_of") if data[k]}
        prod.attributes = {**dict(row.model_extra or {}), **links}
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
    known = s.execute(
        select(Customer.id, Customer.merged_into).where(Customer.id.in_(customers))
    ).all()
    known_c = {cid for cid, _ in known}
    # A merged duplicate's purchases belong to the customer it was merged into.
    merged = {cid: into for cid, into in known if into}
    known_p = {p.id: p for p in s.scalars(select(Product).where(Product.id.in_(products)))}
    if create_missing:
        new = sorted(customers - known_c)
        for cid in new:
            s.add(Customer(id=cid, name=""))
        for pid in sorted(products - set(known_p)):
            known_p[pid] = Product(id=pid, name=pid)
            s.add(known_p[pid])
        s.flush()
        directory.write_terms(s, [(cid, {directory.fold(cid)}) for cid in new])
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
            merged.get(row.customer_id, row.customer_id),
            row.quantity,
            row.unit_price,
        )
        old.purchased_at, old.channel, old.content_hash = row.purchased_at, row.channel, h
