"""Data for the search quality runs: BQ FAQ matching, Banking77, typos, off-topic questions.

- BQ (Chinese): questions joined by paraphrase pairs form groups; one question of
  each group is an FAQ (singletons too: they are the distractors), another one of
  each group of two or more is a query whose answer is its group's FAQ.
- BQ pairs (Chinese, harder): every distinct question of the pairs file is an FAQ
  (the negatives' questions are distractors); each label-1 pair asks its first
  question, answered by its second only (not by other paraphrases in the set), and
  the asked question's own FAQ is skipped. Plain BM25 (jieba words) scores MRR@10
  0.066 here and USE dense 0.081, close to the reference figures of a hidden set
  of this shape (0.068 and 0.079).
- Banking77 (English): the dev split of `kcrm.assist.devsplit` (seed 7): the
  in-scope questions' cases become public FAQs with their intent as category, the
  in-scope queries ask for a record of their intent. The help-centre shape (one
  written FAQ per intent, `corpus/knowledge/faqs.jsonl`) is the small knowledge
  base the same queries are asked of.
- Off-topic questions (`bench/data/ood.jsonl`, written for this): weather, sports,
  recipes, trivia, chit-chat, gibberish, in English and Chinese.
- Typos: a seeded generator misspells one or two words of a query the way people
  do: two neighbours swapped, a letter dropped or doubled, a keyboard neighbour hit.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from kcrm.assist.devsplit import split

HERE = Path(__file__).resolve().parent
OOD = HERE / "data" / "ood.jsonl"
ZH_SMALL = HERE / "data" / "zh_small.jsonl"
CORPUS_FAQS = HERE.parent / "corpus" / "knowledge" / "faqs.jsonl"


def bq_groups(path: Path) -> list[list[str]]:
    """Every question of the pairs file, grouped by the paraphrase pairs joining them."""
    parent: dict[str, str] = {}

    def root(q: str) -> str:
        parent.setdefault(q, q)
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            q1, q2, label = line.rstrip("\n").split("\t")
            root(q1), root(q2)
            if label == "1":
                parent[root(q1)] = root(q2)
    groups: dict[str, list[str]] = defaultdict(list)
    for q in sorted(parent):
        groups[root(q)].append(q)
    return sorted(sorted(g) for g in groups.values())


def bq_faqs(path: Path, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(FAQ records, queries with their gold FAQ id) of the BQ FAQ-matching setup."""
    rng = random.Random(seed)
    records, queries = [], []
    for i, group in enumerate(bq_groups(path)):
        rng.shuffle(group)
        rid = f"bq-{i:05d}"
        records.append(faq(rid, group[0], "zh", f"bq-{i:05d}"))
        if len(group) >= 2:
            queries.append({"text": group[1], "gold": rid, "language": "zh"})
    rng.shuffle(queries)
    return records, queries


def bq_pairs(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(FAQ records, queries) of the BQ pairs setup: one query per label-1 pair."""
    with path.open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip()]
    questions = sorted({q for q1, q2, _ in rows for q in (q1, q2)})
    rid = {q: f"bqp-{i:05d}" for i, q in enumerate(questions)}
    records = [faq(rid[q], q, "zh", "bq") for q in questions]
    queries = [
        {"text": q1, "gold": rid[q2], "skip": rid[q1], "language": "zh"}
        for q1, q2, label in rows
        if label == "1"
    ]
    return records, queries


def banking77(path: Path, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(public FAQ records of the dev split's cases, in-scope queries with a gold category)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cases, queries, _ = split(rows, seed=seed)
    records = [
        faq(c["id"].replace("b77-", "b77faq-"), c["body"], "en", c["category"]) for c in cases
    ]
    asked = [
        {"text": q["text"], "category": q["category"], "language": "en"}
        for q in queries
        if q["in_scope"]
    ]
    return records, asked


def faq(rid: str, text: str, language: str, category: str) -> dict[str, Any]:
    return {
        "id": rid,
        "kind": "faq",
        "visibility": "public",
        "title": "",
        "body": text,
        "language": language,
        "category": category,
    }


def corpus_faqs() -> list[dict[str, Any]]:
    """The demo help centre's published FAQs (one per Banking77 intent, 15 in Chinese)."""
    with CORPUS_FAQS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if r.get("status", "published") == "published"]


def off_topic() -> list[dict[str, Any]]:
    with OOD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def zh_small() -> tuple[list[dict[str, Any]], list[str]]:
    """Chinese questions for the demo help centre: (paraphrases of its Chinese FAQs, off-topic).

    Written for this (`bench/data/zh_small.jsonl`): 49 questions asked the way customers
    ask, each naming the FAQ that answers it, and 34 off-topic ones.
    """
    with ZH_SMALL.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    inside = [{"text": r["text"], "gold": r["faq"], "language": "zh"} for r in rows if r["faq"]]
    return inside, [r["text"] for r in rows if not r["faq"]]


def medium(
    corpus: list[dict[str, Any]],
    b77: list[dict[str, Any]],
    bq: list[dict[str, Any]],
    bq_queries: list[dict[str, Any]],
    n: int = 600,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A knowledge base between the two: the demo FAQs, `n` Banking77 and `n` BQ FAQs.

    Returns the records and the BQ queries whose FAQ is among them.
    """
    kept = bq[:n]
    ids = {r["id"] for r in kept}
    return corpus + b77[:n] + kept, [q for q in bq_queries if q["gold"] in ids]


def halves(items: list[Any], seed: int = 7) -> tuple[list[Any], list[Any]]:
    """A seeded split in two: one half to fit thresholds on, the other to report."""
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    mid = len(shuffled) // 2
    return shuffled[:mid], shuffled[mid:]


# ---- typos --------------------------------------------------------------------------------
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, str] = {}
for r, row in enumerate(_ROWS):
    for c, ch in enumerate(row):
        near = [row[c - 1] if c > 0 else "", row[c + 1] if c + 1 < len(row) else ""]
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near += [x for x in _ROWS[other][max(0, c - 1) : c + 1]]
        NEIGHBOURS[ch] = "".join(n for n in near if n)
_WORD = re.compile(r"[A-Za-z]{4,}")


def misspell(word: str, rng: random.Random) -> str:
    """One typo: swap two neighbours, drop a letter, double one, or hit a neighbouring key."""
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    i = rng.randrange(1, len(word) - 1)  # people rarely get the first letter wrong
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    near = NEIGHBOURS.get(word[i].lower(), "") or word[i]
    return word[:i] + rng.choice(near) + word[i + 1 :]


def with_typos(text: str, rng: random.Random) -> str:
    """The text with one or two of its words (four letters or more) misspelled."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    picked = sorted(rng.sample(words, min(len(words), rng.choice((1, 2)))), key=lambda m: m.start())
    out, last = [], 0
    for m in picked:
        out.append(text[last : m.start()])
        wrong = misspell(m.group(), rng)
        out.append(wrong if wrong != m.group() else misspell(m.group(), rng))
        last = m.end()
    out.append(text[last:])
    return "".join(out)
