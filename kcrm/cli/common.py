"""What every `kcrm` command module shares: consoles, --json, errors, progress, opening stores."""

from __future__ import annotations

import getpass
import json
import re
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kcrm.cli.progress import Advance, progress, stage
from kcrm.core.config import Settings, get_settings
from kcrm.core.db import Database, SchemaError
from kcrm.knowledge.index.lexical import IndexInUse
from kcrm.knowledge.index.replica import IndexMismatch
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import IngestReport, Rejection

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


def progress_bar(
    label: str, total: int | None, unit: str = "records"
) -> AbstractContextManager[Advance]:
    """Progress of a long step on stderr: a bar in a terminal, periodic lines in logs."""
    return progress(label, total, unit, err)


def open_db() -> Database:
    """The configured database, its schema checked (the embedded default upgrades itself)."""
    db = Database(get_settings())
    try:
        db.ensure_schema()
    except SchemaError as exc:
        raise fail(str(exc)) from None
    return db


@contextmanager
def open_kb(settings: Settings | None = None, for_rebuild: bool = False) -> Iterator[KnowledgeBase]:
    settings = settings or get_settings()
    try:
        # The first run exports the model to ONNX (about 8 s) and a big index takes a
        # moment to load: say so when it takes a while.
        with stage("opening the knowledge base (model, indexes)", err):
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


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[-:./T]\d+)*")


def reason_kind(reason: str) -> str:
    """A rejection's reason without its values, so that rows rejected alike count together."""
    return _NUMBER.sub("…", _QUOTED.sub("'…'", reason))


def reasons_counted(rejected: list[Rejection]) -> dict[str, int]:
    """How many rows were rejected for each kind of reason, most frequent first."""
    counts: dict[str, int] = {}
    for r in rejected:
        kind = reason_kind(r.reason)
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


ShowRejectionsOpt = Annotated[
    int, typer.Option(min=0, help="list this many rejected rows (all are counted by reason)")
]
SHOW_REJECTIONS = 20


def report_data(
    report: IngestReport,
    tables: dict[str, IngestReport],
    show: int = SHOW_REJECTIONS,
    knowledge: bool = True,
) -> dict[str, Any]:
    """What `--json` prints: totals at the top, rejections counted by reason plus the first
    `show` of them, then each table's and (`knowledge`) the knowledge files' own counts."""
    parts = {**tables, "knowledge": report}
    rejected = [r for rep in parts.values() for r in rep.rejected]
    data: dict[str, Any] = {
        key: sum(getattr(rep, key) for rep in parts.values())
        for key in ("added", "updated", "unchanged", "deleted")
    }
    data["rejected"] = len(rejected)
    data["rejected_by_reason"] = reasons_counted(rejected)
    data["rejections"] = [r.as_dict() for r in rejected[:show]]
    data["embedded_chunks"] = report.embedded_chunks
    data["reused_chunks"] = report.reused_chunks
    if tables:
        data["tables"] = {name: _counts(rep) for name, rep in tables.items()}
    if knowledge:
        data["knowledge"] = _counts(report)
    return data


def _counts(report: IngestReport) -> dict[str, Any]:
    data = {k: v for k, v in report.as_dict().items() if k != "rejections"}
    data["rejected_by_reason"] = reasons_counted(report.rejected)
    return data


def print_report(
    report: IngestReport,
    tables: dict[str, IngestReport],
    as_json: bool,
    seconds: float,
    show: int = SHOW_REJECTIONS,
    knowledge: bool = True,
) -> None:
    data = report_data(report, tables, show, knowledge)
    data["seconds"] = round(seconds, 3)
    if as_json:
        emit(data)
        return
    table = Table("", "added", "updated", "unchanged", "deleted", "rejected")
    for name, rep in [*tables.items(), *([("knowledge", report)] if knowledge else [])]:
        table.add_row(
            name,
            str(rep.added),
            str(rep.updated),
            str(rep.unchanged),
            str(rep.deleted),
            str(len(rep.rejected)),
        )
    out.print(table)
    if data["rejected"]:
        err.print(f"[red]rejected {data['rejected']:,} rows[/], by reason:")
        for reason, n in data["rejected_by_reason"].items():
            err.print(f"  {n:>9,}  {reason}")
        for r in data["rejections"]:
            err.print(f"[red]rejected[/] {r['file']}:{r['line']}: {r['reason']}")
        hidden = data["rejected"] - len(data["rejections"])
        if hidden:
            err.print(f"… and {hidden:,} more (--show-rejections N lists more)")
    err.print(
        f"embedded {report.embedded_chunks} chunks, reused {report.reused_chunks}, "
        f"in {seconds:.1f}s"
    )


def exit_for(reports: list[IngestReport]) -> None:
    # Exit 2 tells scripts that some rows were rejected although the good ones landed.
    if any(rep.rejected for rep in reports):
        raise typer.Exit(2)


def refit_assist_if_stale(kb: KnowledgeBase) -> bool:
    """Refit the suggestion model and its calibration when the resolved cases changed."""
    from kcrm.assist import fit_assist, is_stale

    if not is_stale(kb):
        return False
    with stage("fitting the suggestion model and its calibration on the resolved cases", err, 0):
        fit_assist(kb)
    return True


def split_day(data: Any, split_date: str | None) -> float:
    """The day given by --split-date, or one derived from the purchases (and said so)."""
    from kcrm.recommend.data import DEFAULT_TEST_SHARE, default_split_day, from_day

    if split_date is not None:
        return iso_day(split_date, "--split-date")
    day = default_split_day(data)
    err.print(
        f"split date {from_day(day):%Y-%m-%d}: the newest {DEFAULT_TEST_SHARE:.0%} of the "
        "purchases are scored (--split-date to choose another)"
    )
    return day


def iso_day(value: str, option: str) -> float:
    """An ISO date option as days since the epoch (UTC unless it names a zone)."""
    from kcrm.recommend.data import to_day

    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: not an ISO date (YYYY-MM-DD): {value!r}", 2) from None
    return to_day(when if when.tzinfo else when.replace(tzinfo=UTC))


def recommender(db: Database) -> Any:
    """The saved recommender (trained and saved first if there is none)."""
    from kcrm.knowledge.embedders.factory import configured_embedder
    from kcrm.recommend.store import saved_or_trained

    return saved_or_trained(
        db,
        lambda: configured_embedder(get_settings()),
        lambda message: err.print(f"[yellow]{message}[/]"),
        lambda message: err.print(f"[dim]{message}[/]"),
    )
