"""Does feedback improve search, and can a flood of "not helpful" bury a right answer?

    python -m bench.search_feedback --banking77 ../shared/data/banking77/train.csv [--work DIR]

The knowledge base is the demo help centre (one FAQ per Banking77 intent); the
queries are Banking77 questions, whose right answer is the FAQ of their intent.
Half of them are traffic, replayed through the product's own path
(`logged_search` as a customer, one visit each, then `record_feedback`):
a simulated customer reads the first five results, marks the right FAQ
helpful with probability 0.7 when it is there, and otherwise marks the first
result "not helpful" with probability 0.5; with probability 0.1 they mark a
wrong result helpful instead (noise). The other half are asked before and after
(MRR@10, top-1). Then an adversary floods "not helpful" on the right FAQ of ten
intents it answers best, 50 visits per intent, and the same questions of those
intents are asked again.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench import search_data as data
from bench.search_quality import open_kb
from kcrm.core.keys import Principal
from kcrm.knowledge.boosts import FeedbackMemory
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.querylog import record_feedback
from kcrm.knowledge.service import logged_search


def ranks(kb: KnowledgeBase, queries: list[dict[str, Any]], gold: dict[str, str]) -> list[int]:
    """1-based rank of each query's right FAQ in the first 10 (0 when absent)."""
    out = []
    for q in queries:
        ids = [h.id for h in kb.search(q["text"], k=10, role="customer")]
        target = gold.get(q["category"])
        out.append(ids.index(target) + 1 if target in ids else 0)
    return out


def summary(r: list[int]) -> dict[str, float]:
    arr = np.asarray(r)
    rr = np.where(arr > 0, 1.0 / np.maximum(arr, 1), 0.0)
    return {"mrr@10": round(float(rr.mean()), 4), "top1": round(float((arr == 1).mean()), 4)}


def replay(
    kb: KnowledgeBase, traffic: list[dict[str, Any]], gold: dict[str, str], seed: int
) -> int:
    rng = random.Random(seed)
    marks = 0
    for i, q in enumerate(traffic):
        who = Principal(key_id=1, role="customer")
        out = logged_search(kb, who, q["text"], k=10, session=f"replay-{i:06d}")
        shown = [h.id for h in out.hits[:5]]
        right = gold.get(q["category"])
        if not shown:
            continue
        wrong = [x for x in shown if x != right]
        if wrong and rng.random() < 0.1:
            record_feedback(kb.db, who, out.query_id, rng.choice(wrong), True, None)
        elif right in shown and rng.random() < 0.7:
            record_feedback(kb.db, who, out.query_id, right, True, None)
        elif right not in shown and rng.random() < 0.5:
            record_feedback(kb.db, who, out.query_id, shown[0], False, None)
        else:
            continue
        marks += 1
    return marks


def flood(kb: KnowledgeBase, asks: dict[str, list[str]], gold: dict[str, str], n: int) -> int:
    marks = 0
    for cat, texts in asks.items():
        for i in range(n):
            who = Principal(key_id=2, role="customer")
            out = logged_search(
                kb, who, texts[i % len(texts)], k=10, session=f"flood-{cat}-{i:04d}"
            )
            if gold[cat] in [h.id for h in out.hits]:
                record_feedback(kb.db, who, out.query_id, gold[cat], False, None)
                marks += 1
    return marks


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--banking77", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path(".bench-search"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    corpus = [r for r in data.corpus_faqs() if r.get("language") == "en"]
    folder = args.work / "feedback"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)  # the replay writes feedback: start from none
    kb = open_kb(folder, corpus)
    kb.feedback = FeedbackMemory(kb.db, kb.embedder.name, ttl=0)
    gold = {r["category"]: r["id"] for r in corpus}
    _, queries = data.banking77(args.banking77, args.seed)
    queries = [q for q in queries if q["category"] in gold]
    traffic, held = data.halves(queries, args.seed)
    before = ranks(kb, held, gold)
    marks = replay(kb, traffic, gold, args.seed)
    after = ranks(kb, held, gold)
    # The flood: ten intents whose held-out questions the search answers best.
    by_cat: dict[str, list[int]] = defaultdict(list)
    for q, r in zip(held, after, strict=True):
        by_cat[q["category"]].append(r)
    best = sorted(by_cat, key=lambda c: (-np.mean([r == 1 for r in by_cat[c]]), c))[:10]
    asks = {c: [q["text"] for q in traffic if q["category"] == c] for c in best}
    victims = [q for q in held if q["category"] in best]
    pre_flood = ranks(kb, victims, gold)
    flooded = flood(kb, asks, gold, 50)
    post_flood = ranks(kb, victims, gold)
    report = {
        "faqs": len(corpus),
        "traffic_queries": len(traffic),
        "feedback_marks": marks,
        "held_out_queries": len(held),
        "before_feedback": summary(before),
        "after_feedback": summary(after),
        "flood": {
            "intents": len(best),
            "not_helpful_marks": flooded,
            "questions": len(victims),
            "before": summary(pre_flood),
            "after": summary(post_flood),
            "right_answer_still_in_top3": round(
                float(np.mean([0 < r <= 3 for r in post_flood])), 4
            ),
        },
    }
    kb.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
