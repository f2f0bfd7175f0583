"""Liveness, readiness and Prometheus metrics (no key needed: scrapers and probes have none)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kcrm.api.metrics import update_index_gauges
from kcrm.api.problems import Problem
from kcrm.api.report_schemas import Health, Readiness

router = APIRouter(tags=["operations"])
METRICS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Prometheus text exposition format",
        "content": {"text/plain": {"example": "kcrm_index_vectors 1234.0\nkcrm_index_lag 0.0\n"}},
    }
}


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness)
def readyz(request: Request) -> dict[str, object]:
    """Ready to serve: knowledge base open, database reachable, indexes caught up."""
    kb = getattr(request.app.state, "kb", None)
    if kb is None:
        raise Problem(503, "Not ready", "the knowledge base is still loading")
    try:
        head = kb.replica.log_head()
    except Exception as exc:  # the database is down or unreachable
        raise Problem(503, "Not ready", f"database unreachable: {type(exc).__name__}") from None
    lag = head - kb.replica.applied_seq
    return {
        "status": "ready",
        "vectors": kb.replica.vectors.count(),
        "index_lag": lag,
        "recommender": getattr(request.app.state, "recommender", None) is not None,
    }


@router.get("/metrics", response_class=PlainTextResponse, responses=METRICS)
def metrics(request: Request) -> Response:
    """Prometheus text format."""
    kb = getattr(request.app.state, "kb", None)
    if kb is not None:
        update_index_gauges(kb)
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
