"""Administration: `kcrm init` (the schema) and `kcrm keys` (API keys)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from kcrm.cli.common import JsonOpt, emit, err, fail, open_db, out
from kcrm.core.config import get_settings
from kcrm.core.db import Database
from kcrm.core.keys import create_key, list_keys, revoke_key


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


keys_app = typer.Typer(help="API keys (only their hashes are stored).", no_args_is_help=True)


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


def register(app: typer.Typer) -> None:
    """Add `kcrm init` and `kcrm keys ...`."""
    app.command()(init)
    app.add_typer(keys_app, name="keys")
