"""Bad input over HTTP: each classic mistake gets a clear 4xx as problem+json, never a 5xx.

Oversized bodies, invalid UTF-8 and broken JSON, huge `k`, empty queries, unknown
fields, NUL characters (which PostgreSQL text cannot hold). The generated counterpart,
schemathesis over the whole OpenAPI schema, is tests/test_schemathesis.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.server.app import create_app
from tests.conftest import faq

ROLES = ("admin", "agent", "customer", "marketing")
PROBLEM = "application/problem+json"


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kb.ingest(
        [
            Parsed(KnowledgeRecord.model_validate(r), "t", i)
            for i, r in enumerate(
                [
                    faq("faq-card", "Card delivery", "Cards arrive in five days."),
                    {"id": "case-1", "kind": "case", "body": "card late", "resolution": "sent"},
                ]
            )
        ]
    )
    keys = {
        role: create_key(kb.db, role, role, rate_limit_per_minute=1_000_000)[0] for role in ROLES
    }
    app = create_app(settings, kb=kb)
    # A 500 must come back as a response the checks can see, not as an exception.
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_for_recommender(client)
        yield client, keys


def wait_for_recommender(client: TestClient, bound: float = 120) -> None:
    """Offers answer 503 until the recommender has loaded (in the background, at start-up)."""
    deadline = time.monotonic() + bound
    while not client.get("/readyz").json().get("recommender"):
        assert time.monotonic() < deadline, "the recommender did not load"
        time.sleep(0.05)


def assert_no_5xx_and_problem_json(response: httpx.Response, where: str) -> None:
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        ctype = response.headers.get("content-type", "")
        assert ctype.startswith(PROBLEM), f"{where} -> {response.status_code} as {ctype!r}"
        problem = response.json()
        assert problem["status"] == response.status_code and problem["title"], where


# ---- the classic bad inputs ----------------------------------------------------------------
def post_raw(client: TestClient, key: str, path: str, content: bytes, **headers: str) -> Any:
    return client.post(
        path,
        content=content,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": "card", "k": 10**12}, 422),  # huge k
        ({"query": "card", "k": 0}, 422),
        ({"query": "card", "k": "ten"}, 422),
        ({"query": ""}, 422),  # empty query
        ({"query": "   "}, 422),  # blank query
        ({}, 422),
        ({"query": "card", "colour": "red"}, 422),  # unknown field
        ({"query": "card", "filters": {"kind": ["poem"]}}, 422),
        ({"query": "x" * 1001}, 422),
        ({"query": "card\x00nul"}, 422),  # NUL: PostgreSQL text cannot hold it
        ([1, 2, 3], 422),
    ],
)
def test_bad_search_bodies_get_a_clear_4xx(
    api: tuple[TestClient, dict[str, str]], body: Any, status: int
) -> None:
    client, keys = api
    r = client.post("/v1/search", json=body, headers={"Authorization": f"Bearer {keys['agent']}"})
    assert r.status_code == status, r.text
    assert_no_5xx_and_problem_json(r, json.dumps(body)[:100])
    assert r.json()["detail"]


def test_invalid_utf8_and_broken_json_get_a_clear_4xx(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    for content in (
        b'{"query": "caf\xe9"}',  # Latin-1, not UTF-8
        b'{"query": "\xff\xfe"}',
        b'{"query": "card"',  # truncated
        b"\x00\x01\x02",
        b"[" * 100_000 + b"]" * 100_000,  # nesting deep enough to blow a recursive parser
        b'{"query": "\\ud800"}',  # a lone surrogate
    ):
        r = post_raw(client, keys["agent"], "/v1/search", content)
        assert 400 <= r.status_code < 500, (content[:40], r.status_code, r.text[:200])
        assert_no_5xx_and_problem_json(r, repr(content[:40]))
    r = post_raw(
        client, keys["agent"], "/v1/search", b"query=card", **{"Content-Type": "text/plain"}
    )
    assert 400 <= r.status_code < 500
    assert_no_5xx_and_problem_json(r, "text/plain body")


def test_oversized_bodies_get_413(
    api: tuple[TestClient, dict[str, str]], kb: KnowledgeBase
) -> None:
    client, keys = api
    limit = kb.settings.max_body_bytes
    big = json.dumps({"records": [{"id": "big", "kind": "faq", "body": "x" * (limit + 10)}]})
    # With a Content-Length the server refuses before reading the body...
    r = post_raw(client, keys["admin"], "/v1/documents", big.encode())
    assert r.status_code == 413
    assert_no_5xx_and_problem_json(r, "declared oversized body")

    # ...and without one (chunked), it stops reading once the limit is passed.
    def chunks() -> Iterator[bytes]:
        data = big.encode()
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    r = client.post(
        "/v1/documents",
        content=chunks(),
        headers={"Authorization": f"Bearer {keys['admin']}", "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert_no_5xx_and_problem_json(r, "chunked oversized body")
    assert kb.status()["documents"] == 2  # nothing of it landed


def test_bad_documents_and_parameters_get_a_clear_4xx(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    cases = [
        ("POST", "/v1/documents", {"records": []}),
        ("POST", "/v1/documents", {"records": [{"id": "a", "kind": "poem", "body": "x"}]}),
        ("POST", "/v1/documents", {"records": [{"id": "a", "kind": "faq"}]}),
        ("POST", "/v1/documents", {"records": [{"id": "a", "kind": "faq", "body": "x", "y": 1}]}),
        ("POST", "/v1/documents", {"records": [{"id": "a\x00b", "kind": "faq", "body": "x"}]}),
        ("POST", "/v1/documents", {"records": [{"id": "a", "kind": "faq", "body": "b\x00"}]}),
        ("POST", "/v1/documents", {"records": [{"id": "", "kind": "faq", "body": "x"}]}),
        ("POST", "/v1/agent/suggest", {"text": "", "k": 5}),
        ("POST", "/v1/agent/suggest", {"text": "card", "k": 10**9}),
        ("POST", "/v1/feedback", {"query_id": "nope", "item_id": "x", "helpful": True}),
        ("POST", "/v1/purchases", {"purchases": [{"customer_id": "c", "product_id": "p"}]}),
        ("GET", "/v1/customers/nobody/recommendations?k=1000000", None),
        ("GET", "/v1/cases?limit=-1", None),
        ("GET", "/v1/documents/%00", None),
        ("GET", "/v1/nowhere", None),
        ("PUT", "/v1/search", None),
    ]
    for method, path, body in cases:
        r = client.request(method, path, json=body, headers=admin)
        assert 400 <= r.status_code < 500, (method, path, body, r.status_code, r.text[:300])
        assert_no_5xx_and_problem_json(r, f"{method} {path} {body}")
