"""Rate limits hold across workers and for bad keys; a revoked key stops within the cache TTL.

Every process serving a data dir (workers, servers) takes tokens from the same bucket
(kcrm/api/ratelimit.py); two apps on one data dir stand for two workers here, and
tests/system/test_rate_limits.py runs `kcrm serve --workers 2` itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kcrm.api.ratelimit import IDLE, TABLE, RateLimiter, shared_store
from kcrm.core.config import Settings
from kcrm.core.keys import KeyStore, create_key, hash_key, revoke_key
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def two_workers(kb: KnowledgeBase, settings: Settings) -> Iterator[list[TestClient]]:
    with ExitStack() as stack:
        yield [stack.enter_context(TestClient(create_app(settings, kb=kb))) for _ in range(2)]


def search(client: TestClient, key: str) -> int:
    return client.post("/v1/search", json={"query": "card"}, headers=bearer(key)).status_code


def test_a_keys_limit_is_shared_by_every_worker(
    kb: KnowledgeBase, two_workers: list[TestClient]
) -> None:
    key, _ = create_key(kb.db, "agent", "limited", rate_limit_per_minute=6)
    codes = [search(two_workers[i % 2], key) for i in range(12)]
    # Six in all, not six per worker (per-process buckets let twelve through).
    assert codes.count(200) == 6 and codes[6:] == [429] * 6


def test_bad_keys_are_throttled_per_address(kb: KnowledgeBase, settings: Settings) -> None:
    strict = settings.model_copy(update={"bad_key_rate_per_minute": 5})
    good, _ = create_key(kb.db, "agent", "good", rate_limit_per_minute=1000)
    with TestClient(create_app(strict, kb=kb)) as client:
        assert search(client, good) == 200
        guesses = [search(client, f"kcrm_guess{i:040d}") for i in range(8)]
        assert guesses == [401] * 5 + [429] * 3
        r = client.post("/v1/search", json={"query": "x"}, headers=bearer("kcrm_another"))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # A valid key the server knows is not held up by its address's guesses.
        assert search(client, good) == 200


def test_random_keys_never_evict_a_valid_one(kb: KnowledgeBase) -> None:
    key, _ = create_key(kb.db, "agent", "hot")
    store = KeyStore(kb.db, ttl_seconds=60, max_unknown=100)
    assert store.verify(key)[0] is not None
    lookups = 0
    real_session = kb.db.session

    def counted():  # type: ignore[no-untyped-def]
        nonlocal lookups
        lookups += 1
        return real_session()

    kb.db.session = counted  # type: ignore[method-assign]
    try:
        for i in range(1000):  # ten times the unknown-key cache's size
            assert store.verify(f"kcrm_random{i}")[0] is None
        assert lookups == 1000
        assert store.cached(key) is not None  # still cached: no lookup for the valid key
        assert store.verify(key)[0] is not None and lookups == 1000
    finally:
        kb.db.session = real_session  # type: ignore[method-assign]
    assert len(store._unknown) == 100 and hash_key(key) in store._valid


def test_a_revoked_key_stops_within_the_cache_ttl(kb: KnowledgeBase, settings: Settings) -> None:
    quick = settings.model_copy(update={"key_cache_seconds": 0.5})
    key, row = create_key(kb.db, "agent", "leaving", rate_limit_per_minute=1000)
    with TestClient(create_app(quick, kb=kb)) as client:
        assert search(client, key) == 200
        assert revoke_key(kb.db, row.id)
        time.sleep(0.6)  # past the documented time (KCRM_KEY_CACHE_SECONDS)
        assert search(client, key) == 401


def test_idle_buckets_are_removed(kb: KnowledgeBase, settings: Settings) -> None:
    limiter = RateLimiter(60, shared_store(kb.db.engine, settings.data_dir))
    for address in range(50):  # as many addresses as sent a bad key
        assert limiter.take(f"addr:10.0.0.{address}") == 0.0
    limiter._prune(time.time() + IDLE + 1)  # as the next take after two idle minutes does
    with limiter.store.connect() as conn:  # type: ignore[union-attr]
        assert conn.execute(select(func.count()).select_from(TABLE)).scalar() == 0
    assert limiter.take("addr:10.0.0.1") == 0.0  # a removed bucket is a full one


def test_leased_tokens_keep_a_high_limit_shared_by_every_worker(
    kb: KnowledgeBase, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys allowed many requests take leases of tokens: the workers' total still holds."""
    import kcrm.api.ratelimit as rl

    clock = [1_000_000.0]  # the shared buckets' clock stands still: no refill to account for
    monkeypatch.setattr(rl.time, "time", lambda: clock[0])
    store = shared_store(kb.db.engine, settings.data_dir)
    workers = [RateLimiter(60, store), RateLimiter(60, store)]
    rate = 12_000  # per minute: leases of 20 tokens
    granted = sum(workers[i % 3 % 2].take("key:hot", rate) == 0.0 for i in range(2 * rate))
    assert rate - 2 * (rate // rl.LEASE_PER_MINUTE) <= granted <= rate
    statements = 0
    real = store.connect

    def counted():  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        return real()

    monkeypatch.setattr(store, "connect", counted)
    clock[0] += 60  # a minute later the bucket is full again
    assert sum(workers[0].take("key:hot", rate) == 0.0 for _ in range(1000)) == 1000
    assert statements <= 1000 // (rate // rl.LEASE_PER_MINUTE) + 1  # one per lease
    assert workers[1].take("key:slow", 60) == 0.0  # low limits: one token per request
