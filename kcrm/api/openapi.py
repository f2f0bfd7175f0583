"""The OpenAPI schema, with every error an operation can answer as problem+json.

FastAPI declares only 200 and its own 422 shape; kcrm answers every error as an RFC
9457 problem (`kcrm/api/problems.py`). The schema says so: one shared `Problem`
schema, and on each operation the statuses it can answer, by what the operation
has (a key, a body, an id in its path) rather than listed by hand per route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from kcrm.api.problems import PROBLEM_JSON
from kcrm.crm.offer_lists import csv_line


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="where in the request, dotted (`filters.kind.0`)")
    message: str


class Problem(BaseModel):
    """An error as RFC 9457 problem details."""

    type: str = Field(default="about:blank")
    title: str = Field(description="the kind of error, e.g. `Invalid request`")
    status: int = Field(description="the HTTP status, repeated")
    detail: str = Field(default="", description="what went wrong and how to fix it")
    instance: str = Field(default="", description="the path of the request")
    errors: list[FieldError] | None = Field(
        default=None, description="each invalid field (422 only)"
    )


WHY = {
    400: "Malformed request: a body that is not JSON, a NUL character in the URL",
    401: "No API key, or one that is unknown or revoked",
    403: "The key's role may not use this operation",
    404: "No such record, or not one the key's role may see",
    409: "The id is taken already",
    413: "The body is larger than KCRM_MAX_BODY_BYTES",
    422: "Invalid input: the problem's `errors` names each field",
    429: "Over the key's rate limit (or too many bad keys from this address); see Retry-After",
    503: "Still starting: the knowledge base or the recommender is loading",
}
# Operations that create a record under an id the caller may choose.
CONFLICTS = {("post", "/v1/cases")}


def _statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    codes = [400, 422]
    if operation.get("security"):
        codes += [401, 403, 429]
    if "requestBody" in operation:
        codes.append(413)
    if "{" in path:
        codes.append(404)
    if (method, path) in CONFLICTS or "409" in operation.get("responses", {}):
        codes.append(409)
    if path.startswith("/v1/") or path == "/readyz":
        codes.append(503)
    return sorted(codes)


def csv_response(description: str, columns: list[str], example: str) -> dict[str, Any]:
    """The OpenAPI answer of a CSV export: its columns named, a header and one `example` row."""
    return {
        "description": f"{description}. Columns: {', '.join(columns)}.",
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": csv_line(columns) + example + "\r\n",
            }
        },
    }


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the shared Problem schema and every operation's error answers."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model in (("FieldError", FieldError), ("Problem", Problem)):
        components[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components[name].pop("$defs", None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in _statuses(method, path, operation):
                responses[str(code)] = {
                    "description": WHY[code],
                    "content": {PROBLEM_JSON: {"schema": ref}},
                }
            operation["responses"] = dict(sorted(responses.items()))
    # FastAPI's own 422 shape is never answered: problems.py renders every error.
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Serve the schema with problem+json errors declared (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
