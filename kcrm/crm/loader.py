"""Loading a folder or files: CRM tables (customers, products, purchases) first, then knowledge.

A folder exported from a CRM holds both: `customers*.csv`, `products*.csv` and
`purchases*.csv` load as CRM tables, in that order (purchases refer to the other
two), `categories*.csv` as the categories' labels per language, and every other
supported file as knowledge records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kcrm.crm.imports import import_csv
from kcrm.knowledge.categories import import_labels, is_labels_file
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import IngestReport, estimate_records, knowledge_files, read_path

CRM_TABLES = ("customers", "products", "purchases")
ProgressFn = Callable[[int], None]


def crm_table(file: Path) -> str | None:
    """The CRM table a file holds, by its name (`customers-2026.csv` -> customers)."""
    if file.suffix.lower() != ".csv":
        return None
    return next((t for t in CRM_TABLES if file.name.startswith(t)), None)


def crm_files(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """(table, file) of the CRM tables among `paths`, in load order."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*.csv") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            table = crm_table(file)
            if table is not None:
                found.append((table, file))
    return sorted(found, key=lambda item: CRM_TABLES.index(item[0]))


def not_records(file: Path) -> bool:
    """Files in a folder that hold no knowledge records: CRM tables, category labels."""
    return crm_table(file) is not None or is_labels_file(file)


def label_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*.csv") if p.is_file()) if path.is_dir() else [path]
        found.extend(f for f in files if is_labels_file(f))
    return found


def count_records(paths: Sequence[Path]) -> int:
    """About how many knowledge records `paths` hold (a progress total; nothing is parsed)."""
    files = knowledge_files(paths, skip=not_records)
    return sum(estimate_records(file) for file, _ in files)


def load_paths(
    kb: KnowledgeBase,
    paths: Sequence[Path],
    progress: ProgressFn | None = None,
    create_missing: bool = False,
    actor: str = "",
) -> tuple[IngestReport, dict[str, IngestReport]]:
    """Load CRM tables, then knowledge files; returns (knowledge report, reports per table)."""
    files = knowledge_files(paths, skip=not_records)
    tables: dict[str, IngestReport] = {}
    for file in label_files(paths):
        tables.setdefault("categories", IngestReport()).merge(import_labels(kb.db, file))
    crm = crm_files(paths)
    for table, file in crm:
        report = import_csv(kb.db, table, file, create_missing)  # type: ignore[arg-type]
        tables.setdefault(table, IngestReport()).merge(report)
    if any(t == "products" for t, _ in crm):
        kb.reload_products()
    items = (item for file, root in files for item in read_path(file, root))
    return kb.ingest(items, progress, actor), tables


def import_table(
    kb: KnowledgeBase,
    table: str,
    path: Path,
    create_missing: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Upsert one CRM table from a CSV file."""
    if table not in CRM_TABLES:
        raise ValueError(f"table must be one of {', '.join(CRM_TABLES)}, got {table!r}")
    report = import_csv(kb.db, table, path, create_missing, progress)  # type: ignore[arg-type]
    if table == "products":
        kb.reload_products()
    return report
