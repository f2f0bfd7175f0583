"""The app factory: heavy objects built once at start-up, routes one line over them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry

from kcrm import __version__
from kcrm.api import metrics as metrics_mod
from kcrm.api import openapi, problems
from kcrm.api.ratelimit import RateLimiter, shared_store
from kcrm.api.routes import (
    assist,
    cases,
    customers,
    documents,
    feedback,
    health,
    help,
    interactions,
    knowledge,
    marketing,
    purchases,
    search,
)
from kcrm.core.config import Settings, get_settings
from kcrm.core.keys import KeyStore
from kcrm.knowledge.embedders.registry import active_embedder, active_name
from kcrm.knowledge.index.replica import copy_replica
from kcrm.knowledge.kb import KnowledgeBase, private_replica_dir
from kcrm.knowledge.text.spelling import common_words, english_forms
from kcrm.knowledge.text.tokens import load_spacy, warm_up
from kcrm.recommend.store import load_recommender
from kcrm.server.middleware import BodyLimit, NoNulInUrl
from kcrm.web import docs
from kcrm.web import routes as web

log = logging.getLogger(__name__)


async def _follow_log(app: FastAPI, every: float) -> None:
    """Apply index changes made by other processes (CLI ingests, other workers)."""
    while True:
        await asyncio.sleep(every)
        kb: KnowledgeBase | None = getattr(app.state, "kb", None)
        if kb is None:
            continue
        try:
            await asyncio.to_thread(_sync, kb, app)
        except Exception:  # keep following; the next round retries
            log.exception("index replica sync failed")


async def _load_recommender(app: FastAPI, settings: Settings, kb: KnowledgeBase) -> None:
    try:
        app.state.recommender = await asyncio.to_thread(
            load_recommender, settings, kb.db, kb.embedder
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


def _sync(kb: KnowledgeBase, app: FastAPI) -> None:
    _follow_model(kb, app)
    with kb.lock:
        kb.replica.sync()


def _follow_model(kb: KnowledgeBase, app: FastAPI) -> None:
    """Switch to the embedding model `kcrm train suggest` / `kcrm model use` made active."""
    name = active_name(kb.settings)
    if name == app.state.model_name:
        return
    log.info("the active embedding model is now %s: switching from %s", name, kb.embedder.name)
    kb.use_embedder(active_embedder(kb.settings))
    app.state.model_name = name


def private_replica(settings: Settings) -> Path:
    """A copy of the shared index files for this worker process.

    tantivy allows one writer per folder, and each worker applies the index log
    itself, so with several workers each one follows the log in its own copy.
    """
    target = private_replica_dir(settings)
    # copy_replica copies state.json before the index files: the other way round, a save
    # by another process during the copy could pair older index files with a newer seq.
    copy_replica(settings.index_dir, target)
    return target


def _warm_english() -> None:
    warm_up(("en",))
    # The spell checker's English tables: parsing them briefly takes 270 MB more than they
    # keep, so while the indexes are still loading, not on top of them (peak RSS at 1M
    # chunks, one worker: 2.27 GB when the first speller built them after the load).
    common_words()
    english_forms()


def _warm_other_languages(kb: KnowledgeBase) -> None:
    """jieba (0.7 s), and the second model where records need it (USE: 1-3 s, 140 MB)."""
    warm_up(("zh",))
    if set(kb.replica.fields.values("language")) & kb.profile.second:
        kb.embedder.encode(["预热"])


async def _open_warm(settings: Settings, private: Path | None) -> KnowledgeBase:
    """Open the knowledge base with everything a first search loads already loaded.

    The first search must not pay for loading spaCy (2 s) or the model's first run: the
    server reports ready only when they are done (Chinese, 0.7 s, loads just after).
    """
    # spaCy is imported first and alone: while it is, `import torch` fails on purpose.
    await asyncio.to_thread(load_spacy)
    kb, _ = await asyncio.gather(
        asyncio.to_thread(KnowledgeBase.open, settings, None, False, private),
        asyncio.to_thread(_warm_english),
    )
    # The spell checker's word list (0.3-1 s) too, or the first misspelled query pays for it.
    await asyncio.gather(
        asyncio.to_thread(kb.embed_query, "warming up the model"),
        asyncio.to_thread(kb.speller),
        asyncio.to_thread(kb.speller, True),
    )
    threading.Thread(target=_warm_other_languages, args=(kb,), daemon=True).start()
    # Everything loaded so far (models, pipelines, indexes' Python objects) lives as long as
    # the process: out of the collector's sight, a full collection no longer walks it
    # (8 clients: p99 113 ms against 209 without, median of two runs side by side).
    gc.freeze()
    return kb


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
        base = kb if kb is not None else await _open_warm(settings, private)
        base._metrics = metrics  # type: ignore[attr-defined]
        base.observe = metrics.observe_stage
        # Query-log rows are written behind the requests from here to shutdown.
        base.query_log.start()
        app.state.keys = KeyStore(base.db, settings.key_cache_seconds)
        app.state.limiter = RateLimiter(
            settings.rate_limit_per_minute, shared_store(base.db.engine, settings.data_dir)
        )
        app.state.kb = base
        app.state.search_slots = anyio.CapacityLimiter(settings.search_threads)
        app.state.model_name = active_name(settings)
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
            # Every queued query-log row is written before the process goes (a clean stop).
            await asyncio.to_thread(base.query_log.stop)
            if app.state.limiter.store is not None:
                app.state.limiter.store.dispose()
            if owned:
                await asyncio.to_thread(base.close)
            if private is not None:
                shutil.rmtree(private, ignore_errors=True)

    app = FastAPI(
        title="kcrm",
        version=__version__,
        summary="Knowledge-based CRM: agent assist, self-service search, next-best offers",
        lifespan=lifespan,
        # Served by kcrm/web/docs.py from installed assets, not from a CDN.
        docs_url=None,
        redoc_url=None,
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
        interactions,
        purchases,
        customers,
        help,
        marketing,
    ):
        app.include_router(module.router)
    app.include_router(web.router)
    app.include_router(docs.router)
    openapi.install(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(NoNulInUrl)
    return app
