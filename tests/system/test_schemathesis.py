"""Bad input: schemathesis over every operation of the OpenAPI schema, for every role.

Each operation gets schema-conforming and schema-violating requests (schemathesis'
positive and negative modes); each request is sent with an admin key, which passes
every role check so the input reaches the handler, and again with another role or no
key at all. The API must never answer 5xx, and every error must be problem+json.
The classic bad inputs, one by one, are in tests/test_security_input.py.

KCRM_FUZZ_EXAMPLES sets the examples per operation and mode (default 15; raise it for
a longer hunt). Hypothesis is derandomised, so CI sees the same requests every run.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.server.app import create_app
from tests.api.test_security_input import ROLES, api, assert_no_5xx_and_problem_json

try:  # test dependencies (the `test` extra); without them the fuzzing is skipped, loudly
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from hypothesis.errors import Unsatisfiable
except ImportError:  # pragma: no cover
    pytest.skip("schemathesis is not installed: install the `test` extra", allow_module_level=True)

__all__ = ["api"]  # the fixture, shared with the hand-written bad-input tests

EXAMPLES = int(os.environ.get("KCRM_FUZZ_EXAMPLES", "15"))

# The schema as the app serves it; an app that is never started is enough to render it.
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(data_dir="unused")).openapi())
OPERATIONS = sorted(
    (op.method.upper(), op.path) for op in (r.ok() for r in SCHEMA.get_all_operations())
)


def send(client: TestClient, kwargs: dict[str, Any]) -> httpx.Response:
    """Send requests-style keyword arguments (what schemathesis serialises) with httpx."""
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    if "data" in kwargs:
        data = kwargs["data"]
        body["content" if isinstance(data, bytes | str) else "data"] = data
    if "files" in kwargs:
        body["files"] = kwargs["files"]
    if kwargs.get("cookies"):  # none of kcrm's operations takes cookies; sent if generated
        body["cookies"] = kwargs["cookies"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        **body,
    )


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_never_answers_5xx(
    api: tuple[TestClient, dict[str, str]], method: str, path: str, mode: str
) -> None:
    client, keys = api
    operation = SCHEMA[path][method]

    @given(
        case=operation.as_strategy(schemathesis.GenerationMode(mode)),
        other=st.sampled_from([None, *ROLES]),
    )
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, other: str | None) -> None:
        for role in ("admin", other):
            headers = {"Authorization": f"Bearer {keys[role]}"} if role else {}
            # Generated headers (a bad Authorization, say) go on top for the keyless try.
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            response = send(client, kwargs)
            assert_no_5xx_and_problem_json(response, f"{method} {path} as {role}: {kwargs}")

    try:
        run()
    except Unsatisfiable:
        # Negative mode on an operation without parameters or body: nothing can be invalid.
        pytest.skip(f"{method} {path} takes no input to make invalid")
