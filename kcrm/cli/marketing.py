"""`kcrm audience`, `kcrm rules`, `kcrm campaign ...` and `kcrm evaluate audience`."""

from __future__ import annotations

from typing import Annotated

import typer
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
from kcrm.core.errors import NotFound
from kcrm.crm.refs import require_product


def audience(
    product_id: Annotated[str, typer.Argument(help="the product to find customers for")],
    k: Annotated[int, typer.Option("--k", min=1, max=10_000, help="customers")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """The customers most likely to take a product they do not own yet, best first."""
    db = open_db()
    try:
        require_product(db, product_id)  # before loading (or training) the model
        members = recommender(db).audience(product_id, k)
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit({"product_id": product_id, "customers": [m.as_dict() for m in members]})
        return
    table = Table("#", "customer", "score", "reasons")
    for i, m in enumerate(members, 1):
        table.add_row(str(i), m.customer_id, f"{m.score:.4f}", "; ".join(m.reasons))
    out.print(table)


def rules(
    product_id: Annotated[str | None, typer.Option("--product", help="on either side")] = None,
    min_lift: Annotated[float, typer.Option(min=0.0)] = 1.0,
    min_confidence: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.0,
    min_support: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.0,
    min_customers: Annotated[int, typer.Option(min=1)] = 10,
    k: Annotated[int, typer.Option("--k", min=1, max=10_000, help="rules")] = 50,
    sort: Annotated[str, typer.Option(help="lift, confidence, support or customers")] = "lift",
    as_json: JsonOpt = False,
) -> None:
    """Association rules between products: support, confidence, lift, customers."""
    from kcrm.recommend.associations import RuleFilter

    rule_filter = RuleFilter(
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        min_customers=min_customers,
        k=k,
        sort=sort,  # type: ignore[arg-type]  # RuleFilter.check names the allowed values
    )
    db = open_db()
    try:
        if product_id is not None:
            require_product(db, product_id)  # before loading (or training) the model
        found = recommender(db).rules(rule_filter, product_id)
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit({"rules": [r.as_dict() for r in found]})
        return
    table = Table("if bought", "then also", "customers", "support", "confidence", "lift")
    for r in found:
        table.add_row(
            ", ".join(r.antecedent_names),
            ", ".join(r.consequent_names),
            str(r.customers),
            f"{r.support:.2%}",
            f"{r.confidence:.1%}",
            f"{r.lift:.2f}",
        )
    out.print(table)


def evaluate_audience(
    split_date: Annotated[
        str | None,
        typer.Option(help="train before this date (YYYY-MM-DD); default: the newest 20% after"),
    ] = None,
    end_date: Annotated[str | None, typer.Option(help="count purchases before this date")] = None,
    items: Annotated[int, typer.Option(min=1, max=1000, help="most-bought new items")] = 10,
    k: Annotated[int, typer.Option("--k", min=1, help="customers per audience")] = 100,
    content: Annotated[bool, typer.Option(help="include the content model (embeds texts)")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Audiences against the most active non-owners: precision@k on a later period."""
    from kcrm.knowledge.embedders.factory import configured_embedder
    from kcrm.recommend.config import RecommendConfig
    from kcrm.recommend.data import load_interactions
    from kcrm.recommend.evaluate import evaluate_audience as run
    from kcrm.recommend.people import load_profiles

    end = iso_day(end_date, "--end-date") if end_date else None
    db = open_db()
    data = load_interactions(db)
    try:
        split = split_day(data, split_date)
        embedder = configured_embedder(db.settings) if content else None
        result = run(
            data, split, RecommendConfig(), embedder, end, items, k, load_profiles(db, data.users)
        )
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit(result)
        return
    table = Table("product", "new buyers", f"audience P@{k}", f"most active P@{k}")
    for row in result["items"]:
        table.add_row(
            row["product_id"],
            str(row["new_buyers"]),
            f"{row['audience_precision']:.3f}",
            f"{row['baseline_precision']:.3f}",
        )
    out.print(table)
    err.print(
        f"mean precision@{k}: audience {result['audience_precision']}, most active non-owners "
        f"{result['baseline_precision']} (difference {result['difference']} ± "
        f"{result['difference_se']}); {result['seconds']}s"
    )


campaign_app = typer.Typer(help="Campaigns with a random holdout.", no_args_is_help=True)


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Argument(help="what the campaign is called")],
    product_id: Annotated[str | None, typer.Option("--product", help="offer this product")] = None,
    segment: Annotated[str | None, typer.Option(help="RFM segment")] = None,
    tier: Annotated[str | None, typer.Option(help="value tier: gold, silver, bronze")] = None,
    size: Annotated[int | None, typer.Option(min=2, help="at most this many customers")] = None,
    holdout: Annotated[float, typer.Option(help="share held out, above 0 and at most 0.5")] = 0.2,
    seed: Annotated[int | None, typer.Option(min=0, help="of the holdout draw")] = None,
    consent_only: Annotated[
        bool, typer.Option("--consent-only", help="only customers who agreed to marketing")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a campaign for a product, or a segment and/or tier, with a random holdout."""
    from kcrm.cli.common import cli_actor
    from kcrm.crm.campaigns import CampaignSpec, create_campaign

    spec = CampaignSpec(name, holdout, product_id, segment, tier, size, seed, consent_only)
    try:
        spec.check()  # before loading any model
        db = open_db()
        if product_id is not None:
            require_product(db, product_id)
        created = create_campaign(db, recommender(db), spec, cli_actor())
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit(created)
    else:
        err.print(
            f"campaign {created['id']}: {created['treatment']} customers to offer, "
            f"{created['holdout']} held out (seed {created['seed']})"
        )


@campaign_app.command("members")
def campaign_members(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    group: Annotated[str | None, typer.Option(help="treatment or holdout")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The members of a campaign, in rank order, with their answers."""
    from kcrm.crm.campaigns import members

    try:
        found = members(open_db(), campaign_id, group)  # type: ignore[arg-type]
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit(found)
        return
    table = Table("rank", "customer", "name", "group", "product", "score", "outcome")
    for m in found["customers"]:
        table.add_row(
            str(m["rank"]),
            m["customer_id"],
            m["name"],
            m["group"],
            m["product_id"],
            f"{m['score']:.4f}",
            m["outcome"] or "",
        )
    out.print(table)


@campaign_app.command("outcome")
def campaign_outcome(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    customer_id: Annotated[str, typer.Argument(help="a treatment member")],
    outcome: Annotated[str, typer.Argument(help="accepted or rejected")],
    as_json: JsonOpt = False,
) -> None:
    """Record a treatment member's answer to the offer."""
    from kcrm.cli.common import cli_actor
    from kcrm.core.errors import Conflict
    from kcrm.crm.campaigns import record_outcome

    try:
        row = record_outcome(open_db(), campaign_id, customer_id, outcome, cli_actor())  # type: ignore[arg-type]
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    except (Conflict, ValueError) as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        emit(row)
    else:
        err.print(f"recorded: {customer_id} {outcome} {row['product_id']}")


@campaign_app.command("report")
def campaign_report(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    as_json: JsonOpt = False,
) -> None:
    """Conversion per group, the uplift of the treatment and its 95 % interval."""
    from kcrm.crm.campaign_results import report

    try:
        got = report(open_db(), campaign_id)
    except NotFound as exc:
        raise fail(str(exc), 1) from None
    if as_json:
        emit(got)
        return
    table = Table("group", "customers", "converted", "rate")
    for group in ("treatment", "holdout"):
        g = got[group]
        rate = "" if g["rate"] is None else f"{g['rate']:.2%}"
        table.add_row(group, str(g["customers"]), str(g["converted"]), rate)
    out.print(table)
    if got["uplift"] is None:
        err.print("no uplift yet: a group is empty")
    else:
        err.print(
            f"uplift {got['uplift']:+.2%} (95% interval {got['ci_low']:+.2%} to "
            f"{got['ci_high']:+.2%}, {got['ci']})"
        )


def register(app: typer.Typer, evaluate_app: typer.Typer) -> None:
    """Add the marketing commands to the `kcrm` CLI."""
    app.command("audience")(audience)
    app.command("rules")(rules)
    app.add_typer(campaign_app, name="campaign")
    evaluate_app.command("audience")(evaluate_audience)
