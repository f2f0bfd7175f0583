"""CLI for the knowledge team: lifecycle, history, drafts from cases, gap and outcome reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kcrm.cli_support import JsonOpt
from kcrm.knowledge import lifecycle
from kcrm.knowledge.gaps import gap_report, plot_gaps
from kcrm.knowledge.kcs import draft_from_case
from kcrm.knowledge.outcomes import outcomes
from kcrm.querylog import NotFound


def register(app: typer.Typer) -> None:
    """Add `kcrm document ...`, `kcrm report ...` and `kcrm article-from-case`."""
    # Imported here: kcrm.cli imports this module to register these commands.
    from kcrm.cli import cli_actor, emit, err, fail, open_kb, out

    document = typer.Typer(
        help="A knowledge record's life: status and history.", no_args_is_help=True
    )
    report = typer.Typer(help="Reports for the knowledge team.", no_args_is_help=True)
    app.add_typer(document, name="document")
    app.add_typer(report, name="report")

    @document.command("status")
    def status(
        doc_id: Annotated[str, typer.Argument(help="record id")],
        to: Annotated[str, typer.Option("--to", help="draft, review, published or archived")],
        note: Annotated[str, typer.Option(help="why")] = "",
        as_json: JsonOpt = False,
    ) -> None:
        """Move a record through draft → review → published → archived."""
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
        with open_kb() as kb:
            try:
                rows = lifecycle.history(kb, doc_id)
            except NotFound as exc:
                raise fail(str(exc)) from None
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
