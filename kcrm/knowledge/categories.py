"""Category labels: the name of each topic as readers see it, per language.

Categories are identifiers (`card_arrival`); the help page shows them as topics
in the reader's language ("Card delivery", "卡片寄送"). Labels load from a CSV
file named `categories*.csv` (`category,language,label`), as `kcrm ingest` finds
it beside the knowledge files; a category without a label in a language falls
back to its English label, then to the identifier made readable.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from kcrm.core.db import Database
from kcrm.core.tables import CategoryLabel
from kcrm.knowledge.records import IngestReport, Rejection

FIELDS = ("category", "language", "label")
TTL_SECONDS = 60.0
_cache: dict[str, tuple[float, dict[tuple[str, str], str]]] = {}
_lock = threading.Lock()


def is_labels_file(path: Path) -> bool:
    return path.suffix.lower() == ".csv" and path.name.startswith("categories")


def import_labels(db: Database, path: Path) -> IngestReport:
    """Upsert the labels of a `category,language,label` CSV file; bad rows are rejected."""
    report = IngestReport()
    rows: list[tuple[str, str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            report.rejected.append(
                Rejection(str(path), 1, f"missing columns: {', '.join(missing)}")
            )
            return report
        for line, row in enumerate(reader, start=2):
            values = [(row.get(f) or "").strip() for f in FIELDS]
            if not all(values) or len(values[0]) > 128 or len(values[1]) > 8:
                reason = "category, language and label are required"
                report.rejected.append(Rejection(str(path), line, reason))
                continue
            rows.append((values[0], values[1].lower(), values[2][:256]))
    with db.session() as s:
        for category, language, text in rows:
            existing = s.get(CategoryLabel, (category, language))
            if existing is None:
                s.add(CategoryLabel(category=category, language=language, label=text))
                report.added += 1
            elif existing.label != text:
                existing.label = text
                report.updated += 1
            else:
                report.unchanged += 1
    forget(db)
    return report


def forget(db: Database) -> None:
    with _lock:
        _cache.pop(db.settings.db_url, None)


def _all(db: Database) -> dict[tuple[str, str], str]:
    key = db.settings.db_url
    with _lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
            return hit[1]
    with db.session() as s:
        rows = s.execute(
            select(CategoryLabel.category, CategoryLabel.language, CategoryLabel.label)
        ).all()
    table = {(c, lang): label for c, lang, label in rows}
    with _lock:
        _cache[key] = (time.monotonic(), table)
    return table


def readable(category: str) -> str:
    text = category.replace("_", " ").replace("?", "").strip()
    return text[:1].upper() + text[1:]


def labels(db: Database, categories: Iterable[str], language: str) -> dict[str, str]:
    """Each category's label in `language` (else English, else the identifier made readable)."""
    table = _all(db)
    lang = (language or "en").split("-")[0].lower()
    return {c: table.get((c, lang)) or table.get((c, "en")) or readable(c) for c in categories}
