"""Knowledge commands: ingest, delete, search, status, reindex, lifecycle, history, reports."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kcrm.cli.common import (
    SHOW_REJECTIONS,
    JsonOpt,
    ShowRejectionsOpt,
    cli_actor,
    emit,
    err,
    exit_for,
    fail,
    open_db,
    open_kb,
    out,
    print_report,
    progress_bar,
    refit_assist_if_stale,
)
from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.core.roles import check_role
from kcrm.crm.loader import count_records, load_paths
from kcrm.crm.refs import require_case
from kcrm.knowledge import lifecycle
from kcrm.knowledge.gaps import gap_report, plot_gaps
from kcrm.knowledge.kcs import draft_from_case
from kcrm.knowledge.outcomes import outcomes
from kcrm.knowledge.search import SearchFilters


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders")],
    create_missing: Annotated[
        bool, typer.Option(help="create unknown customers/products referenced by purchases")
    ] = False,
    show_rejections: ShowRejectionsOpt = SHOW_REJECTIONS,
    as_json: JsonOpt = False,
) -> None:
    """Load knowledge records (.jsonl .json .csv .md .txt); CRM CSVs in the folders first."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise fail(", ".join(str(p) for p in missing) + ": no such file or folder")
    start = time.perf_counter()
    with open_kb() as kb, progress_bar("ingesting", count_records(paths)) as advance:
        report, tables = load_paths(kb, paths, advance, create_missing, cli_actor())
    print_report(report, tables, as_json, time.perf_counter() - start, show_rejections)
    exit_for([report, *tables.values()])


def delete(
    ids: Annotated[list[str], typer.Argument(help="record ids")],
    as_json: JsonOpt = False,
) -> None:
    """Remove knowledge records from the database and both indexes."""
    with open_kb() as kb:
        deleted, missing = kb.delete(ids, cli_actor())
    if as_json:
        emit({"deleted": deleted, "not_found": missing})
    else:
        err.print(
            f"deleted {len(deleted)}" + (f"; not found: {', '.join(missing)}" if missing else "")
        )
    if missing:
        raise typer.Exit(1)


def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="results")] = 10,
    role: Annotated[
        str,
        typer.Option(help="customer and marketing see public, published records only"),
    ] = "agent",
    kind: Annotated[list[str] | None, typer.Option(help="only these kinds")] = None,
    category: Annotated[list[str] | None, typer.Option(help="only these categories")] = None,
    language: Annotated[str | None, typer.Option(help="only this language")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the knowledge base (dense + lexical)."""
    try:
        check_role(role)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    filters = SearchFilters(kinds=kind or [], categories=category or [], language=language)
    with open_kb() as kb:
        try:
            result = kb.search_full(query, k=k, role=role, filters=filters)
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    hits = result.hits
    if as_json:
        emit(
            {
                "query": query,
                "did_you_mean": result.did_you_mean,
                "no_match": result.no_match,
                "results": [h.as_dict() for h in hits],
            }
        )
        return
    if result.did_you_mean:
        err.print(f"showing results for: {result.did_you_mean}")
    if result.no_match:
        err.print("nothing relevant found" + (" (the closest records below)" if hits else ""))
    for i, h in enumerate(hits, 1):
        out.print(f"[bold]{i}. {h.title or h.id}[/]  [dim]{h.id} · {h.kind} · {h.score:.4f}[/]")
        out.print(f"   {h.snippet}")


def show_status(as_json: JsonOpt = False) -> None:
    """Counts of records, chunks, index entries and CRM rows; whether indexes match the database."""
    with open_kb() as kb:
        data = kb.status()
    if as_json:
        emit(data)
    else:
        table = Table("", "")
        for key, value in data.items():
            table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
        out.print(table)
    if not data["consistent"]:
        raise typer.Exit(1)


def reindex(as_json: JsonOpt = False) -> None:
    """Rebuild both indexes from the database (re-embedding only chunks of another model)."""
    start = time.perf_counter()
    with open_kb(for_rebuild=True) as kb, progress_bar("reindexing", None) as advance:
        n = kb.reindex(advance)
        data = kb.status()
        data["suggest_model_refit"] = refit_assist_if_stale(kb)
    data["reindexed_chunks"] = n
    data["seconds"] = round(time.perf_counter() - start, 3)
    if as_json:
        emit(data)
    else:
        err.print(f"reindexed {n} chunks in {data['seconds']}s; consistent: {data['consistent']}")


def _known(require: Callable[[Database, str], None], key: str) -> None:
    """Refuse an unknown id before the model and indexes are loaded."""
    db = open_db()
    try:
        require(db, key)
    except NotFound as exc:
        raise fail(str(exc)) from None
    finally:
        db.dispose()


def register(app: typer.Typer, report: typer.Typer) -> None:
    """Add the knowledge commands: ingest, delete, search, status, reindex, document, reports."""
    for command in (ingest, delete, search, reindex):
        app.command()(command)
    app.command("status")(show_status)

    document = typer.Typer(
        help="A knowledge record's life: status and history.", no_args_is_help=True
    )
    app.add_typer(document, name="document")

    @document.command("status")
    def status(
        doc_id: Annotated[str, typer.Argument(help="record id")],
        to: Annotated[str, typer.Option("--to", help="draft, review, published or archived")],
        note: Annotated[str, typer.Option(help="why")] = "",
        as_json: JsonOpt = False,
    ) -> None:
        """Move a record through draft → review → published → archived."""
        _known(lifecycle.require_document, doc_id)
        with open_kb() as kb:
            try:
                result = lifecycle.set_status(kb, doc_id, to, cli_actor(), note)
            except NotFound as exc:
                raise fail(str(exc)) from None
            except ValueError as exc:
                raise fail(str(exc), 2) from None
        if as_json:
            emit(result)
        else:
            err.print(f"{doc_id} is now {result['status']} (version {result['version']})")

    @document.command("history")
    def history(doc_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
        """Every version of a record, with who changed it."""
        db = open_db()
        try:
            rows = lifecycle.history(db, doc_id)
        except NotFound as exc:
            raise fail(str(exc)) from None
        finally:
            db.dispose()
        if as_json:
            emit(rows)
            return
        table = Table("version", "status", "change", "by", "at", "note")
        for r in rows:
            table.add_row(
                str(r["version"]),
                r["status"],
                r["change"],
                r["changed_by"],
                str(r["at"])[:19],
                r["note"],
            )
        out.print(table)

    @app.command("article-from-case")
    def article_from_case(
        case_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False
    ) -> None:
        """Draft a PII-free article from a closed case and list likely duplicates."""
        _known(require_case, case_id)
        with open_kb() as kb:
            try:
                result = draft_from_case(kb, case_id, cli_actor())
            except NotFound as exc:
                raise fail(str(exc)) from None
            except ValueError as exc:
                raise fail(str(exc), 2) from None
        if as_json:
            emit(result)
            return
        out.print(f"[bold]{result['article']['title']}[/]  ({result['article']['id']}, draft)")
        out.print(result["article"]["body"])
        for d in result["duplicates"]:
            flag = "[red]likely duplicate[/]" if d["likely_duplicate"] else "related"
            out.print(f"  {flag}: {d['id']} {d['title']} (similarity {d['similarity']:.2f})")

    @report.command("gaps")
    def gaps(
        days: Annotated[int, typer.Option(min=1, help="look back this many days")] = 30,
        min_size: Annotated[int, typer.Option(min=1, help="smallest cluster shown")] = 2,
        plot: Annotated[Path | None, typer.Option(help="write a PNG bar chart here")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Unanswered, low-confidence and not-helpful queries, clustered by meaning."""
        since = datetime.now(UTC) - timedelta(days=days)
        with open_kb() as kb:
            clusters = gap_report(kb, since=since, min_size=min_size)
        if plot is not None and clusters:
            plot_gaps(clusters, plot)
            err.print(f"plot written to {plot}")
        if as_json:
            emit({"since": since, "clusters": [c.as_dict() for c in clusters]})
            return
        if not clusters:
            err.print("no gaps: every logged query in the period found a confident answer")
        table = Table("size", "typical questions", "reasons", "nearest article")
        for c in clusters:
            near = c.nearest_article
            table.add_row(
                str(c.size),
                "\n".join(c.examples[:3]),
                ", ".join(f"{k} {v}" for k, v in c.reasons.items()),
                f"{near['id']} ({near['similarity']:.2f})" if near else "none",
            )
        out.print(table)

    @report.command("outcomes")
    def outcome_report(
        window_days: Annotated[int, typer.Option(min=1, help="deflection window")] = 7,
        as_json: JsonOpt = False,
    ) -> None:
        """Suggestion acceptance, self-service deflection proxy, per-article helpfulness."""
        with open_kb() as kb:
            data = outcomes(kb.db, timedelta(days=window_days))
        if as_json:
            emit(data)
            return
        out.print(f"suggestions: {data['suggestions']}")
        out.print(f"self-service: {data['self_service']}")
        table = Table("article", "helpful", "not helpful", "used", "rate")
        for a in data["articles"][:20]:
            table.add_row(
                a["id"],
                str(a["helpful"]),
                str(a["not_helpful"]),
                str(a["used"]),
                str(a["helpful_rate"]),
            )
        out.print(table)
