"""The HTTP API for each role: search, documents, cases, feedback, purchases, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import QueryLog
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.server.app import create_app

RECORDS = [
    {
        "id": "faq-card",
        "kind": "faq",
        "title": "When will my card arrive?",
        "body": "Cards arrive within 3 to 5 working days.",
        "visibility": "public",
        "category": "card_arrival",
    },
    {
        "id": "faq-pin",
        "kind": "faq",
        "title": "How do I unblock my PIN?",
        "body": "Choose PIN services at any ATM.",
        "visibility": "public",
        "category": "pin_blocked",
    },
    {
        "id": "runbook-card",
        "kind": "article",
        "title": "Card arrival escalation",
        "body": "Internal: escalate card arrival after 10 days to the courier desk.",
    },
    {
        "id": "faq-draft",
        "kind": "faq",
        "title": "Card arrival draft",
        "body": "card arrival draft",
        "visibility": "public",
        "status": "draft",
    },
    {
        "id": "case-1",
        "kind": "case",
        "title": "Card late",
        "body": "My card has not arrived",
        "resolution": "Reissued the card",
        "category": "card_arrival",
    },
]


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kb.ingest(Parsed(KnowledgeRecord.model_validate(r), "t", i) for i, r in enumerate(RECORDS))
    keys = {
        role: create_key(kb.db, role, role)[0]
        for role in ("admin", "agent", "customer", "marketing")
    }
    with TestClient(create_app(settings, kb=kb)) as client:
        yield client, keys


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def search(client: TestClient, key: str, query: str, **body: Any) -> Any:
    return client.post("/v1/search", json={"query": query, **body}, headers=auth(key))


def test_customer_search_sees_public_published_only(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    for query in (
        "card arrival",
        "escalate card arrival after 10 days to the courier desk",
        "My card has not arrived",
        "card arrival draft",
    ):
        r = search(client, keys["customer"], query, k=20)
        assert r.status_code == 200
        ids = {x["id"] for x in r.json()["results"]}
        assert ids <= {"faq-card", "faq-pin"}, query
    agent_ids = {
        x["id"] for x in search(client, keys["agent"], "card arrival", k=20).json()["results"]
    }
    assert {"runbook-card", "case-1"} <= agent_ids and "faq-draft" not in agent_ids


def test_search_response_shape_and_filters(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    r = search(client, keys["agent"], "card", k=5, filters={"kind": ["faq"]})
    body = r.json()
    assert set(body) == {"query_id", "no_match", "language", "did_you_mean", "results", "facets"}
    assert {x["kind"] for x in body["results"]} == {"faq"}
    assert set(body["results"][0]) == {
        "id",
        "kind",
        "title",
        "snippet",
        "score",
        "category",
        "category_label",
        "language",
        "weak",
        "highlights",
    }


def test_auth_errors_are_problem_json(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    r = client.post("/v1/search", json={"query": "x"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 401
    assert (
        client.post("/v1/search", json={"query": "x"}, headers=auth("kcrm_wrong")).status_code
        == 401
    )
    r = client.post("/v1/documents", json={"records": RECORDS[:1]}, headers=auth(keys["agent"]))
    assert r.status_code == 403 and "admin" in r.json()["detail"]


def test_bad_input_gets_a_clear_4xx(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    h = auth(keys["agent"])
    cases = [
        ({"query": "x", "k": 1000}, "k"),
        ({"query": ""}, "query"),
        ({"query": "x" * 1001}, "query"),
        ({"query": "x", "colour": "red"}, "colour"),
        ({"query": "x", "filters": {"kind": ["memo"]}}, "filters.kind"),
    ]
    for body, field in cases:
        r = client.post("/v1/search", json=body, headers=h)
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
        assert field in r.json()["detail"]
    r = client.post(
        "/v1/search",
        content=b'{"query": "\xff\xfe"}',
        headers={**h, "content-type": "application/json"},
    )
    assert r.status_code in (400, 422)
    r = client.post(
        "/v1/search", content=b"x" * 6_000_000, headers={**h, "content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["title"] == "Content too large"
    assert client.get("/v1/nowhere", headers=h).status_code == 404


def test_feedback_on_a_result(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    body = search(client, keys["customer"], "card arrive").json()
    top = body["results"][0]["id"]
    r = client.post(
        "/v1/feedback",
        json={"query_id": body["query_id"], "item_id": top, "helpful": True},
        headers=auth(keys["customer"]),
    )
    assert r.status_code == 201
    # Not among the results, unknown query, nothing said, someone else's query.
    bad = [
        ({"query_id": body["query_id"], "item_id": "runbook-card", "helpful": True}, 422),
        ({"query_id": "nope", "item_id": top, "helpful": True}, 404),
        ({"query_id": body["query_id"], "item_id": top}, 422),
    ]
    for payload, code in bad:
        assert (
            client.post("/v1/feedback", json=payload, headers=auth(keys["customer"])).status_code
            == code
        )
    other = create_key(client.app.state.kb.db, "customer", "other")[0]  # type: ignore[attr-defined]
    r = client.post(
        "/v1/feedback",
        json={"query_id": body["query_id"], "item_id": top, "helpful": False},
        headers=auth(other),
    )
    assert r.status_code == 404


def test_queries_are_logged_without_pii(api, kb: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    qid = search(client, keys["customer"], "card for jane@example.com +44 7700 900123").json()[
        "query_id"
    ]
    kb.query_log.flush()  # the server writes the log behind its answers
    with kb.db.session() as s:
        row = s.get(QueryLog, qid)
        assert row is not None and row.role == "customer" and row.result_count > 0
        assert "jane@example.com" not in row.query and "[EMAIL]" in row.query
        assert row.embedding is not None


def test_documents_admin_upsert_get_delete(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    h = auth(keys["admin"])
    rec = {
        "id": "faq-new",
        "kind": "faq",
        "title": "Virtual cards",
        "body": "Virtual cards work instantly. Mail me at a@example.com",
        "visibility": "public",
    }
    r = client.post("/v1/documents", json={"records": [rec]}, headers=h)
    assert r.status_code == 200 and r.json()["added"] == 1
    doc = client.get("/v1/documents/faq-new", headers=auth(keys["customer"])).json()
    assert "a@example.com" not in doc["body"]
    assert (
        client.get("/v1/documents/runbook-card", headers=auth(keys["customer"])).status_code == 404
    )
    assert client.get("/v1/documents/runbook-card", headers=auth(keys["agent"])).status_code == 200
    assert client.delete("/v1/documents/faq-new", headers=h).status_code == 204
    assert client.delete("/v1/documents/faq-new", headers=h).status_code == 404
    r = client.post("/v1/documents", json={"records": [{"id": "x", "kind": "faq"}]}, headers=h)
    assert r.status_code == 422 and "body" in r.json()["detail"]


def test_case_lifecycle_feeds_the_knowledge_base(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    h = auth(keys["agent"])
    assert (
        client.post("/v1/customers", json={"id": "c1", "name": "C One"}, headers=h).status_code
        == 201
    )
    r = client.post(
        "/v1/cases",
        json={
            "id": "case-77",
            "customer_id": "c1",
            "description": "Apple Pay keeps failing at the till",
            "subject": "Apple Pay",
            "channel": "chat",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["status"] == "open"
    again = {"id": "case-77", "customer_id": "c1", "description": "x"}
    assert client.post("/v1/cases", json=again, headers=h).status_code == 409
    assert "case-77" not in {
        x["id"] for x in search(client, keys["agent"], "Apple Pay failing").json()["results"]
    }
    r = client.patch("/v1/cases/case-77", json={"status": "closed"}, headers=h)
    assert r.status_code == 422 and "resolution" in r.json()["detail"]
    r = client.patch(
        "/v1/cases/case-77",
        json={
            "status": "closed",
            "resolution": "Re-added the card to the wallet",
            "resolution_category": "apple_pay_or_google_pay",
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["in_knowledge_base"] and r.json()["closed_at"]
    hits = search(client, keys["agent"], "Apple Pay failing at the till").json()["results"]
    assert hits[0]["id"] == "case-77"
    assert all(
        x["id"] != "case-77"
        for x in search(client, keys["customer"], "Apple Pay failing").json()["results"]
    )
    r = client.patch("/v1/cases/case-77", json={"status": "open"}, headers=h)
    assert r.json()["status"] == "open"
    assert all(
        x["id"] != "case-77"
        for x in search(client, keys["agent"], "Apple Pay failing").json()["results"]
    )
    listed = client.get("/v1/cases?status=open", headers=h).json()["items"]
    assert [c["id"] for c in listed] == ["case-77"]
    assert client.get("/v1/cases/nope", headers=h).status_code == 404
    assert client.get("/v1/cases", headers=auth(keys["customer"])).status_code == 403


def test_purchases_endpoint(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    line = {"customer_id": "c1", "product_id": "p1", "purchased_at": "2026-05-01T10:00:00Z"}
    r = client.post("/v1/purchases", json={"purchases": [line]}, headers=auth(keys["admin"]))
    assert r.status_code == 200 and r.json()["rejected"] == 1
    r = client.post(
        "/v1/purchases",
        json={"purchases": [line], "create_missing": True},
        headers=auth(keys["admin"]),
    )
    assert r.json()["added"] == 1


def test_rate_limit_per_key(kb: KnowledgeBase, settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    key = create_key(kb.db, "agent")[0]
    with TestClient(create_app(limited, kb=kb)) as client:
        codes = [
            client.post("/v1/search", json={"query": "x"}, headers=auth(key)).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_health_ready_metrics_openapi(api) -> None:  # type: ignore[no-untyped-def]
    client, _ = api
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["index_lag"] == 0
    client.get("/healthz")
    assert client.post("/v1/search", json={"query": "card"}).status_code == 401
    text = client.get("/metrics").text
    # Counted by route template and status, errors included.
    assert 'kcrm_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert 'kcrm_http_requests_total{method="POST",route="/v1/search",status="401"} 1.0' in text
    assert 'kcrm_http_request_seconds_count{method="GET",route="/healthz"} 2.0' in text
    assert "kcrm_index_vectors" in text
    schema = client.get("/openapi.json").json()
    assert "/v1/search" in schema["paths"]
    assert client.get("/docs").status_code == 200
