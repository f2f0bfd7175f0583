#!/usr/bin/env python3
"""Build the Kestrel Bank demo corpus for kcrm (deterministic).

Kestrel Bank is fictional. Customer wording in cases comes from Banking77
(Casanueva et al. 2020, CC BY 4.0); everything else is written or generated here
from the data modules next to this script (_faqs, _zh, _articles, _cases_text,
_catalog).

    python corpus/build.py [--banking77 PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep corpus/ free of __pycache__

import _articles  # noqa: E402
import _cases_text  # noqa: E402
import _catalog  # noqa: E402
import _categories  # noqa: E402
import _faqs  # noqa: E402
import _zh  # noqa: E402

SEED = 20251101
LINKS = ("replaces", "conflicts_with", "upgrade_of")  # product rules, in column order
START = datetime(2025, 11, 1)
END = datetime(2026, 10, 31, 23, 59)
# The shared data sets sit beside the project root (see README).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_BANKING77 = SHARED_DATA / "banking77" / "train.csv"
CASES_PER_INTENT = 8
N_CUSTOMERS = 300
N_DORMANT = 6
N_PII_CASES = 15
HELP_POINTS = ["London Shoreditch", "Manchester", "Edinburgh", "Dublin"]
AMOUNTS = [12, 25, 40, 60, 85, 120, 250, 400]  # base amounts for case details
TEST_CARD_NUMBERS = [
    "4111 1111 1111 1111",
    "4000 0566 5566 5556",
    "5555 5555 5555 4444",
    "4242 4242 4242 4242",
]

PLAN_PRODUCT = {
    "Plus": "prod-plus-plan",
    "Premium": "prod-premium-plan",
    "Metal": "prod-metal-plan",
    "Business Grow": "prod-business-grow-plan",
}
FX_ALLOWANCE = {
    "Standard": "GBP 1,000",
    "Plus": "GBP 3,000",
    "Premium": "unlimited",
    "Metal": "unlimited",
    "Business Grow": "GBP 10,000",
}
ATM_ALLOWANCE = {
    "Standard": "GBP 200",
    "Plus": "GBP 400",
    "Premium": "GBP 600",
    "Metal": "GBP 800",
    "Business Grow": "GBP 400",
}
PRICES = {p[0]: p[4] for p in _catalog.PRODUCTS}


# ---------------------------------------------------------------- helpers


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def faq_id(intent: str) -> str:
    return "faq-" + slug(intent)


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]+", "", text.encode("ascii", "ignore").decode().lower())


def rand_time(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A random moment between lo and hi, nudged into 07:00-22:59."""
    ts = lo + timedelta(seconds=rng.randrange(max(1, int((hi - lo).total_seconds()))))
    if not 7 <= ts.hour <= 22:
        ts = ts.replace(hour=rng.randint(8, 21))
    return min(max(ts, lo), hi).replace(microsecond=0)


def monthly(anchor_day: int, lo: datetime, hi: datetime) -> list[datetime]:
    """Dates on anchor_day of each month from lo to hi (inclusive)."""
    out: list[datetime] = []
    y, m = lo.year, lo.month
    while True:
        d = datetime(y, m, min(anchor_day, 28), 9, 0)
        if d > hi:
            return out
        if d >= lo:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def consents(customer_id: str) -> tuple[bool, bool, bool]:
    """(e-mail, phone, marketing) consent, from a hash of the id: drawing them from the
    generator would shift every random choice after the customers. About 85% agree to
    e-mail, 55% to phone calls and 75% to marketing (through a channel they agreed to)."""
    h = int(hashlib.sha256(customer_id.encode()).hexdigest(), 16)
    email, phone = h % 100 < 85, (h // 100) % 100 < 55
    return email, phone, (h // 10_000) % 100 < 75 and (email or phone)


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# ---------------------------------------------------------------- inputs


def load_banking77(path: Path) -> tuple[list[str], dict[str, list[tuple[int, str]]]]:
    """Intents (file order of categories.json when present) and (row, text) per intent."""
    by_intent: dict[str, list[tuple[int, str]]] = defaultdict(list)
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            text = " ".join(row["text"].split())
            if text.lower() in seen or len(text) < 12:
                continue
            seen.add(text.lower())
            by_intent[row["category"]].append((i, text))
    cats = path.parent / "categories.json"
    intents = json.loads(cats.read_text()) if cats.exists() else sorted(by_intent)
    missing = [i for i in intents if i not in _cases_text.CASE_TEXT]
    if missing:
        raise SystemExit(f"no resolution template for intents: {missing}")
    return intents, by_intent


# ---------------------------------------------------------------- knowledge


def build_faqs() -> list[dict]:
    base = {"kind": "faq", "visibility": "public", "status": "published"}
    out = [
        dict(id=faq_id(i), **base, title=t, body=b, category=i, tags=tags, language="en")
        for i, t, b, tags in _faqs.FAQS_EN
    ]
    out += [
        dict(id=fid, **base, title=t, body=b, category=c, tags=tags, language="en")
        for fid, c, t, b, tags in _faqs.FAQS_LOANS_EN
    ]
    out += [
        dict(id=fid, **base, title=t, body=b, category=c, tags=tags, language="zh")
        for fid, c, t, b, tags in _zh.FAQS_ZH
    ]
    for f in _faqs.FAQS_UNPUBLISHED_EN:
        out.append(
            {
                "id": f["id"],
                **base,
                "status": f["status"],
                "title": f["title"],
                "body": f["body"],
                "category": f["category"],
                "tags": f["tags"],
                "language": "en",
            }
        )
    return out


def write_articles(folder: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    for a in _articles.ARTICLES:
        front = [
            "---",
            f"id: {a['id']}",
            "kind: article",
            f"title: {json.dumps(a['title'], ensure_ascii=False)}",
            f"visibility: {a['visibility']}",
            f"category: {a['category']}",
            f"tags: {json.dumps(a['tags'], ensure_ascii=False)}",
            f"language: {a['language']}",
            "---",
            "",
        ]
        (folder / f"{a['id']}.md").write_text("\n".join(front) + a["body"], encoding="utf-8")
    return _articles.ARTICLES


# ---------------------------------------------------------------- customers


@dataclass
class Customer:
    id: str
    name: str
    first: str
    email: str
    phone: str
    country: str
    city: str
    segment: str
    joined: datetime
    plan: str = "Standard"
    personas: set[str] = field(default_factory=set)
    activity: float = 1.0
    holdings: set[str] = field(default_factory=set)

    @property
    def account(self) -> str:
        return "prod-business-account" if self.segment == "business" else "prod-current-account"

    @property
    def card(self) -> str:
        return (
            "prod-metal-card"
            if "prod-metal-card" in self.holdings or self.plan == "Metal"
            else "prod-standard-card"
        )


PERSONA_ODDS = {  # segment -> persona -> probability
    "retail": {
        "traveller": 0.40,
        "gadget": 0.10,
        "investor": 0.20,
        "crypto": 0.15,
        "borrower": 0.15,
        "family": 0.12,
    },
    "premium": {
        "traveller": 0.65,
        "gadget": 0.40,
        "investor": 0.50,
        "crypto": 0.15,
        "borrower": 0.05,
        "family": 0.20,
    },
    "business": {"traveller": 0.30, "investor": 0.10, "borrower": 0.10},
}
PLAN_ODDS = {
    "retail": [("Standard", 0.70), ("Plus", 0.20), ("Premium", 0.08), ("Metal", 0.02)],
    "premium": [("Plus", 0.10), ("Premium", 0.55), ("Metal", 0.35)],
    "business": [("Standard", 0.30), ("Business Grow", 0.70)],
}


def pick(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def build_customers(rng: random.Random) -> list[Customer]:
    weights = [pool[1] for pool in _catalog.NAME_POOLS]
    phones = rng.sample(range(1000), N_CUSTOMERS)
    emails: set[str] = set()
    out: list[Customer] = []
    for n in range(N_CUSTOMERS):
        country, _, firsts, lasts, cities = rng.choices(_catalog.NAME_POOLS, weights)[0]
        first, last = rng.choice(firsts), rng.choice(lasts)
        segment = rng.choices(["retail", "premium", "business"], [74, 18, 8])[0]
        if segment == "business":
            name = f"{last} {rng.choice(_catalog.BUSINESS_WORDS)} Ltd"
            local = "hello." + ascii_fold(name.removesuffix(" Ltd"))
        else:
            name = f"{first} {last}"
            local = f"{ascii_fold(first)}.{ascii_fold(last)}"
        email, k = f"{local}@example.com", 2
        while email in emails:
            email, k = f"{local}{k}@example.com", k + 1
        emails.add(email)
        if rng.random() < 0.15:
            joined = rand_time(rng, START, datetime(2026, 9, 30))
        else:
            joined = rand_time(rng, datetime(2018, 3, 1), datetime(2025, 10, 31))
        c = Customer(
            id=f"cust-{n + 1:04d}",
            name=name,
            first=first,
            email=email,
            phone=f"+44 7700 900{phones[n]:03d}",
            country=country,
            city=rng.choice(cities),
            segment=segment,
            joined=joined.replace(hour=0, minute=0, second=0),
        )
        c.plan = pick(rng, PLAN_ODDS[segment])
        c.personas = {p for p, odds in PERSONA_ODDS[segment].items() if rng.random() < odds}
        c.activity = min(4.0, rng.lognormvariate(0, 0.7))
        out.append(c)
    for c in rng.sample([c for c in out if c.joined < START and c.segment == "retail"], N_DORMANT):
        c.plan, c.personas, c.activity = (
            "Standard",
            set(),
            0.0,
        )  # customers with no purchases this year
    return out


# ---------------------------------------------------------------- purchases


Line = str | tuple[str, int] | tuple[str, int, float]  # product, or (product, qty[, price])


class Orders:
    """Collects purchase orders; one order = one moment, one customer, several lines."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items: list[tuple[datetime, str, list[tuple[str, int, float]], str]] = []

    def add(
        self, c: Customer, when: datetime, lines: Sequence[Line], channel: str | None = None
    ) -> None:
        when = min(max(when, c.joined, START), END)
        if when.hour == 0 and when.minute == 0:  # a bare date: give it a plausible time of day
            when = when.replace(hour=self.rng.randint(8, 21), minute=self.rng.randint(0, 59))
        norm = [
            (p, 1, PRICES[p])
            if isinstance(p, str)
            else (p[0], p[1], p[2] if len(p) > 2 else PRICES[p[0]])
            for p in lines
        ]
        if not norm:
            return
        if channel is None:
            odds = (
                [("app", 60), ("web", 30), ("phone", 6), ("branch", 4)]
                if c.segment == "business"
                else [("app", 76), ("web", 14), ("phone", 6), ("branch", 4)]
            )
            channel = pick(self.rng, odds)
        self.items.append((when, c.id, norm, channel))
        c.holdings.update(p for p, _, _ in norm)

    def rows(self) -> list[list]:
        rows: list[list] = []
        for n, (when, cid, lines, channel) in enumerate(
            sorted(self.items, key=lambda o: (o[0], o[1]))
        ):
            for pid, qty, price in lines:
                rows.append([f"ord-{n + 1:06d}", cid, pid, qty, f"{price:.2f}", iso(when), channel])
        return rows


def trip_date(rng: random.Random, lo: datetime) -> datetime:
    month = rng.choices(range(1, 13), [4, 3, 4, 7, 6, 8, 12, 12, 6, 5, 3, 8])[0]
    year = 2025 if month >= 11 else 2026
    d = datetime(year, month, rng.randint(1, 28), rng.randint(8, 22), rng.randint(0, 59))
    return d if d >= lo else rand_time(rng, lo, END)


def build_purchases(rng: random.Random, customers: list[Customer]) -> list[list]:
    orders = Orders(rng)
    cashback = set(
        c.id
        for c in rng.sample(
            [
                c
                for c in customers
                if c.segment == "retail"
                and c.plan == "Standard"
                and c.joined < START
                and c.activity > 0
                and "gadget" not in c.personas
            ],
            10,
        )
    )
    legacy = set(
        c.id
        for c in rng.sample([c for c in customers if c.plan == "Premium" and c.joined < START], 8)
    )
    for c in customers:
        if c.joined < START:  # owned before the window: not purchase lines, but relevant to cases
            c.holdings.update({c.account, "prod-standard-card"})
        if c.activity == 0:
            continue
        lo = max(START, c.joined)
        act = c.activity
        subs: list[tuple[str, datetime, datetime]] = []  # (product, first purchase, last renewal)
        if c.joined >= START:
            lines: list[Line] = [c.account, "prod-standard-card"]
            lines += [
                p
                for p, q in [
                    ("prod-virtual-card", 0.6),
                    ("prod-round-ups", 0.25),
                    ("prod-express-delivery", 0.15),
                ]
                if rng.random() < q
            ]
            if c.country != "GB" and rng.random() < 0.6:
                lines.append("prod-euro-iban")
            orders.add(c, lo, lines)
        # plans, with the occasional upgrade during the year and churn
        plan_start = lo
        if c.plan in ("Standard", "Plus") and c.segment == "retail" and "gadget" in c.personas:
            c.plan, plan_start = "Premium", rand_time(rng, lo, END - timedelta(days=60))
        elif c.plan != "Standard" and c.joined < START and rng.random() < 0.12:
            plan_start = rand_time(
                rng, lo, END - timedelta(days=60)
            )  # upgraded from Standard this year
        plan_end = (
            END if rng.random() > 0.06 else rand_time(rng, plan_start + timedelta(days=60), END)
        )
        if c.id in legacy:
            subs.append(("prod-legacy-premium-plan", lo, datetime(2026, 1, 31)))
            subs.append(
                (
                    "prod-premium-plan",
                    datetime(2026, 2, c.joined.day if c.joined.day <= 28 else 28, 9),
                    plan_end,
                )
            )
        elif c.plan in PLAN_PRODUCT:
            subs.append((PLAN_PRODUCT[c.plan], plan_start, plan_end))
        if c.id in cashback:
            subs.append(("prod-cashback-card", lo, datetime(2026, 1, 31)))
            subs.append(("prod-plus-plan", datetime(2026, 2, min(c.joined.day, 28), 9), END))
            c.plan = "Plus"
        if c.plan == "Metal":
            c.holdings.add("prod-metal-card")
        if "gadget" in c.personas:
            subs.append(
                (
                    "prod-gadget-insurance",
                    plan_start
                    if c.joined >= START or plan_start > lo
                    else rand_time(rng, lo, END - timedelta(days=30)),
                    END,
                )
            )
        if "investor" in c.personas:
            t = rand_time(rng, lo, END - timedelta(days=30))
            orders.add(
                c,
                t,
                ["prod-savings-vault"]
                + [
                    p
                    for p, q in [("prod-fixed-saver", 0.3), ("prod-cash-isa", 0.3)]
                    if rng.random() < q
                ],
            )
            t2 = t + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 8))
            invest = [
                p
                for p, q in [("prod-stocks", 0.7), ("prod-stocks-isa", 0.5), ("prod-gold", 0.3)]
                if rng.random() < q
            ]
            orders.add(c, t2, invest or ["prod-stocks"])
            if "prod-stocks-isa" in invest:
                subs.append(("prod-stocks-isa", t2 + timedelta(days=30), END))
            for _ in range(int(rng.expovariate(1 / (4 * act)))):
                orders.add(
                    c,
                    rand_time(rng, t2, END),
                    [rng.choices(["prod-stocks", "prod-gold"], [4, 1])[0]],
                )
        elif rng.random() < 0.15:
            orders.add(c, rand_time(rng, lo, END), ["prod-savings-vault"])
        if "crypto" in c.personas:
            for _ in range(1 + int(rng.expovariate(1 / (6 * act)))):
                orders.add(c, rand_time(rng, lo, END), [("prod-crypto", 1)])
        if "borrower" in c.personas:
            t = rand_time(rng, lo, END - timedelta(days=20))
            lines = ["prod-personal-loan"] if rng.random() < 0.7 else ["prod-overdraft"]
            if rng.random() < 0.4:
                lines.append("prod-credit-builder")
                subs.append(("prod-credit-builder", t + timedelta(days=30), END))
            orders.add(c, t, lines)
        if "family" in c.personas:
            family: list[tuple[Line, float]] = [
                (("prod-junior-account", rng.randint(1, 2)), 0.7),
                ("prod-joint-account", 0.4),
                ("prod-spare-card", 0.3),
            ]
            lines = [p for p, q in family if rng.random() < q]
            orders.add(c, rand_time(rng, lo, END), lines or ["prod-junior-account"])
        if "traveller" in c.personas:
            annual = c.segment == "premium" and rng.random() < 0.35
            trips = sorted(
                trip_date(rng, lo) for _ in range(min(7, 1 + int(rng.expovariate(1 / (1.6 * act)))))
            )
            for k, t in enumerate(trips):
                lines = []  # one trip
                if annual and k == 0:
                    lines.append("prod-annual-travel-insurance")
                elif not annual and rng.random() < 0.85:
                    lines.append("prod-travel-insurance")
                if rng.random() < (
                    0.8 if c.plan in ("Standard", "Plus", "Business Grow") else 0.15
                ):
                    lines.append(("prod-fx-pack", rng.choices([1, 2], [5, 1])[0]))
                if rng.random() < 0.45:
                    lines.append("prod-travel-esim")
                if rng.random() < 0.3:
                    lines.append("prod-car-hire-excess")
                if (
                    k == 0
                    and c.card != "prod-metal-card"
                    and rng.random() < (0.5 if c.segment == "premium" else 0.25)
                ):
                    promo = t.month == 11 and 24 <= t.day <= 30  # Black Friday offer
                    lines.append(("prod-metal-card", 1, 29.00 if promo else 49.00))
                orders.add(c, t - timedelta(days=rng.randint(1, 14)), lines)
        if c.segment == "business":
            orders.add(
                c,
                rand_time(rng, lo, END),
                [("prod-spare-card", rng.randint(2, 5)), ("prod-virtual-card", rng.randint(1, 4))],
            )
            for t in monthly(rng.randint(1, 28), lo, END)[:: rng.choice([1, 2, 3])]:
                if rng.random() < 0.7:
                    orders.add(
                        c,
                        t + timedelta(hours=rng.randint(0, 8)),
                        ["prod-intl-transfer-bundle"]
                        + (["prod-fx-pack"] if rng.random() < 0.3 else []),
                    )
        # popular extras
        if rng.random() < 0.25 and c.joined < START:
            orders.add(c, rand_time(rng, lo, END), ["prod-virtual-card"])
        if c.plan in ("Plus", "Premium", "Metal"):
            for _ in range(int(rng.expovariate(1 / (2 * act)))):
                orders.add(c, rand_time(rng, lo, END), ["prod-disposable-card"])
        if rng.random() < 0.08:
            subs.append(
                ("prod-purchase-protection", rand_time(rng, lo, END - timedelta(days=30)), END)
            )
        if rng.random() < 0.05:
            orders.add(c, rand_time(rng, lo, END), ["prod-custom-card"])
        for _ in range(rng.choices([0, 1, 2], [88, 10, 2])[0]):
            free = c.plan in ("Premium", "Metal")
            lines = [("prod-card-replacement", 1, 0.0 if free else 5.0)]
            if rng.random() < 0.3:
                lines.append(("prod-express-delivery", 1, 0.0 if free else 4.99))
            orders.add(c, rand_time(rng, lo, END), lines)
        if not subs and not any(o[1] == c.id for o in orders.items[-12:]) and rng.random() < 0.7:
            orders.add(
                c,
                rand_time(rng, lo, END),
                [
                    rng.choice(
                        [
                            "prod-virtual-card",
                            "prod-savings-vault",
                            "prod-round-ups",
                            "prod-fx-pack",
                        ]
                    )
                ],
            )
        # monthly renewals: subscriptions sharing a renewal day form one order
        renewals: dict[datetime, list[str]] = defaultdict(list)
        held_before = (
            c.joined < START and rng.random() < 0.6
        )  # add-on subscriptions already held last year
        for pid, first, last in subs:
            if (
                held_before
                and pid
                in ("prod-gadget-insurance", "prod-purchase-protection", "prod-credit-builder")
                and (pid != "prod-gadget-insurance" or plan_start <= START)
            ):
                first = START
            if (
                first > START
            ):  # started this year: first purchase now, renewals on that day of the month
                renewals[first].append(pid)
                anchor = first.day
            else:  # held before the window: renewals on the day the customer joined
                anchor = c.joined.day
            for t in monthly(anchor, first + timedelta(days=1), last):
                renewals[t].append(pid)
        for t in sorted(renewals):
            orders.add(c, t, sorted(set(renewals[t])), channel="app")
    return orders.rows()


# ---------------------------------------------------------------- cases


def case_products(intent: str, c: Customer) -> list[str]:
    plan = [PLAN_PRODUCT[c.plan]] if c.plan in PLAN_PRODUCT else []
    if "top_up" in intent or intent in ("topping_up_by_card", "supported_cards_and_currencies"):
        return [c.account]
    if intent in ("getting_virtual_card", "virtual_card_not_working"):
        return ["prod-virtual-card"]
    if intent in ("get_disposable_virtual_card", "disposable_card_limits"):
        return ["prod-disposable-card", *plan]
    if intent == "getting_spare_card":
        return ["prod-spare-card"]
    if intent == "age_limit":
        return ["prod-junior-account"]
    if intent in ("exchange_rate", "exchange_via_app", "exchange_charge", "fiat_currency_support"):
        return [c.account] + (["prod-fx-pack"] if "prod-fx-pack" in c.holdings else []) + plan
    if intent in (
        "cash_withdrawal_charge",
        "card_payment_fee_charged",
        "extra_charge_on_statement",
        "terminate_account",
        "atm_support",
    ):
        first = (
            c.card if "withdrawal" in intent or "atm" in intent or "card" in intent else c.account
        )
        return [first, *plan]
    if intent == "transfer_fee_charged":
        return [c.account] + (
            ["prod-intl-transfer-bundle"] if "prod-intl-transfer-bundle" in c.holdings else []
        )
    if any(
        w in intent.lower()
        for w in (
            "card",
            "pin",
            "atm",
            "cash_withdrawal",
            "contactless",
            "refund",
            "charged_twice",
            "apple_pay",
            "visa",
            "cash_received",
        )
    ):
        return [c.card]
    return [c.account]


CHANNEL_ODDS = [("chat", 42), ("email", 20), ("phone", 20), ("web", 12), ("visit", 6)]
DURATION_MIN = {
    "chat": (5, 180),
    "phone": (8, 45),
    "email": (120, 4320),
    "web": (240, 5760),
    "visit": (15, 60),
}
SLOW_INTENTS = {
    "wrong_amount_of_cash_received",
    "request_refund",
    "cancel_transfer",
    "card_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "compromised_card",
    "transfer_not_received_by_recipient",
}


def build_cases(
    rng: random.Random,
    intents: list[str],
    b77: dict[str, list[tuple[int, str]]],
    customers: list[Customer],
) -> tuple[list[dict], dict[str, list[int]]]:
    """Closed cases, and the Banking77 data rows (0-based) each English case was built from."""
    eligible = [c for c in customers if c.joined < END - timedelta(days=14)]
    weights = [0.3 + c.activity for c in eligible]
    zh_people = [
        c
        for c in eligible
        if c.segment != "business" and c.name.split()[-1] in _catalog.CHINESE_SURNAMES
    ]
    drafts: list[dict] = []

    def new_case(
        c: Customer,
        intent: str,
        title: str,
        body: str,
        resolution: str,
        article: str,
        products: list[str],
        language: str,
    ) -> None:
        created = rand_time(rng, max(START, c.joined + timedelta(days=1)), END - timedelta(days=6))
        channel = pick(rng, CHANNEL_ODDS)
        lo, hi = DURATION_MIN[channel]
        minutes = rng.randint(lo, hi) + (rng.randint(3, 20) * 1440 if intent in SLOW_INTENTS else 0)
        closed = min(created + timedelta(minutes=minutes), END)
        rec = {
            "id": "",
            "kind": "case",
            "visibility": "internal",
            "status": "published",
            "title": title,
            "body": body,
            "category": intent,
            "resolution": resolution,
            "article_id": article,
            "customer_id": c.id,
            "product_ids": products,
            "channel": channel,
            "created_at": iso(created),
            "closed_at": iso(closed),
            "agent": rng.choice(_catalog.AGENTS),
            "language": language,
        }
        drafts.append(rec)

    for intent in intents:
        subjects, template = _cases_text.CASE_TEXT[intent]
        pool = rng.sample(b77[intent], len(b77[intent]))
        for _ in range(CASES_PER_INTENT):
            rows = [pool.pop()] + ([pool.pop()] if rng.random() < 0.2 and len(pool) > 1 else [])
            c = rng.choices(eligible, weights)[0]
            ctx = {
                "plan": c.plan,
                "card": "Metal card" if c.card == "prod-metal-card" else "Standard card",
                "amount": f"GBP {rng.choice(AMOUNTS) + rng.randint(0, 99) / 100:.2f}",
                "currency": rng.choice(_catalog.CURRENCIES),
                "merchant": rng.choice(_catalog.MERCHANTS),
                "days": rng.randint(2, 12),
                "city": rng.choice(_catalog.TRAVEL_CITIES),
                "ref": f"KST-{rng.randint(100000, 999999)}",
                "atm_allowance": ATM_ALLOWANCE[c.plan],
                "fx_allowance": FX_ALLOWANCE[c.plan],
            }
            resolution = template.format(**ctx)
            if rng.random() < 0.5:
                resolution += " " + rng.choice(_cases_text.CLOSING_NOTES)
            body = " ".join(
                t if t[-1] in ".?!" or k == len(rows) - 1 else t + "."
                for k, (_, t) in enumerate(rows)
            )
            new_case(
                c,
                intent,
                rng.choice(subjects),
                body,
                resolution,
                faq_id(intent),
                case_products(intent, c),
                "en",
            )
            drafts[-1]["_rows"] = [r for r, _ in rows]
    for intent, article, title, body, resolution in _zh.CASES_ZH:
        c = rng.choice(zh_people or eligible)
        products = (
            ["prod-personal-loan"]
            if intent.startswith(("loan", "change_repayment"))
            else case_products(intent, c)
        )
        new_case(c, intent, title, body, resolution, article, products, "zh")

    drafts.sort(key=lambda r: (r["created_at"], r["customer_id"], r["category"]))
    for n, rec in enumerate(drafts):
        rec["id"] = f"case-{n + 1:05d}"
    used_rows = {rec["id"]: rec.pop("_rows") for rec in drafts if "_rows" in rec}
    by_id = {c.id: c for c in customers}
    for k, rec in enumerate(rng.sample([r for r in drafts if r["language"] == "en"], N_PII_CASES)):
        c = by_id[rec["customer_id"]]
        rec["body"] += " " + _cases_text.PII_TEMPLATES[k % len(_cases_text.PII_TEMPLATES)].format(
            phone=c.phone, email=c.email, card=TEST_CARD_NUMBERS[k % len(TEST_CARD_NUMBERS)]
        )
    return drafts, used_rows


# ---------------------------------------------------------------- interactions


def first_contact(rng: random.Random, case: dict, c: Customer) -> tuple[str, str | None]:
    """The customer's opening message (or the agent's note of it) and who handled it."""
    text, ch, agent = case["body"], case["channel"], case["agent"]
    if ch == "chat":
        return text, agent
    if ch == "email":
        if case["language"] == "zh":
            return f"您好，\n\n{text}\n\n谢谢，\n{c.first}", None
        return f"Hi,\n\n{text}\n\nThanks,\n{c.first}", None
    if ch == "web":
        return f"Contact form, subject: {case['title']}\n{text}", None
    where = (
        "Inbound call." if ch == "phone" else f"Visit to the {rng.choice(HELP_POINTS)} Help Point."
    )
    verified = " Identity verified by in-app approval." if ch == "phone" else ""
    return f'{where} Customer said: "{text}"{verified} Action: {case["resolution"]}', agent


def build_interactions(
    rng: random.Random, cases: list[dict], customers: list[Customer]
) -> list[dict]:
    T = _cases_text
    by_id = {c.id: c for c in customers}
    faq_bodies = {f["id"]: f["body"] for f in build_faqs()}
    drafts: list[tuple[datetime, int, dict]] = []

    def add(ts: datetime, cid: str, channel: str, direction: str, agent: str | None, body: str,
            case_id: str | None) -> None:  # fmt: skip
        rec = {"id": "", "kind": "interaction", "visibility": "internal", "body": body,
               "customer_id": cid, "channel": channel, "direction": direction, "agent": agent,
               "case_id": case_id, "created_at": iso(ts)}  # fmt: skip
        drafts.append((ts, len(drafts), rec))

    for case in cases:
        c, agent, cid = by_id[case["customer_id"]], case["agent"], case["id"]
        zh = case["language"] == "zh"
        t0 = datetime.strptime(case["created_at"], "%Y-%m-%dT%H:%M:%SZ")
        t1 = datetime.strptime(case["closed_at"], "%Y-%m-%dT%H:%M:%SZ")
        body, handler = first_contact(rng, case, c)
        add(t0, c.id, case["channel"], "inbound", handler, body, cid)
        reply_ch = "email" if case["channel"] in ("phone", "visit", "web") else case["channel"]
        template = T.REPLY_ZH if zh else (
            T.REPLY_SUMMARY_EN if case["channel"] in ("phone", "visit") else T.REPLY_EN
        )  # fmt: skip
        answer = faq_bodies.get(case["article_id"], case["resolution"])
        t_reply = t0 + (t1 - t0) * rng.uniform(0.1, 0.6)
        add(t_reply, c.id, reply_ch, "outbound", agent,
            template.format(first=c.first, answer=answer, agent=agent), cid)  # fmt: skip
        handler = agent if reply_ch == "chat" else None
        r = rng.random()
        if r < 0.2:
            text = rng.choice(T.FOLLOW_UPS_ZH if zh else T.FOLLOW_UPS_OK)
            add(t_reply + (t1 - t_reply) * 0.5, c.id, reply_ch, "inbound", handler, text, cid)
        elif r < 0.32 and not zh:
            text = rng.choice(T.FOLLOW_UPS_AGAIN)
            add(t_reply + (t1 - t_reply) * 0.4, c.id, reply_ch, "inbound", handler, text, cid)
            note = T.RECHECK_EN.format(first=c.first, resolution=case["resolution"])
            add(t1, c.id, rng.choice([reply_ch, "phone"]), "outbound", agent, note, cid)

    # contacts that never became a case
    reachable = [c for c in customers if c.joined < END - timedelta(days=2)]
    for _ in range(140):
        c = rng.choice(reachable)
        ts = rand_time(rng, max(START, c.joined + timedelta(days=1)), END)
        kinds = [k for k in T.STANDALONE if k[4] is None or c.plan in k[4]]
        _, channel, direction, sender, _, texts = rng.choices(kinds, [k[0] for k in kinds])[0]
        agent = {"agent": rng.choice(_catalog.AGENTS), "bot": "Kestrel Notifications"}.get(
            sender or ""
        )
        text = rng.choice(texts).format(first=c.first, help_point=rng.choice(HELP_POINTS))
        add(ts, c.id, channel, direction, agent, text, None)

    drafts.sort(key=lambda d: (d[0], d[1]))
    out = []
    for n, (_, _, rec) in enumerate(drafts):
        rec["id"] = f"int-{n + 1:05d}"
        out.append(rec)
    return out


# ---------------------------------------------------------------- category labels


def category_rows() -> list[list[str]]:
    """Each category's topic name in English and Chinese (knowledge/categories.csv)."""
    return [
        [category, lang, label]
        for category, names in sorted(_categories.LABELS.items())
        for lang, label in zip(("en", "zh"), names, strict=True)
    ]


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--banking77", type=Path, default=DEFAULT_BANKING77, help="Banking77 train.csv")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    ap.add_argument(
        "--used-rows",
        type=Path,
        help="also write case_id,banking77_row (0-based data row of train.csv) to this CSV, "
        "to keep the rows behind the corpus cases out of evaluation sets",
    )
    args = ap.parse_args(argv)
    if not args.banking77.exists():
        ap.error(f"{args.banking77} not found (pass --banking77 PATH)")

    rng = random.Random(SEED)
    intents, b77 = load_banking77(args.banking77)
    knowledge, crm = args.out / "knowledge", args.out / "crm"
    knowledge.mkdir(parents=True, exist_ok=True)
    crm.mkdir(parents=True, exist_ok=True)

    faqs = build_faqs()
    write_jsonl(knowledge / "faqs.jsonl", faqs)
    articles = write_articles(knowledge / "articles")
    write_csv(knowledge / "categories.csv", ["category", "language", "label"], category_rows())

    customers = build_customers(random.Random(rng.random()))
    purchases = build_purchases(random.Random(rng.random()), customers)
    cases, used_rows = build_cases(random.Random(rng.random()), intents, b77, customers)
    interactions = build_interactions(random.Random(rng.random()), cases, customers)
    write_jsonl(knowledge / "cases.jsonl", cases)
    write_jsonl(knowledge / "interactions.jsonl", interactions)

    write_csv(
        crm / "customers.csv",
        [
            "id",
            "name",
            "email",
            "phone",
            "country",
            "city",
            "segment",
            "joined_at",
            "consent_email",
            "consent_phone",
            "consent_marketing",
        ],
        [
            [
                c.id,
                c.name,
                c.email,
                c.phone,
                c.country,
                c.city,
                c.segment,
                c.joined.date().isoformat(),
                *(str(flag).lower() for flag in consents(c.id)),
            ]
            for c in customers
        ],
    )
    write_csv(
        crm / "products.csv",
        [
            "id",
            "name",
            "category",
            "description",
            "price",
            "cost",
            "active",
            "repeatable",
            "aliases",
            "replaces",
            "conflicts_with",
            "upgrade_of",
        ],
        [
            [
                p,
                n,
                cat,
                d,
                f"{pr:.2f}",
                f"{co:.2f}",
                str(a).lower(),
                str(r).lower(),
                ";".join(_catalog.ALIASES.get(p, [])),
                *(";".join(_catalog.RULES.get(p, {}).get(link, [])) for link in LINKS),
            ]
            for p, n, cat, d, pr, co, a, r in _catalog.PRODUCTS
        ],
    )
    write_csv(
        crm / "purchases.csv",
        [
            "order_id",
            "customer_id",
            "product_id",
            "quantity",
            "unit_price",
            "purchased_at",
            "channel",
        ],
        purchases,
    )

    if args.used_rows:
        rows = [[cid, r] for cid, rs in sorted(used_rows.items()) for r in rs]
        write_csv(args.used_rows, ["case_id", "banking77_row"], rows)

    print(
        f"faqs={len(faqs)} articles={len(articles)} cases={len(cases)} "
        f"interactions={len(interactions)} customers={len(customers)} "
        f"products={len(_catalog.PRODUCTS)} purchase_lines={len(purchases)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
