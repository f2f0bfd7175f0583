"""`kcrm import customers|products|purchases FILE.csv`: CRM tables into the database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from kcrm.cli.common import (
    SHOW_REJECTIONS,
    JsonOpt,
    ShowRejectionsOpt,
    exit_for,
    fail,
    open_kb,
    print_report,
    progress_bar,
)
from kcrm.crm.imports import CSV_SUFFIXES
from kcrm.crm.loader import import_table
from kcrm.knowledge.records import IngestReport


def import_(
    table: Annotated[str, typer.Argument(help="customers, products or purchases")],
    file: Annotated[Path, typer.Argument(help="CSV file")],
    create_missing: Annotated[bool, typer.Option(help="create unknown customers/products")] = False,
    show_rejections: ShowRejectionsOpt = SHOW_REJECTIONS,
    as_json: JsonOpt = False,
) -> None:
    """Upsert CRM rows from a CSV file (formats in docs/formats.md)."""
    if table not in ("customers", "products", "purchases"):
        raise fail(f"table must be customers, products or purchases, not {table!r}", 2)
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    if file.suffix.lower() not in CSV_SUFFIXES:
        raise fail(f"{file}: unsupported file type {file.suffix!r}; CRM tables are CSV", 2)
    start = time.perf_counter()
    with open_kb() as kb, progress_bar(f"importing {table}", None) as advance:
        report = import_table(kb, table, file, create_missing, advance)
    seconds = time.perf_counter() - start
    print_report(IngestReport(), {table: report}, as_json, seconds, show_rejections, False)
    exit_for([report])


def register(app: typer.Typer) -> None:
    """Add `kcrm import`."""
    app.command("import")(import_)
