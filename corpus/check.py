#!/usr/bin/env python3
"""Validate the Kestrel Bank corpus: parsing, ids, references, counts, ranges.

python corpus/check.py [DIR]      (exit status 1 on any problem)
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import yaml

START, END = "2025-11-01", "2026-10-31T23:59:59Z"
problems: list[str] = []


def need(cond: bool, msg: str) -> None:
    if not cond:
        problems.append(msg)


def jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}:{n}: {e}")
    return out


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def main(root: Path) -> int:
    kn, crm = root / "knowledge", root / "crm"
    faqs, cases, ints = (
        jsonl(kn / "faqs.jsonl"),
        jsonl(kn / "cases.jsonl"),
        jsonl(kn / "interactions.jsonl"),
    )
    customers, products, purchases = (
        rows(crm / "customers.csv"),
        rows(crm / "products.csv"),
        rows(crm / "purchases.csv"),
    )
    articles = []
    for path in sorted((kn / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        need(m is not None, f"{path.name}: no front matter")
        if m:
            meta = yaml.safe_load(m.group(1))
            meta["body"] = m.group(2)
            meta["_file"] = path.name
            articles.append(meta)

    # ids unique across knowledge records, and per CSV
    knowledge = faqs + cases + ints + articles
    dup = [i for i, n in Counter(r["id"] for r in knowledge).items() if n > 1]
    need(not dup, f"duplicate knowledge ids: {dup[:5]}")
    for name, table in (("customers", customers), ("products", products)):
        d = [i for i, n in Counter(r["id"] for r in table).items() if n > 1]
        need(not d, f"duplicate {name} ids: {d[:5]}")
    for r in knowledge:
        need(
            bool(r.get("id"))
            and r.get("kind") in ("faq", "article", "case", "interaction")
            and bool(r.get("body")),
            f"{r.get('id')}: missing id/kind/body",
        )

    cust_ids = {c["id"] for c in customers}
    prod_ids = {p["id"] for p in products}
    published = {f["id"] for f in faqs if f.get("status", "published") == "published"} | {
        a["id"] for a in articles
    }
    case_ids = {c["id"] for c in cases}
    for p in products:  # product rules name other products of the catalogue
        for link in ("replaces", "conflicts_with", "upgrade_of"):
            for other in filter(None, (p.get(link) or "").split(";")):
                need(other in prod_ids and other != p["id"], f"{p['id']}: {link} {other!r}")
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"
    cats = (
        json.loads((shared / "categories.json").read_text())
        if (shared / "categories.json").exists()
        else None
    )

    # FAQs
    pub_en = [f for f in faqs if f["language"] == "en" and f.get("status") == "published"]
    zh = [f for f in faqs if f["language"] == "zh"]
    need(
        len([f for f in faqs if f.get("status") == "published"]) >= 60,
        "fewer than 60 published FAQs",
    )
    need(len(zh) >= 12, "fewer than 12 Chinese FAQs")
    need(
        all(f["visibility"] == "public" and f["kind"] == "faq" for f in faqs), "FAQ not public/faq"
    )
    st = Counter(f.get("status") for f in faqs)
    need(2 <= st["draft"] <= 3 and st["archived"] == 1, f"draft/archived counts {st}")
    if cats:
        covered = {f["category"] for f in pub_en}
        need(set(cats) <= covered, f"intents without an English FAQ: {sorted(set(cats) - covered)}")
    for f in faqs:
        n = len(re.findall(r"[.!?。！？](\s|$)", f["body"]))
        need(f["language"] == "zh" or 2 <= n <= 6, f"{f['id']}: {n} sentences")

    # category labels: every category of a record has a topic name in English and Chinese
    labelled = Counter(r["category"] for r in rows(kn / "categories.csv") if r["label"].strip())
    used = {r["category"] for r in knowledge if r.get("category")}
    need(
        all(labelled[c] == 2 for c in used),
        f"categories without both labels: {sorted(c for c in used if labelled[c] != 2)[:5]}",
    )

    # articles
    need(len(articles) >= 8, "fewer than 8 articles")
    need(
        sum(a["visibility"] == "internal" for a in articles) >= 2, "fewer than 2 internal runbooks"
    )
    need(any(a["language"] == "zh" for a in articles), "no Chinese article")
    for a in articles:
        need(a["_file"] == f"{a['id']}.md" and a["kind"] == "article", f"{a['_file']}: id/kind")
        words = (
            len(a["body"].split())
            if a["language"] != "zh"
            else len(re.findall(r"[\u4e00-\u9fff]", a["body"])) // 2
        )
        need(400 <= words <= 1200, f"{a['id']}: {words} words")
        need(a["body"].lstrip().startswith("# ") and "\n## " in a["body"], f"{a['id']}: headings")

    # cases
    need(len(cases) >= 600, "fewer than 600 cases")
    for c in cases:
        need(c["kind"] == "case" and c["visibility"] == "internal", f"{c['id']}: kind/visibility")
        need(c["customer_id"] in cust_ids, f"{c['id']}: unknown customer {c['customer_id']}")
        need(
            all(p in prod_ids for p in c["product_ids"]) and c["product_ids"],
            f"{c['id']}: product_ids {c['product_ids']}",
        )
        need(
            c["article_id"] in published,
            f"{c['id']}: article {c['article_id']} not a published record",
        )
        need(c["channel"] in ("phone", "email", "chat", "web", "visit"), f"{c['id']}: channel")
        need(
            START <= c["created_at"] < c["closed_at"] <= END,
            f"{c['id']}: dates {c['created_at']} {c['closed_at']}",
        )
        need(
            bool(c["resolution"]) and bool(c["title"]) and bool(c["agent"]),
            f"{c['id']}: resolution/title/agent",
        )
    if cats:
        per = Counter(c["category"] for c in cases if c["language"] == "en")
        need(
            set(per) == set(cats) and min(per.values()) >= 8,
            f"cases per intent {min(per.values())}",
        )
    pii = [
        c["id"]
        for c in cases
        if re.search(r"@example\.com|\+44 7700|\d{4} \d{4} \d{4} \d{4}", c["body"])
    ]
    need(12 <= len(pii) <= 20, f"{len(pii)} PII cases")

    # interactions
    need(len(ints) >= 800, "fewer than 800 interactions")
    need(
        {i["channel"] for i in ints} == {"phone", "email", "chat", "web", "visit"},
        "not all channels used",
    )
    for i in ints:
        need(i["customer_id"] in cust_ids, f"{i['id']}: unknown customer")
        need(
            i["case_id"] is None or i["case_id"] in case_ids,
            f"{i['id']}: unknown case {i['case_id']}",
        )
        need(i["direction"] in ("inbound", "outbound"), f"{i['id']}: direction")
        need(i["direction"] == "inbound" or i["agent"], f"{i['id']}: outbound without agent")
        need(START <= i["created_at"] <= END, f"{i['id']}: date")
    in_case = sum(i["case_id"] is not None for i in ints) / len(ints)
    need(in_case > 0.5, "most interactions should belong to a case")

    # CRM
    need(250 <= len(customers) <= 350, "customer count")
    joined = {c["id"]: c["joined_at"] for c in customers}
    for c in customers:
        need(
            c["email"].endswith("@example.com")
            and re.fullmatch(r"\+44 7700 900\d{3}", c["phone"]) is not None,
            f"{c['id']}: email/phone",
        )
        need(c["segment"] in ("retail", "premium", "business"), f"{c['id']}: segment")
    need(25 <= len(products) <= 40, "product count")
    need(sum(p["active"] == "false" for p in products) == 2, "need exactly 2 inactive products")
    need(4000 <= len(purchases) <= 8000, f"{len(purchases)} purchase lines")
    for p in purchases:
        need(
            p["customer_id"] in cust_ids and p["product_id"] in prod_ids,
            f"{p['order_id']}: reference",
        )
        need(
            START <= p["purchased_at"] <= END
            and p["purchased_at"][:10] >= joined[p["customer_id"]],
            f"{p['order_id']}: date {p['purchased_at']}",
        )
        need(
            p["channel"] in ("app", "web", "branch", "phone") and int(p["quantity"]) >= 1,
            f"{p['order_id']}: fields",
        )
    for c in cases:
        need(c["created_at"][:10] > joined[c["customer_id"]], f"{c['id']}: before customer joined")

    buyers = Counter(p["customer_id"] for p in purchases)
    print(
        f"faqs={len(faqs)} (published en={len(pub_en)}, zh={len(zh)}, status={dict(st)}) "
        f"articles={len(articles)} cases={len(cases)} (pii={len(pii)}) "
        f"interactions={len(ints)} (in a case {in_case:.0%}) customers={len(customers)} "
        f"(no purchases={len(cust_ids - set(buyers))}) products={len(products)} "
        f"purchase_lines={len(purchases)} orders={len({p['order_id'] for p in purchases})}"
    )
    for msg in problems[:50]:
        print("PROBLEM:", msg)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent))
