"""Response models lose nothing: each route answers what its domain function returned.

A response model drops every field it does not declare. So each route here is called on
demo-like data and its JSON is compared with what the route's function returned, caught
before the model saw it and serialised as the untyped routes used to be (`dict[str, Any]`).
A schema that forgot a field, a nested one included, fails here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from kcrm.api.schemas import SearchResponse
from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.crm.loader import load_paths
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.service import RecommendService
from kcrm.server.app import create_app

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
ROLES = ("admin", "agent", "customer", "marketing")
UNTYPED = TypeAdapter(Any)  # how FastAPI serialised a `-> dict[str, Any]` route


class Api:
    """A client whose `call` checks the answer against the route function's own return."""

    def __init__(self, client: TestClient, keys: dict[str, str], raw: list[Any]) -> None:
        self.client, self.keys, self.raw = client, keys, raw

    def call(
        self,
        role: str | None,
        method: str,
        path: str,
        status: int = 200,
        prepared: type[BaseModel] | None = None,
        **kw: Any,
    ) -> Any:
        """`prepared`: the route writes its model's JSON itself (search, for speed): the
        answer must then be exactly what the model makes of it, nothing dropped or added."""
        self.raw.clear()
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        r = self.client.request(method, path, headers=headers, **kw)
        assert r.status_code == status, r.text
        if prepared is not None:
            assert not self.raw, f"{method} {path} went through the response model"
            assert prepared.model_validate(r.json()).model_dump(mode="json") == r.json()
            return r.json()
        assert len(self.raw) == 1, f"{method} {path} answered without serialising"
        before = UNTYPED.dump_python(self.raw[0], mode="json")
        assert_kept(before, r.json(), f"{method} {path}")
        return r.json()


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def assert_kept(before: Any, after: Any, where: str) -> None:
    """Every key and value of `before` is in `after`; `after` adds only nulls.

    A date may change its spelling, not its instant (a model writes UTC as `Z`).
    """
    if isinstance(before, dict):
        assert isinstance(after, dict), where
        for key, value in before.items():
            assert key in after, f"{where}.{key} was dropped"
            assert_kept(value, after[key], f"{where}.{key}")
        added = {k: v for k, v in after.items() if k not in before and v is not None}
        assert not added, f"{where} gained {added}"
    elif isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), where
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            assert_kept(b, a, f"{where}[{i}]")
    elif isinstance(before, str) and isinstance(after, str) and before != after:
        assert _instant(before) is not None and _instant(before) == _instant(after), where
    else:
        assert before == after, where


def _subset(folder: Path) -> Path:
    """The demo corpus, knowledge cut to FAQs, articles and the first cases (fast to embed)."""
    shutil.copytree(CORPUS / "crm", folder / "crm")
    knowledge = folder / "knowledge"
    shutil.copytree(CORPUS / "knowledge" / "articles", knowledge / "articles")
    for name in ("categories.csv", "faqs.jsonl"):
        shutil.copy(CORPUS / "knowledge" / name, knowledge / name)
    for name, n in (("cases.jsonl", 240), ("interactions.jsonl", 60)):
        with (CORPUS / "knowledge" / name).open() as f:
            (knowledge / name).write_text("".join(islice(f, n)))
    return folder


def _spy(raw: list[Any]) -> Callable[..., Any]:
    """FastAPI's serialiser, noting what each route returned before its model saw it."""
    original = fastapi.routing.serialize_response

    async def spy(*, response_content: Any, **kw: Any) -> Any:
        raw.append(response_content)
        return await original(response_content=response_content, **kw)

    return spy


def _api(
    settings: Settings, kb: KnowledgeBase, state: dict[str, Any], mp: pytest.MonkeyPatch
) -> Iterator[Api]:
    keys = {role: create_key(kb.db, role, f"k-{role}")[0] for role in ROLES}
    raw: list[Any] = []
    mp.setattr(fastapi.routing, "serialize_response", _spy(raw))
    with TestClient(create_app(settings, kb=kb, extra_state=state)) as client:
        yield Api(client, keys, raw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app over a cut of the demo corpus (CRM tables whole), with a trained recommender."""
    root = tmp_path_factory.mktemp("demo")
    # Module-wide, so on SQLite whatever the run's database (as tests/conftest.py explains).
    settings = Settings(data_dir=root / "data", embedding_model="hash-64", database_url="")
    kb = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    load_paths(kb, [_subset(root / "corpus")])
    service = RecommendService.train(kb.db, RecommendConfig(), None)
    with pytest.MonkeyPatch.context() as mp:
        yield from _api(settings, kb, {"recommender": service}, mp)
    kb.close()


@pytest.fixture
def empty(kb: KnowledgeBase, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app over an empty database: the reports' branches for "nothing yet"."""
    yield from _api(settings, kb, {}, monkeypatch)


def test_operations(demo: Api, empty: Api) -> None:
    assert demo.call(None, "GET", "/healthz") == {"status": "ok"}
    assert demo.call(None, "GET", "/readyz")["recommender"] is True
    assert empty.call(None, "GET", "/readyz")["index_lag"] == 0


def test_agent_assist(demo: Api) -> None:
    text = "My card still hasn't arrived, it was sent two weeks ago. What should I do?"
    body = {"text": text, "customer_id": "cust-0142", "k": 3}
    out = demo.call("agent", "POST", "/v1/agent/suggest", json=body)
    assert out["suggestions"][0]["evidence"] and out["suggestions"][0]["answer_source"]
    assert out["similar_cases"] and out["customer"]["recent_purchases"]
    assert out["problem"] == {"text": text, "segments": 2, "kept": 2}  # a question as it is
    chat = f"Agent: For security, what are the last four digits of your card?\nCustomer: {text}"
    read = demo.call("agent", "POST", "/v1/agent/suggest", json={"text": chat})["problem"]
    assert read["text"] == text and read["segments"] == 3 and read["kept"] == 2
    draft = demo.call("agent", "POST", "/v1/agent/draft", json={"text": text})
    assert draft["citations"] and draft["generator"] == "offline" and "fallback" not in draft
    by_category = {"category": "card_arrival", "customer_id": "cust-0142"}
    assert demo.call("agent", "POST", "/v1/agent/draft", json=by_category)["article_id"]


def _resolved_case(api: Api, customer_id: str) -> str:
    opened = {"customer_id": customer_id, "subject": "Card not arrived", "channel": "phone"}
    opened["description"] = "My new card has not arrived after ten days."
    case = api.call("agent", "POST", "/v1/cases", 201, json=opened)
    note = {"customer_id": customer_id, "case_id": case["id"], "channel": "email"}
    note |= {"direction": "outbound", "body": "We have sent a replacement card."}
    api.call("agent", "POST", "/v1/interactions", 201, json=note)
    done = {"status": "resolved", "resolution": "Sent a replacement card by express delivery."}
    api.call("agent", "PATCH", f"/v1/cases/{case['id']}", json=done | {"queue": "cards"})
    return str(case["id"])


def test_cases_lifecycle_and_reports(demo: Api) -> None:
    case_id = _resolved_case(demo, "cust-0007")
    article = demo.call("agent", "POST", f"/v1/cases/{case_id}/article", 201)
    assert article["article"]["created"] and article["source_case"] == case_id
    service = demo.call("agent", "GET", "/v1/reports/service")
    assert service["channels"]["email"]["interactions"]["outbound"] >= 1
    assert service["queues"]["cards"]["resolution_hours"]["n"] == 1
    doc = article["article"]["id"]
    demo.call("agent", "POST", f"/v1/documents/{doc}/status", json={"status": "review"})
    demo.call("admin", "POST", f"/v1/documents/{doc}/status", json={"status": "published"})
    assert len(demo.call("agent", "GET", f"/v1/documents/{doc}/history")) == 3
    for query in ("zqxv blorft wibble", "zqxv blorft wobble"):
        demo.call("customer", "POST", "/v1/search", prepared=SearchResponse, json={"query": query})
    found = demo.call(
        "customer", "POST", "/v1/search", prepared=SearchResponse, json={"query": "card arrival"}
    )
    verdict = {"query_id": found["query_id"], "item_id": found["results"][0]["id"]}
    demo.call("customer", "POST", "/v1/feedback", 201, json=verdict | {"helpful": False})
    gaps = demo.call("agent", "GET", "/v1/reports/gaps", params={"min_size": 1})
    assert gaps["clusters"] and gaps["clusters"][0]["reasons"]
    outcomes = demo.call("agent", "GET", "/v1/reports/outcomes")
    assert outcomes["articles"][0]["not_helpful"] == 1


def test_customers(demo: Api) -> None:
    _resolved_case(demo, "cust-0001")
    for role in ("agent", "marketing"):
        found = demo.call(role, "GET", "/v1/customers", params={"q": "lucy taylor"})
        assert found["items"][0]["id"] == "cust-0001"
    view = demo.call("agent", "GET", "/v1/customers/cust-0001")
    assert view["cases"] and view["interactions"] and view["contacts"] and view["value"]
    partial = demo.call("marketing", "GET", "/v1/customers/cust-0001")
    assert "contacts" not in partial and partial["products_owned"]
    page = demo.call("agent", "GET", "/v1/customers/cust-0001/interactions", params={"limit": 1})
    assert len(page["items"]) == 1 and page["total"] >= 1
    twin = {"id": "dup-0001", "name": "Lucy Taylor", "email": "lucy.taylor@example.com"}
    assert demo.call("agent", "POST", "/v1/customers", 201, json=twin)["possible_duplicates"]
    assert demo.call("agent", "GET", "/v1/customers/dup-0001")["value"] is None
    merged = demo.call(
        "agent", "POST", "/v1/customers/cust-0001/merge", json={"duplicate_id": "dup-0001"}
    )
    assert merged["merged_id"] == "dup-0001" and merged["customer"]["contacts"]


def test_marketing(demo: Api) -> None:
    segments = demo.call("marketing", "GET", "/v1/segments")
    assert segments["segments"] and segments["rates"] and segments["cohort"]
    products = demo.call("marketing", "GET", "/v1/products", params={"active": True})["items"]
    assert any(p["upgrade_of"] for p in products)
    body = {"name": "Metal", "product_id": "prod-metal-card", "size": 40, "holdout": 0.25}
    created = demo.call("marketing", "POST", "/v1/campaigns", 201, json=body | {"seed": 3})
    cid = created["id"]
    assert demo.call("marketing", "GET", "/v1/campaigns")["items"][0]["id"] == cid
    members = demo.call("marketing", "GET", f"/v1/campaigns/{cid}/members")["customers"]
    treated = next(m["customer_id"] for m in members if m["group"] == "treatment")
    answer = {"customer_id": treated, "outcome": "accepted"}
    demo.call("marketing", "POST", f"/v1/campaigns/{cid}/outcomes", 201, json=answer)
    held = demo.call("marketing", "GET", f"/v1/campaigns/{cid}/members?group=holdout")
    assert len(held["customers"]) == created["holdout"]
    report = demo.call("marketing", "GET", f"/v1/campaigns/{cid}/report")
    assert report["treatment"]["accepted"] == 1 and report["ci_low"] is not None


def test_exports_have_the_columns_the_schema_names(demo: Api) -> None:
    paths = demo.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    created = demo.call(
        "marketing",
        "POST",
        "/v1/campaigns",
        201,
        json={"name": "x", "tier": "gold", "holdout": 0.5},
    )
    for path, url in (
        ("/v1/campaigns/export", "/v1/campaigns/export"),
        ("/v1/campaigns/{campaign_id}/export", f"/v1/campaigns/{created['id']}/export"),
    ):
        declared = paths[path]["get"]["responses"]["200"]["content"]["text/csv"]["example"]
        auth = {"Authorization": f"Bearer {demo.keys['marketing']}"}
        r = demo.client.get(url, headers=auth)
        assert r.status_code == 200, r.text
        assert r.text.splitlines()[0] == declared.splitlines()[0]
        assert len(r.text.splitlines()) > 1


def test_empty_database(empty: Api) -> None:
    segments = empty.call("marketing", "GET", "/v1/segments")
    assert segments["rates"] == {} and "as_of" not in segments
    for path in ("/v1/products", "/v1/campaigns", "/v1/customers"):
        assert empty.call("marketing" if "camp" in path else "agent", "GET", path)["items"] == []
    assert empty.call("agent", "GET", "/v1/reports/gaps")["clusters"] == []
    assert empty.call("agent", "GET", "/v1/reports/outcomes")["articles"] == []
    assert empty.call("agent", "GET", "/v1/reports/service")["total"]["reopen_rate"] is None


def test_every_operation_declares_its_answer(demo: Api) -> None:
    """A route added without a response model (or a media type) fails here."""
    spec = demo.client.app.openapi()  # type: ignore[attr-defined]
    untyped = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            answers = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
            typed = any(
                code == "204"
                or any(
                    "$ref" in json.dumps(body.get("schema", {}))
                    if media == "application/json"
                    else body.get("schema") and body.get("example")
                    for media, body in r.get("content", {}).items()
                )
                for code, r in answers.items()
            )
            if not typed:
                untyped.append(f"{method.upper()} {path}")
    assert not untyped, "routes without a response model: " + ", ".join(untyped)
