"""The FastAPI application: heavy objects built once at start-up, routes one line over them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kcrm import __version__
from kcrm.api import metrics as metrics_mod
from kcrm.api import problems
from kcrm.api.routes import (
    assist,
    cases,
    customers,
    documents,
    feedback,
    health,
    knowledge,
    purchases,
    search,
)
from kcrm.auth import KeyStore, RateLimiter
from kcrm.config import Settings, get_settings
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.web import routes as web

log = logging.getLogger(__name__)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Content too large",
                "status": 413,
                "detail": f"request bodies are limited to {self.limit} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", problems.PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


async def _follow_log(app: FastAPI, every: float) -> None:
    """Apply index changes made by other processes (CLI ingests, other workers)."""
    while True:
        await asyncio.sleep(every)
        kb: KnowledgeBase | None = getattr(app.state, "kb", None)
        if kb is None:
            continue
        try:
            await asyncio.to_thread(_sync, kb)
        except Exception:  # keep following; the next round retries
            log.exception("index replica sync failed")


async def _load_recommender(app: FastAPI, settings: Settings, kb: KnowledgeBase) -> None:
    try:
        app.state.recommender = await asyncio.to_thread(
            customers.load_recommender, settings, kb.db, kb.embedder
        )
    except Exception:
        log.exception("the recommender could not be loaded; offers answer 503 until restart")


def _refit_assist(kb: KnowledgeBase) -> None:
    from kcrm.assist import fit_assist, is_stale

    try:
        if is_stale(kb):
            fit_assist(kb)
    except Exception:
        log.exception("refitting the suggestion model failed; the previous one stays in use")


def _sync(kb: KnowledgeBase) -> None:
    with kb.lock:
        kb.replica.sync()


def private_replica(settings: Settings) -> Path:
    """A copy of the shared index files for this worker process.

    tantivy allows one writer per folder, and each worker applies the index log
    itself, so with several workers each one follows the log in its own copy.
    """
    target = settings.data_dir / "replicas" / str(os.getpid())
    shutil.rmtree(target, ignore_errors=True)
    source = settings.index_dir
    if (source / "state.json").exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock", "*.tmp"))
    else:
        target.mkdir(parents=True)
    return target


def create_app(
    settings: Settings | None = None,
    kb: KnowledgeBase | None = None,
    extra_state: dict[str, Any] | None = None,
) -> FastAPI:
    """Build the app. With `kb` given (tests), it is used as is and not closed at shutdown."""
    settings = settings or get_settings()
    registry = CollectorRegistry()
    metrics = metrics_mod.Metrics(registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = kb is None
        private = private_replica(settings) if owned and settings.private_replica else None
        base = kb
        if base is None:
            base = await asyncio.to_thread(KnowledgeBase.open, settings, None, False, private)
        base._metrics = metrics  # type: ignore[attr-defined]
        app.state.keys = KeyStore(base.db)
        app.state.kb = base
        follower = asyncio.create_task(_follow_log(app, settings.sync_interval_seconds))
        # A model older than the resolved cases still answers; the new one replaces it when fitted.
        refit = asyncio.create_task(asyncio.to_thread(_refit_assist, base)) if owned else None
        loader = None
        if getattr(app.state, "recommender", None) is None:
            # Offers are ready a little after search: loading (or training) must not hold it up.
            loader = asyncio.create_task(_load_recommender(app, settings, base))
        try:
            yield
        finally:
            follower.cancel()
            for task in (loader, refit):
                if task is not None:
                    task.cancel()
            app.state.kb = None
            if owned:
                await asyncio.to_thread(base.close)
            if private is not None:
                shutil.rmtree(private, ignore_errors=True)

    app = FastAPI(
        title="kcrm",
        version=__version__,
        summary="Knowledge-based CRM: agent assist, self-service search, next-best offers",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.kb = None
    app.state.recommender = None
    for key, value in (extra_state or {}).items():
        setattr(app.state, key, value)
    problems.install(app)
    metrics_mod.install(app, metrics)
    for module in (
        health,
        search,
        assist,
        feedback,
        documents,
        knowledge,
        cases,
        purchases,
        customers,
    ):
        app.include_router(module.router)
    app.include_router(web.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
