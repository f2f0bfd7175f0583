"""Dates and numbers are checked at the edge: a date without a time zone is UTC, dates
out of range and non-finite numbers are a 422, and a purchase dated year 1 that got in
anyway (stored before these checks) does not stretch the recommender's time windows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Purchase
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.recommend.data import load_interactions, to_day
from kcrm.recommend.shift import MAX_WEEKS, last_shift, weekly_counts
from kcrm.server.app import create_app
from tests.recommend.test_recommend_service import make_shop

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def api(kb: KnowledgeBase, settings: Settings) -> Iterator[Client]:
    records = [
        {"id": "old", "kind": "faq", "body": "card fees explained", "created_at": "2020-06-01"},
        {"id": "new", "kind": "faq", "body": "card fees today", "created_at": "2026-01-02"},
    ]
    kb.ingest(Parsed(KnowledgeRecord.model_validate(r), "t", i) for i, r in enumerate(records))
    keys = {r: create_key(kb.db, r, r, rate_limit_per_minute=10**6)[0] for r in ("admin", "agent")}
    # A 500 must come back as a response the checks can see, not as an exception.
    with TestClient(create_app(settings, kb=kb), raise_server_exceptions=False) as client:
        yield client, keys


def post(client: TestClient, key: str, path: str, body: Any) -> Any:
    # json.dumps writes NaN and Infinity as Python's json module (and FastAPI) read them.
    return client.post(
        path,
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )


def test_a_filter_date_without_a_time_zone_is_utc(api: Client) -> None:
    client, keys = api
    for after in ("2025-01-01T00:00:00", "2025-01-01", "2025-01-01T00:00:00+00:00"):
        body = {"query": "card fees", "filters": {"created_after": after}}
        r = post(client, keys["agent"], "/v1/search", body)
        assert r.status_code == 200, r.text
        assert [h["id"] for h in r.json()["results"]] == ["new"]


@pytest.mark.parametrize(
    "filters",
    [
        {"created_after": "0001-01-01T00:00:00"},
        {"created_before": "9999-12-31T23:59:59Z"},
        {"created_after": "1899-12-31"},
    ],
)
def test_filter_dates_out_of_range_are_422(api: Client, filters: dict[str, str]) -> None:
    client, keys = api
    r = post(client, keys["agent"], "/v1/search", {"query": "card", "filters": filters})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"purchased_at": "0001-01-01T00:00:00"}, "purchased_at"),
        ({"purchased_at": "2999-01-01"}, "purchased_at"),
        ({"unit_price": float("nan")}, "unit_price"),
        ({"unit_price": float("inf")}, "unit_price"),
        ({"quantity": float("inf")}, "quantity"),
        ({"unit_price": 1e13}, "unit_price"),
    ],
)
def test_bad_purchase_dates_and_numbers_are_422(
    api: Client, kb: KnowledgeBase, line: dict[str, Any], field: str
) -> None:
    client, keys = api
    order = {"customer_id": "c", "product_id": "p", "purchased_at": "2026-01-05", **line}
    r = post(client, keys["admin"], "/v1/purchases", {"purchases": [order], "create_missing": True})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    with kb.db.session() as s:
        assert s.get(Purchase, 1) is None


def test_a_record_dated_out_of_range_is_rejected(api: Client) -> None:
    client, keys = api
    records = [
        {"id": "a", "kind": "faq", "body": "x", "created_at": "2026-02-03T04:05:06"},
        {"id": "b", "kind": "faq", "body": "y", "created_at": "0001-01-01T00:00:00"},
    ]
    r = post(client, keys["admin"], "/v1/documents", {"records": records})
    assert r.status_code == 422 and "created_at" in r.json()["detail"]
    r = post(client, keys["admin"], "/v1/documents", {"records": records[:1]})
    assert r.status_code == 200 and r.json()["added"] == 1
    doc = client.get("/v1/documents/a", headers={"Authorization": f"Bearer {keys['agent']}"})
    assert doc.status_code == 200


def test_a_purchase_dated_year_1_does_not_stretch_the_time_windows(kb: KnowledgeBase) -> None:
    make_shop(kb.db)
    before = load_interactions(kb.db)
    with kb.db.session() as s:  # as if stored before dates were checked
        for n, when in enumerate((datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))):
            s.add(
                Purchase(
                    order_id=f"absurd-{n}",
                    customer_id="c01",
                    product_id="milk",
                    purchased_at=when,
                )
            )
    after = load_interactions(kb.db)
    assert len(after.day) == len(before.day) and after.last_day == before.last_day
    # Even given one, the weekly counts cover five years at most, not 105,000 weeks.
    year_one = to_day(datetime(1, 1, 1, tzinfo=UTC))
    stretched = replace(
        after,
        user=np.append(after.user, after.user[0]),
        item=np.append(after.item, after.item[0]),
        order=np.append(after.order, after.order.max() + 1),
        day=np.append(after.day, year_one),
    )
    counts, starts = weekly_counts(stretched)
    assert len(counts) <= MAX_WEEKS and starts[0] > year_one
    assert last_shift(stretched) == last_shift(before)
