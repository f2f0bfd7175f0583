"""Request rates: a token bucket per API key, and per client address for bad keys.

The buckets are shared by every process that serves the data dir or database, so a
key's limit is its limit however many workers (`kcrm serve --workers N`) and servers
answer it: it is kept in one row per bucket, updated by one statement per request
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), which the database runs
atomically. On PostgreSQL the row is in the shared database, so every server of a
deployment shares it. On SQLite it is in a file of its own next to the database
(`ratelimit.db`): the main file's one write lock is held by ingests for whole
batches, and no search should wait for one to learn whether it may run. Keys
allowed many requests take their tokens in leases (`LEASE_PER_MINUTE`).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Float, Table, bindparam, create_engine, event, select, text
from sqlalchemy.exc import SQLAlchemyError

from kcrm.core.tables import Base, RateBucket

log = logging.getLogger(__name__)
TABLE: Table = Base.metadata.tables["rate_buckets"]
# A bucket unused this long has refilled to its cap (a minute's worth refills in a
# minute), so removing it changes nothing: how the table stays small whatever the
# number of addresses that ever sent a bad key.
IDLE = 120.0


class LocalBuckets:
    """Token buckets in this process only: the fallback when the shared store fails."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, bucket: str, per_minute: int, now: float) -> float:
        with self._lock:
            if len(self._buckets) > 10_000:  # full again after a minute unused: same as new
                self._buckets = {b: v for b, v in self._buckets.items() if now - v[1] < IDLE}
            tokens, last = self._buckets.get(bucket, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + max(0.0, now - last) * per_minute / 60.0)
            if tokens >= 1.0:
                self._buckets[bucket] = (tokens - 1.0, now)
                return 0.0
            self._buckets[bucket] = (tokens, now)
            return (1.0 - tokens) * 60.0 / per_minute


def shared_store(db_engine: Engine, data_dir: Path) -> Engine:
    """Where the buckets are kept: the database itself on PostgreSQL, else `ratelimit.db`.

    The engine is the store's own, in autocommit (each take is one atomic statement) and
    without a rollback when a connection goes back to its pool: 1 round trip a request.
    """
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    if db_engine.dialect.name == "postgresql":
        return create_engine(db_engine.url, pool_size=4, pool_pre_ping=True, **options)
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{(data_dir / 'ratelimit.db').resolve()}",
        connect_args={"check_same_thread": False, "timeout": 10},
        **options,
    )
    event.listen(engine, "connect", _fast_sqlite)
    try:
        TABLE.create(engine, checkfirst=True)
    except SQLAlchemyError:  # another worker created it at the same moment
        TABLE.create(engine, checkfirst=True)
    return engine


def _fast_sqlite(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # Losing the last moments of token counts in a power cut costs nothing worth an fsync.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=OFF")
    cur.close()


# The bucket refilled since its last request (never above `cap`, never by a clock that
# went backwards), less one token when one is there: written out with CASE, which both
# SQLite and PostgreSQL run (they disagree on min/max and least/greatest). Built once:
# composing the expression per request cost more than running it.
_REFILLED = (
    "CASE WHEN rate_buckets.tokens + (CASE WHEN :now > rate_buckets.at "
    "THEN :now - rate_buckets.at ELSE 0 END) * :cap / 60.0 < :cap "
    "THEN rate_buckets.tokens + (CASE WHEN :now > rate_buckets.at "
    "THEN :now - rate_buckets.at ELSE 0 END) * :cap / 60.0 ELSE :cap END"
)
_TAKE = text(
    "INSERT INTO rate_buckets (bucket, tokens, at, granted) "
    "VALUES (:bucket, :cap - 1, :now, TRUE) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    f"tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END, "
    f"granted = ({_REFILLED} >= 1), at = :now "
    "RETURNING tokens, granted"
).bindparams(bindparam("cap", type_=Float), bindparam("now", type_=Float))


# A key allowed many requests takes its tokens from the shared bucket in leases of a
# tenth of a second's refill, kept by this process for at most LEASE_SECONDS: one
# statement per lease instead of one per request (at 8 concurrent searches the
# statement and its thread hop were a twentieth of a request's CPU). Tokens only
# ever leave the shared bucket, so together the workers never admit more than the
# limit; a lease that expires unused only admits less. Keys allowed fewer than
# 2 * LEASE_PER_MINUTE requests per minute take one token per request, as before.
LEASE_PER_MINUTE = 600
LEASE_SECONDS = 1.0

# Takes `:n` tokens at once when the bucket holds that many; else none (and the caller
# takes a single token with _TAKE). `granted` says which.
_LEASE = text(
    "INSERT INTO rate_buckets (bucket, tokens, at, granted) "
    "VALUES (:bucket, :cap - :n, :now, TRUE) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    f"tokens = CASE WHEN {_REFILLED} >= :n THEN {_REFILLED} - :n ELSE {_REFILLED} END, "
    f"granted = ({_REFILLED} >= :n), at = :now "
    "RETURNING tokens, granted"
).bindparams(
    bindparam("cap", type_=Float), bindparam("now", type_=Float), bindparam("n", type_=Float)
)


class RateLimiter:
    """Token buckets of `per_minute` requests (bursts up to a minute's worth)."""

    def __init__(self, per_minute: int, store: Engine | None = None) -> None:
        self.per_minute = per_minute
        self.store = store
        self.local = LocalBuckets()
        self._warned = 0.0
        self._pruned = time.monotonic()
        self._leases: dict[str, tuple[int, float]] = {}  # bucket -> (tokens left, until)
        self._lease_lock = threading.Lock()

    def take_leased(self, bucket: str, per_minute: int | None = None) -> float | None:
        """`take` from what this process already holds, or None if the store must be asked.

        Never blocks: the event loop calls it, and goes to a thread only on None.
        """
        if self.store is None:
            return self.local.take(bucket, per_minute or self.per_minute, time.time())
        with self._lease_lock:
            held = self._leases.get(bucket)
            if held is None or held[0] < 1 or held[1] < time.monotonic():
                return None
            self._leases[bucket] = (held[0] - 1, held[1])
            return 0.0

    def take(self, bucket: str, per_minute: int | None = None) -> float:
        """0 if the request may go ahead, else the seconds to wait before retrying."""
        rate = per_minute or self.per_minute
        leased = self.take_leased(bucket, rate)
        if leased is not None:
            return leased
        now = time.time()
        if self.store is not None:
            try:
                if time.monotonic() - self._pruned > IDLE:
                    self._prune(now)
                lease = rate // LEASE_PER_MINUTE
                if lease >= 2 and self._lease(bucket, rate, lease, now):
                    return 0.0
                return self._take_shared(bucket, rate, now)
            except SQLAlchemyError as exc:
                self._warn(exc)
        return self.local.take(bucket, rate, now)

    def _lease(self, bucket: str, rate: int, n: int, now: float) -> bool:
        """Take `n` tokens for this process (one of them for this request) if there are."""
        assert self.store is not None
        with self.store.connect() as conn:
            row = conn.execute(
                _LEASE, {"bucket": bucket, "cap": float(rate), "now": now, "n": float(n)}
            ).one()
        if not row.granted:
            return False
        with self._lease_lock:
            self._leases[bucket] = (n - 1, time.monotonic() + LEASE_SECONDS)
            if len(self._leases) > 10_000:  # expired leases of keys gone quiet
                live = time.monotonic()
                self._leases = {b: v for b, v in self._leases.items() if v[1] >= live}
        return True

    def waiting(self, bucket: str, per_minute: int | None = None) -> float:
        """The seconds until `bucket` allows a request, without taking one."""
        rate = per_minute or self.per_minute
        if self.store is None:
            return 0.0
        try:
            with self.store.connect() as conn:
                row = conn.execute(
                    select(RateBucket.tokens, RateBucket.at).where(RateBucket.bucket == bucket)
                ).first()
        except SQLAlchemyError as exc:
            self._warn(exc)
            return 0.0
        if row is None:
            return 0.0
        tokens = min(float(rate), row.tokens + max(0.0, time.time() - row.at) * rate / 60.0)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * 60.0 / rate

    def _take_shared(self, bucket: str, rate: int, now: float) -> float:
        assert self.store is not None
        with self.store.connect() as conn:
            row = conn.execute(_TAKE, {"bucket": bucket, "cap": float(rate), "now": now}).one()
        tokens, granted = row
        return 0.0 if granted else (1.0 - tokens) * 60.0 / rate

    def _prune(self, now: float) -> None:
        assert self.store is not None
        self._pruned = time.monotonic()
        with self.store.connect() as conn:
            conn.execute(TABLE.delete().where(TABLE.c.at < now - IDLE))

    def _warn(self, exc: Exception) -> None:
        if time.monotonic() - self._warned > 60:
            self._warned = time.monotonic()
            log.warning("shared rate limits unavailable (%s); limiting per process", exc)
