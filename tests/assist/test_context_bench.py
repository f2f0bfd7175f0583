"""The customer-context measurement (bench/context.py) on a small made-up split."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.context import SETTINGS, product_of, run
from tests.assist.test_assist import TOPICS, case_text, cases


def write_split(folder: Path) -> Path:
    folder.mkdir()
    rows = [{k: r[k] for k in ("id", "kind", "body", "category")} for r in cases(12)]
    (folder / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    rng = random.Random(5)
    queries = [
        {"text": case_text(rng, topic), "category": topic, "in_scope": True}
        for topic in TOPICS
        for _ in range(5)
    ]
    queries.append({"text": "weather tomorrow in Paris", "category": "weather", "in_scope": False})
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    return folder


def test_each_intent_has_one_product_picked_by_the_seed() -> None:
    intents = ["a", "b", "c", "d"]
    assert product_of(intents, 7) == product_of(list(reversed(intents)), 7)
    assert all(p.startswith("prod-") for p in product_of(intents, 7).values())


def test_context_with_nothing_in_it_changes_nothing_and_a_follow_up_never_loses(
    tmp_path: Path,
) -> None:
    report = run(write_split(tmp_path / "dev"), tmp_path / "work", 7, "hash-64")
    assert report["queries"] == 21 and report["in_scope"] == 20
    assert set(SETTINGS) <= set(report)
    nothing = report["no_products"]
    assert (nothing["gained"], nothing["lost"], nothing["verdicts_changed"]) == (0, 0, 0)
    assert nothing["top1"] == report["without_customer"]["top1"]
    # An open case in the question's own category only ever adds to that category.
    assert report["follow_up"]["lost"] == 0
    assert report["follow_up"]["top1"] >= report["without_customer"]["top1"]
