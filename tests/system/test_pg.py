"""PostgreSQL specifics: the suite really runs on it, migrations, and the index log's order.

Most tests here only mean something on PostgreSQL and are skipped on SQLite; run the
suite with KCRM_TEST_DATABASE_URL (see scripts/pg-test-cluster.sh) to include them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, make_url, select, text
from typer.testing import CliRunner

from kcrm.cli.main import app as cli
from kcrm.core.config import Settings, get_settings
from kcrm.core.db import Database, SchemaError
from kcrm.core.tables import IndexLog
from kcrm.knowledge.documents import log_index
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from tests.conftest import PG_URL, _admin_url, faq

needs_pg = pytest.mark.skipif(not PG_URL, reason="set KCRM_TEST_DATABASE_URL to run on PostgreSQL")


def parsed(*records: dict[str, object]) -> list[Parsed]:
    return [Parsed(KnowledgeRecord.model_validate(r), "t", i) for i, r in enumerate(records)]


@needs_pg
def test_each_test_has_its_own_postgres_database(
    kb: KnowledgeBase, test_database: str, settings: Settings
) -> None:
    assert kb.db.engine.dialect.name == "postgresql"
    assert settings.db_url == test_database == os.environ["KCRM_DATABASE_URL"]
    kb.ingest(parsed(faq("faq-a", "Card delivery", "Cards arrive in five days.")))
    status = kb.status()
    assert status["documents"] == 1 and status["consistent"] is True


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    """A database with no schema at all, as a DBA hands one over."""
    name = f"kcrm_empty_{os.getpid()}"
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@needs_pg
def test_server_database_is_migrated_only_by_kcrm_init(
    empty_pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=empty_pg_database)
    with pytest.raises(SchemaError, match="kcrm init"):
        KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    monkeypatch.setenv("KCRM_DATABASE_URL", empty_pg_database)
    monkeypatch.setenv("KCRM_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["init", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    db = Database(settings)
    assert db.current_revision() == db.head_revision()
    db.dispose()
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        assert kb.status()["consistent"] is True


@needs_pg
def test_index_log_numbers_commit_in_order(kb: KnowledgeBase) -> None:
    """A log writer waits for the one before it to commit, so no replica skips a seq.

    PostgreSQL sequences hand out numbers at insert time: without the knowledge write
    lock, a later transaction could commit seq 2 while seq 1 is still open, a replica
    would apply 2 and never look back at 1.
    """
    first_flushed = threading.Event()
    release_first = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with kb.db.session() as s:
                log_index(s, [1], "r")
                s.flush()
                first_flushed.set()
                release_first.wait(60)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second() -> None:
        try:
            with kb.db.session() as s:
                log_index(s, [2], "r")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_flushed.wait(60)
    t2 = threading.Thread(target=second)
    t2.start()
    # Wait (bounded) until the second writer is seen queueing on the advisory lock.
    waiting = 0
    deadline = time.monotonic() + 60
    while waiting == 0 and time.monotonic() < deadline:
        with kb.db.engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event = 'advisory'"
                )
            )
        time.sleep(0.05)
    assert waiting == 1
    with kb.db.session() as s:
        assert s.scalar(select(func.count()).select_from(IndexLog)) == 0  # nothing visible yet
    release_first.set()
    t1.join(60)
    t2.join(60)
    assert not errors
    with kb.db.session() as s:
        rows = s.execute(select(IndexLog.seq, IndexLog.chunk_id).order_by(IndexLog.seq)).all()
    assert [cid for _, cid in rows] == [1, 2]


@needs_pg
def test_unicode_and_long_text_round_trip(kb: KnowledgeBase) -> None:
    """What SQLite stores without complaint must fit PostgreSQL's column types too."""
    body = "Überweisung 转账 " + "word " * 3000 + "😀"
    kb.ingest(
        parsed(
            faq("faq-long", "Long " * 200, body, tags=["t" * 256], category="c" * 128),
            {"id": "x" * 256, "kind": "article", "title": "max id", "body": "ok"},
        )
    )
    status = kb.status()
    assert status["documents"] == 2 and status["consistent"] is True
    hits = kb.search("转账", k=5)
    assert any(h.id == "faq-long" for h in hits)
