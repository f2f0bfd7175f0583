"""The help-desk journey over HTTP, as a person on the phone to an agent lives it.

Create and find the caller, open a high-priority phone case, log the call, see it in
the case's timeline and the customer's 360, assign, resolve, list by status; then
import a CRM export whose cases carry help-desk statuses, and nothing is rejected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.conftest import Invoke


@pytest.fixture
def desk(kb: KnowledgeBase, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    keys = {r: create_key(kb.db, r, f"desk-{r}")[0] for r in ("admin", "agent", "customer")}
    with TestClient(create_app(settings, kb=kb)) as client:
        yield client, {r: f"Bearer {k}" for r, k in keys.items()}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_caller_journey(desk: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = desk
    agent = {"Authorization": keys["agent"]}

    r = client.post(
        "/v1/customers",
        json={"name": "Priya Shah", "email": "Priya.Shah@example.com", "phone": "+44 7700 900123"},
        headers=agent,
    )
    assert r.status_code == 201, r.text
    customer_id = r.json()["id"]
    # The caller gives their number the way people say it: national form, spaces anywhere.
    for q in ("07700 900 123", "+447700900123", "priya", "shah priya", "PRIYA.SHAH@example.com"):
        found = client.get("/v1/customers", params={"q": q}, headers=agent).json()
        assert [c["id"] for c in found["items"]] == [customer_id], q
        assert found["total"] == 1 and found["items"][0]["phone"] == "+44 7700 900123"

    r = client.post(
        "/v1/cases",
        json={
            "customer_id": customer_id,
            "subject": "Card stolen",
            "description": "My wallet was stolen on the bus and my card is in it.",
            "channel": "phone",
            "priority": "high",
        },
        headers=agent,
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert (case["status"], case["priority"], case["channel"]) == ("open", "high", "phone")
    assert _at(case["due_at"]) - _at(case["opened_at"]) == timedelta(hours=8)
    case_id = case["id"]

    r = client.post(
        "/v1/interactions",
        json={
            "customer_id": customer_id,
            "case_id": case_id,
            "channel": "phone",
            "direction": "inbound",
            "body": "Caller confirmed the last two payments were hers; card blocked on the call.",
        },
        headers=agent,
    )
    assert r.status_code == 201, r.text
    call_id = r.json()["id"]

    timeline = client.get(f"/v1/cases/{case_id}", headers=agent).json()["timeline"]
    assert [e.get("id") for e in timeline if e["type"] == "interaction"] == [call_id]
    assert timeline[0]["kind"] == "opened"

    view = client.get(f"/v1/customers/{customer_id}", headers=agent).json()
    assert [i["id"] for i in view["interactions"]] == [call_id]
    assert view["totals"]["interactions"] == 1 and view["totals"]["cases"] == 1
    assert view["cases"][0]["id"] == case_id and view["open_cases"] == 1

    r = client.patch(f"/v1/cases/{case_id}", json={"assignee": "me"}, headers=agent)
    assert r.status_code == 200 and r.json()["assignee"] == "desk-agent"
    r = client.patch(
        f"/v1/cases/{case_id}",
        json={"status": "resolved", "resolution": "Blocked the card and ordered a new one."},
        headers=agent,
    )
    assert r.status_code == 200, r.text
    resolved = r.json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert resolved["in_knowledge_base"]
    kinds = [(e["kind"], e["actor"]) for e in resolved["timeline"] if e["type"] == "event"]
    assert ("status", "agent:desk-agent#2") in kinds and ("assignee", "agent:desk-agent#2") in kinds

    listed = client.get("/v1/cases", params={"status": "resolved"}, headers=agent).json()
    assert [c["id"] for c in listed["items"]] == [case_id] and listed["total"] == 1
    assert client.get("/v1/cases", params={"status": "open"}, headers=agent).json()["items"] == []


def export(folder: Path) -> Path:
    """A CRM export as help desks write it: help-desk statuses, priorities, an assignee."""
    rows: list[dict[str, Any]] = [
        {
            "id": "zd-101",
            "kind": "case",
            "title": "Card declined abroad",
            "body": "My card is declined at every shop in Lisbon.",
            "status": "closed",
            "priority": "high",
            "category": "declined_card_payment",
            "resolution": "Travel block lifted; card works abroad again.",
            "customer_id": "c-1",
            "channel": "phone",
            "assignee": "Sam",
            "created_at": "2026-03-01T09:00:00Z",
            "closed_at": "2026-03-01T11:30:00Z",
        },
        {
            "id": "zd-102",
            "kind": "case",
            "title": "Statement copy",
            "body": "Please send me a copy of my March statement.",
            "status": "Resolved",
            "priority": "low",
            "resolution": "Statement sent by email.",
            "channel": "email",
        },
        {
            "id": "zd-103",
            "kind": "case",
            "title": "Refund pending",
            "body": "The shop says it refunded me a week ago; nothing yet.",
            "status": "open",
            "priority": "normal",
            "channel": "social",
        },
        {"id": "zd-104", "kind": "case", "body": "Waiting for documents", "status": "pending"},
    ]
    path = folder / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_crm_export_with_case_statuses_rejects_nothing(
    desk: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    client, keys = desk
    rows = [json.loads(line) for line in export(tmp_path).read_text().splitlines()]
    r = client.post(
        "/v1/documents", json={"records": rows}, headers={"Authorization": keys["admin"]}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["rejected"], r.json()["added"]) == (0, 4)
    agent = {"Authorization": keys["agent"]}
    by_status = {
        s: [
            c["id"]
            for c in client.get("/v1/cases", params={"status": s}, headers=agent).json()["items"]
        ]
        for s in ("open", "pending", "resolved", "closed")
    }
    assert by_status == {
        "open": ["zd-103"],
        "pending": ["zd-104"],
        "resolved": ["zd-102"],
        "closed": ["zd-101"],
    }
    closed = client.get("/v1/cases/zd-101", headers=agent).json()
    assert (closed["priority"], closed["assignee"], closed["resolution_seconds"]) == (
        "high",
        "Sam",
        9000.0,
    )
    # Resolved and closed cases are evidence for suggestions; open and pending ones are not.
    hits = client.post(
        "/v1/search", json={"query": "card declined Lisbon refund", "k": 10}, headers=agent
    ).json()["results"]
    ids = {h["id"] for h in hits}
    assert "zd-101" in ids and not {"zd-103", "zd-104"} & ids


def test_crm_export_from_the_command_line(cli: Invoke, tmp_path: Path) -> None:
    code, out = cli("ingest", str(export(tmp_path)), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["rejected"], report["added"]) == (0, 4)
