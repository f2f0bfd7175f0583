"""The customer, recommendation and segment endpoints through the real app."""

from __future__ import annotations

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


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings) -> Iterator[Client]:
    make_shop(kb.db)
    service = load_recommender(settings, kb.db, HashEmbedder(64))
    keys = {r: create_key(kb.db, r, r)[0] for r in ("admin", "agent", "customer", "marketing")}
    app = create_app(settings, kb=kb, extra_state={"recommender": service})
    with TestClient(app) as client:
        yield client, keys


def get(client: TestClient, key: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers={"Authorization": f"Bearer {key}"})


def test_recommendations_shape_and_reasons(api: Client) -> None:
    client, keys = api
    for role in ("marketing", "agent", "admin"):
        r = get(client, keys[role], "/v1/customers/c01/recommendations", k=3)
        assert r.status_code == 200, r.text
    body = r.json()
    # c01 owns milk, beer and diapers: bread and cheese are all there is left to offer.
    assert body["customer_id"] == "c01"
    assert {i["product_id"] for i in body["items"]} == {"bread", "cheese"}
    item = body["items"][0]
    assert {"product_id", "name", "score", "reasons", "offer_type"} <= set(item) and item["reasons"]
    assert {i["offer_type"] for i in body["items"]} == {"new"}
    r = get(client, keys["agent"], "/v1/customers/c01/recommendations", offer_type="renewal")
    assert [(i["product_id"], i["offer_type"]) for i in r.json()["items"]] == [("milk", "renewal")]
    r = get(client, keys["agent"], "/v1/customers/c01/recommendations", k=6, include_owned=True)
    assert {i["product_id"] for i in r.json()["items"]} == {"bread", "cheese", "milk"}
    bad = get(client, keys["agent"], "/v1/customers/c01/recommendations", offer_type="old")
    assert bad.status_code == 422


def test_new_customer_gets_popular_offers(api: Client) -> None:
    client, keys = api
    body = get(client, keys["marketing"], "/v1/customers/c40/recommendations").json()
    assert body["items"][0]["product_id"] == "milk"
    assert all(i["reasons"] for i in body["items"])


def test_unknown_customer_is_404_problem(api: Client) -> None:
    client, keys = api
    for path in ("/v1/customers/nobody", "/v1/customers/nobody/recommendations"):
        r = get(client, keys["agent"], path)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "nobody" in r.json()["detail"]


def test_customer_view_and_roles(api: Client) -> None:
    client, keys = api
    r = get(client, keys["agent"], "/v1/customers/c00")
    assert r.status_code == 200
    view = r.json()
    assert view["customer_id"] == "c00" and view["value"]["segment"]
    assert {p["product_id"] for p in view["products_owned"]} >= {"beer", "diapers", "milk"}
    assert get(client, keys["customer"], "/v1/customers/c00").status_code == 403
    assert client.get("/v1/customers/c00").status_code == 401
    assert get(client, keys["agent"], "/v1/customers/c00/recommendations", k=0).status_code == 422


def test_segments_for_marketing_only(api: Client) -> None:
    client, keys = api
    r = get(client, keys["marketing"], "/v1/segments")
    assert r.status_code == 200
    body = r.json()
    assert body["buyers"] == 40 and sum(s["customers"] for s in body["segments"]) == 40
    assert {t["value_tier"] for t in body["tiers"]} <= {"gold", "silver", "bronze"}
    assert "scores" not in body
    assert get(client, keys["agent"], "/v1/segments").status_code == 403
