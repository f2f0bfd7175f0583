"""What PII redaction costs: ingest of public Banking77-like records, and per search query.

Each Banking77 question becomes a public FAQ (title, body, category, tags), so every
text field goes through the redactor as it does for a help centre. The script only
uses APIs that kcrm has had from the start, so it can time an older checkout too
(`PYTHONPATH=<that checkout> python bench/pii_ingest.py`), side by side.

    python bench/pii_ingest.py --records 10000 --repeat 3 [--model hash-64]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

try:  # the layout before and after kcrm's packages by layer, so older checkouts run too
    from kcrm.core.config import Settings
    from kcrm.knowledge.embedders.factory import make_embedder
except ImportError:
    from kcrm.config import Settings  # type: ignore[no-redef]
    from kcrm.knowledge.embeddings import make_embedder  # type: ignore[no-redef]
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed

DATA = Path(__file__).resolve().parents[1].parent / "shared/data/banking77/train.csv"


def records(rows: list[tuple[str, str]], run: int) -> list[Parsed]:
    """Public FAQs made of Banking77 questions (ids differ per run: every one is new)."""
    return [
        Parsed(
            KnowledgeRecord(
                id=f"b77-{run}-{i}",
                kind="faq",
                visibility="public",
                title=text,
                body=f"{text} Our help centre answers this under {intent.replace('_', ' ')}.",
                category=intent,
                tags=[intent, "banking77"],
                language="en",
            ),
            "banking77",
            i,
        )
        for i, (text, intent) in enumerate(rows)
    ]


def redact_fn() -> Any:
    """The redactor of whichever kcrm is on the path."""
    try:
        from kcrm.knowledge.text.pii import redact
    except ImportError:  # before kcrm.knowledge.text existed
        from kcrm.knowledge.nlp import redact  # type: ignore[attr-defined,no-redef]
    return redact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8") as fh:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(fh)][: args.records]
    embedder = make_embedder(args.model)
    redact = redact_fn()
    redact("warm up for John Smith +44 20 7946 0958")
    embedder.encode([t for t, _ in rows[:64]])
    per_query = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text, _ in rows[:2000]:
            redact(text)
        per_query.append((time.perf_counter() - start) / min(2000, len(rows)) * 1000)
    seconds = []
    for run in range(args.repeat):
        # A fresh data dir each run: a second run would reuse the first one's vectors.
        with tempfile.TemporaryDirectory() as tmp:
            kb = KnowledgeBase.open(Settings(data_dir=Path(tmp)), embedder=embedder)
            batch = records(rows, run)
            start = time.perf_counter()
            report = kb.ingest(batch)
            seconds.append(time.perf_counter() - start)
            assert report.added == len(rows), report.as_dict()
            kb.close()
    out = {
        "records": len(rows),
        "model": args.model,
        "ingest_seconds": [round(s, 2) for s in seconds],
        "ingest_records_per_s_median": round(len(rows) / statistics.median(seconds), 1),
        "redact_ms_per_query": [round(q, 3) for q in per_query],
        "redact_ms_per_query_median": round(statistics.median(per_query), 3),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
