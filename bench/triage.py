"""`python -m bench.triage`: how well case triage's urgency model proposes a priority.

The labelled sample is `bench/data/triage_labels.jsonl`: 200 case notes with the
priority a help-desk lead would give them (`low|normal|high|urgent`). 100 are real
customer messages from Banking77 and 40 from BQ (referenced by line, read from the
shared data folder, not copied), 60 are agent notes written for this sample in English
and Chinese. Labelling rule: urgent = money or security under threat now (fraud, theft,
a stranger using the account) or a customer left with no means to pay; high = access
blocked or money gone astray (card swallowed, PIN locked, charged twice, a transfer not
arriving), or strong time pressure; normal = a problem to act on with no money at
risk; low = a question.

Items alternate between a development half (rows 0, 2, 4, ...: what the lexicon and
cut points were adjusted on) and a test half (rows 1, 3, 5, ...: reported, not tuned
on). The headline is precision and recall of "high or urgent".
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import BANKING77, ROOT, SHARED
from kcrm.assist.triage import urgency

LABELS = ROOT / "bench" / "data" / "triage_labels.jsonl"
PRIORITIES = ("low", "normal", "high", "urgent")
HOT = {"high", "urgent"}


def load(path: Path = LABELS, data: Path = SHARED) -> list[dict[str, Any]]:
    """The labelled notes with their text resolved."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    banking = {}
    with (data / "banking77" / BANKING77.name).open(encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            banking[i + 2] = r["text"]  # line 1 is the header
    bq = (data / "bq" / "valid.tsv").read_text("utf-8").splitlines()
    for r in rows:
        if r["source"] == "banking77":
            r["text"], r["language"] = banking[r["line"]], "en"
        elif r["source"] == "bq":
            r["text"], r["language"] = bq[r["line"] - 1].split("\t")[0], "zh"
    return rows


def scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision/recall of "high or urgent" and of "urgent", exact and near accuracy."""
    predicted = [urgency(r["text"], r["language"])[2] for r in rows]
    truth = [r["urgency"] for r in rows]

    def pr(positive: set[str]) -> dict[str, float | int]:
        tp = sum(p in positive and t in positive for p, t in zip(predicted, truth, strict=True))
        fp = sum(p in positive and t not in positive for p, t in zip(predicted, truth, strict=True))
        fn = sum(p not in positive and t in positive for p, t in zip(predicted, truth, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": tp + fn,
        }

    rank = {p: i for i, p in enumerate(PRIORITIES)}
    pairs = list(zip(truth, predicted, strict=True))
    return {
        "n": len(rows),
        "high_or_urgent": pr(HOT),
        "urgent": pr({"urgent"}),
        "exact": round(sum(t == p for t, p in pairs) / len(rows), 3),
        "within_one": round(sum(abs(rank[t] - rank[p]) <= 1 for t, p in pairs) / len(rows), 3),
        "confusion": {t: dict(Counter(p for tt, p in pairs if tt == t)) for t in PRIORITIES},
    }


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    halves = {"dev": rows[0::2], "test": rows[1::2]}
    out: dict[str, Any] = {name: scores(part) for name, part in halves.items()}
    for lang in ("en", "zh"):
        out[f"test_{lang}"] = scores([r for r in halves["test"] if r["language"] == lang])
    out["all"] = scores(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.triage", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument("--errors", action="store_true", help="list the dev half's misses")
    args = ap.parse_args(argv)
    rows = load(data=args.data)
    if args.errors:
        for r in rows[0::2]:
            score, _, priority, signals = urgency(r["text"], r["language"])
            if (priority in HOT) != (r["urgency"] in HOT):
                print(f"{r['urgency']:>6} → {priority:<6} {score:.2f} {signals} {r['text']}")
        return 0
    print(json.dumps(evaluate(rows), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
