"""/docs and /redoc from installed assets, under the pages' policy; errors in the schema.

The browser half (the pages render with every request off the server blocked) is
tests/system/test_api_docs_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from kcrm.web.pages import CSP


@pytest.fixture
def client(kb: KnowledgeBase, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, kb=kb)) as c:
        yield c


def test_docs_pages_load_only_this_servers_files(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "http://" not in r.text and "https://" not in r.text, page
        assert "<script>" not in r.text  # no inline script: the policy would block it
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', r.text)
        assert len(assets) >= 3, assets
        for asset in assets:
            got = client.get(asset)
            assert got.status_code == 200 and len(got.content) > 0, asset
    assert client.get("/docs").headers["content-security-policy"] == CSP
    # ReDoc styles itself at run time: its page alone adds inline styles, nothing else.
    redoc = client.get("/redoc").headers["content-security-policy"]
    assert redoc == CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_schema_declares_problem_json_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"type", "title", "status", "detail", "instance"} <= set(
        components["Problem"]["properties"]
    )
    assert all(r.rsplit("/", 1)[-1] in components for r in refs(schema))
    seen: set[str] = set()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            errors = {c: r for c, r in op["responses"].items() if c[0] in "45"}
            for code, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (path, code)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
            seen |= set(errors)
            assert {"400", "422"} <= set(errors), (method, path)
            if op.get("security"):
                assert {"401", "403", "429", "503"} <= set(errors), (method, path)
            if "requestBody" in op:
                assert "413" in errors, (method, path)
    assert {"400", "401", "403", "404", "409", "413", "422", "429", "503"} <= seen
    assert "409" in schema["paths"]["/v1/cases"]["post"]["responses"]
    assert "HTTPValidationError" not in components  # FastAPI's 422 shape is never sent


def test_declared_errors_are_what_the_api_answers(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    answers = {
        ("post", "/v1/search"): client.post("/v1/search", json={"query": "x"}),
        ("get", "/v1/documents/{doc_id}"): client.get("/v1/documents/x"),
    }
    for (method, path), r in answers.items():
        assert str(r.status_code) in schema["paths"][path][method]["responses"]
        assert r.headers["content-type"].startswith("application/problem+json")
