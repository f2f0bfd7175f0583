"""`kcrm customers add|edit|find|show|merge` and `kcrm report service`: the help desk's CRM."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from kcrm.cli.common import JsonOpt, cli_actor, emit, err, fail, open_db, out
from kcrm.core.db import Database
from kcrm.core.errors import Conflict, NotFound
from kcrm.crm import profiles
from kcrm.crm.customers import customer_view
from kcrm.crm.merge import merge_customers
from kcrm.crm.service_report import service_report

customers_app = typer.Typer(
    help="Customers: add, edit, find, show and merge duplicates.", no_args_is_help=True
)

Email = Annotated[
    list[str] | None, typer.Option("--email", help="repeat for more; first is primary")
]
Phone = Annotated[
    list[str] | None, typer.Option("--phone", help="repeat for more; first is primary")
]
Attr = Annotated[
    list[str] | None, typer.Option("--attr", help="custom attribute KEY=VALUE (KEY= removes it)")
]
Consent = Annotated[bool | None, typer.Option(help="may be contacted this way")]


@contextmanager
def _db() -> Iterator[Database]:
    db = open_db()
    try:
        yield db
    except NotFound as exc:
        raise fail(str(exc)) from None
    except Conflict as exc:
        raise fail(str(exc)) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    finally:
        db.dispose()


def _attributes(pairs: list[str] | None) -> dict[str, Any] | None:
    if not pairs:
        return None
    attributes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"--attr wants KEY=VALUE, got {pair!r}", 2)
        attributes[key.strip()] = value if value else None
    return attributes


def _fields(
    name: str | None,
    email: list[str] | None,
    phone: list[str] | None,
    consents: tuple[bool | None, bool | None, bool | None],
    attrs: list[str] | None,
    **profile: Any,
) -> profiles.CustomerFields:
    # One value sets the primary of its kind; several replace that kind's contacts.
    several = [(k, v) for k, v in (("email", email or []), ("phone", phone or [])) if len(v) > 1]
    contacts = [profiles.ContactIn(k, x, i == 0) for k, v in several for i, x in enumerate(v)]
    return profiles.CustomerFields(
        name=name,
        email=email[0] if email and len(email) == 1 else None,
        phone=phone[0] if phone and len(phone) == 1 else None,
        contacts=contacts or None,
        consent_email=consents[0],
        consent_phone=consents[1],
        consent_marketing=consents[2],
        attributes=_attributes(attrs),
        **profile,
    )


def _show(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        emit(data)
        return
    err.print(title)
    for key in ("id", "name", "email", "phone", "country", "city", "segment"):
        if data.get(key):
            out.print(f"  {key}: {data[key]}")
    consent = [k.removeprefix("consent_") for k in profiles.CONSENTS if data.get(k)]
    out.print(f"  consent: {', '.join(consent) or 'none'}")
    if data.get("possible_duplicates"):
        err.print(f"possible duplicates: {', '.join(data['possible_duplicates'])}")


@customers_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the customer's name")],
    customer_id: Annotated[str | None, typer.Option("--id", help="default: generated")] = None,
    email: Email = None,
    phone: Phone = None,
    country: str | None = None,
    city: str | None = None,
    segment: str | None = None,
    consent_email: Consent = None,
    consent_phone: Consent = None,
    consent_marketing: Consent = None,
    attr: Attr = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a customer; exits 1 if the id is taken."""
    f = _fields(
        name,
        email,
        phone,
        (consent_email, consent_phone, consent_marketing),
        attr,
        country=country,
        city=city,
        segment=segment,
    )
    with _db() as db:
        data = profiles.create_customer(db, f, customer_id)
    _show(data, as_json, f"created {data['id']}")


@customers_app.command("edit")
def edit(
    customer_id: Annotated[str, typer.Argument()],
    name: str | None = None,
    email: Email = None,
    phone: Phone = None,
    country: str | None = None,
    city: str | None = None,
    segment: str | None = None,
    consent_email: Consent = None,
    consent_phone: Consent = None,
    consent_marketing: Consent = None,
    attr: Attr = None,
    as_json: JsonOpt = False,
) -> None:
    """Change what is given: one --email/--phone sets the primary, several replace that kind."""
    f = _fields(
        name,
        email,
        phone,
        (consent_email, consent_phone, consent_marketing),
        attr,
        country=country,
        city=city,
        segment=segment,
    )
    with _db() as db:
        data = profiles.update_customer(db, customer_id, f)
    _show(data, as_json, f"updated {data['id']}")


@customers_app.command("find")
def find(
    query: Annotated[str, typer.Argument(help="name, email or phone, typed any way")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Customers whose name, email or phone matches, by name."""
    with _db() as db:
        page = profiles.find_customers(db, query, limit, offset)
    if as_json:
        emit(page)
        return
    table = Table("id", "name", "email", "phone", "city")
    for c in page["items"]:
        table.add_row(c["id"], c["name"], c["email"] or "", c["phone"] or "", c["city"] or "")
    out.print(table)
    err.print(f"{len(page['items'])} of {page['total']}")


@customers_app.command("show")
def show(customer_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """The customer's 360° view (as `GET /v1/customers/{id}`)."""
    with _db() as db:
        view = customer_view(db, customer_id)
    if view is None:
        raise fail(f"no customer with id {customer_id!r}")
    if as_json:
        emit(view)
        return
    p = view["profile"]
    reach = " ".join(p.get(k) or "" for k in ("email", "phone"))
    out.print(f"[bold]{p['name']}[/] ({view['customer_id']}) {reach}")
    out.print(", ".join(f"{k}: {v}" for k, v in view["totals"].items()))


@customers_app.command("merge")
def merge(
    keep_id: Annotated[str, typer.Argument(help="the customer kept")],
    duplicate_id: Annotated[str, typer.Argument(help="the duplicate merged into it")],
    as_json: JsonOpt = False,
) -> None:
    """Merge a duplicate: its cases, interactions, purchases, contacts and records move."""
    with _db() as db:
        result = merge_customers(db, keep_id, duplicate_id, cli_actor())
    if as_json:
        emit(result)
        return
    moved = ", ".join(f"{n} {k}" for k, n in result["moved"].items() if n)
    err.print(f"merged {duplicate_id} into {keep_id}: moved {moved or 'nothing'}")


def service(
    days: Annotated[int | None, typer.Option(min=1, help="cases opened in the last N days")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Call-centre figures per channel and queue: volume, response and resolution times."""
    with _db() as db:
        data = service_report(db, days)
    if as_json:
        emit(data)
        return
    for title, groups in (("channel", data["channels"]), ("queue", data["queues"])):
        table = Table(
            title,
            "cases",
            "open",
            "overdue",
            "1st reply h (p50/p90)",
            "resolved h (p50/p90)",
            "reopened",
        )
        for name, f in groups.items():
            table.add_row(
                name,
                str(f["cases"]),
                str(f["open"]),
                str(f["overdue"]),
                _pair(f["first_response_hours"]),
                _pair(f["resolution_hours"]),
                "" if f["reopen_rate"] is None else f"{f['reopen_rate']:.0%}",
            )
        out.print(table)
    t = data["triage"]
    err.print(f"triage: {t['proposed']} proposed, {t['overridden']} overridden")


def _pair(h: dict[str, Any]) -> str:
    return "" if h["median"] is None else f"{h['median']} / {h['p90']}"


def register(app: typer.Typer, report_app: typer.Typer) -> None:
    """Add `kcrm customers ...` and `kcrm report service`."""
    app.add_typer(customers_app, name="customers")
    report_app.command("service")(service)
