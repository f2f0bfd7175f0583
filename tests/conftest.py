"""Shared fixtures: a throwaway data dir per test, the exact fake embedder by default."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from kcrm.core.config import DEFAULT_EMBEDDING_MODEL, Settings
from kcrm.core.db import Database
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.embedders.factory import configured_embedder
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


# With KCRM_TEST_DATABASE_URL (any database of a PostgreSQL server the tests may create
# databases on, e.g. the URL `scripts/pg-test-cluster.sh start` prints), every test gets a
# fresh database of its own on that server instead of an SQLite file in its data dir.
PG_URL = os.environ.get("KCRM_TEST_DATABASE_URL", "")
# Tests of the migrations themselves start from an empty database, as `kcrm init` does;
# every other test gets one already at the newest revision, as a deployed server has.
EMPTY_DATABASE_MODULES = {"test_migrations"}
# Fixtures wider than one test (a module's shared corpus, say) are built before a test's
# database exists, so they stay on SQLite; everything per test runs on PostgreSQL.
_db_numbers = itertools.count()
SYSTEM = Path(__file__).parent / "system"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/system is a `system` test (`make check` leaves them out)."""
    for item in items:
        if SYSTEM in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.system)


def _admin_url(url: str) -> str:
    """The psycopg (libpq) form of an SQLAlchemy URL, for CREATE/DROP DATABASE."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A database migrated once per session; each test's database is a copy of it."""
    if not PG_URL:
        yield None
        return
    import psycopg

    name = f"kcrm_template_{os.getpid()}"
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(Settings(database_url=url))
    db.upgrade()
    db.dispose()  # CREATE DATABASE ... TEMPLATE needs the template to have no connections
    yield name
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def test_database(
    request: pytest.FixtureRequest, pg_template: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str | None]:
    """The test's own PostgreSQL database (None on SQLite), also in KCRM_DATABASE_URL.

    The environment variable makes everything the test starts use it too: `Settings()`
    built in the test, CLI runs and subprocesses.
    """
    if pg_template is None:
        yield None
        return
    import psycopg

    name = f"kcrm_t_{os.getpid()}_{next(_db_numbers)}"
    empty = request.module.__name__.rsplit(".", 1)[-1] in EMPTY_DATABASE_MODULES
    # Copying the template's files takes ~0.2 s here; migrating each database anew, ~1 s.
    source = "template0" if empty else pg_template
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("KCRM_DATABASE_URL", url)
    yield url
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        # FORCE: a test may leave an engine's pooled connections open.
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(tmp_path: Path, test_database: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", embedding_model="hash-64", database_url=test_database or ""
    )


@pytest.fixture
def kb(settings: Settings) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    yield base
    base.close()


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def faq(id: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"id": id, "kind": "faq", "title": title, "body": body, "visibility": "public", **extra}


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One ONNX export cache per test session (in-process and child processes alike)."""
    folder = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KCRM_MODEL_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    return configured_embedder(Settings(embedding_model=DEFAULT_EMBEDDING_MODEL))


Invoke = Callable[..., tuple[int, str]]


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str) -> Iterator[Invoke]:
    """`kcrm` run in-process on a throwaway data dir: invoke(*args) -> (exit code, stdout)."""
    from typer.testing import CliRunner

    from kcrm.cli.main import app
    from kcrm.core.config import get_settings

    monkeypatch.setenv("KCRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KCRM_EMBEDDING_MODEL", model)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout

    yield invoke
    get_settings.cache_clear()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """The CLI with the exact fake embedder."""
    yield from _cli(tmp_path, monkeypatch, "hash-64")


@pytest.fixture
def model_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """The CLI with the packaged real model."""
    yield from _cli(tmp_path, monkeypatch, DEFAULT_EMBEDDING_MODEL)
