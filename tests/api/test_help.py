"""Self-service over HTTP: search extras, article views, contact us, deflection, category labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Case
from kcrm.crm.loader import load_paths
from kcrm.knowledge.categories import labels
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.outcomes import outcomes
from kcrm.server.app import create_app
from tests.conftest import faq, write_jsonl

RECORDS = [
    faq(
        "faq-card",
        "My card hasn't arrived",
        "Cards take **3-5 days**. It has to be activated.",
        category="card_arrival",
        language="en",
    ),
    faq(
        "faq-pin",
        "PIN blocked",
        "Unblock your PIN at any ATM.",
        category="pin_blocked",
        language="en",
    ),
    faq(
        "faq-zh",
        "卡片寄送",
        "银行卡寄送需要三到五个工作日。",
        category="card_arrival",
        language="zh",
    ),
]
LABELS = "category,language,label\ncard_arrival,en,Card delivery\ncard_arrival,zh,卡片寄送\n"


@pytest.fixture
def site(
    kb: KnowledgeBase, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "faqs.jsonl", RECORDS)
    (folder / "categories.csv").write_text(LABELS, encoding="utf-8")
    _, tables = load_paths(kb, [folder])
    assert tables["categories"].added == 2
    keys = {r: create_key(kb.db, r, r)[0] for r in ("agent", "customer")}
    with TestClient(create_app(settings, kb=kb)) as client:
        yield client, keys


def post(client: TestClient, key: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})


def test_search_answers_no_match_facets_labels_and_highlights(site: Any) -> None:
    client, keys = site
    r = post(
        client,
        keys["customer"],
        "/v1/search",
        {"query": "card has not arrived", "facets": ["category", "language"], "locale": "zh"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["no_match"] is False and body["language"] == "en"
    top = body["results"][0]
    assert top["id"] == "faq-card" and top["category_label"] == "卡片寄送"
    assert "**" not in top["snippet"]
    spans = [top["snippet"][a:b] for a, b in top["highlights"]["snippet"]]
    assert "has" not in spans  # a stop word, and never a piece of "hasn't"
    assert {"value": "card_arrival", "count": 1, "label": "卡片寄送"} in body["facets"]["category"]
    gibberish = post(client, keys["customer"], "/v1/search", {"query": "zxqv plorf wibble"}).json()
    assert gibberish["no_match"] is True
    bad = post(client, keys["customer"], "/v1/search", {"query": "card", "facets": ["colour"]})
    assert bad.status_code == 422


def test_contact_opens_a_case_with_what_the_visit_saw(site: Any, kb: KnowledgeBase) -> None:
    client, keys = site
    visit = "visit-0001-abcdef"
    found = post(
        client, keys["customer"], "/v1/search", {"query": "card not arrived", "session": visit}
    ).json()
    client.get(
        "/v1/documents/faq-card",
        headers={"Authorization": f"Bearer {keys['customer']}", "X-KCRM-Session": visit},
    )
    r = post(
        client,
        keys["customer"],
        "/v1/help/contact",
        {
            "query": "card not arrived",
            "name": "Ada",
            "email": "ada@example.com",
            "message": "Still nothing after two weeks.",
            "session": visit,
            "query_id": found["query_id"],
        },
    )
    assert r.status_code == 201
    case_id = r.json()["case_id"]
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert (case.customer_id, case.channel, case.status) == (None, "web", "open")
        assert (case.contact_name, case.contact_email) == ("Ada", "ada@example.com")
        assert "Still nothing after two weeks." in case.description
        assert "card not arrived" in case.description and "faq-card" in case.description
    report = outcomes(kb.db)["self_service"]
    assert report["customer_searches"] == 1 and report["help_visits"] == 1
    assert report["visits_with_an_article_opened"] == 1
    assert report["visits_ending_in_contact"] == 1 and report["deflection_rate"] == 0.0


def test_contact_refuses_bad_input_and_other_roles(site: Any, kb: KnowledgeBase) -> None:
    client, keys = site
    good = {"query": "x", "name": "Ada", "email": "ada@example.com", "message": "help"}
    for broken in (
        {"email": "not-an-email"},
        {"name": ""},
        {"message": ""},
        {"colour": "red"},
        {"session": "bad session!"},
    ):
        r = post(client, keys["customer"], "/v1/help/contact", {**good, **broken})
        assert r.status_code == 422, broken
        assert r.headers["content-type"].startswith("application/problem+json")
    assert post(client, keys["agent"], "/v1/help/contact", good).status_code == 403
    assert client.post("/v1/help/contact", json=good).status_code == 401
    with kb.db.session() as s:
        assert s.query(Case).count() == 0  # nothing half-made


def test_deflection_counts_visits_that_needed_no_person(site: Any, kb: KnowledgeBase) -> None:
    client, keys = site
    for i in range(3):
        post(
            client,
            keys["customer"],
            "/v1/search",
            {"query": "pin blocked", "session": f"visit-{i:08d}"},
        )
    answer = post(
        client,
        keys["customer"],
        "/v1/search",
        {"query": "pin blocked", "session": "visit-00000000"},
    ).json()
    post(
        client,
        keys["customer"],
        "/v1/feedback",
        {"query_id": answer["query_id"], "item_id": "faq-pin", "helpful": True},
    )
    report = outcomes(kb.db)["self_service"]
    assert report["help_visits"] == 3
    assert report["deflection_rate"] == 1.0
    assert report["confirmed_deflection_rate"] == pytest.approx(1 / 3, abs=1e-4)


def test_category_labels_fall_back_to_english_then_the_id(site: Any, kb: KnowledgeBase) -> None:
    got = labels(kb.db, ["card_arrival", "pin_blocked"], "zh")
    assert got == {"card_arrival": "卡片寄送", "pin_blocked": "Pin blocked"}
    page = site[0].get("/help")
    assert page.status_code == 200
