"""API keys: created once, stored as SHA-256 only, looked up with a short cache."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from kcrm.core.db import Database
from kcrm.core.roles import ROLES
from kcrm.core.tables import ApiKey, utcnow

KEY_PREFIX = "kcrm_"
MAX_RATE = 1_000_000_000  # requests per minute; the column is a 32-bit integer


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, its role and, for a customer key, whose it is."""

    key_id: int
    role: str
    customer_id: str | None = None
    name: str = ""


def hash_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is safe: there is nothing to brute-force.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    db: Database,
    role: str,
    name: str = "",
    customer_id: str | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[str, ApiKey]:
    """A new key; the plaintext is returned once and never stored."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= MAX_RATE:
        raise ValueError(f"rate_limit_per_minute must be from 1 to {MAX_RATE}")
    if len(name) > 128 or (customer_id is not None and len(customer_id) > 128):
        raise ValueError("a key's name and customer id are at most 128 characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        role=role,
        prefix=key[:12],
        key_hash=hash_key(key),
        customer_id=customer_id,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    with db.session() as s:
        s.add(row)
    return key, row


def list_keys(db: Database) -> list[dict[str, Any]]:
    with db.session() as s:
        rows = s.scalars(select(ApiKey).order_by(ApiKey.id)).all()
        return [
            {
                "id": r.id,
                "name": r.name,
                "role": r.role,
                "prefix": r.prefix,
                "customer_id": r.customer_id,
                "rate_limit_per_minute": r.rate_limit_per_minute,
                "created_at": r.created_at,
                "last_used_at": r.last_used_at,
                "revoked": r.revoked_at is not None,
            }
            for r in rows
        ]


def revoke_key(db: Database, key_id: int) -> bool:
    with db.session() as s:
        result = s.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class KeyStore:
    """Looks keys up by hash, with a short cache so a hot key costs no query per request.

    Valid keys and unknown ones are cached apart, each with its own bound: a flood of
    random keys only ever evicts other unknown keys (oldest first), never a valid key.
    """

    def __init__(
        self,
        db: Database,
        ttl_seconds: float = 10.0,
        max_valid: int = 100_000,
        max_unknown: int = 10_000,
    ) -> None:
        self.db = db
        self.ttl = ttl_seconds
        self._valid: OrderedDict[str, tuple[float, Principal, int | None]] = OrderedDict()
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._bounds = (max_valid, max_unknown)
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[Principal | None, int | None] | None:
        """`verify`'s answer if it is in the cache (no I/O), else None."""
        digest = hash_key(key)
        now = time.monotonic()
        hit = self._valid.get(digest)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1], hit[2]
        miss = self._unknown.get(digest)
        if miss is not None and now - miss < self.ttl:
            return None, None
        return None

    def verify(self, key: str) -> tuple[Principal | None, int | None]:
        """(principal, per-key rate limit) for a valid, unrevoked key; (None, None) otherwise."""
        hit = self.cached(key)
        if hit is not None:
            return hit
        digest = hash_key(key)
        now = time.monotonic()
        with self.db.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            principal: Principal | None = None
            limit: int | None = None
            if row is not None and row.revoked_at is None:
                principal = Principal(row.id, row.role, row.customer_id, row.name)
                limit = row.rate_limit_per_minute
                row.last_used_at = utcnow()
        with self._lock:
            if principal is None:
                self._valid.pop(digest, None)  # revoked since it was cached
                _put(self._unknown, digest, now, self._bounds[1])
            else:
                self._unknown.pop(digest, None)
                _put(self._valid, digest, (now, principal, limit), self._bounds[0])
        return principal, limit


def _put(cache: OrderedDict[str, Any], digest: str, value: Any, bound: int) -> None:
    """Store `value`, dropping the least recently stored entries beyond `bound`."""
    cache[digest] = value
    cache.move_to_end(digest)
    while len(cache) > bound:
        cache.popitem(last=False)
