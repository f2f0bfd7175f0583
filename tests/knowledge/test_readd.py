"""Delete a record, then add the same id again: everywhere, with the history numbered on."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge import lifecycle
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.conftest import Invoke, faq, write_jsonl

CARD = faq("faq-card-arrival", "When will my card arrive?", "Cards arrive in 3 to 5 days.")


def versions(kb: KnowledgeBase, doc_id: str) -> list[tuple[int, str]]:
    return [(h["version"], h["change"]) for h in lifecycle.history(kb.db, doc_id)]


def test_a_deleted_id_comes_back_with_its_next_version(kb: KnowledgeBase, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "k.jsonl", [CARD])
    kb.ingest_files([src])
    for _ in range(2):
        kb.delete(["faq-card-arrival"])
        report = kb.ingest_files([src])
        assert report.added == 1 and not report.rejected
    assert versions(kb, "faq-card-arrival") == [
        (1, "created"),
        (2, "deleted"),
        (3, "created"),
        (4, "deleted"),
        (5, "created"),
    ]
    assert kb.search("card arrive", k=1)[0].id == "faq-card-arrival"
    assert kb.status()["consistent"]


def test_cli_delete_then_ingest(cli: Invoke, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "k.jsonl", [CARD])
    assert cli("ingest", str(src))[0] == 0
    assert cli("delete", "faq-card-arrival")[0] == 0
    code, out = cli("ingest", str(src), "--json")
    assert code == 0 and json.loads(out)["added"] == 1
    code, out = cli("document", "history", "faq-card-arrival", "--json")
    assert [h["version"] for h in json.loads(out)] == [1, 2, 3]


def test_demo_starts_again_after_a_delete(cli: Invoke, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "faqs.jsonl", [CARD, faq("faq-pin", "PIN", "Reset it at an ATM.")])
    assert cli("demo", "--corpus", str(corpus), "--no-serve")[0] == 0
    assert cli("delete", "faq-card-arrival")[0] == 0
    assert cli("demo", "--corpus", str(corpus), "--no-serve")[0] == 0
    code, out = cli("status", "--json")
    assert code == 0 and json.loads(out)["documents"] == 2


def test_api_delete_then_post(kb: KnowledgeBase, settings: Settings) -> None:
    admin = {"Authorization": f"Bearer {create_key(kb.db, 'admin', 'a')[0]}"}
    with TestClient(create_app(settings, kb=kb)) as client:
        for _ in range(2):
            r = client.post("/v1/documents", json={"records": [CARD]}, headers=admin)
            assert r.status_code == 200 and r.json()["added"] == 1, r.text
            assert client.delete("/v1/documents/faq-card-arrival", headers=admin).status_code == 204
        r = client.post("/v1/documents", json={"records": [CARD]}, headers=admin)
        assert r.status_code == 200 and r.json()["added"] == 1
        doc = client.get("/v1/documents/faq-card-arrival", headers=admin).json()
    assert doc["version"] == 5
