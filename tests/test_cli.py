"""The command line as scripts use it: JSON on stdout, exit codes that mean something."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kcrm.cli import app
from kcrm.config import get_settings
from kcrm.db import MIGRATIONS_DIR
from tests.conftest import faq, write_jsonl

MIGRATIONS = MIGRATIONS_DIR / "versions"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("KCRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KCRM_EMBEDDING_MODEL", "hash-64")
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout

    yield invoke
    get_settings.cache_clear()


def test_ingest_search_delete_status(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_jsonl(
        tmp_path / "k.jsonl",
        [
            faq("faq-a", "Card delivery", "Cards arrive in five days."),
            faq("faq-b", "PIN", "Reset the PIN in the app."),
        ],
    )
    code, out = run("ingest", str(src), "--json")
    assert code == 0
    assert json.loads(out)["added"] == 2
    code, out = run("ingest", str(src), "--json")
    assert json.loads(out)["unchanged"] == 2
    code, out = run("search", "cards arrive", "--json", "--k", "1", "--role", "customer")
    assert code == 0 and json.loads(out)["results"][0]["id"] == "faq-a"
    code, out = run("delete", "faq-a", "--json")
    assert code == 0 and json.loads(out) == {"deleted": ["faq-a"], "not_found": []}
    code, out = run("status", "--json")
    status = json.loads(out)
    assert code == 0 and status["documents"] == 1 and status["consistent"] is True
    code, out = run("reindex", "--json")
    assert code == 0 and json.loads(out)["reindexed_chunks"] == 1


def test_bad_lines_land_the_good_and_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        json.dumps(faq("ok", "Fine", "A good line."))
        + "\n{broken\n"
        + json.dumps({"id": "x", "kind": "faq"})
        + "\n"
    )
    code, out = run("ingest", str(src), "--json")
    data = json.loads(out)
    assert code == 2
    assert data["added"] == 1 and data["rejected"] == 2
    assert [(r["line"], r["file"]) for r in data["rejections"]] == [(2, str(src)), (3, str(src))]


def test_clear_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(tmp_path / "nope.jsonl"))[0] == 1
    assert run("delete", "missing-id")[0] == 1
    assert run("search", "x", "--role", "robot")[0] == 2
    assert run("search", "   ")[0] == 2
    assert run("import", "orders", str(tmp_path / "x.csv"))[0] == 2


def test_init_reports_revision(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("init", "--json")
    revision = json.loads(out)["revision"]
    assert code == 0 and revision == max(p.name[:4] for p in MIGRATIONS.glob("0*.py"))
