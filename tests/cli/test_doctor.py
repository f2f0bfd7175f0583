"""`kcrm doctor`: what it finds on a fresh and on a misconfigured installation."""

from __future__ import annotations

import json

import pytest

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.keys import create_key
from tests.conftest import Invoke


def checks(invoke: Invoke) -> tuple[int, dict[str, dict[str, str]]]:
    code, stdout = invoke("doctor", "--json")
    return code, {c["name"]: c for c in json.loads(stdout)["checks"]}


def test_a_fresh_data_dir_gets_advice_not_errors(cli: Invoke) -> None:
    code, found = checks(cli)
    assert code == 0
    assert found["embedding model"]["status"] == "warning"  # hash-64 is the test fake
    assert found["public /help key"]["status"] == "warning"
    assert "kcrm keys create --role customer" in found["public /help key"]["fix"]
    assert found["PII model"]["status"] == "ok"


def test_a_staff_key_as_the_public_key_is_a_problem(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("status")  # creates the schema
    from kcrm.core.config import get_settings

    db = Database(get_settings())
    staff, _ = create_key(db, "agent", "oops")
    db.dispose()
    monkeypatch.setenv("KCRM_PUBLIC_KEY", staff)
    get_settings.cache_clear()
    code, found = checks(cli)
    assert code == 1
    assert found["public /help key"]["status"] == "problem"
    assert "agent key" in found["public /help key"]["detail"]
    assert found["database"]["status"] == "ok" and found["indexes"]["status"] == "ok"


def test_an_unknown_model_is_a_problem_with_a_fix(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from kcrm.core.config import get_settings

    monkeypatch.setenv("KCRM_EMBEDDING_MODEL", "/nowhere/no-such-model")
    get_settings.cache_clear()
    code, found = checks(cli)
    assert code == 1
    assert found["embedding model"]["status"] == "problem"
    assert "KCRM_EMBEDDING_MODEL" in found["embedding model"]["fix"]
