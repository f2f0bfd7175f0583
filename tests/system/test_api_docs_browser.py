"""/docs and /redoc in Chromium with every request off this server blocked: as offline.

Before, /docs loaded Swagger UI from a CDN and was a blank page without internet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kcrm.core.config import Settings
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.system.test_pages import (  # the browser and its console watch, shared
    CHROMIUM,
    Server,
    Watched,
    browser,
    serve,
    watched,
)

__all__ = ["browser", "watched"]
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium"),
    pytest.mark.timeout(120),
]
# ReDoc always shows Redocly's logo from their CDN; the policy blocks it (and the
# blocked request is the only thing ReDoc logs). Nothing else may be refused or fail.
REDOC_LOGO = re.compile(r"cdn\.redoc\.ly/redoc/logo-mini\.svg.*Content Security Policy")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("docs") / "data", embedding_model="hash-64"
    )
    kb = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    running = serve(create_app(settings, kb))
    try:
        yield running
    finally:
        running.stop()
        kb.close()


def offline(w: Watched, url: str) -> list[str]:
    """Abort every request that is not to `url`; returns the list of those aborted."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    w.page.route("**/*", route)
    return blocked


def operations(server: Server) -> int:
    import httpx

    schema = httpx.get(f"{server.url}/openapi.json").json()
    return sum(len(item) for item in schema["paths"].values())


def test_swagger_ui_renders_every_operation_offline(
    server: Server, watched: Callable[..., Watched]
) -> None:
    w = watched()
    blocked = offline(w, server.url)
    w.page.goto(f"{server.url}/docs")
    w.page.locator(".opblock").first.wait_for()
    assert w.page.locator(".opblock").count() == operations(server)
    assert w.page.get_by_text("/v1/search", exact=True).first.is_visible()
    assert blocked == []  # it never even tried to leave the server
    w.shot()


def test_redoc_renders_offline(server: Server, watched: Callable[..., Watched]) -> None:
    w = watched()
    w.allow(REDOC_LOGO)
    offline(w, server.url)
    w.page.goto(f"{server.url}/redoc")
    w.page.locator("h2", has_text="Healthz").first.wait_for()
    body = w.page.inner_text("body")
    assert "Something went wrong" not in body
    # Every operation has its section (ReDoc titles them by summary, e.g. "Search").
    assert w.page.locator("h2").count() >= operations(server)
    w.shot()
