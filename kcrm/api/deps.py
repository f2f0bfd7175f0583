"""Dependencies routes declare: the knowledge base, the caller and its role.

They are `async def` because none of them blocks (a key not in the cache is looked
up on a worker thread): FastAPI runs a plain `def` dependency on the thread pool,
and three hops per request cost more than the search itself under load.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kcrm.api.problems import Problem
from kcrm.api.ratelimit import RateLimiter
from kcrm.core.config import Settings
from kcrm.core.keys import KeyStore, Principal
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.recommend.service import RecommendService

bearer = HTTPBearer(auto_error=False, description="an API key from `kcrm keys create`")


async def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase | None = getattr(request.app.state, "kb", None)
    if kb is None:
        raise Problem(503, "Not ready", "the knowledge base is still loading")
    return kb


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller behind the bearer key; 401 without a valid one, 429 over its rate.

    Unknown and revoked keys are counted per client address (`KCRM_BAD_KEY_RATE_PER_MINUTE`):
    past that, the address gets 429 before any new key it sends is looked up.
    """
    if credentials is None or not credentials.credentials:
        raise Problem(
            401,
            "Unauthorized",
            "send an API key as `Authorization: Bearer KEY`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    keys: KeyStore = request.app.state.keys
    limiter: RateLimiter = request.app.state.limiter
    bad_rate = request.app.state.settings.bad_key_rate_per_minute
    address = f"addr:{request.client.host if request.client else 'unknown'}"[:80]
    known = keys.cached(credentials.credentials)
    if known is None:
        _throttle(await run_in_threadpool(limiter.waiting, address, bad_rate))
        known = await run_in_threadpool(keys.verify, credentials.credentials)
    principal, limit = known
    if principal is None:
        _throttle(await run_in_threadpool(limiter.take, address, bad_rate))
        raise Problem(
            401,
            "Unauthorized",
            "the API key is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    bucket = f"key:{principal.key_id}"
    wait = limiter.take_leased(bucket, limit)
    if wait is None:  # a statement on the shared store: on a thread
        wait = await run_in_threadpool(limiter.take, bucket, limit)
    _throttle(wait)
    request.state.principal = principal
    return principal


def _throttle(wait: float) -> None:
    if wait > 0:
        raise Problem(
            429,
            "Too many requests",
            f"rate limit reached; retry in {wait:.1f}s",
            headers={"Retry-After": str(math.ceil(wait))},
        )


def require_role(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting the given roles (admin is always admitted)."""
    allowed = {*roles, "admin"}

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            raise Problem(
                403,
                "Forbidden",
                f"a {principal.role} key cannot use this; it needs one of: "
                + ", ".join(sorted(allowed)),
            )
        return principal

    return check


AnyRole = Annotated[Principal, Depends(require_role("agent", "customer", "marketing"))]
AgentRole = Annotated[Principal, Depends(require_role("agent"))]
CustomerRole = Annotated[Principal, Depends(require_role("customer"))]
MarketingRole = Annotated[Principal, Depends(require_role("marketing"))]
AdminRole = Annotated[Principal, Depends(require_role())]


def actor(principal: Principal) -> str:
    """How a change by this caller is recorded in histories."""
    return f"{principal.role}:{principal.name or principal.key_id}#{principal.key_id}"


def agent_name(principal: Principal) -> str:
    """The name a case is assigned to when this caller takes it ("me")."""
    return principal.name or f"key-{principal.key_id}"


def get_recommender(request: Request) -> RecommendService:
    service: RecommendService | None = getattr(request.app.state, "recommender", None)
    if service is None:
        raise Problem(503, "Not ready", "the recommender is still loading")
    return service


RecommenderDep = Annotated[RecommendService, Depends(get_recommender)]
