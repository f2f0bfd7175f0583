"""`kcrm suggest`, `kcrm evaluate suggest`, `kcrm train suggest` and `kcrm model ...`.

Domain modules are imported inside the commands: training imports PyTorch and
scikit-learn, which `kcrm --help` and every other command should not wait for.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any

import typer

from kcrm.cli.common import JsonOpt, emit, err, fail, open_db, open_kb, out, progress_bar
from kcrm.cli.progress import Advance, progress


def register(app: typer.Typer, evaluate_app: typer.Typer, train_app: typer.Typer) -> None:
    """Add the agent-assist commands to the `kcrm` command groups."""
    app.command("suggest")(suggest_command)
    evaluate_app.command("suggest")(evaluate_command)
    train_app.command("suggest")(train_command)
    train_app.command("calibration", hidden=True)(calibration_command)
    model_app = typer.Typer(
        help="Embedding model versions trained by `kcrm train suggest`.", no_args_is_help=True
    )
    model_app.command("list")(model_list)
    model_app.command("use")(model_use)
    model_app.command("rollback")(model_rollback)
    app.add_typer(model_app, name="model")


def suggest_command(
    text: Annotated[str, typer.Argument(help="the new case's description")],
    customer: Annotated[str | None, typer.Option("--customer", help="customer id")] = None,
    product: Annotated[str | None, typer.Option("--product", help="product id")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="suggestions")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Suggested resolutions for a case, best first, with calibrated confidence."""
    from kcrm.assist.suggest import suggest
    from kcrm.core.errors import NotFound
    from kcrm.crm.refs import require_customer, require_product

    db = open_db()
    try:  # unknown ids are refused before the model and indexes are loaded
        if customer:
            require_customer(db, customer)
        if product:
            require_product(db, product)
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    finally:
        db.dispose()
    with open_kb() as kb:
        try:
            result = suggest(kb, text, k=k, product_id=product, customer_id=customer)
        except NotFound as exc:
            raise fail(str(exc), 1) from None
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    if as_json:
        emit(result.as_dict())
        return
    if not result.calibrated:
        err.print("[yellow]confidence not calibrated:[/] run `kcrm train suggest`")
    verdict = "answerable" if result.answerable else "not answerable: escalate"
    out.print(f"[bold]{verdict}[/] [dim](threshold {result.threshold:.2f})[/]")
    for i, s in enumerate(result.suggestions, 1):
        out.print(
            f"[bold]{i}. {s.title}[/]  [dim]{s.category or s.article_id} · {s.confidence:.2f}[/]"
        )
        out.print(f"   {s.answer}")
        for e in s.evidence:
            out.print(f"   [dim]- {e.id} ({e.kind}, {e.score:.3f}): {e.snippet[:100]}[/]")


def evaluate_command(
    cases: Annotated[
        Path, typer.Option("--cases", help="labelled cases: text, category, in_scope")
    ],
    refit: Annotated[
        bool, typer.Option(help="refit the model first when the indexed cases changed")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Top-1, MRR, out-of-scope figures and calibration, beside dense kNN and a threshold."""
    from kcrm.assist.evaluate import evaluate_suggest, read_labelled
    from kcrm.assist.train import fit_assist, is_stale

    try:
        items = read_labelled(cases)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    with open_kb() as kb:
        if refit and is_stale(kb):
            err.print("the resolution model is missing or older than the cases: fitting it")
            summary = fit_assist(kb, progress=lambda m: err.print(f"[dim]{m}[/]"))
            if not summary["fitted"]:
                err.print(f"[yellow]not fitted:[/] {summary['reason']}")
        with progress_bar("evaluating", len(items)) as advance:
            report = evaluate_suggest(kb, items, advance)
    if as_json:
        emit(report)
    else:
        print_report(report)


def print_report(report: dict[str, Any]) -> None:
    from rich.table import Table

    def fmt(value: Any) -> str:
        return "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)

    out.print(
        f"{report['queries']} queries: {report['in_scope']} in scope, "
        f"{report['out_of_scope']} out of scope; answerable threshold {fmt(report['threshold'])}"
    )
    cols = ("top1_accuracy", "mrr", "oos_recall", "in_scope_accuracy", "overall_accuracy")
    table = Table("", "top-1", "MRR", "OOS recall", "in-scope acc.", "overall acc.")
    base = report.get("similarity_threshold", {}).get("threshold")
    names = {
        "suggest": "suggest",
        "dense_knn": "dense kNN",
        "similarity_threshold": f"cos ≥ {base}",
    }
    for name, label in names.items():
        if name in report:
            table.add_row(label, *(fmt(report[name].get(c)) for c in cols))
    out.print(table)
    retrieval = Table("retrieval", "top-1", "MRR")
    for name, row in report["retrieval"].items():
        retrieval.add_row(name, fmt(row["top1_accuracy"]), fmt(row["mrr"]))
    out.print(retrieval)
    cal = report["calibration"]
    bins = Table("confidence", "count", "mean conf.", "accuracy")
    for row in cal["bins"]:
        bins.add_row(
            row["bin"], str(row["count"]), fmt(row["mean_confidence"]), fmt(row["accuracy"])
        )
    out.print(bins)
    out.print(f"ECE {fmt(cal['ece'])} (in scope only {fmt(cal['ece_in_scope'])})")
    if "latency_ms" in report:
        took = report["latency_ms"]
        out.print(
            f"per suggestion: p50 {took['suggestion']['p50']} ms, p99 {took['suggestion']['p99']} "
            f"ms (problem statement p50 {took['problem_statement']['p50']} ms, ranking p50 "
            f"{took['ranking']['p50']} ms)"
        )


def train_command(
    embedding: Annotated[
        bool,
        typer.Option(
            "--embedding/--no-embedding",
            help="adapt the embedding model first (--no-embedding: refit the classifier only)",
        ),
    ] = True,
    epochs: Annotated[int, typer.Option(min=1, max=20, help="passes over the pairs")] = 1,
    max_minutes: Annotated[
        float,
        typer.Option(
            min=0.1, help="all of it (training, scoring, switching, refitting) within this long"
        ),
    ] = 10.0,
    as_json: JsonOpt = False,
) -> None:
    """Learn from the resolved cases: adapt the embedding model, switch if it is better,
    then refit the resolution model and its calibrator.
    """
    from kcrm.assist.finetune import TrainConfig, train_embedding
    from kcrm.assist.train import fit_assist

    result: dict[str, Any] = {}
    say("train suggest: loading the knowledge base and the resolved cases")
    with open_kb() as kb:
        if embedding:
            config = TrainConfig(epochs=epochs, max_seconds=max_minutes * 60)
            result["embedding"] = train_embedding(kb, config, say, track)
        result["resolution_model"] = fit_assist(kb, progress=say, track=track)
    if as_json:
        emit(result)
    else:
        if embedding:
            print_training(result["embedding"])
        print_fit(result["resolution_model"])
    if not result["resolution_model"]["fitted"]:
        raise typer.Exit(1)


def track(label: str, total: int | None, unit: str) -> AbstractContextManager[Advance]:
    """A counted step of a long command: a bar in a terminal, periodic lines in logs."""
    return progress(label, total, unit, err)


def say(message: str) -> None:
    """Progress of a long command, dimmed on stderr."""

    err.print(f"[dim]{message}[/]")


def calibration_command(as_json: JsonOpt = False) -> None:
    """Refit the resolution model and its calibrator only (same as --no-embedding)."""
    train_command(embedding=False, as_json=as_json)


def print_training(summary: dict[str, Any]) -> None:

    if not summary["trained"]:
        err.print(f"[yellow]embedding model not trained:[/] {summary['reason']}")
        return
    before, after = summary["before"], summary["after"]
    verdict = "[green]switched to it[/]" if summary["switched"] else "[yellow]kept the old model[/]"
    err.print(
        f"trained {summary['version']} on {summary['pairs']} pairs in "
        f"{summary['train_seconds']}s; held-out top-1 ({summary['held_out']} cases) "
        f"{before['top1']:.4f} ({before['model']}) → {after['top1']:.4f}: {verdict}"
    )
    sig = summary["significance"]
    err.print(
        f"  {sig['gained']} held-out cases gained, {sig['lost']} lost: p = {sig['p_value']} "
        f"(switching needs p < {sig['level']}); {summary['seconds']}s in all"
    )


def print_fit(summary: dict[str, Any]) -> None:

    if summary["fitted"]:
        err.print(
            f"resolution model fitted on {summary['cases']} cases in {summary['categories']} "
            f"categories in {summary['seconds']}s; answerable threshold {summary['threshold']}, "
            f"held-out top-1 {summary['top1_accuracy']}, ECE {summary['ece']}"
        )
    else:
        err.print(f"[yellow]not fitted:[/] {summary['reason']}")


def model_list(as_json: JsonOpt = False) -> None:
    """The configured model and every trained version; the one in use is marked."""
    from rich.table import Table

    from kcrm.core.config import get_settings
    from kcrm.knowledge.embedders.registry import ModelRegistry

    rows = ModelRegistry.load(get_settings()).rows()
    if as_json:
        emit(rows)
        return
    table = Table("", "version", "created", "held-out top-1", "compared with", "train s", "name")
    for r in rows:
        top1 = r.get("held_out_top1")
        versus = r.get("compared_top1")
        table.add_row(
            "*" if r["active"] else "",
            r["version"],
            str(r.get("created_at", "-")),
            "-" if top1 is None else f"{top1:.4f}",
            "-" if versus is None else f"{versus:.4f}",
            str(r.get("train_seconds", "-")),
            r["name"],
        )
    out.print(table)


def model_use(
    version: Annotated[str, typer.Argument(help="a version from `kcrm model list`, or base")],
    as_json: JsonOpt = False,
) -> None:
    """Switch to a model version: re-embed the knowledge base, refit the resolution model."""

    try:
        _switch(lambda reg: version, as_json)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


def model_rollback(as_json: JsonOpt = False) -> None:
    """Return to the model in use before the last switch."""

    try:
        _switch(lambda reg: reg.previous(), as_json)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


def _switch(target: Any, as_json: bool) -> None:
    import time

    from kcrm.assist.finetune import switch_to
    from kcrm.assist.train import fit_assist
    from kcrm.core.config import get_settings
    from kcrm.knowledge.embedders.registry import ModelRegistry

    settings = get_settings()
    reg = ModelRegistry.load(settings)
    version = target(reg)
    reg.check(version)
    if version == reg.active:
        raise ValueError(f"{version} is already in use")
    start = time.perf_counter()
    with open_kb() as kb:
        chunks = switch_to(kb, version, say=say, track=track)
        fit = fit_assist(kb, progress=say, track=track)
    result = {
        "version": version,
        "name": ModelRegistry.load(settings).name_of(version),
        "reembedded_chunks": chunks,
        "seconds": round(time.perf_counter() - start, 1),
        "resolution_model": fit,
    }
    if as_json:
        emit(result)
    else:
        err.print(
            f"now using {version} ({result['name']}): {chunks} chunks re-embedded "
            f"in {result['seconds']}s"
        )
        print_fit(fit)
