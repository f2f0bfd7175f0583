"""The `kcrm` command line: JSON on stdout with --json, progress and logs on stderr."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kcrm.auth import create_key, list_keys, revoke_key
from kcrm.cli_support import (
    JsonOpt,
    cli_actor,
    emit,
    err,
    fail,
    open_db,
    out,
    progress_bar,
)
from kcrm.config import Settings, get_settings
from kcrm.db import Database, SchemaError
from kcrm.knowledge.ingest import IngestReport
from kcrm.knowledge.kb import KnowledgeBase, count_records, plan_paths
from kcrm.knowledge.lexical_index import IndexInUse
from kcrm.knowledge.replica import IndexMismatch
from kcrm.knowledge.search import SearchFilters

app = typer.Typer(
    name="kcrm",
    help="kcrm: a knowledge-based CRM (agent assist, self-service search, next-best offers).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def open_kb(settings: Settings | None = None, for_rebuild: bool = False) -> Iterator[KnowledgeBase]:
    settings = settings or get_settings()
    try:
        kb = KnowledgeBase.open(settings, for_rebuild=for_rebuild)
    except (SchemaError, IndexMismatch) as exc:
        raise fail(str(exc)) from None
    except IndexInUse:
        raise fail(
            f"the index in {settings.index_dir} is in use by another process (a running "
            "`kcrm serve`?): stop it first; a server applies changes by itself"
        ) from None
    try:
        yield kb
    finally:
        kb.close()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log debug output")] = False,
) -> None:
    """Configure logging; settings come from KCRM_* variables (see README)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@app.command()
def init(as_json: JsonOpt = False) -> None:
    """Create or upgrade the schema in the configured database."""
    settings = get_settings()
    db = Database(settings)
    before = db.current_revision()
    after = db.upgrade()
    db.dispose()
    result = {
        "database": db.engine.url.render_as_string(hide_password=True),
        "from_revision": before,
        "revision": after,
    }
    if as_json:
        emit(result)
    else:
        err.print(f"schema at revision {after} (was {before or 'empty'}) in {result['database']}")


def print_report(
    report: IngestReport, tables: dict[str, IngestReport], as_json: bool, seconds: float
) -> None:
    data = report.as_dict()
    data["seconds"] = round(seconds, 3)
    if tables:
        data["tables"] = {name: rep.as_dict() for name, rep in tables.items()}
    if as_json:
        emit(data)
        return
    table = Table("", "added", "updated", "unchanged", "deleted", "rejected")
    for name, rep in [*tables.items(), ("knowledge", report)]:
        table.add_row(
            name,
            str(rep.added),
            str(rep.updated),
            str(rep.unchanged),
            str(rep.deleted),
            str(len(rep.rejected)),
        )
    out.print(table)
    for rep in [*tables.values(), report]:
        for r in rep.rejected:
            err.print(f"[red]rejected[/] {r.file}:{r.line}: {r.reason}")
    err.print(
        f"embedded {report.embedded_chunks} chunks, reused {report.reused_chunks}, "
        f"in {seconds:.1f}s"
    )


def refit_assist_if_stale(kb: KnowledgeBase) -> bool:
    """Refit the suggestion model and its calibration when the resolved cases changed."""
    from kcrm.assist import fit_assist, is_stale

    if not is_stale(kb):
        return False
    err.print("fitting the suggestion model and its calibration on the resolved cases…")
    fit_assist(kb)
    return True


def exit_for(reports: list[IngestReport]) -> None:
    # Exit 2 tells scripts that some rows were rejected although the good ones landed.
    if any(rep.rejected for rep in reports):
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders")],
    create_missing: Annotated[
        bool, typer.Option(help="create unknown customers/products referenced by purchases")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load knowledge records (.jsonl .json .csv .md .txt); CRM CSVs in the folders first."""
    plan = plan_paths(paths)
    if plan.missing:
        raise fail(", ".join(str(p) for p in plan.missing) + ": no such file or folder")
    start = time.perf_counter()
    with open_kb() as kb, progress_bar("ingesting", count_records(plan)) as advance:
        report, tables = kb.ingest_paths(paths, advance, create_missing, cli_actor())
    print_report(report, tables, as_json, time.perf_counter() - start)
    exit_for([report, *tables.values()])


@app.command("import")
def import_(
    table: Annotated[str, typer.Argument(help="customers, products or purchases")],
    file: Annotated[Path, typer.Argument(help="CSV file")],
    create_missing: Annotated[bool, typer.Option(help="create unknown customers/products")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Upsert CRM rows from a CSV file (formats in docs/formats.md)."""
    if table not in ("customers", "products", "purchases"):
        raise fail(f"table must be customers, products or purchases, not {table!r}", 2)
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    start = time.perf_counter()
    with open_kb() as kb, progress_bar(f"importing {table}", None) as advance:
        report = kb.import_table(table, file, create_missing, advance)
    print_report(IngestReport(), {table: report}, as_json, time.perf_counter() - start)
    exit_for([report])


@app.command()
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


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="results")] = 10,
    role: Annotated[
        str, typer.Option(help="customer sees public, published records only")
    ] = "agent",
    kind: Annotated[list[str] | None, typer.Option(help="only these kinds")] = None,
    category: Annotated[list[str] | None, typer.Option(help="only these categories")] = None,
    language: Annotated[str | None, typer.Option(help="only this language")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the knowledge base (dense + lexical)."""
    if role not in ("customer", "agent", "admin", "marketing"):
        raise fail(f"role must be customer or agent, not {role!r}", 2)
    filters = SearchFilters(kinds=kind or [], categories=category or [], language=language)
    with open_kb() as kb:
        try:
            hits = kb.search(query, k=k, role=role, filters=filters)
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    if as_json:
        emit({"query": query, "results": [h.as_dict() for h in hits]})
        return
    if not hits:
        err.print("no results")
    for i, h in enumerate(hits, 1):
        out.print(f"[bold]{i}. {h.title or h.id}[/]  [dim]{h.id} · {h.kind} · {h.score:.4f}[/]")
        out.print(f"   {h.snippet}")


@app.command()
def status(as_json: JsonOpt = False) -> None:
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


@app.command()
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


keys_app = typer.Typer(help="API keys (only their hashes are stored).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, agent, customer or marketing")],
    name: Annotated[str, typer.Option(help="who or what the key is for")] = "",
    customer: Annotated[str | None, typer.Option(help="for a customer key: whose")] = None,
    rate_limit: Annotated[
        int | None, typer.Option(min=1, help="requests per minute (default: the server's)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a key and print it once; it cannot be shown again."""
    db = open_db()
    try:
        key, row = create_key(db, role, name, customer, rate_limit)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    finally:
        db.dispose()
    if as_json:
        emit({"key": key, "id": row.id, "role": role, "name": name, "prefix": row.prefix})
    else:
        sys.stdout.write(key + "\n")
        err.print(f"{role} key #{row.id} ({row.prefix}…): store it now, it is not shown again")


@keys_app.command("list")
def keys_list(as_json: JsonOpt = False) -> None:
    """Keys by id, role and prefix (never the key)."""
    db = open_db()
    rows = list_keys(db)
    db.dispose()
    if as_json:
        emit(rows)
        return
    table = Table("id", "role", "name", "prefix", "customer", "last used", "revoked")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["role"],
            r["name"],
            r["prefix"] + "…",
            r["customer_id"] or "",
            str(r["last_used_at"] or ""),
            str(r["revoked"]),
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="the id from `kcrm keys list`")],
) -> None:
    """Revoke a key (servers stop accepting it within seconds)."""
    db = open_db()
    ok = revoke_key(db, key_id)
    db.dispose()
    if not ok:
        raise fail(f"no active key with id {key_id}")
    err.print(f"key #{key_id} revoked")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
) -> None:
    """Serve the HTTP API and pages."""
    import uvicorn

    settings = get_settings()
    db = open_db()
    db.dispose()
    if workers > 1:
        os.environ["KCRM_PRIVATE_REPLICA"] = "1"
    err.print(f"kcrm serving on http://{host}:{port} (docs at /docs), data in {settings.data_dir}")
    uvicorn.run(
        "kcrm.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@app.command()
def demo(
    corpus: Annotated[Path, typer.Option(help="the demo corpus folder")] = Path("corpus"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="load only")] = False,
) -> None:
    """Load corpus/ into the embedded store, create demo keys, and serve."""
    if not corpus.is_dir():
        raise fail(f"{corpus}: no such folder (run from the project root or pass --corpus)")
    settings = get_settings()
    start = time.perf_counter()
    plan = plan_paths([corpus])
    with (
        open_kb(settings) as kb,
        progress_bar("loading the demo corpus", count_records(plan)) as advance,
    ):
        report, tables = kb.ingest_paths([corpus], advance)
        status_ = kb.status()
        # Calibrated confidence from the first suggestion on, not after a background fit.
        refit_assist_if_stale(kb)
    print_report(report, tables, False, time.perf_counter() - start)
    err.print(
        f"{status_['documents']} documents, {status_['vectors']} vectors, "
        f"consistent: {status_['consistent']}"
    )
    db = open_db()
    # Keys of an earlier demo run are revoked: their plaintext was only ever printed.
    for row in list_keys(db):
        if row["name"].startswith("demo-") and not row["revoked"]:
            revoke_key(db, row["id"])
    lines = []
    for role in ("admin", "agent", "customer", "marketing"):
        key, _row = create_key(db, role, f"demo-{role}")
        if role == "customer":
            settings.public_key = key  # /help searches with this key; the server shares settings
        lines.append(f"  {role:<10} {key}")
    db.dispose()
    err.print("demo API keys (new each run; only their hashes are stored):\n" + "\n".join(lines))
    if not no_serve:
        serve(host=host, port=port, workers=1)


# ---- command groups filled by other packages -------------------------------------------
# Each package owns its commands in its own module and registers them here with one line,
# e.g. `register_recommend(app, evaluate_app, train_app)`.
evaluate_app = typer.Typer(help="Measure quality offline.", no_args_is_help=True)
train_app = typer.Typer(help="Train or refresh models.", no_args_is_help=True)

# (registrations go below this line)
from kcrm.knowledge.commands import register as register_knowledge  # noqa: E402

register_knowledge(app)
from kcrm.recommend.commands import register as register_recommend  # noqa: E402

register_recommend(app, evaluate_app, train_app)
from kcrm.assist.commands import register as register_assist  # noqa: E402

register_assist(app, evaluate_app, train_app)


def _add_groups() -> None:
    # A group is shown only once something registered a command in it.
    for group, name in ((evaluate_app, "evaluate"), (train_app, "train")):
        if group.registered_commands or group.registered_groups:
            app.add_typer(group, name=name)


_add_groups()

if __name__ == "__main__":  # pragma: no cover
    app()
