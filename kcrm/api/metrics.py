"""Prometheus metrics: request counts and latencies per route, index sizes."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kcrm.knowledge.kb import KnowledgeBase

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_STAGE_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)


class Metrics:
    """One registry per app, so tests and several apps in a process do not collide."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "kcrm_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "kcrm_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.vectors = Gauge("kcrm_index_vectors", "vectors in the index", registry=registry)
        self.lag = Gauge("kcrm_index_lag", "index log entries not yet applied", registry=registry)
        # Where a search's time goes, stage by stage (docs/benchmarks/http.md reads it):
        # embed (the model's run, per query, on the embedding thread), embed_wait (the
        # search waiting for it), lexical, vector, rank, records (the database read),
        # snippets, facets, log (queueing the query-log row), serialise (the JSON answer),
        # and the query-log writer's own thread: querylog_redact, querylog_insert.
        self.stages = Histogram(
            "kcrm_search_stage_seconds",
            "seconds per stage of POST /v1/search",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        )
        self._stage: dict[
            str, Any
        ] = {}  # stage -> its child histogram: labels() per call costs a lock and a dict

    def observe_stage(self, stage: str, seconds: float) -> None:
        child = self._stage.get(stage)
        if child is None:
            child = self._stage[stage] = self.stages.labels(stage)
        child.observe(seconds)


def update_index_gauges(kb: KnowledgeBase) -> None:
    metrics: Metrics | None = getattr(kb, "_metrics", None)
    if metrics is None:
        return
    metrics.vectors.set(kb.replica.vectors.count())
    metrics.lag.set(kb.replica.log_head() - kb.replica.applied_seq)


class MeasureRequests:
    """Counts and times every HTTP request by route template and status.

    Plain ASGI rather than `@app.middleware("http")`: Starlette's `BaseHTTPMiddleware`
    runs every request through an extra task and memory streams.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # The route template, not the raw path: ids in paths would explode the label set.
            name = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, name, str(status)).inc()
            self.metrics.latency.labels(method, name).observe(time.perf_counter() - start)


def install(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(MeasureRequests, metrics=metrics)
