"""What every `kcrm` command module shares: consoles, --json, errors, progress, the database.

Kept apart from kcrm.cli so command modules of other packages can import it at
the top without a circular import through the CLI's registrations.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kcrm.config import get_settings
from kcrm.db import Database, SchemaError

err = Console(stderr=True)
out = Console(soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON on stdout")]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def cli_actor() -> str:
    """How a change made from this shell is recorded in histories."""
    return f"cli:{getpass.getuser()}"


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (silent when stderr is not a terminal and the work is small)."""
    show = err.is_terminal or (total or 0) >= 2000
    if not show:
        yield lambda n: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def open_db() -> Database:
    """The configured database, its schema checked (the embedded default upgrades itself)."""
    db = Database(get_settings())
    try:
        db.ensure_schema()
    except SchemaError as exc:
        raise fail(str(exc)) from None
    return db
