"""`kcrm recommend`, `kcrm evaluate recommend`, `kcrm train recommend`, `kcrm segments`."""

from __future__ import annotations

import csv
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kcrm.cli.common import (
    JsonOpt,
    emit,
    err,
    fail,
    iso_day,
    open_db,
    out,
    recommender,
    split_day,
)
from kcrm.core.config import get_settings
from kcrm.core.db import Database
from kcrm.core.errors import NotFound
from kcrm.crm.refs import require_customer

METRICS = ("hr", "precision", "ndcg", "map", "recall", "coverage")


def _step(message: str) -> None:
    err.print(f"[dim]{message}[/]")


def _embedder() -> Any:
    from kcrm.knowledge.embedders.factory import configured_embedder

    s = get_settings()
    return configured_embedder(s)


class OfferKind(StrEnum):
    new = "new"
    renewal = "renewal"
    all = "all"


OfferTypeOpt = Annotated[
    OfferKind,
    typer.Option(
        "--offer-type", help="new (not owned), renewal (owned repeatable products) or all"
    ),
]


def recommend(
    customer_id: Annotated[str | None, typer.Argument(help="customer id")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="offers per customer")] = 10,
    offer_type: OfferTypeOpt = OfferKind.new,
    all_: Annotated[bool, typer.Option("--all", help="every customer (campaign export)")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="CSV file for --all")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Next-best offers for one customer, or for all of them into a CSV file."""
    if all_ == (customer_id is not None):
        raise fail("give a CUSTOMER_ID or --all --out FILE.csv", 2)
    if all_ and out_file is None:
        raise fail("--all needs --out FILE.csv", 2)
    db = open_db()
    if customer_id is not None:
        try:
            require_customer(db, customer_id)  # before loading (or training) any model
        except NotFound as exc:
            raise fail(str(exc), 1) from None
    service = recommender(db)
    if not all_:
        assert customer_id is not None
        offers = service.recommend(customer_id, k, offer_type.value)
        if offers is None:
            raise fail(f"no customer with id {customer_id!r}", 1)
        items = [o.as_dict() for o in offers]
        if as_json:
            emit({"customer_id": customer_id, "items": items})
            return
        table = Table("#", "product", "name", "type", "score", "reasons")
        for i, o in enumerate(items, 1):
            table.add_row(
                str(i),
                o["product_id"],
                o["name"],
                o["offer_type"],
                f"{o['score']:.3f}",
                "; ".join(o["reasons"]),
            )
        out.print(table)
        return
    assert out_file is not None
    start = time.perf_counter()
    total = _customer_count(db)
    rows = 0
    with (
        out_file.open("w", newline="", encoding="utf-8") as fh,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("recommending", total=total)
        writer = csv.writer(fh)
        writer.writerow(
            ["customer_id", "rank", "offer_type", "product_id", "name", "score", "reasons"]
        )
        for cid, offers in service.recommend_all(k, offer_type.value):
            for rank, o in enumerate(offers, 1):
                writer.writerow(
                    [
                        cid,
                        rank,
                        o.offer_type,
                        o.product_id,
                        o.name,
                        f"{o.score:.6f}",
                        " | ".join(o.reasons),
                    ]
                )
                rows += 1
            bar.advance(task)
    summary = {
        "customers": total,
        "rows": rows,
        "out": str(out_file),
        "seconds": round(time.perf_counter() - start, 2),
    }
    if as_json:
        emit(summary)
    else:
        err.print(
            f"wrote {rows} offers for {total} customers to {out_file} in {summary['seconds']}s"
        )


def _customer_count(db: Database) -> int:
    from sqlalchemy import func, select

    from kcrm.core.tables import Customer

    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Customer)) or 0)


def evaluate_recommend(
    split_date: Annotated[
        str | None,
        typer.Option(help="train before this date (YYYY-MM-DD); default: the newest 20% scored"),
    ] = None,
    end_date: Annotated[
        str | None, typer.Option(help="evaluate purchases before this date")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="list length")] = 10,
    content: Annotated[bool, typer.Option(help="include the content model (embeds texts)")] = True,
    as_json: JsonOpt = False,
) -> None:
    """HR@k, precision@k, NDCG@k, MAP@k and coverage of every model and the blend."""
    from kcrm.recommend.config import RecommendConfig
    from kcrm.recommend.data import load_interactions
    from kcrm.recommend.evaluate import evaluate

    end = iso_day(end_date, "--end-date") if end_date else None
    db = open_db()
    data = load_interactions(db)
    try:
        split = split_day(data, split_date)
        result = evaluate(
            data, split, RecommendConfig(), _embedder() if content else None, end, k, _step
        )
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit(result)
        return
    table = Table("model", *(f"{m}@{k}" if m != "coverage" else m for m in METRICS))
    for name, m in result["models"].items():
        table.add_row(name, *(f"{m[x]:.4f}" for x in METRICS))
    out.print(table)
    err.print(
        f"{result['customers']} customers, {result['test_new_items']} new items after "
        f"{result['split_date']}; blend weights {result['weights']}; "
        f"{result['seconds']}s"
    )


def train_recommend(
    content: Annotated[bool, typer.Option(help="include the content model (embeds texts)")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Retrain every model and the blend on all purchases; save under the data dir."""
    from kcrm.crm.segments import compute_cohort, save_cohort
    from kcrm.recommend.config import RecommendConfig
    from kcrm.recommend.service import RecommendService
    from kcrm.recommend.store import model_dir, save_service

    start = time.perf_counter()
    db = open_db()
    service = RecommendService.train(
        db, RecommendConfig(), _embedder() if content else None, step=_step
    )
    path = model_dir(db.settings)
    save_service(service, path)
    cohort, _ = compute_cohort(db)
    if cohort is not None:
        save_cohort(cohort, path / "cohort.json")
    summary = {
        "path": str(path),
        "models": list(service.models),
        "weights": service.weights,
        "customers": len(service.users),
        "products": len(service.catalog),
        **service.info,
        "seconds": round(time.perf_counter() - start, 2),
    }
    if as_json:
        emit(summary)
    else:
        err.print(
            f"trained {', '.join(service.models)} in {summary['seconds']}s; "
            f"weights {service.weights}; saved to {path}"
        )


def segments(
    plots: Annotated[Path | None, typer.Option(help="write PNG plots into this folder")] = None,
    as_json: JsonOpt = False,
) -> None:
    """RFM segments, value tiers, repeat-purchase and loyalty rates (with --plots, PNGs)."""
    from kcrm.crm.segments import Cohort, save_cohort, segment_report
    from kcrm.recommend.store import model_dir

    db = open_db()
    report = segment_report(db)
    if report["cohort"] is not None:
        save_cohort(Cohort(**report["cohort"]), model_dir(db.settings) / "cohort.json")
    written: list[str] = []
    if plots is not None:
        from kcrm.recommend.plots import write_plots

        written = [str(p) for p in write_plots(db, report, plots)]
    data = {k: v for k, v in report.items() if k != "scores"}
    data["plots"] = written
    if as_json:
        emit(data)
        return
    table = Table(
        "segment",
        "customers",
        "share",
        f"{report.get('monetary_basis', '')} share",
        "recency (days)",
        "orders",
    )
    for s in report["segments"]:
        table.add_row(
            s["segment"],
            str(s["customers"]),
            f"{s['share']:.1%}",
            f"{s['monetary_share']:.1%}",
            f"{s['mean_recency_days']:.0f}",
            f"{s['mean_orders']:.1f}",
        )
    out.print(table)
    tiers = Table("value tier", "customers", "share", "spend share")
    for t in report["tiers"]:
        tiers.add_row(
            t["value_tier"], str(t["customers"]), f"{t['share']:.1%}", f"{t['monetary_share']:.1%}"
        )
    out.print(tiers)
    err.print(" · ".join(f"{k} {v}" for k, v in report["rates"].items()))
    for p in written:
        err.print(f"wrote {p}")


def register(app: typer.Typer, evaluate_app: typer.Typer, train_app: typer.Typer) -> None:
    """Add the recommendation and analytics commands to the `kcrm` CLI."""
    app.command("recommend")(recommend)
    app.command("segments")(segments)
    evaluate_app.command("recommend")(evaluate_recommend)
    train_app.command("recommend")(train_recommend)
