"""`kcrm suggest`, `kcrm evaluate suggest` and `kcrm train suggest` (alias `calibration`).

kcrm.cli is imported inside the commands: it imports this module while it is
itself being imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kcrm.cli_support import JsonOpt


def register(app: typer.Typer, evaluate_app: typer.Typer, train_app: typer.Typer) -> None:
    """Add the agent-assist commands to the `kcrm` command groups."""
    app.command("suggest")(suggest_command)
    evaluate_app.command("suggest")(evaluate_command)
    train_app.command("suggest")(train_command)
    train_app.command("calibration", hidden=True)(train_command)


def suggest_command(
    text: Annotated[str, typer.Argument(help="the new case's description")],
    customer: Annotated[str | None, typer.Option("--customer", help="customer id")] = None,
    product: Annotated[str | None, typer.Option("--product", help="product id")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="suggestions")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Suggested resolutions for a case, best first, with calibrated confidence."""
    from kcrm.assist.suggest import suggest
    from kcrm.cli import emit, err, fail, open_kb, out

    with open_kb() as kb:
        try:
            result = suggest(kb, text, k=k, product_id=product, customer_id=customer)
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
    from kcrm.cli import emit, err, fail, open_kb, progress_bar

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

    from kcrm.cli import out

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


def train_command(as_json: JsonOpt = False) -> None:
    """Fit the resolution model and its calibrator on the indexed resolved cases."""
    from kcrm.assist.train import fit_assist
    from kcrm.cli import emit, err, open_kb

    with open_kb() as kb:
        summary = fit_assist(kb, progress=lambda m: err.print(f"[dim]{m}[/]"))
    if as_json:
        emit(summary)
    elif summary["fitted"]:
        err.print(
            f"fitted on {summary['cases']} cases in {summary['categories']} categories "
            f"in {summary['seconds']}s; answerable threshold {summary['threshold']}, "
            f"held-out top-1 {summary['top1_accuracy']}, ECE {summary['ece']}"
        )
    else:
        err.print(f"[yellow]not fitted:[/] {summary['reason']}")
    if not summary["fitted"]:
        raise typer.Exit(1)
