"""Does the customer's context help suggestions, and can it hurt? Measured on the dev split.

    python -m kcrm.assist.devsplit --out /tmp/dev
    python -m bench.context --dev /tmp/dev --work /tmp/ctx [--seed 7]

Banking77 has no customers or products, so they are made up, the same way for
cases and questions: each intent is about one of `PRODUCTS` products (picked
by the seed: a card, an account, a plan...). A resolved case names its intent's
product with probability `CASE_NAMES` and another one otherwise, which is what
`product_lift` learns from. Each dev question is asked by a customer of its own,
through the product's path (`customer_context` reads their purchases and open
cases from the database; `suggest_with_vector` ranks), in these settings:

- `owns_its_product`: the customer bought the intent's product with probability
  `OWNS`, plus one other product at random (the Metal card holder's card question);
- `owns_unrelated`: two products drawn without regard to the question (context
  that says nothing: must not hurt);
- `no_products`: a customer with nothing bought (must change nothing);
- `follow_up`: an open case in the question's category (a follow-up);
- `other_open_case`: an open case in another category (must not hurt much).

Each setting is compared with the same questions asked without a customer:
top-1 on in-scope questions, right and answered, out-of-scope withheld, and
the questions gained and lost (McNemar's exact test).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.assist.context import customer_context
from kcrm.assist.evaluate import abstention, mean
from kcrm.assist.finetune import significant_gain
from kcrm.assist.problem import problem_statement
from kcrm.assist.suggest import suggest_with_vector
from kcrm.assist.train import fit_assist
from kcrm.core.config import Settings
from kcrm.core.tables import Case, Customer, Product, Purchase
from kcrm.knowledge.kb import KnowledgeBase

PRODUCTS = 12
CASE_NAMES = 0.8  # a resolved case names its intent's product
OWNS = 0.7  # a customer asking owns the product their question is about
SETTINGS = ("owns_its_product", "owns_unrelated", "no_products", "follow_up", "other_open_case")


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def product_of(intents: list[str], seed: int) -> dict[str, str]:
    """Each intent's product, picked by the seed."""
    rng = np.random.default_rng(seed)
    return {c: f"prod-{int(rng.integers(PRODUCTS)):02d}" for c in sorted(intents)}


def other(rng: np.random.Generator, options: list[str], not_this: str) -> str:
    while True:
        pick = options[int(rng.integers(len(options)))]
        if pick != not_this:
            return pick


def build(
    dev: Path, work: Path, seed: int, embedding_model: str | None = None
) -> tuple[KnowledgeBase, list[dict[str, Any]], dict[str, str]]:
    """The knowledge base of the dev cases with their products, fitted; the dev questions;
    each intent's product."""
    cases, queries = read(dev / "cases.jsonl"), read(dev / "queries.jsonl")
    products = product_of(sorted({r["category"] for r in cases + queries}), seed)
    names = sorted(set(products.values()))
    rng = np.random.default_rng(seed + 1)
    out = work / "cases.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for r in cases:
            own = products[r["category"]]
            named = own if rng.random() < CASE_NAMES else other(rng, names, own)
            fh.write(json.dumps({**r, "product_ids": [named]}) + "\n")
    settings = Settings(data_dir=work / "kb")
    if embedding_model:  # otherwise the configured one (KCRM_EMBEDDING_MODEL or the default)
        settings = settings.model_copy(update={"embedding_model": embedding_model})
    kb = KnowledgeBase.open(settings)
    with kb.db.session() as s:
        s.add_all(Product(id=p, name=p) for p in names)
    report = kb.ingest_files([out])
    print(f"{report.added} cases added", file=sys.stderr)
    fit_assist(kb)
    return kb, queries, products


def customers(
    kb: KnowledgeBase,
    queries: list[dict[str, Any]],
    products: dict[str, str],
    setting: str,
    seed: int,
) -> list[str]:
    """One customer per question in `setting`, written to the database; their ids."""
    categories = sorted({q["category"] for q in queries if q["in_scope"]})
    names = sorted(set(products.values()))
    rng = np.random.default_rng(seed + 2 + SETTINGS.index(setting))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    with kb.db.session() as s:
        for i, q in enumerate(queries):
            cid = f"{setting}-{i}"
            ids.append(cid)
            s.add(Customer(id=cid, name=cid))
            bought: list[str] = []
            if setting == "owns_its_product":
                own = products[q["category"]]
                bought = [own] if rng.random() < OWNS else []
                bought.append(other(rng, names, own))
            elif setting == "owns_unrelated":
                bought = list(rng.choice(names, 2, replace=False))
            for n, p in enumerate(bought):
                s.add(
                    Purchase(order_id=f"{cid}-{n}", customer_id=cid, product_id=p, purchased_at=now)
                )
            if setting in ("follow_up", "other_open_case"):
                same = q["category"] if q["in_scope"] else ""
                cat = same if setting == "follow_up" and same else other(rng, categories, same)
                s.add(
                    Case(id=f"case-{cid}", customer_id=cid, status="open", resolution_category=cat)
                )
    return ids


def outcomes(
    kb: KnowledgeBase, queries: list[dict[str, Any]], vectors: list[Any], who: list[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """(right top-1, answerable) per question, asked by `who` (no customer when None)."""
    right, answerable = [], []
    for i, (q, (text, vector)) in enumerate(zip(queries, vectors, strict=True)):
        context = customer_context(kb, who[i]) if who else None
        res = suggest_with_vector(kb, text, vector, 5, None, context)
        top = res.suggestions[0].category if res.suggestions else None
        right.append(top == q["category"])
        answerable.append(res.answerable)
    return np.array(right), np.array(answerable)


def figures(right: np.ndarray, answerable: np.ndarray, in_scope: np.ndarray) -> dict[str, Any]:
    """Top-1 in scope, then the evaluation's own abstention figures."""
    return {"top1": mean((right & in_scope)[in_scope]), **abstention(right, answerable, in_scope)}


def run(dev: Path, work: Path, seed: int, embedding_model: str | None = None) -> dict[str, Any]:
    """The report: each setting's figures against the same questions without a customer."""
    work.mkdir(parents=True, exist_ok=True)
    kb, queries, products = build(dev, work, seed, embedding_model)
    try:
        in_scope = np.array([q["in_scope"] for q in queries])
        problems = [problem_statement(kb, q["text"]) for q in queries]
        vectors = [(p.text, p.vector) for p in problems]
        base_right, base_ans = outcomes(kb, queries, vectors, None)
        report: dict[str, Any] = {
            "queries": len(queries),
            "in_scope": int(in_scope.sum()),
            "products": PRODUCTS,
            "without_customer": figures(base_right, base_ans, in_scope),
        }
        for setting in SETTINGS:
            right, ans = outcomes(
                kb, queries, vectors, customers(kb, queries, products, setting, seed)
            )
            report[setting] = {
                **figures(right, ans, in_scope),
                **significant_gain(base_right & in_scope, right & in_scope),
                "verdicts_changed": int((ans != base_ans).sum()),
            }
        return report
    finally:
        kb.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, required=True, help="a devsplit output folder")
    ap.add_argument("--work", type=Path, required=True, help="a fresh folder for the data dir")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(json.dumps(run(args.dev, args.work, args.seed), indent=2))


if __name__ == "__main__":
    main()
