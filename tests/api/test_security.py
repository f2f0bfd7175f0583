"""Security: hashed keys, role checks on every route, rate limits, CORS, and no leaks.

The canary test seeds internal records (cases, interactions, internal articles) and
records customers must not see (drafts, archived) with unique canary strings, then
asks 1,000 questions with a customer key and with a marketing key (both see public,
published records only), random and copied from those records, and calls every other
route the role may use: no canary and no card number may appear in any answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from kcrm.cli.main import app as cli
from kcrm.core.config import Settings, get_settings
from kcrm.core.keys import create_key
from kcrm.core.tables import ApiKey, Base, QueryLog
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.server.app import create_app
from tests.api.test_security_input import wait_for_recommender
from tests.conftest import faq
from tests.recommend.test_recommend_service import make_shop

ROLES = ("admin", "agent", "customer", "marketing")
STAFF = {"admin", "agent"}
ANY = set(ROLES)

# Who may call what (docs/api.md, "Roles"); admin passes every check. A route that is
# not listed here must still refuse callers without a key and customer keys: opening a
# route to customers is a decision to write down here, never a default.
POLICY: dict[tuple[str, str], set[str]] = {
    ("POST", "/v1/search"): ANY,
    ("POST", "/v1/agent/suggest"): STAFF,
    ("POST", "/v1/feedback"): ANY,
    ("POST", "/v1/help/contact"): {"admin", "customer"},
    ("GET", "/v1/documents/{doc_id}"): ANY,
    ("POST", "/v1/documents"): {"admin"},
    ("DELETE", "/v1/documents/{doc_id}"): {"admin"},
    ("POST", "/v1/documents/{doc_id}/status"): STAFF,
    ("GET", "/v1/documents/{doc_id}/history"): STAFF,
    ("GET", "/v1/reports/gaps"): STAFF,
    ("GET", "/v1/reports/outcomes"): STAFF,
    ("GET", "/v1/cases"): STAFF,
    ("POST", "/v1/cases"): STAFF,
    ("GET", "/v1/cases/{case_id}"): STAFF,
    ("PATCH", "/v1/cases/{case_id}"): STAFF,
    ("POST", "/v1/cases/{case_id}/article"): STAFF,
    ("POST", "/v1/purchases"): {"admin"},
    ("GET", "/v1/customers/{customer_id}"): STAFF | {"marketing"},
    ("GET", "/v1/customers/{customer_id}/recommendations"): STAFF | {"marketing"},
    ("GET", "/v1/segments"): {"admin", "marketing"},
    ("GET", "/v1/campaigns/export"): {"admin", "marketing"},
    ("GET", "/v1/products"): STAFF | {"marketing"},
    ("GET", "/v1/products/{product_id}/audience"): {"admin", "marketing"},
    ("GET", "/v1/rules"): {"admin", "marketing"},
    ("GET", "/v1/campaigns"): {"admin", "marketing"},
    ("POST", "/v1/campaigns"): {"admin", "marketing"},
    ("GET", "/v1/campaigns/{campaign_id}/members"): {"admin", "marketing"},
    ("POST", "/v1/campaigns/{campaign_id}/outcomes"): {"admin", "marketing"},
    ("GET", "/v1/campaigns/{campaign_id}/report"): {"admin", "marketing"},
    ("GET", "/v1/campaigns/{campaign_id}/export"): {"admin", "marketing"},
}
OPEN = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}


@pytest.fixture
def keys(kb: KnowledgeBase) -> dict[str, str]:
    return {
        role: create_key(kb.db, role, f"test-{role}", rate_limit_per_minute=1_000_000)[0]
        for role in ROLES
    }


@pytest.fixture
def client(kb: KnowledgeBase, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, kb=kb)) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def everything_stored(kb: KnowledgeBase) -> str:
    """Every value of every row of every table, as text (what a database dump would show)."""
    parts = []
    with kb.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    parts.append(
                        value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    )
    return "\n".join(parts)


# ---- API keys -------------------------------------------------------------------------------
def test_api_keys_are_stored_and_logged_only_as_hashes(
    kb: KnowledgeBase,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    made = [create_key(kb.db, role, f"k-{role}")[0] for role in ROLES]
    monkeypatch.setenv("KCRM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KCRM_EMBEDDING_MODEL", "hash-64")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["keys", "create", "--role", "agent", "--json"])
        listed = CliRunner().invoke(cli, ["keys", "list", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    cli_key = re.search(r'"key": "([^"]+)"', result.stdout)
    assert cli_key is not None
    made.append(cli_key.group(1))
    unknown = "kcrm_" + "x" * 43  # a guessed key must not end up in logs either
    with TestClient(create_app(settings, kb=kb)) as client:
        for key in [*made, unknown]:
            client.post("/v1/search", json={"query": "card"}, headers=bearer(key))
    stored = everything_stored(kb)
    with kb.db.session() as s:
        hashes = set(s.scalars(select(ApiKey.key_hash)))
    files = b"".join(p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file())
    for key in made:
        secret = key[len("kcrm_") + 7 :]  # beyond the 12-character prefix shown in listings
        assert hashlib.sha256(key.encode()).hexdigest() in hashes
        assert secret not in stored, "a key is stored in plain text"
        assert secret.encode() not in files, "a key is in a file of the data dir"
        assert secret not in caplog.text, "a key is in the logs"
        assert secret not in listed.stdout
    assert unknown not in caplog.text


# ---- role checks ----------------------------------------------------------------------------
def operations(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def call(client: TestClient, method: str, path: str, key: str | None) -> int:
    url = re.sub(r"\{[^}]+\}", "x", path)
    headers = bearer(key) if key else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, url, json=body, headers=headers).status_code


def test_every_route_checks_the_role(client: TestClient, keys: dict[str, str]) -> None:
    seen = operations(client)
    assert set(POLICY) <= set(seen), f"routes gone from the schema: {set(POLICY) - set(seen)}"
    for method, path in seen:
        if (method, path) in OPEN:
            assert call(client, method, path, None) not in (401, 403), path
            continue
        assert call(client, method, path, None) == 401, f"{method} {path} without a key"
        assert call(client, method, path, "kcrm_" + "y" * 43) == 401, f"{method} {path}"
        allowed = POLICY.get((method, path), STAFF | {"marketing"})
        for role in ROLES:
            status = call(client, method, path, keys[role])
            if role in allowed and (method, path) in POLICY:
                assert status not in (401, 403), f"{role} refused on {method} {path}"
            elif role not in allowed:
                assert status == 403, f"{role} got {status} on {method} {path}"
    # Pages and the schema itself need no key; nothing else answers without one.
    assert client.get("/openapi.json").status_code == 200


# ---- rate limits, CORS, sizes ---------------------------------------------------------------
def test_rate_limits_are_per_key(client: TestClient, kb: KnowledgeBase) -> None:
    limited, _ = create_key(kb.db, "customer", "slow", rate_limit_per_minute=3)
    other, _ = create_key(kb.db, "customer", "other", rate_limit_per_minute=3)
    statuses = [
        client.post("/v1/search", json={"query": "card"}, headers=bearer(limited)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    r = client.post("/v1/search", json={"query": "card"}, headers=bearer(limited))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/search", json={"query": "x"}, headers=bearer(other)).status_code == 200


def test_the_server_wide_rate_limit_applies_to_keys_without_their_own(
    kb: KnowledgeBase, settings: Settings
) -> None:
    key, _ = create_key(kb.db, "agent", "default-rate")
    strict = settings.model_copy(update={"rate_limit_per_minute": 5})
    with TestClient(create_app(strict, kb=kb)) as client:
        codes = [
            client.post("/v1/search", json={"query": "a"}, headers=bearer(key)).status_code
            for _ in range(6)
        ]
    assert codes == [200] * 5 + [429]


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/v1/search",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_opens_only_to_listed_origins(kb: KnowledgeBase, settings: Settings) -> None:
    with pytest.raises(ValueError, match="must list origins"):
        Settings(data_dir=settings.data_dir, cors_origins=["*"])
    opened = settings.model_copy(update={"cors_origins": ["https://desk.example"]})
    with TestClient(create_app(opened, kb=kb)) as client:
        for origin, allowed in (("https://desk.example", True), ("https://evil.example", False)):
            r = client.options(
                "/v1/search",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            assert (r.headers.get("access-control-allow-origin") == origin) is allowed


def test_upload_size_is_limited(
    kb: KnowledgeBase, settings: Settings, keys: dict[str, str]
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    with TestClient(create_app(small, kb=kb)) as client:
        record = {"id": "a", "kind": "faq", "body": "word " * 1000}
        r = client.post("/v1/documents", json={"records": [record]}, headers=bearer(keys["admin"]))
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("application/problem+json")
        too_many = {"records": [{"id": f"r{i}", "kind": "faq", "body": "b"} for i in range(1001)]}
    with TestClient(create_app(settings, kb=kb)) as client:
        r = client.post("/v1/documents", json=too_many, headers=bearer(keys["admin"]))
        assert r.status_code == 422
    assert kb.status()["documents"] == 0


# ---- no PII, no internal record, in anything a customer gets --------------------------------
def canary(tag: str) -> str:
    return f"CANARY{tag}{random.Random(tag).randrange(16**8):08x}"


PII = ("jane.doe.secret@example.com", "+44 7700 900123", "4111 1111 1111 1111")


CUSTOMER = "c01"  # a customer of `make_shop`: the 360 view shows these cases and calls


def seeded(kb: KnowledgeBase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(hidden records, each with its own canary; public published records)."""
    topics = [
        "card delivery",
        "blocked pin",
        "refund dispute",
        "travel insurance",
        "exchange rate",
        "loan payment",
        "app login",
        "cash withdrawal fee",
    ]
    hidden: list[dict[str, Any]] = []
    public: list[dict[str, Any]] = []
    for i, topic in enumerate(topics):
        c = [canary(f"{kind}{i}") for kind in ("case", "inter", "art", "draft", "arch", "rv")]
        hidden += [
            {
                "id": f"case-{i}",
                "kind": "case",
                "title": f"{topic} problem {c[0]}",
                "body": f"Customer {PII[0]} on {PII[1]} says the {topic} failed. {c[0]}",
                "resolution": f"Refunded to card {PII[2]} {c[0]}",
                "category": topic.replace(" ", "_"),
                "customer_id": CUSTOMER,
            },
            {
                "id": f"inter-{i}",
                "kind": "interaction",
                "body": f"Call about {topic}: customer angry {c[1]} {PII[1]}, card {PII[2]}",
                "channel": "phone",
                "customer_id": CUSTOMER,
            },
            {
                "id": f"runbook-{i}",
                "kind": "article",
                "title": f"Runbook {topic}",
                "body": f"Internal: for {topic} escalate to desk 4. {c[2]}",
            },
            {
                "id": f"draft-{i}",
                "kind": "faq",
                "visibility": "public",
                "status": "draft",
                "title": f"{topic} draft",
                "body": f"Draft answer about {topic}. {c[3]}",
            },
            {
                "id": f"archived-{i}",
                "kind": "faq",
                "visibility": "public",
                "status": "archived",
                "title": f"{topic} old",
                "body": f"Old answer about {topic}. {c[4]}",
            },
            {
                "id": f"review-{i}",
                "kind": "article",
                "visibility": "public",
                "status": "review",
                "title": f"{topic} in review",
                "body": f"Unreviewed answer about {topic}. {c[5]}",
            },
        ]
        public.append(faq(f"faq-{i}", f"About {topic}", f"Everything about {topic} for you."))
    kb.ingest(
        Parsed(KnowledgeRecord.model_validate(r), "t", i) for i, r in enumerate(hidden + public)
    )
    return hidden, public


PUBLIC_ONLY = ("customer", "marketing")


@pytest.mark.parametrize("role", PUBLIC_ONLY)
def test_no_canary_reaches_a_public_only_role(
    kb: KnowledgeBase, settings: Settings, caplog: pytest.LogCaptureFixture, role: str
) -> None:
    caplog.set_level(logging.DEBUG)
    make_shop(kb.db)
    hidden, public = seeded(kb)
    canaries = sorted({m for r in hidden for m in re.findall(r"CANARY\w+", str(r))})
    assert len(canaries) == len(hidden)
    key, _ = create_key(kb.db, role, "asker", CUSTOMER, rate_limit_per_minute=1_000_000)
    staff, _ = create_key(kb.db, "agent", "staff", rate_limit_per_minute=1_000_000)
    rng = random.Random(1234)
    vocabulary = sorted({w for r in hidden + public for w in re.findall(r"[a-z]{3,}", str(r))})
    copied = [
        piece
        for r in hidden
        for field in ("title", "body", "resolution")
        if r.get(field)
        for piece in (r[field], r[field][: len(r[field]) // 2], r[field][len(r[field]) // 2 :])
    ]
    queries = copied + canaries + list(PII)
    while len(queries) < 1000:
        queries.append(" ".join(rng.sample(vocabulary, rng.randint(1, 6))))
    queries = [q[:1000] for q in queries[:1000]]
    assert len(queries) == 1000

    leaks: list[str] = []

    def check(where: str, text: str) -> None:
        nonlocal leaks
        leaks += [f"{where}: {c}" for c in canaries if c in text]
        leaks += [f"{where}: {p}" for p in PII if p in text]

    found_public = 0
    with TestClient(create_app(settings, kb=kb)) as client:
        wait_for_recommender(client)
        for q in queries:
            k = rng.choice([1, 10, 100])
            r = client.post("/v1/search", json={"query": q, "k": k}, headers=bearer(key))
            assert r.status_code == 200, r.text
            found_public += sum(h["id"].startswith("faq-") for h in r.json()["results"])
            body = r.json()
            # `did_you_mean` is the caller's own query, corrected from public words only:
            # a canary there is a leak only if the caller did not type it.
            echoed = body.pop("did_you_mean", None) or ""
            check(f"search {q!r}", json.dumps(body, ensure_ascii=False))
            leaks += [f"spelling {q!r}: {c}" for c in canaries if c in echoed and c not in q]
            ids = {h["id"] for h in r.json()["results"]}
            assert ids <= {p["id"] for p in public}, ids
        for rec in hidden + public:
            r = client.get(f"/v1/documents/{rec['id']}", headers=bearer(key))
            assert r.status_code == (200 if rec in public else 404), rec["id"]
            check(f"GET {rec['id']}", r.text)
        # Feedback on a staff query must not tell whether a hidden record was among its results.
        asked = client.post("/v1/search", json={"query": "card delivery"}, headers=bearer(staff))
        for path, body in (
            ("/v1/agent/suggest", {"text": hidden[0]["body"]}),
            ("/v1/feedback", {"query_id": "x", "item_id": "case-0", "helpful": True}),
            (
                "/v1/feedback",
                {"query_id": asked.json()["query_id"], "item_id": "case-0", "helpful": True},
            ),
        ):
            r = client.post(path, json=body, headers=bearer(key))
            assert 400 <= r.status_code < 500
            check(path, r.text)
        leaks += every_route_the_role_may_read(client, key, hidden, canaries)
        for page in ("/help", f"/help?q={canaries[0]}", "/help?q=card+delivery"):
            r = client.get(page)
            if r.status_code != 404:  # the page exists once the web issue lands
                check(page, r.text)
    assert not leaks, leaks[:20]
    assert found_public > 0  # the role did get answers, just never hidden ones
    # Nothing typed is logged with its PII, in the query log or the app's logs.
    kb.query_log.flush()  # the server writes the log behind its answers
    with kb.db.session() as s:
        logged = " ".join(s.scalars(select(QueryLog.query).where(QueryLog.role == role)))
    assert all(p not in logged for p in PII)
    assert all(p not in caplog.text for p in PII)


def every_route_the_role_may_read(
    client: TestClient, key: str, hidden: list[dict[str, Any]], canaries: list[str]
) -> list[str]:
    """Call every GET route of the schema with ids of hidden records and their customer."""
    ids = [CUSTOMER, "beer", *(r["id"] for r in hidden)]
    leaks: list[str] = []
    called = 0
    for method, path in operations(client):
        if method != "GET":
            continue
        names = re.findall(r"\{([^}]+)\}", path)
        for value in ids if names else [""]:
            url = re.sub(r"\{[^}]+\}", value, path)
            r = client.get(url, headers=bearer(key))
            if r.status_code == 403:
                break  # the role may not use this route at all
            called += r.status_code == 200
            leaks += [f"GET {url}: {c}" for c in canaries if c in r.text]
            leaks += [f"GET {url}: {p}" for p in PII if p in r.text]
    assert called > 0
    return leaks


def test_roles_see_what_the_roles_table_says(kb: KnowledgeBase, client: TestClient) -> None:
    """docs/api.md, "Roles": by GET and by search, for every kind of record."""
    hidden, public = seeded(kb)
    keys = {r: create_key(kb.db, r, r, rate_limit_per_minute=1_000_000)[0] for r in ROLES}
    published = [r for r in hidden + public if r.get("status", "published") == "published"]
    shown = {
        "customer": {r["id"] for r in public},
        "marketing": {r["id"] for r in public},
        "agent": {r["id"] for r in published},
        "admin": {r["id"] for r in published},
    }
    opened = {
        "customer": shown["customer"],
        "marketing": shown["marketing"],
        "agent": {r["id"] for r in hidden + public},
        "admin": {r["id"] for r in hidden + public},
    }
    for role, key in keys.items():
        found: set[str] = set()
        for topic in ("card delivery", "blocked pin", "refund dispute", "loan payment"):
            r = client.post("/v1/search", json={"query": topic, "k": 100}, headers=bearer(key))
            found |= {h["id"] for h in r.json()["results"]}
        assert found <= shown[role] and found & shown[role], role
        if role in ("agent", "admin"):
            assert {"case-0", "inter-0", "runbook-0"} <= found
        for rec in hidden + public:
            r = client.get(f"/v1/documents/{rec['id']}", headers=bearer(key))
            assert r.status_code == (200 if rec["id"] in opened[role] else 404), (role, rec["id"])


def test_marketing_gets_a_customer_without_cases_or_interactions(
    kb: KnowledgeBase, client: TestClient, keys: dict[str, str]
) -> None:
    make_shop(kb.db)
    seeded(kb)
    views = {
        role: client.get(f"/v1/customers/{CUSTOMER}", headers=bearer(keys[role])).json()
        for role in ("agent", "marketing")
    }
    assert views["agent"]["cases"] and views["agent"]["interactions"]
    assert set(views["marketing"]) == {
        "customer_id",
        "profile",
        "value",
        "products_owned",
        "recent_purchases",
        "open_cases",
    }
    assert views["marketing"]["products_owned"] == views["agent"]["products_owned"]


def test_public_records_lose_their_pii_before_storage(
    kb: KnowledgeBase, client: TestClient, keys: dict[str, str]
) -> None:
    kb.ingest(
        [
            Parsed(
                KnowledgeRecord.model_validate(
                    faq("faq-pii", "Contact", f"Write to {PII[0]} or call {PII[1]}.")
                ),
                "t",
                1,
            )
        ]
    )
    r = client.get("/v1/documents/faq-pii", headers=bearer(keys["customer"]))
    assert r.status_code == 200
    assert PII[0] not in r.text and PII[1] not in r.text
    assert PII[0] not in everything_stored(kb)
