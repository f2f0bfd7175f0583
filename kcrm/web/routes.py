"""The pages and their static files; plus the campaign export the marketing page downloads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles

from kcrm.api.deps import KBDep, MarketingRole, RecommenderDep, SettingsDep
from kcrm.api.openapi import csv_response
from kcrm.crm.offer_lists import COLUMNS, campaign_csv
from kcrm.web.pages import STATIC, public_categories, public_key_status, render

router = APIRouter()
OFFER_LIST_CSV = csv_response(
    "The offer list: each customer's top offers (or a product's audience), customers with "
    "marketing consent only",
    COLUMNS,
    "k001,Ada Lovelace,ada@example.com,,True,False,True,champions,gold,1,new,card,Travel card,"
    "cards,0.912345,bought by customers like you",
)
router.mount("/static", StaticFiles(directory=STATIC), name="static")


@router.get("/help", response_class=HTMLResponse, include_in_schema=False)
def help_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Customers' self-service search, served with the public customer key."""
    key, status = public_key_status(request.app, settings.public_key)
    kb = getattr(request.app.state, "kb", None)
    # Still loading: the page works without the topic list and fills it on the next visit.
    categories = public_categories(kb.db) if kb is not None else {}
    return render("help.html", {"key": key, "keyStatus": status, "categories": categories})


# Reply drafts (`POST /v1/agent/draft`) come with agent assist; until the server has them,
# the console's resolution box starts from the suggestion's answer text instead.
DRAFT_ROUTE = "/v1/agent/draft"


@router.get("/agent", response_class=HTMLResponse, include_in_schema=False)
def agent_page(request: Request) -> HTMLResponse:
    """The agent console; the agent types a key, which stays in the browser session."""
    # The OpenAPI schema lists every route, however routers are nested (built once, cached).
    drafts = DRAFT_ROUTE in request.app.openapi().get("paths", {})
    return render("agent.html", {"drafts": drafts})


@router.get("/marketing", response_class=HTMLResponse, include_in_schema=False)
def marketing_page() -> HTMLResponse:
    """Offers, segments and campaign export, with a marketing key kept in the session."""
    return render("marketing.html", {})


@router.get(
    "/v1/campaigns/export",
    tags=["customers"],
    response_class=StreamingResponse,
    responses={200: OFFER_LIST_CSV},
)
def export_campaign(
    kb: KBDep,
    service: RecommenderDep,
    _: MarketingRole,
    k: Annotated[int, Query(ge=1, le=20, description="offers per customer")] = 3,
    segment: Annotated[str | None, Query(max_length=64, description="RFM segment")] = None,
    tier: Annotated[str | None, Query(max_length=16, description="gold, silver, bronze")] = None,
    product_id: Annotated[
        str | None, Query(max_length=128, description="that product's audience instead")
    ] = None,
    offer_type: Annotated[
        Literal["new", "renewal", "all"], Query(description="new products, renewals or both")
    ] = "new",
) -> StreamingResponse:
    """Every customer's top offers with reasons as CSV (or, with `product_id`, the customers
    most likely to take that product), optionally one segment or tier only."""
    lines = campaign_csv(
        service, kb.db, k, segment or None, tier or None, product_id or None, offer_type
    )
    parts = (product_id, segment, tier)
    name = "-".join(["campaign", *(x.replace(" ", "_") for x in parts if x)])
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
