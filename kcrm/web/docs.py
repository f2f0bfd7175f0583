"""/docs and /redoc from assets installed with kcrm: they work without internet access.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with inline
scripts: without internet the page is blank, and the pages' Content-Security-Policy
(scripts and styles from this server only) would block them anyway. The assets come
from the `fastapi-offline` package (Swagger UI and ReDoc bundles, Apache-2.0 and
MIT); the pages start them from files in `static/apidocs`, under the same policy
as every other page.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from kcrm.web.pages import CSP, HEADERS, render

VENDOR = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter()
router.mount("/vendor", StaticFiles(directory=VENDOR), name="vendor")


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    """The API schema, browsable and callable (Swagger UI)."""
    return render("swagger.html", {})


# ReDoc styles itself with styled-components (style elements and attributes made at run
# time), which no hash or nonce can cover: its page alone allows inline styles. Scripts,
# connections and everything else stay as strict as on every other page.
REDOC_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}


@router.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
def redoc() -> HTMLResponse:
    """The API schema as a reference (ReDoc)."""
    page = render("redoc.html", {})
    page.headers.update(REDOC_HEADERS)
    return page
