"""The command line as scripts use it: JSON on stdout, exit codes that mean something."""

from __future__ import annotations

import json
from pathlib import Path

from kcrm.core.db import MIGRATIONS_DIR, SCHEMA_REVISION
from tests.conftest import faq, write_jsonl

MIGRATIONS = MIGRATIONS_DIR / "versions"


def test_ingest_search_delete_status(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_jsonl(
        tmp_path / "k.jsonl",
        [
            faq("faq-a", "Card delivery", "Cards arrive in five days."),
            faq("faq-b", "PIN", "Reset the PIN in the app."),
        ],
    )
    code, out = cli("ingest", str(src), "--json")
    assert code == 0
    assert json.loads(out)["added"] == 2
    code, out = cli("ingest", str(src), "--json")
    assert json.loads(out)["unchanged"] == 2
    code, out = cli("search", "cards arrive", "--json", "--k", "1", "--role", "customer")
    assert code == 0 and json.loads(out)["results"][0]["id"] == "faq-a"
    code, out = cli("delete", "faq-a", "--json")
    assert code == 0 and json.loads(out) == {"deleted": ["faq-a"], "not_found": []}
    code, out = cli("status", "--json")
    status = json.loads(out)
    assert code == 0 and status["documents"] == 1 and status["consistent"] is True
    code, out = cli("reindex", "--json")
    assert code == 0 and json.loads(out)["reindexed_chunks"] == 1


def test_bad_lines_land_the_good_and_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        json.dumps(faq("ok", "Fine", "A good line."))
        + "\n{broken\n"
        + json.dumps({"id": "x", "kind": "faq"})
        + "\n"
    )
    code, out = cli("ingest", str(src), "--json")
    data = json.loads(out)
    assert code == 2
    assert data["added"] == 1 and data["rejected"] == 2
    assert [(r["line"], r["file"]) for r in data["rejections"]] == [(2, str(src)), (3, str(src))]


def test_clear_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", str(tmp_path / "nope.jsonl"))[0] == 1
    assert cli("delete", "missing-id")[0] == 1
    assert cli("search", "x", "--role", "robot")[0] == 2
    assert cli("search", "   ")[0] == 2
    assert cli("import", "orders", str(tmp_path / "x.csv"))[0] == 2


def test_init_reports_revision(cli) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("init", "--json")
    revision = json.loads(out)["revision"]
    # The head revision (tests/core/test_migrations.py keeps the constant equal to it);
    # several migrations may share a number ("0004_safety", "0004_search", ...).
    assert code == 0 and revision == SCHEMA_REVISION


def test_serve_with_workers_gives_a_slow_starting_worker_time(  # type: ignore[no-untyped-def]
    cli, monkeypatch
) -> None:
    """Workers loading big indexes are not killed as hung (uvicorn's 5 s) while they start."""
    import os

    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what serve sets stays here
    code, _ = cli("serve", "--workers", "2", "--port", "8123")
    assert code == 0 and len(calls) == 1
    assert calls[0]["workers"] == 2 and calls[0]["port"] == 8123
    assert calls[0]["timeout_worker_healthcheck"] >= 60  # type: ignore[operator]
    assert os.environ["KCRM_PRIVATE_REPLICA"] == "1"  # each worker its own replica
