"""`kcrm serve` and `kcrm demo` (load the demo corpus, create keys, serve)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from kcrm.cli.common import (
    err,
    fail,
    open_db,
    open_kb,
    print_report,
    progress_bar,
    refit_assist_if_stale,
)
from kcrm.core.config import get_settings
from kcrm.core.keys import create_key, list_keys, revoke_key
from kcrm.crm.loader import count_records, load_paths

HEALTHCHECK_SECONDS = 120


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
        # The workers share the cores: each runs fewer searches (and so fewer embeddings)
        # at once. With 4 threads each, two workers on 2 cores answered 116 searches/s
        # from 8 clients, with 2 threads 134 (a busy host, side by side; docs/scaling.md).
        os.environ.setdefault("KCRM_SEARCH_THREADS", str(max(2, 4 // workers)))
    # One core per query, a query per core: splitting a dozen tokens' forward pass over
    # both cores waits on the other core whenever it is busy (docs/benchmarks/http.md).
    os.environ.setdefault("KCRM_EMBEDDING_THREADS", "1")
    err.print(f"kcrm serving on http://{host}:{port} (docs at /docs), data in {settings.data_dir}")
    uvicorn.run(
        "kcrm.server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        # uvicorn kills a worker that leaves its ping unanswered this long (default 5 s),
        # and starts another. A worker loading a million chunks' indexes on a busy host
        # holds the GIL longer than that: with 5 s, two workers at 1M were killed and
        # restarted, loading, for as long as one watched, and never served.
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
    )


# Kestrel Bank's name and contact details, as the demo corpus publishes them
# (corpus/_faqs.py): `kcrm demo` never redacts them unless KCRM_PII_ALLOW says otherwise.
DEMO_PII_ALLOW = ("Kestrel", "+44 20 7946 0000", "support@kestrelbank.example")


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
    if "pii_allow" not in settings.model_fields_set:
        # Customers must read the bank's own name and hotline, not "call us on [PHONE]".
        settings.pii_allow = list(DEMO_PII_ALLOW)
    start = time.perf_counter()
    with (
        open_kb(settings) as kb,
        progress_bar("loading the demo corpus", count_records([corpus])) as advance,
    ):
        report, tables = load_paths(kb, [corpus], advance)
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


def register(app: typer.Typer) -> None:
    """Add `kcrm serve` and `kcrm demo`."""
    app.command()(serve)
    app.command()(demo)
