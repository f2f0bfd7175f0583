"""Prometheus metrics: request counts and latencies per route, index sizes."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from kcrm.knowledge.kb import KnowledgeBase

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


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


def update_index_gauges(kb: KnowledgeBase) -> None:
    metrics: Metrics | None = getattr(kb, "_metrics", None)
    if metrics is None:
        return
    metrics.vectors.set(kb.replica.vectors.count())
    metrics.lag.set(kb.replica.log_head() - kb.replica.applied_seq)


def install(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # The route template, not the raw path: ids in paths would explode the label set.
        name = getattr(route, "path", "unmatched")
        metrics.requests.labels(request.method, name, str(response.status_code)).inc()
        metrics.latency.labels(request.method, name).observe(time.perf_counter() - start)
        return response
