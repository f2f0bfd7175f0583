"""What makes search fast must not make it wrong: caches, the JSON answer, the stage timings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.api.schemas import SearchResponse
from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.conftest import faq, write_jsonl

RECORDS = [
    faq("fee-1", "Card fee", "The **card fee** is [listed here](https://x). Card fees apply.",
        category="fees"),
    faq("fee-2", "Card fee abroad", "Abroad the card fee is 2 %.", category="fees"),
    faq("fee-3", "Card fee refund", "A card fee is refunded within 5 days.", category="refunds"),
    {**faq("fee-4", "Card fee for staff", "Staff card fee waived."), "visibility": "internal"},
]  # fmt: skip


@pytest.fixture
def served(
    kb: KnowledgeBase, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", RECORDS)])
    keys = {role: create_key(kb.db, role, role)[0] for role in ("admin", "agent", "customer")}
    with TestClient(create_app(settings, kb=kb)) as client:
        yield client, keys


def ask(client: TestClient, key: str, **body: Any) -> Any:
    r = client.post(
        "/v1/search", json={"query": "card fee", **body}, headers={"Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 200, r.text
    return r.json()


def ids(answer: Any) -> set[str]:
    return {hit["id"] for hit in answer["results"]}


def test_the_answer_is_the_documented_schema(served: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = served
    answer = ask(client, keys["customer"], facets=["category", "kind"])
    assert SearchResponse.model_validate(answer).model_dump(mode="json") == answer
    assert ids(answer) == {"fee-1", "fee-2", "fee-3"}  # the internal record stays hidden
    top = next(h for h in answer["results"] if h["id"] == "fee-1")
    assert top["snippet"].startswith("The card fee is listed here.")  # plain text
    assert top["highlights"]["title"] == [[0, 4], [5, 8]]
    assert answer["facets"]["category"] == [
        {"value": "fees", "count": 2, "label": "Fees"},
        {"value": "refunds", "count": 1, "label": "Refunds"},
    ]


def test_deleted_and_archived_records_never_come_back_from_a_cache(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = served
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    for _ in range(3):  # every cache warm: query vectors, plain texts, searcher, bitmaps
        assert ids(ask(client, keys["customer"], filters={"language": "en"})) >= {
            "fee-1",
            "fee-2",
        }
    assert client.delete("/v1/documents/fee-1", headers=admin).status_code == 204
    r = client.post("/v1/documents/fee-2/status", json={"status": "archived"}, headers=admin)
    assert r.status_code == 200, r.text
    for role in ("customer", "agent"):
        for body in ({}, {"filters": {"language": "en"}}, {"facets": ["kind"]}):
            answer = ask(client, keys[role], **body)
            assert not ids(answer) & {"fee-1", "fee-2"}
            for values in (answer.get("facets") or {}).values():
                assert sum(v["count"] for v in values) == len(ids(answer))


def test_stage_timings_are_exported(served: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = served
    ask(client, keys["agent"])
    text = client.get("/metrics").text
    for stage in ("embed", "lexical", "vector", "rank", "records", "serialise", "log"):
        assert f'kcrm_search_stage_seconds_count{{stage="{stage}"}}' in text
