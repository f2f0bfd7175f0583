"""Every route with an id in its path or body: an unknown id is a problem+json 404 (path) or
404/422 (body reference), answered before any expensive work (embedding, recommending)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.recommend.store import load_recommender
from kcrm.server.app import create_app
from tests.recommend.test_recommend_service import make_shop

Client = tuple[TestClient, dict[str, str]]


class Expensive(Exception):
    """Raised by whatever a route must not reach for an unknown id."""


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    make_shop(kb.db)  # customers c00..c40, products milk, bread, beer, ...

    def expensive(*_: object, **__: object) -> None:
        raise Expensive

    # Embedding the text (a suggestion's, or a new case's for triage) is the work an
    # unknown id must not cost. The recommender is loaded at start-up: a lookup is cheap.
    suggest_module = importlib.import_module("kcrm.assist.suggest")  # the package exports
    monkeypatch.setattr(suggest_module, "problem_statement", expensive)  # a function of this name
    monkeypatch.setattr("kcrm.assist.service.triage", expensive)
    service = load_recommender(settings, kb.db, HashEmbedder(64))
    header = {"Authorization": f"Bearer {create_key(kb.db, 'admin', 'admin')[0]}"}
    app = create_app(settings, kb=kb, extra_state={"recommender": service})
    with TestClient(app, raise_server_exceptions=True) as client:
        client.headers.update(header)
        yield client, header


NOBODY = "nobody"
CASES: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
    ("get", f"/v1/customers/{NOBODY}", None, 404, "no customer"),
    ("patch", f"/v1/customers/{NOBODY}", {"name": "x"}, 404, "no customer"),
    ("get", f"/v1/customers/{NOBODY}/interactions", None, 404, "no customer"),
    ("get", f"/v1/customers/{NOBODY}/cases", None, 404, "no customer"),
    ("get", f"/v1/customers/{NOBODY}/recommendations", None, 404, "no customer"),
    ("post", f"/v1/customers/{NOBODY}/merge", {"duplicate_id": "c01"}, 404, "no customer"),
    ("post", "/v1/customers/c01/merge", {"duplicate_id": NOBODY}, 404, "no customer"),
    ("get", f"/v1/cases/{NOBODY}", None, 404, "no case"),
    ("patch", f"/v1/cases/{NOBODY}", {"priority": "high"}, 404, "no case"),
    ("post", f"/v1/cases/{NOBODY}/article", None, 404, "no case"),
    ("get", f"/v1/documents/{NOBODY}", None, 404, "no document"),
    ("delete", f"/v1/documents/{NOBODY}", None, 404, "no document"),
    ("post", f"/v1/documents/{NOBODY}/status", {"status": "published"}, 404, "no document"),
    ("get", f"/v1/documents/{NOBODY}/history", None, 404, "no history"),
    ("get", f"/v1/products/{NOBODY}/audience", None, 404, "no product"),
    ("get", f"/v1/rules?product_id={NOBODY}", None, 404, "no product"),
    (
        "post",
        "/v1/campaigns",
        {"name": "x", "product_id": NOBODY, "holdout": 0.2},
        404,
        "no product",
    ),
    ("get", "/v1/campaigns/999/members", None, 404, "no campaign"),
    ("get", "/v1/campaigns/999/report", None, 404, "no campaign"),
    ("get", "/v1/campaigns/999/export", None, 404, "no campaign"),
    (
        "post",
        "/v1/campaigns/999/outcomes",
        {"customer_id": "c01", "outcome": "accepted"},
        404,
        "no campaign",
    ),
    ("post", "/v1/agent/suggest", {"text": "lost card", "customer_id": NOBODY}, 404, "no customer"),
    ("post", "/v1/agent/suggest", {"text": "lost card", "product_id": NOBODY}, 404, "no product"),
    ("post", "/v1/agent/draft", {"text": "lost card", "customer_id": NOBODY}, 404, "no customer"),
    ("post", "/v1/agent/draft", {"text": "lost card", "case_id": NOBODY}, 404, "no case"),
    ("post", "/v1/cases", {"description": "lost", "customer_id": NOBODY}, 422, "no customer"),
    (
        "post",
        "/v1/cases",
        {"description": "lost", "customer_id": "c01", "product_id": NOBODY},
        422,
        "no product",
    ),
    (
        "post",
        "/v1/interactions",
        {"customer_id": NOBODY, "channel": "phone", "direction": "inbound", "body": "x"},
        422,
        "no customer",
    ),
    (
        "post",
        "/v1/feedback",
        {"query_id": NOBODY, "item_id": "x", "helpful": True},
        404,
        "no query",
    ),
]


def test_unknown_id_is_a_problem(api: Client) -> None:
    """One app for every route (building one per route would cost seconds each)."""
    client, _ = api
    for method, path, body, status, detail in CASES:
        r = client.request(method, path, json=body)
        where = f"{method.upper()} {path} {body}"
        assert r.status_code == status, f"{where}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/problem+json"), where
        said = r.json()["detail"]
        assert detail in said and (NOBODY in said or "999" in said), f"{where}: {said}"


def test_known_product_reaches_the_work(api: Client) -> None:
    """The product check refuses only unknown ids: with `milk`, the text is embedded."""
    client, _ = api
    with pytest.raises(Expensive):
        client.post("/v1/agent/suggest", json={"text": "lost card", "product_id": "milk"})


def test_without_a_catalogue_any_product_is_accepted(kb: KnowledgeBase, settings: Settings) -> None:
    """Knowledge-only deployments (no products imported) may name products of their own."""
    from kcrm.crm.refs import require_product

    kb.db.upgrade()
    require_product(kb.db, "anything")  # no catalogue: nothing to check against
    make_shop(kb.db)
    require_product(kb.db, "milk")
    with pytest.raises(Exception, match="no product with id 'anything'"):
        require_product(kb.db, "anything")
