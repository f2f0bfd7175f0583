"""Knowledge lifecycle, history, drafts from cases, the gap report and outcome analytics."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.errors import NotFound
from kcrm.core.keys import Principal, create_key
from kcrm.crm.cases import CaseChanges, NewCase, open_case, update_case
from kcrm.crm.profiles import CustomerFields, create_customer
from kcrm.knowledge import lifecycle
from kcrm.knowledge.gaps import gap_report, plot_gaps
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.kcs import draft_from_case
from kcrm.knowledge.outcomes import outcomes
from kcrm.knowledge.querylog import record_feedback
from kcrm.knowledge.service import logged_search
from kcrm.server.app import create_app
from tests.conftest import faq, write_jsonl

FAQS = [
    faq("faq-card", "When will my card arrive?", "New cards arrive within 3 to 5 working days."),
    faq("faq-pin", "How do I unblock my PIN?", "Choose PIN services at any ATM."),
]


def test_lifecycle_moves_and_history(kb: KnowledgeBase, tmp_path: Path) -> None:
    draft = faq("faq-new", "Virtual cards", "Virtual cards work online at once.", status="draft")
    kb.ingest_files([write_jsonl(tmp_path / "d.jsonl", [draft])], actor="cli:ana")
    assert kb.search("virtual cards online", k=5) == []
    lifecycle.set_status(kb, "faq-new", "review", "agent:bo", "ready to check")
    lifecycle.set_status(kb, "faq-new", "published", "admin:cy")
    assert kb.search("virtual cards online", k=5)[0].id == "faq-new"
    lifecycle.set_status(kb, "faq-new", "archived", "admin:cy", "product withdrawn")
    assert all(h.id != "faq-new" for h in kb.search("virtual cards online", k=5))
    assert kb.status()["consistent"]
    with pytest.raises(ValueError, match="can move to"):
        lifecycle.set_status(kb, "faq-new", "review")
    history = lifecycle.history(kb.db, "faq-new")
    assert [(h["version"], h["status"], h["changed_by"]) for h in history] == [
        (1, "draft", "cli:ana"),
        (2, "review", "agent:bo"),
        (3, "published", "admin:cy"),
        (4, "archived", "admin:cy"),
    ]
    assert history[-1]["note"] == "product withdrawn"
    kb.delete(["faq-new"], actor="admin:cy")
    assert lifecycle.history(kb.db, "faq-new")[-1]["change"] == "deleted"
    with pytest.raises(NotFound):
        lifecycle.set_status(kb, "faq-new", "published")


def test_closed_case_drafts_a_pii_free_article_with_duplicate_warning(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "f.jsonl", FAQS)])
    create_customer(kb.db, CustomerFields(name="Ann"), "c1")
    case = open_case(
        kb,
        NewCase(
            "c1",
            "When will my card arrive? Write to me at ann@example.com or +44 7700 900321.",
            subject="When will my card arrive",
        ),
    )
    with pytest.raises(ValueError, match="resolved or closed"):
        draft_from_case(kb, case["id"])
    update_case(
        kb,
        case["id"],
        CaseChanges(
            status="closed",
            resolution="Told Ann cards arrive within 3 to 5 working days.",
            resolution_category="card_arrival",
        ),
    )
    result = draft_from_case(kb, case["id"], "agent:bo")
    article = result["article"]
    assert article["status"] == "draft" and article["visibility"] == "public"
    assert "ann@example.com" not in article["body"] and "900321" not in article["body"]
    assert "## Problem" in article["body"] and "## Resolution" in article["body"]
    assert result["duplicates"][0]["id"] == "faq-card"
    # A draft is not searchable until someone publishes it.
    assert all(h.id != article["id"] for h in kb.search("card arrive", k=10))
    lifecycle.set_status(kb, article["id"], "published", "admin:cy")
    assert article["id"] in {
        h.id for h in kb.search("card arrive working days", k=10, role="customer")
    }


def test_gap_report_finds_two_planted_clusters(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "f.jsonl", FAQS)])
    customer = Principal(key_id=1, role="customer")
    crypto = [
        "buy bitcoin crypto",
        "how to buy bitcoin crypto",
        "bitcoin crypto buy app",
        "can I buy crypto bitcoin",
    ]
    pets = ["insure my dog pet", "pet insurance for my dog", "dog pet insurance cover"]
    for q in crypto + pets:
        outcome = logged_search(kb, customer, q, k=3)
        # Nothing in this knowledge base answers them: the customer says so.
        record_feedback(kb.db, customer, outcome.query_id, outcome.hits[0].id, False, None)
    answered = logged_search(kb, customer, "card arrive", k=3)
    record_feedback(kb.db, customer, answered.query_id, "faq-card", True, None)
    clusters = gap_report(kb)
    assert len(clusters) == 2
    found = [set(c.examples) for c in clusters]
    assert set(crypto) in found and set(pets) in found
    assert clusters[0].size == 4 and clusters[0].reasons == {"not helpful": 4}
    png = plot_gaps(clusters, tmp_path / "gaps.png")
    assert png.stat().st_size > 1000


def test_outcomes(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "f.jsonl", FAQS)])
    who = Principal(key_id=5, role="customer", customer_id="c1")
    first = logged_search(kb, who, "card arrive", k=2)
    record_feedback(kb.db, who, first.query_id, "faq-card", True, None)
    logged_search(kb, who, "pin blocked", k=2)
    create_customer(kb.db, CustomerFields(name="C One"), "c1")
    open_case(kb, NewCase("c1", "my PIN is still blocked"))
    data = outcomes(kb.db)
    assert data["self_service"]["customer_searches"] == 2
    # Both searches came before the case, within the window: neither deflected it.
    assert data["self_service"]["bound_customers"]["not_followed_by_a_case"] == 0
    assert data["articles"][0] == {
        "id": "faq-card",
        "title": "When will my card arrive?",
        "helpful": 1,
        "not_helpful": 0,
        "used": 0,
        "helpful_rate": 1.0,
    }


def test_lifecycle_routes_respect_roles(
    kb: KnowledgeBase, settings: Settings, tmp_path: Path
) -> None:
    draft = faq("faq-x", "Draft", "draft text", status="draft")
    kb.ingest_files([write_jsonl(tmp_path / "d.jsonl", [draft])])
    agent = create_key(kb.db, "agent", "bo")[0]
    admin = create_key(kb.db, "admin", "cy")[0]
    with TestClient(create_app(settings, kb=kb)) as client:

        def post(key: str, status: str) -> int:
            return client.post(
                "/v1/documents/faq-x/status",
                json={"status": status},
                headers={"Authorization": f"Bearer {key}"},
            ).status_code

        assert post(agent, "review") == 200
        assert post(agent, "published") == 403
        assert post(admin, "published") == 200
        hist = client.get(
            "/v1/documents/faq-x/history", headers={"Authorization": f"Bearer {agent}"}
        )
        assert [h["changed_by"].split("#")[0] for h in hist.json()] == ["", "agent:bo", "admin:cy"]
        gaps = client.get("/v1/reports/gaps", headers={"Authorization": f"Bearer {agent}"})
        assert gaps.status_code == 200 and gaps.json()["clusters"] == []


def test_gap_examples_do_not_repeat_a_case_subject() -> None:
    from kcrm.knowledge.gaps import question

    assert (
        question("Card not arrived\nMy card has not arrived yet") == "My card has not arrived yet"
    )
    assert question("Refund\nI was charged twice") == "Refund: I was charged twice"
    assert question("  where is my card  ") == "where is my card"
