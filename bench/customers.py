"""`python -m bench.customers [--customers 1000000]`: customer search (`find`) at scale.

Builds N synthetic customers (names, an email, one or two phones each, a few Chinese
names) with their search terms, then times `kcrm.crm.profiles.find_customers` (what
`GET /v1/customers?q=` runs: count, one page of 20, their primary contacts) over a mix of
what a caller gives an agent: a phone number typed in national or international form, an
email in any case, a full name, a surname, a name half typed. For contrast it times a
few searches done the naive way (`LIKE '%...%'` over the contacts). Figures go to
stdout as JSON and, with --out, to a file; docs/benchmarks/customers.md has a run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import machine, percentiles
from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Contact, Customer, CustomerTerm
from kcrm.crm.directory import customer_terms
from kcrm.crm.profiles import find_customers

FIRST = (  # noqa: SIM905 (a word list reads better as words)
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice "
    "Harper Matilda Ruby Emilia Maya Millie Isabelle Eva Luna Jessica Aria Penelope Mila "
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy "
    "Alexander Luca Edward James Joshua Albie Elijah Max Mohammed Reggie Hudson Ezra Jude "
    "Sebastian Rory Louie Hugo Ronnie Dylan Ethan Priya Aisha Fatima Zara Amir Omar Yusuf "
    "Ibrahim Ali Hannah Sean Siobhan Niamh Aoife Ciaran Declan"
).split()
LAST = (  # noqa: SIM905 (a word list reads better as words)
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris "
    "Edwards Turner Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker "
    "Lee Allen Morris Khan Scott Watson Davis Parker James Bennett Young Phillips "
    "Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum "
    "Miller Cox Marshall Simpson Anderson Ellis Adams Wilkinson Ward Murphy Campbell "
    "Stewart MacDonald Reid Murray Graham Kennedy Hamilton Gordon Fraser Ross Ahmed "
    "Hussain Ali Shah Rahman Chowdhury Das Sharma Kaur Gill O'Brien O'Neill Ryan Byrne "
    "Doyle"
).split()
CHINESE = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
DOMAINS = ("example.com", "mail.example.org", "example.co.uk", "post.example.net")
BATCH = 20_000


def synthetic(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """N customers: id, name, email, phones (UK mobiles, some landlines, a few abroad)."""
    rng = random.Random(seed)
    people = []
    for i in range(n):
        if rng.random() < 0.05:
            name = rng.choice(CHINESE) + "".join(
                rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
            )
            local = f"user{i}"
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
            local = f"{first}.{last}{i}".lower().replace("'", "")
        phones = [f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"]
        if rng.random() < 0.2:
            phones.append(f"020 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}")
        people.append(
            {
                "id": f"cust-{i:07d}",
                "name": name,
                "email": f"{local}@{rng.choice(DOMAINS)}",
                "phones": phones,
            }
        )
    return people


def build(db: Database, people: list[dict[str, Any]], country: str) -> float:
    """Insert customers, contacts and terms in batches; returns the seconds it took."""
    start = time.perf_counter()
    for lo in range(0, len(people), BATCH):
        part = people[lo : lo + BATCH]
        customers = [{"id": p["id"], "name": p["name"], "attributes": {}} for p in part]
        contacts = [
            {"customer_id": p["id"], "kind": kind, "value": value, "is_primary": i == 0}
            for p in part
            for kind, values in (("email", [p["email"]]), ("phone", p["phones"]))
            for i, value in enumerate(values)
        ]
        terms = [
            {"term": t, "customer_id": p["id"]}
            for p in part
            for t in customer_terms(
                p["id"],
                p["name"],
                [("email", p["email"])] + [("phone", x) for x in p["phones"]],
                country,
            )
        ]
        with db.session() as s:
            s.execute(insert(Customer), customers)
            s.execute(insert(Contact), contacts)
            s.execute(insert(CustomerTerm), terms)
        print(f"built {lo + len(part):,} customers", file=sys.stderr, flush=True)
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def queries(people: list[dict[str, Any]], n: int, seed: int = 11) -> dict[str, list[str]]:
    """What callers give, per kind, for customers picked at random."""
    rng = random.Random(seed)
    picks = [rng.choice(people) for _ in range(n)]

    def national(phone: str) -> str:
        digits = phone.replace(" ", "").removeprefix("+44")
        return "0" + digits if not digits.startswith("0") else digits

    latin = [p for p in picks if " " in p["name"]]
    return {
        "phone, national form": [national(p["phones"][0]) for p in picks],
        "phone, +44 with spaces": [p["phones"][0] for p in picks],
        "email, other case": [p["email"].upper() for p in picks],
        "full name": [p["name"] for p in latin],
        "surname only": [p["name"].split()[-1] for p in latin],
        "name half typed": [p["name"][: max(4, len(p["name"]) - 3)] for p in latin],
    }


def time_find(db: Database, qs: list[str]) -> tuple[dict[str, float], list[int]]:
    samples, totals = [], []
    for q in qs:
        start = time.perf_counter()
        page = find_customers(db, q, 20, 0)
        samples.append((time.perf_counter() - start) * 1000)
        totals.append(page["total"])
    return percentiles(samples), totals


def naive(db: Database, qs: list[str]) -> dict[str, float]:
    """The same lookups as a substring scan of the contacts (what an unindexed CRM does)."""
    samples = []
    with db.session() as s:
        for q in qs:
            start = time.perf_counter()
            s.execute(
                select(Contact.customer_id)
                .where(func.lower(Contact.value).like(f"%{q.lower()}%"))
                .limit(20)
            ).all()
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.customers", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300, help="per kind of query")
    ap.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kcrm-bench-customers-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        db = Database(settings)
        db.upgrade()
        people = synthetic(args.customers)
        seconds = build(db, people, settings.phone_country_code)
        with db.session() as s:
            n_terms = s.scalar(select(func.count()).select_from(CustomerTerm)) or 0
        mix = queries(people, args.queries)
        find_customers(db, "warm up", 20, 0)
        by_kind, everything = {}, []
        for kind, qs in mix.items():
            stats, totals = time_find(db, qs)
            by_kind[kind] = {**stats, "median_matches": sorted(totals)[len(totals) // 2]}
            everything.extend(qs)
        overall, _ = time_find(db, everything)
        contrast = naive(
            db, [p["email"].split("@")[0] for p in people[:: max(1, len(people) // 20)]][:20]
        )
        size = sum(f.stat().st_size for f in Path(tmp).glob("kcrm.db*")) / 2**20
        result = {
            "customers": args.customers,
            "terms": int(n_terms),
            "database": db.engine.dialect.name,
            "build_seconds": round(seconds, 1),
            "database_mb": round(size, 1) if db.engine.dialect.name == "sqlite" else None,
            "find_overall": overall,
            "find_by_kind": by_kind,
            "naive_like_scan": contrast,
            "machine": machine(),
        }
        db.dispose()
    text_out = json.dumps(result, indent=2)
    print(text_out)
    if args.out is not None:
        args.out.write_text(text_out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
