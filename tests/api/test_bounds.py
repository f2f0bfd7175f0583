"""Every string and list a request may carry has a bound, and what is logged is redacted.

Without bounds a customer key (even the public /help page's) stored 4.5 MB per request
in the query log through search filters. The schema walk below keeps every route honest,
the ones added later included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Customer, QueryLog
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app


@pytest.fixture
def client(kb: KnowledgeBase, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, kb=kb)) as c:
        yield c


def unbounded(schema: dict[str, Any], node: Any, where: str, seen: set[str]) -> Iterator[str]:
    """Where strings without maxLength (enums and dates aside) and arrays without maxItems are."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from unbounded(schema, schema["components"]["schemas"][name], name, seen | {name})
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for part in node.get(key, []):
            yield from unbounded(schema, part, where, seen)
    kind = node.get("type")
    fixed = "enum" in node or "const" in node or node.get("format") in ("date-time", "date")
    if kind == "string" and "maxLength" not in node and not fixed:
        yield where
    if kind == "array":
        if "maxItems" not in node:
            yield where
        yield from unbounded(schema, node.get("items", {}), f"{where}[]", seen)
    if kind == "object" or "properties" in node:
        for name, prop in node.get("properties", {}).items():
            yield from unbounded(schema, prop, f"{where}.{name}", seen)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            yield from unbounded(schema, extra, f"{where}.*", seen)


def test_every_request_string_and_list_has_a_bound(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    problems: list[str] = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                problems += unbounded(schema, param["schema"], f"{where} {param['name']}", set())
            body = op.get("requestBody", {}).get("content", {})
            for media in body.values():
                problems += unbounded(schema, media["schema"], f"{where} body", set())
    assert not problems, problems


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def logged(kb: KnowledgeBase) -> list[QueryLog]:
    kb.query_log.flush()  # the server writes the log behind its answers
    with kb.db.session() as s:
        return list(s.scalars(select(QueryLog)))


def row_size(row: QueryLog) -> int:
    return len(json.dumps([row.query, row.filters, row.customer_id, row.result_ids]))


def test_a_public_key_cannot_fill_the_query_log(kb: KnowledgeBase, client: TestClient) -> None:
    key = bearer(create_key(kb.db, "customer", "help page")[0])
    label, tag = "x" * 128, "t" * 256
    biggest = {
        "query": "q" * 1000,
        "filters": {"category": [label] * 50, "tags": [tag] * 50, "kind": ["faq"] * 4},
    }
    assert client.post("/v1/search", json=biggest, headers=key).status_code == 200
    for field, value in (
        ("kind", ["faq"] * 100_000),  # 700 KB of one allowed word
        ("category", [label] * 51),
        ("category", ["y" * 129]),
        ("tags", ["z" * 257]),
        ("tags", ["z" * 100_000]),
    ):
        body = {"query": "card", "filters": {**biggest["filters"], field: value}}
        r = client.post("/v1/search", json=body, headers=key)
        assert r.status_code == 422, (field, r.text[:200])
        assert r.headers["content-type"].startswith("application/problem+json")
    rows = logged(kb)
    assert len(rows) == 1  # refused requests log nothing
    # What the largest allowed request stores: its query, 100 labels and a little JSON.
    assert row_size(rows[0]) < 1000 + 50 * (128 + 4) + 50 * (256 + 4) + 500


CARD = "4111 1111 1111 1111"
EMAIL = "jane.doe@example.com"


def test_what_the_query_log_keeps_is_redacted(kb: KnowledgeBase, client: TestClient) -> None:
    customer = bearer(create_key(kb.db, "customer", "shopper", EMAIL)[0])
    agent = bearer(create_key(kb.db, "agent", "agent")[0])
    filters = {"category": [CARD], "tags": [EMAIL], "product_id": CARD.replace(" ", "")}
    r = client.post(
        "/v1/search", json={"query": f"card {CARD}", "filters": filters}, headers=customer
    )
    assert r.status_code == 200, r.text
    with kb.db.session() as s:  # a customer whose id is, badly, a card number
        s.add(Customer(id=CARD, name="Jane"))
    body = {"text": f"my card {CARD} is blocked", "customer_id": CARD, "product_id": CARD}
    r = client.post("/v1/agent/suggest", json=body, headers=agent)
    assert r.status_code == 200, r.text
    rows = logged(kb)
    assert len(rows) == 2
    stored = json.dumps([[r.query, r.filters, r.customer_id] for r in rows])
    for secret in (CARD, CARD.replace(" ", ""), EMAIL):
        assert secret not in stored, stored
    assert "[CARD]" in stored and "[EMAIL]" in stored  # redacted, not dropped
