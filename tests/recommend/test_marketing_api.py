"""Audiences, rules and campaigns through the real app: shapes, roles, and bad input as 4xx."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Contact, Product, Purchase
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.service import RecommendService
from kcrm.server.app import create_app
from tests.recommend.test_recommend_campaigns import CUSTOMERS, make_bank

Client = tuple[TestClient, dict[str, str], KnowledgeBase]


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings) -> Iterator[Client]:
    make_bank(kb.db)
    with kb.db.session() as s:
        s.add(Contact(customer_id="k001", kind="email", value="k001@example.com"))
        s.add(Product(id="gift/card", name="Gift card", description="A card to give"))
        s.flush()
        s.add(
            Purchase(
                order_id="g1",
                customer_id="k002",
                product_id="gift/card",
                purchased_at=datetime(2025, 3, 1, tzinfo=UTC),
            )
        )
    service = RecommendService.train(kb.db, RecommendConfig(), None)
    keys = {r: create_key(kb.db, r, r)[0] for r in ("admin", "agent", "marketing")}
    app = create_app(settings, kb=kb, extra_state={"recommender": service})
    with TestClient(app) as client:
        yield client, keys, kb


def call(client: TestClient, key: str, method: str, path: str, **kw: Any) -> Any:
    return client.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kw)


def problem(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return str(r.json()["detail"])


def test_audience_for_a_product(api: Client) -> None:
    client, keys, _ = api
    r = call(client, keys["marketing"], "GET", "/v1/products/savings/audience", params={"k": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["product_id"] == "savings" and len(body["customers"]) == 5
    assert all(c["reasons"] and c["score"] >= 0 for c in body["customers"])
    owners = {f"k{c:03d}" for c in range(0, CUSTOMERS, 4)}
    assert not owners & {c["customer_id"] for c in body["customers"]}
    assert "no-such" in problem(
        call(client, keys["marketing"], "GET", "/v1/products/no-such/audience"), 404
    )
    problem(call(client, keys["marketing"], "GET", "/v1/products/savings/audience?k=0"), 422)
    # A product id with a slash (the groceries data has "rolls/buns") needs no escaping.
    r = call(client, keys["marketing"], "GET", "/v1/products/gift/card/audience", params={"k": 3})
    assert r.status_code == 200 and r.json()["product_id"] == "gift/card"
    assert "k002" not in {c["customer_id"] for c in r.json()["customers"]}
    assert call(client, keys["agent"], "GET", "/v1/products/savings/audience").status_code == 403
    assert call(client, keys["admin"], "GET", "/v1/products/savings/audience").status_code == 200


def test_rules_with_filters(api: Client) -> None:
    client, keys, _ = api
    r = call(client, keys["marketing"], "GET", "/v1/rules", params={"product_id": "loan", "k": 3})
    assert r.status_code == 200, r.text
    rules = r.json()["rules"]
    assert rules and all("loan" in x["antecedent"] + x["consequent"] for x in rules)
    assert {"support", "confidence", "lift", "customers", "antecedent_names"} <= set(rules[0])
    problem(call(client, keys["marketing"], "GET", "/v1/rules?min_confidence=2"), 422)
    problem(call(client, keys["marketing"], "GET", "/v1/rules?sort=fun"), 422)
    problem(call(client, keys["marketing"], "GET", "/v1/rules?product_id=no-such"), 404)


def test_campaign_lifecycle(api: Client) -> None:
    client, keys, kb = api
    m = keys["marketing"]
    body = {"name": "Card launch", "product_id": "card", "size": 500, "holdout": 0.2, "seed": 4}
    r = call(client, m, "POST", "/v1/campaigns", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["treatment"], created["holdout"]) == (400, 100)
    cid = created["id"]
    treated = call(client, m, "GET", f"/v1/campaigns/{cid}/members?group=treatment").json()
    held = call(client, m, "GET", f"/v1/campaigns/{cid}/members", params={"group": "holdout"})
    assert len(treated["customers"]) == 400 and len(held.json()["customers"]) == 100
    first = treated["customers"][0]["customer_id"]
    r = call(
        client,
        m,
        "POST",
        f"/v1/campaigns/{cid}/outcomes",
        json={"customer_id": first, "outcome": "accepted"},
    )
    assert r.status_code == 201 and r.json()["product_id"] == "card"
    with kb.db.session() as s:
        s.add(
            Purchase(
                order_id="conv-1",
                customer_id=first,
                product_id="card",
                purchased_at=datetime.now(UTC) + timedelta(minutes=1),
            )
        )
    rep = call(client, m, "GET", f"/v1/campaigns/{cid}/report").json()
    assert {k: v for k, v in rep["treatment"].items() if k != "contactable"} == {
        "customers": 400,
        "converted": 1,
        "rate": 0.0025,
        "accepted": 1,
        "rejected": 0,
    }
    assert rep["holdout"]["converted"] == 0 and rep["uplift"] == 0.0025
    assert rep["ci_low"] < 0 < rep["ci_high"] and "Newcombe" in rep["ci"]
    listed = call(client, m, "GET", "/v1/campaigns").json()["items"]
    assert [c["id"] for c in listed] == [cid]
    # The contact list: offered members who agreed to marketing, and only the channels
    # each agreed to (every tenth customer never agreed; k001 agreed to e-mail).
    export = call(client, m, "GET", f"/v1/campaigns/{cid}/export")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    agreed = {x["customer_id"] for x in treated["customers"] if int(x["customer_id"][1:]) % 10 != 9}
    assert {x["customer_id"] for x in rows} == agreed
    assert rep["treatment"]["contactable"] == len(agreed)
    assert {x["consent_marketing"] for x in rows} == {"True"}
    by_id = {x["customer_id"]: x for x in rows}
    if "k001" in by_id:
        assert by_id["k001"]["email"] == "k001@example.com"
    assert all(x["email"] == "" for x in rows if x["consent_email"] == "False")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "x", "product_id": "card", "holdout": 0.7}, 422, "holdout"),
        ({"name": "x", "product_id": "card", "holdout": 0}, 422, "holdout"),
        ({"name": "x", "product_id": "no-such", "holdout": 0.2}, 404, "no-such"),
        ({"name": "x", "segment": "vips", "holdout": 0.2}, 422, "segment must be one of"),
        ({"name": "x", "segment": "champions", "tier": "bronze", "holdout": 0.2}, 422, "empty"),
        ({"name": "x", "holdout": 0.2}, 422, "product_id, a segment or a tier"),
        ({"product_id": "card", "holdout": 0.2}, 422, "name"),
    ],
)
def test_bad_campaigns_are_4xx_problems(
    api: Client, body: dict[str, Any], status: int, words: str
) -> None:
    client, keys, _ = api
    detail = problem(call(client, keys["marketing"], "POST", "/v1/campaigns", json=body), status)
    assert words in detail


def test_bad_outcomes_and_unknown_campaigns(api: Client) -> None:
    client, keys, _ = api
    m = keys["marketing"]
    body = {"name": "x", "product_id": "card", "size": 10, "holdout": 0.5, "seed": 1}
    cid = call(client, m, "POST", "/v1/campaigns", json=body).json()["id"]
    held = call(client, m, "GET", f"/v1/campaigns/{cid}/members?group=holdout").json()
    one = held["customers"][0]["customer_id"]
    path = f"/v1/campaigns/{cid}/outcomes"
    problem(call(client, m, "POST", path, json={"customer_id": one, "outcome": "accepted"}), 409)
    problem(call(client, m, "POST", path, json={"customer_id": one, "outcome": "maybe"}), 422)
    problem(call(client, m, "POST", path, json={"customer_id": "zz", "outcome": "accepted"}), 422)
    problem(call(client, m, "GET", "/v1/campaigns/999/report"), 404)
    problem(call(client, m, "GET", f"/v1/campaigns/{cid}/members?group=both"), 422)
    assert call(client, keys["agent"], "POST", "/v1/campaigns", json=body).status_code == 403


def test_offer_list_export_honours_product_id(api: Client) -> None:
    client, keys, _ = api
    r = call(client, keys["marketing"], "GET", "/v1/campaigns/export?product_id=loan")
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    owners = {f"k{c:03d}" for c in range(0, CUSTOMERS, 5)}
    refused = {f"k{c:03d}" for c in range(9, CUSTOMERS, 10)}  # no marketing consent
    assert {x["customer_id"] for x in rows} == {
        f"k{c:03d}" for c in range(CUSTOMERS)
    } - owners - refused
    assert {x["product_id"] for x in rows} == {"loan"} and not owners & {
        x["customer_id"] for x in rows
    }
    assert [int(x["rank"]) for x in rows] == list(range(1, len(rows) + 1))
    problem(call(client, keys["marketing"], "GET", "/v1/campaigns/export?product_id=no"), 404)
