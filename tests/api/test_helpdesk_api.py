"""The help-desk routes: who may use them, clear 4xx for bad input, triage on opening."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app

Desk = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def desk(kb: KnowledgeBase, settings: Settings) -> Iterator[Desk]:
    roles = ("admin", "agent", "customer", "marketing")
    keys = {r: {"Authorization": f"Bearer {create_key(kb.db, r, f'k-{r}')[0]}"} for r in roles}
    with TestClient(create_app(settings, kb=kb)) as client:
        r = client.post(
            "/v1/customers",
            json={"id": "c1", "name": "Ada Lovelace", "phone": "+44 7700 900001"},
            headers=keys["agent"],
        )
        assert r.status_code == 201
        yield client, keys


def problem(r, status: int) -> str:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return str(r.json()["detail"])


def test_customer_and_marketing_keys_cannot_touch_cases_or_interactions(desk: Desk) -> None:
    client, keys = desk
    case = client.post(
        "/v1/cases", json={"customer_id": "c1", "description": "x"}, headers=keys["agent"]
    ).json()
    calls = [
        ("GET", "/v1/cases", None),
        ("GET", f"/v1/cases/{case['id']}", None),
        ("POST", "/v1/cases", {"customer_id": "c1", "description": "x"}),
        ("PATCH", f"/v1/cases/{case['id']}", {"priority": "high"}),
        ("POST", f"/v1/cases/{case['id']}/article", None),
        (
            "POST",
            "/v1/interactions",
            {"customer_id": "c1", "channel": "phone", "direction": "inbound", "body": "hi"},
        ),
        ("GET", "/v1/customers/c1/interactions", None),
        ("GET", "/v1/customers/c1/cases", None),
        ("GET", "/v1/reports/service", None),
        ("POST", "/v1/customers", {"name": "New"}),
        ("PATCH", "/v1/customers/c1", {"name": "New"}),
        ("POST", "/v1/customers/c1/merge", {"duplicate_id": "c2"}),
    ]
    for role in ("customer", "marketing"):
        for method, path, body in calls:
            r = client.request(method, path, json=body, headers=keys[role])
            assert "needs one of: admin, agent" in problem(r, 403), (role, method, path)
    # Marketing finds customers (without their contact details) and reads the 360; a
    # customer key does neither.
    found = client.get("/v1/customers?q=07700900001", headers=keys["marketing"]).json()
    assert found["total"] == 1 and found["items"][0]["phone"] is None
    assert "contacts" not in client.get("/v1/customers/c1", headers=keys["marketing"]).json()
    agent_view = client.get("/v1/customers?q=ada", headers=keys["agent"]).json()["items"][0]
    assert agent_view["phone"] == "+44 7700 900001"
    problem(client.get("/v1/customers?q=ada", headers=keys["customer"]), 403)
    assert client.get(f"/v1/cases/{case['id']}", headers=keys["admin"]).status_code == 200
    assert client.get(f"/v1/cases/{case['id']}").status_code == 401


def test_bad_input_gets_a_clear_4xx_and_nothing_is_stored(desk: Desk) -> None:
    client, keys = desk
    h = keys["agent"]
    assert "no customer" in problem(
        client.post("/v1/cases", json={"customer_id": "ghost", "description": "x"}, headers=h), 422
    )
    assert "customer_id" in problem(
        client.post("/v1/cases", json={"description": "x"}, headers=h), 422
    )
    problem(
        client.post(
            "/v1/cases",
            json={"customer_id": "c1", "description": "x", "channel": "pigeon"},
            headers=h,
        ),
        422,
    )
    problem(
        client.post(
            "/v1/cases",
            json={"customer_id": "c1", "description": "x", "priority": "critical"},
            headers=h,
        ),
        422,
    )
    assert client.get("/v1/cases", headers=h).json()["total"] == 0

    case = client.post(
        "/v1/cases", json={"customer_id": "c1", "description": "x", "id": "k-1"}, headers=h
    ).json()
    client.patch(f"/v1/cases/{case['id']}", json={"status": "pending"}, headers=h)
    detail = problem(client.patch("/v1/cases/k-1", json={"status": "closed"}, headers=h), 422)
    assert "resolution" in detail
    closed = client.patch(
        "/v1/cases/k-1", json={"status": "closed", "resolution": "sorted"}, headers=h
    )
    assert closed.status_code == 200
    detail = problem(client.patch("/v1/cases/k-1", json={"status": "pending"}, headers=h), 409)
    assert detail == "a closed case can move to open, not to pending"
    problem(client.patch("/v1/cases/nope", json={"status": "open"}, headers=h), 404)
    problem(client.patch("/v1/cases/k-1", json={"colour": "red"}, headers=h), 422)
    problem(client.get("/v1/cases?status=solved", headers=h), 422)
    problem(client.get("/v1/cases?limit=0", headers=h), 422)

    bad = [
        ({"customer_id": "ghost", "channel": "phone", "direction": "inbound", "body": "x"}, 422),
        ({"customer_id": "c1", "channel": "fax", "direction": "inbound", "body": "x"}, 422),
        ({"customer_id": "c1", "channel": "phone", "direction": "sideways", "body": "x"}, 422),
        ({"customer_id": "c1", "channel": "phone", "direction": "inbound", "body": ""}, 422),
        (
            {
                "customer_id": "c1",
                "channel": "phone",
                "direction": "inbound",
                "body": "x",
                "occurred_at": "2999-01-01T00:00:00Z",
            },
            422,
        ),
        (
            {
                "customer_id": "c1",
                "case_id": "nope",
                "channel": "phone",
                "direction": "inbound",
                "body": "x",
            },
            422,
        ),
    ]
    for body, status in bad:
        problem(client.post("/v1/interactions", json=body, headers=h), status)
    assert client.get("/v1/customers/c1", headers=h).json()["totals"]["interactions"] == 0

    problem(client.post("/v1/customers", json={"id": "c1", "name": "Again"}, headers=h), 409)
    problem(client.post("/v1/customers", json={"name": "X", "email": "nope"}, headers=h), 422)
    problem(client.patch("/v1/customers/ghost", json={"name": "X"}, headers=h), 404)
    problem(client.post("/v1/customers/c1/merge", json={"duplicate_id": "c1"}, headers=h), 422)
    problem(client.get("/v1/customers/ghost/interactions", headers=h), 404)


def test_opening_a_case_triages_it_and_the_agent_may_override(desk: Desk) -> None:
    client, keys = desk
    h = keys["agent"]
    r = client.post(
        "/v1/cases",
        json={
            "customer_id": "c1",
            "description": "Someone stole my card and is using it right now, help!",
            "channel": "phone",
        },
        headers=h,
    )
    assert r.status_code == 201
    case = r.json()
    assert case["triage"]["priority"] == "urgent" and case["priority"] == "urgent"
    assert case["triage"]["language"] == "en" and case["triage"]["urgency"] > 0.5
    assert [e["kind"] for e in case["timeline"]] == ["opened", "triage"]

    r = client.post(
        "/v1/cases",
        json={"customer_id": "c1", "description": "我的卡被盗刷了，很着急", "priority": "normal"},
        headers=h,
    )
    chinese = r.json()
    assert chinese["triage"]["language"] == "zh" and chinese["triage"]["priority"] == "urgent"
    assert chinese["priority"] == "normal"
    override = [e for e in chinese["timeline"] if e["kind"] == "triage_override"]
    assert override[0]["data"]["proposed"] == "urgent" and override[0]["new"] == "normal"
    report = client.get("/v1/reports/service", headers=h).json()
    assert report["triage"]["overridden"] == 1 and report["triage"]["proposed"] == 2
    assert report["channels"]["phone"]["cases"] == 1


def test_lists_are_paged_with_totals(desk: Desk) -> None:
    client, keys = desk
    h = keys["agent"]
    for i in range(5):
        client.post("/v1/cases", json={"customer_id": "c1", "description": f"case {i}"}, headers=h)
        client.post(
            "/v1/interactions",
            json={"customer_id": "c1", "channel": "chat", "direction": "inbound", "body": f"m{i}"},
            headers=h,
        )
    first = client.get("/v1/cases?limit=2", headers=h).json()
    assert (first["total"], first["next"], len(first["items"])) == (5, 2, 2)
    rest = client.get(f"/v1/cases?limit=10&offset={first['next']}", headers=h).json()
    assert rest["next"] is None and len(rest["items"]) == 3
    ids = [c["id"] for c in first["items"] + rest["items"]]
    assert len(set(ids)) == 5
    talks = client.get("/v1/customers/c1/interactions?limit=3", headers=h).json()
    assert talks["total"] == 5 and [i["body"] for i in talks["items"]] == ["m4", "m3", "m2"]
    view = client.get("/v1/customers/c1?recent=2", headers=h).json()
    assert len(view["interactions"]) == 2 and view["totals"]["interactions"] == 5
    assert view["totals"]["cases"] == 5 and len(view["cases"]) == 2
    cases = client.get("/v1/customers/c1/cases?limit=4", headers=h).json()
    assert cases["total"] == 5 and cases["next"] == 4
    mine = client.patch(f"/v1/cases/{ids[0]}", json={"assignee": "me"}, headers=h).json()
    assert mine["assignee"] == "k-agent"
    assert [c["id"] for c in client.get("/v1/cases?assignee=me", headers=h).json()["items"]] == [
        ids[0]
    ]
    assert client.get("/v1/cases?unassigned=true", headers=h).json()["total"] == 4
