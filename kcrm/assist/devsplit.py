"""A reproducible dev split of Banking77: resolved cases to index, new cases to query.

    python -m kcrm.assist.devsplit --out DIR [--source train.csv] [--seed 7]

writes `DIR/cases.jsonl` (knowledge records of kind `case`, for `kcrm ingest`)
and `DIR/queries.jsonl` (`text`, gold `category`, `in_scope`, for
`kcrm evaluate suggest --cases`); beside them `DIR/notes.jsonl`, the same
queries wrapped in realistic agent notes (notes.py), `DIR/shorthand.jsonl`, the
same in a hurried agent's shorthand (`wrap_shorthand`), `DIR/desk.jsonl`, the
same as a help-desk tool stores them (`wrap_desk`), `DIR/transcript.jsonl`, the
same in two-sided transcripts (`wrap_transcript`), `DIR/export.jsonl`, the same
in conversations exported from help-desk tools (`wrap_export`), `DIR/reported.jsonl`,
the same told in the third person in call notes (`wrap_reported`), and `DIR/clinc.jsonl`,
the CLINC150 shape: the in-scope queries plus general off-topic questions as
out of scope, in CLINC150's proportion (1,000 of 5,500). With `--bq` the source is the Chinese BQ
paraphrase pairs instead (see `split_bq`). A fixed seed picks `--oos-intents` intents
that are held out entirely: none of their rows is indexed, and a share of them
is asked as out-of-scope queries ("no confident answer" is right). Of every
other intent, `--query-share` of its rows become queries and the rest cases.
Out-of-scope intents contribute the same share of their rows as queries, so
out-of-scope queries are as frequent as their intents are (about 10/77).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kcrm.assist.answers import readable
from kcrm.assist.notes import (
    off_topic,
    wrap,
    wrap_desk,
    wrap_export,
    wrap_reported,
    wrap_shorthand,
    wrap_transcript,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DEFAULT_SOURCE = SHARED_DATA / "banking77" / "train.csv"
DEFAULT_BQ = SHARED_DATA / "bq" / "valid.tsv"


def split(
    rows: list[dict[str, str]],
    seed: int = 7,
    oos_intents: int = 10,
    query_share: float = 0.2,
    per_intent: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Split `text,category` rows; returns (case records, queries, out-of-scope intents).

    With `per_intent`, every intent gives that many queries (at most half its rows,
    so each keeps cases) instead of a share: a balanced test set, the shape of
    Banking77's own test split (40 questions per intent).
    """
    if not 0 < query_share < 1:
        raise ValueError(f"query_share must be in (0, 1), got {query_share}")
    if per_intent is not None and per_intent < 1:
        raise ValueError(f"per_intent must be at least 1, got {per_intent}")
    by_cat: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_cat[row["category"]].append(row["text"])
    cats = sorted(by_cat)
    if not 0 <= oos_intents < len(cats):
        raise ValueError(f"oos_intents must be in [0, {len(cats) - 1}], got {oos_intents}")
    rng = random.Random(seed)
    held_out = sorted(rng.sample(cats, oos_intents))
    cases: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    for cat in cats:
        texts = list(by_cat[cat])
        rng.shuffle(texts)
        if per_intent is None:
            n_query = max(1, round(query_share * len(texts)))
        else:
            n_query = max(1, min(per_intent, len(texts) // 2))
        for text in texts[:n_query]:
            queries.append({"text": text, "category": cat, "in_scope": cat not in held_out})
        if cat in held_out:
            continue
        for i, text in enumerate(texts[n_query:]):
            cases.append(
                {
                    "id": f"b77-{cat}-{i:04d}",
                    "kind": "case",
                    "body": text,
                    "category": cat,
                    "resolution": f"Resolved as: {readable(cat)}.",
                    "language": "en",
                }
            )
    rng.shuffle(queries)
    return cases, queries, held_out


def split_bq(
    rows: list[list[str]], seed: int = 7, query_share: float = 0.2, max_group: int = 30
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Chinese cases from BQ paraphrase pairs (`q1, q2, label`); returns (cases, queries).

    Questions joined by positive pairs form one "resolution" (a connected component;
    the few chained past `max_group` questions drift in meaning and are left out).
    Of each, `query_share` of its questions (at least one) are asked as new cases and
    the rest indexed as resolved ones. Every query is in scope.
    """
    parent: dict[str, str] = {}

    def root(q: str) -> str:
        parent.setdefault(q, q)
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for q1, q2, label in rows:
        if label == "1":
            parent[root(q1)] = root(q2)
    groups: dict[str, list[str]] = defaultdict(list)
    for q in sorted(parent):
        groups[root(q)].append(q)
    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    members = sorted(sorted(g) for g in groups.values() if len(g) <= max_group)
    for i, group in enumerate(members):
        cat = f"bq-{i:04d}"
        rng.shuffle(group)
        n_query = max(1, round(query_share * len(group)))
        for text in group[:n_query]:
            queries.append({"text": text, "category": cat, "in_scope": True})
        for j, text in enumerate(group[n_query:]):
            cases.append(
                {
                    "id": f"{cat}-{j}",
                    "kind": "case",
                    "body": text,
                    "category": cat,
                    "resolution": f"与此问题相同：{group[n_query]}",
                    "language": "zh",
                }
            )
    rng.shuffle(queries)
    return cases, queries


CLINC_OOS_SHARE = 1000 / 5500  # CLINC150's test set: 1,000 out-of-scope of 5,500 queries


def noisy(
    queries: list[dict[str, Any]],
    seed: int = 7,
    wrapper: Callable[[str, random.Random], str] = wrap,
) -> list[dict[str, Any]]:
    """The same queries, each wrapped in an agent's note (`plain` keeps the question)."""
    rng = random.Random(seed)
    return [{**q, "text": wrapper(q["text"], rng), "plain": q["text"]} for q in queries]


def clinc_shape(queries: list[dict[str, Any]], seed: int = 7) -> list[dict[str, Any]]:
    """In-scope queries plus general off-topic questions at CLINC150's out-of-scope share."""
    inside = [q for q in queries if q["in_scope"]]
    n = round(len(inside) * CLINC_OOS_SHARE / (1 - CLINC_OOS_SHARE))
    outside = [{"text": t, "category": None, "in_scope": False} for t in off_topic(n, seed)]
    mixed = inside + outside
    random.Random(seed).shuffle(mixed)
    return mixed


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="text,category CSV")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--oos-intents", type=int, default=10)
    parser.add_argument("--query-share", type=float, default=0.2)
    parser.add_argument(
        "--per-intent",
        type=int,
        default=None,
        help="queries per intent instead of a share (at most half its rows): a balanced test set",
    )
    parser.add_argument(
        "--bq", action="store_true", help="Chinese cases from the BQ pairs (source: valid.tsv)"
    )
    args = parser.parse_args(argv)
    if args.bq:
        source = args.source if args.source != DEFAULT_SOURCE else DEFAULT_BQ
        with source.open(encoding="utf-8") as fh:
            pairs = [line.rstrip("\n").split("\t") for line in fh if line.count("\t") == 2]
        cases, queries = split_bq(pairs, args.seed, args.query_share)
        held_out: list[str] = []
    else:
        with args.source.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        cases, queries, held_out = split(
            rows, args.seed, args.oos_intents, args.query_share, args.per_intent
        )
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "cases.jsonl", cases)
    write_jsonl(args.out / "queries.jsonl", queries)
    write_jsonl(args.out / "notes.jsonl", noisy(queries, args.seed))
    write_jsonl(args.out / "shorthand.jsonl", noisy(queries, args.seed, wrap_shorthand))
    write_jsonl(args.out / "desk.jsonl", noisy(queries, args.seed, wrap_desk))
    write_jsonl(args.out / "transcript.jsonl", noisy(queries, args.seed, wrap_transcript))
    write_jsonl(args.out / "export.jsonl", noisy(queries, args.seed, wrap_export))
    write_jsonl(args.out / "reported.jsonl", noisy(queries, args.seed, wrap_reported))
    if not args.bq:
        write_jsonl(args.out / "clinc.jsonl", clinc_shape(queries, args.seed))
    oos = sum(not q["in_scope"] for q in queries)
    print(
        f"{len(cases)} cases, {len(queries)} queries ({oos} out of scope; "
        f"held-out intents: {', '.join(held_out) or 'none'}) in {args.out}"
    )


if __name__ == "__main__":
    main()
