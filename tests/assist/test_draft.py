"""Reply drafts: offline composition, the model's rewrite, grounding, the API route."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kcrm.assist.draft import draft_reply
from kcrm.assist.llm import ChatClient
from kcrm.core.config import Settings
from kcrm.core.errors import NotFound
from kcrm.core.keys import create_key
from kcrm.core.tables import Customer, Document
from kcrm.crm.cases import NewCase, open_case
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.conftest import faq, write_jsonl

CARD_FAQ = faq(
    "faq-card",
    "When will my card arrive?",
    "Standard delivery takes 3 to 5 working days. If your card has not arrived after "
    "7 working days, order a free replacement in the app.",
    category="card_arrival",
)
PIN_FAQ_ZH = faq(
    "faq-zh-pin",
    "密码被锁",
    "连续三次输错密码后会被锁定。请在应用中解锁。",
    category="pin_blocked",
    language="zh",
)
CASES = [
    {
        "id": f"case-fee-{i}",
        "kind": "case",
        "body": f"why was I charged a fee on my top up {i}",
        "category": "top_up_fee",
        "resolution": f"Explained the 1% fee on credit card top-ups. Refunded GBP {i}.{i}9 "
        f"to {name} as a goodwill gesture.",
        "customer_id": "cust-1",
    }
    for i, name in enumerate(["Alice Moreno", "Bob Tan", "Chen Li"], 1)
]


@pytest.fixture
def loaded(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    with kb.db.session() as s:
        s.add(Customer(id="cust-1", name="Maria Lopez"))
    report = kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", [CARD_FAQ, PIN_FAQ_ZH, *CASES])])
    assert not report.rejected
    open_case(
        kb, NewCase("cust-1", "my card has not arrived yet", "Card late", case_id="case-open")
    )
    return kb


def fake_chat(reply: str | Callable[[dict[str, Any]], str]) -> httpx.MockTransport:
    """An OpenAI-compatible /chat/completions answering `reply` (or reply(request body))."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/chat/completions")
        body = json.loads(request.content)
        text = reply(body) if callable(reply) else reply
        return httpx.Response(200, json={"choices": [{"message": {"content": text}}]})

    return httpx.MockTransport(handle)


def test_offline_draft_greets_the_customer_and_cites_the_faq(loaded: KnowledgeBase) -> None:
    out = draft_reply(loaded, case_id="case-open")
    assert out["generator"] == "offline" and out["language"] == "en"
    assert out["draft"].startswith("Dear Maria Lopez,")
    assert CARD_FAQ["body"] in out["draft"] and out["draft"].rstrip().endswith("Customer Support")
    assert [c["id"] for c in out["citations"]] == ["faq-card"]
    assert out["citations"][0]["kind"] == "faq" and out["category"] == "card_arrival"
    # The same request drafts the same reply.
    assert draft_reply(loaded, case_id="case-open") == out


def test_chinese_case_gets_a_chinese_reply_from_the_chinese_faq(loaded: KnowledgeBase) -> None:
    out = draft_reply(loaded, text="我的密码被锁了怎么办", category="pin_blocked")
    assert out["language"] == "zh" and out["draft"].startswith("您好！")
    assert "连续三次输错密码" in out["draft"] and "客户服务团队" in out["draft"]
    assert [c["id"] for c in out["citations"]] == ["faq-zh-pin"]


def test_category_without_article_drafts_its_canonical_resolution(loaded: KnowledgeBase) -> None:
    out = draft_reply(loaded, text="fee on my top up", category="top_up_fee")
    assert "Explained the 1% fee on credit card top-ups." in out["draft"]
    # No stranger's name or amount reaches the reply.
    for detail in ("Alice", "Bob", "Chen", "GBP 1.19", "GBP 2.29", "GBP 3.39"):
        assert detail not in out["draft"]
    cited = [c["id"] for c in out["citations"]]
    assert cited and set(cited) <= {c["id"] for c in CASES}
    with loaded.db.session() as s:
        assert all(s.get(Document, i) is not None for i in cited)


def test_grounded_rewrite_is_used(loaded: KnowledgeBase) -> None:
    reply = (
        "Dear Maria Lopez,\n\nThank you for getting in touch.\n\n"
        "Standard delivery takes 3 to 5 working days.\n\nKind regards,\nCustomer Support"
    )
    client = ChatClient("http://llm.test/v1", "fake", transport=fake_chat(reply))
    out = draft_reply(loaded, case_id="case-open", client=client)
    assert out["generator"] == "llm:fake" and out["draft"] == reply
    assert "fallback" not in out and [c["id"] for c in out["citations"]] == ["faq-card"]


def test_invented_facts_fall_back_to_the_offline_draft(loaded: KnowledgeBase) -> None:
    offline = draft_reply(loaded, case_id="case-open")
    seen: list[dict[str, Any]] = []

    def invent(body: dict[str, Any]) -> str:
        seen.append(body)
        return "Dear Maria,\n\nWe will refund you GBP 500 within 2 days."

    client = ChatClient("http://llm.test/v1/", "fake", transport=fake_chat(invent))
    out = draft_reply(loaded, case_id="case-open", client=client)
    assert out["generator"] == "offline" and out["draft"] == offline["draft"]
    assert "GBP 500" in out["fallback"]
    # The model saw the passages and the offline draft, and nothing else to draw on.
    prompt = seen[0]["messages"][1]["content"]
    assert CARD_FAQ["body"] in prompt and offline["draft"] in prompt


def test_unreachable_model_falls_back(loaded: KnowledgeBase) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = ChatClient("http://llm.test/v1", "fake", transport=httpx.MockTransport(refuse))
    out = draft_reply(loaded, case_id="case-open", client=client)
    assert out["generator"] == "offline" and "could not be reached" in out["fallback"]


def test_bad_requests_are_clear(loaded: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="give the text"):
        draft_reply(loaded)
    with pytest.raises(NotFound, match="case"):
        draft_reply(loaded, case_id="case-missing")
    with pytest.raises(NotFound, match="customer"):
        draft_reply(loaded, text="card late", customer_id="cust-missing")
    with pytest.raises(NotFound, match="article"):
        draft_reply(loaded, text="card late", article_id="case-fee-1")
    with pytest.raises(ValueError, match="http"):
        ChatClient("llm.test", "fake")


# ---- over HTTP, with a fake OpenAI-compatible server on loopback -------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def llm_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A tiny chat server echoing the first passage back inside a greeting and closing."""
    app = FastAPI()
    calls: list[dict[str, Any]] = []

    @app.post("/v1/chat/completions")
    def complete(body: dict[str, Any]) -> dict[str, Any]:
        calls.append(body)
        passage = body["messages"][1]["content"].split("[1] ", 1)[1].split("\n\n")[0]
        text = f"Hello,\n\n{passage}\n\nKind regards,\nCustomer Support"
        return {"choices": [{"message": {"role": "assistant", "content": text}}]}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1", calls
    server.should_exit = True
    thread.join(timeout=5)


def test_draft_route_uses_the_configured_model(
    loaded: KnowledgeBase, settings: Settings, llm_server: tuple[str, list[dict[str, Any]]]
) -> None:
    url, calls = llm_server
    settings.llm_url, settings.llm_model = url, "tiny"
    agent = create_key(loaded.db, "agent", "agent")[0]
    customer = create_key(loaded.db, "customer", "customer")[0]
    headers = {"Authorization": f"Bearer {agent}"}
    with TestClient(create_app(settings, kb=loaded)) as client:
        r = client.post("/v1/agent/draft", json={"case_id": "case-open"}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["generator"] == "llm:tiny", body.get("fallback")
        assert calls[0]["model"] == "tiny"
        assert set(body) >= {"draft", "language", "citations", "generator"}
        for cite in body["citations"]:  # every citation is a record that exists
            assert client.get(f"/v1/documents/{cite['id']}", headers=headers).status_code == 200
        r = client.post("/v1/agent/draft", json={}, headers=headers)
        assert r.status_code == 422 and "give the text" in r.json()["detail"]
        r = client.post("/v1/agent/draft", json={"case_id": "nope"}, headers=headers)
        assert r.status_code == 404
        r = client.post("/v1/agent/draft", json={"text": "x", "tone": "warm"}, headers=headers)
        assert r.status_code == 422
        r = client.post(
            "/v1/agent/draft",
            json={"case_id": "case-open"},
            headers={"Authorization": f"Bearer {customer}"},
        )
        assert r.status_code == 403
        # Suggestions for an unknown customer are refused, not silently unpersonalised.
        r = client.post(
            "/v1/agent/suggest",
            json={"text": "card late", "customer_id": f"cust-{uuid.uuid4().hex}"},
            headers=headers,
        )
        assert r.status_code == 404 and "no customer" in r.json()["detail"]
