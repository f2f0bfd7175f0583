"""Engine, sessions and schema migrations (Alembic, run programmatically)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kcrm.core.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration (kcrm/migrations/versions). Every process checks the schema
# at open; comparing with this constant spares it importing alembic (0.25 s) and
# parsing the migration scripts. tests/test_migrations.py keeps it equal to the head.
SCHEMA_REVISION = "0007_campaigns"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The PostgreSQL advisory lock (any constant bigint: these are the bytes of "kcrm") that
# serialises transactions changing indexed knowledge, across every process on the database.
KNOWLEDGE_WRITE_LOCK = 0x6B63726D


# What a database raises for one row it cannot store: a constraint, a value out of the
# column's range or length, NUL in PostgreSQL text, an integer beyond SQLite's 64 bits,
# text that is not UTF-8. Not connection or lock errors: those are no row's fault.
ROW_ERRORS = (IntegrityError, DataError, OverflowError, UnicodeEncodeError)
Row = TypeVar("Row")


def refusal(exc: BaseException) -> str:
    """The database's reason for refusing a row, in one line."""
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"the database refused it: {first[:300]}"


def write_or_bisect(
    rows: Sequence[Row],
    write: Callable[[Sequence[Row]], None],
    reject: Callable[[Row, str], None],
) -> None:
    """`write(rows)` in one transaction; a row the database refuses is found and rejected alone.

    A batch that fails is halved and each half written again, down to single rows: k bad
    rows among n cost about k·log2(n) extra transactions, and every other row lands.
    `write` must leave no trace when it raises (one transaction, counts kept aside), and
    halves go in order, so the last of two rows with the same key still wins.
    """
    try:
        write(rows)
    except ROW_ERRORS as exc:
        if len(rows) == 1:
            reject(rows[0], refusal(exc))
            return
        middle = len(rows) // 2
        write_or_bisect(rows[:middle], write, reject)
        write_or_bisect(rows[middle:], write, reject)


class SchemaError(RuntimeError):
    """The database schema is missing or older than this version of kcrm."""


def make_engine(url: str) -> Engine:
    """An engine with the per-backend settings kcrm relies on."""
    kwargs: dict[str, Any] = {"future": True, "json_serializer": _json_dumps}
    if url.startswith("sqlite"):
        # Several threads (server) and processes (CLI beside a server) share the file.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _json_dumps(value: Any) -> str:
    """JSON for JSON columns; dates (e.g. a search's `created_after` filter in the query
    log) become ISO 8601 text instead of failing the whole statement."""
    return json.dumps(value, default=_json_default)


def _json_default(value: Any) -> str:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers go on while one writer commits; foreign keys are off by default.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Database:
    """The configured database: an engine and a session factory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if settings.db_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.db_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def write_lock(self, session: Session) -> None:
        """Serialise this transaction with every other write of indexed knowledge.

        Call it first in the transaction, before reading what it will change: reads after
        it see every earlier writer's commit, and no other process changes documents,
        chunks or the index log until this transaction ends. Two servers ingesting the
        same id therefore never both insert chunks for it (duplicate vectors), and none
        deletes chunks another just logged (orphan vectors). Keep such transactions short:
        embed before taking the lock.
        """
        if self.engine.dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": KNOWLEDGE_WRITE_LOCK}
            )
        elif self.engine.dialect.name == "sqlite":
            # pysqlite opens a transaction only at the first write, so reads before it may be
            # stale by the time it writes; BEGIN IMMEDIATE takes SQLite's one write lock now.
            conn = session.connection()
            if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                conn.exec_driver_sql("BEGIN IMMEDIATE")

    def alembic_config(self) -> Config:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.settings.db_url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> str:
        """Create or upgrade the schema to the newest revision; returns it."""
        from alembic import command

        command.upgrade(self.alembic_config(), "head")
        return self.head_revision()

    def head_revision(self) -> str:
        """The newest revision among the migration scripts."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        assert head is not None
        return head

    def current_revision(self) -> str | None:
        """The revision the database is at (None: no schema yet)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        # One row unless the migrations branch, which kcrm's never do.
        return rows[0] if len(rows) == 1 else None

    def ensure_schema(self) -> None:
        """Make sure the schema is current.

        The embedded SQLite default upgrades itself, so a newcomer never needs a
        step that is not in the README; a shared server database is only ever
        migrated on purpose, by `kcrm init`.
        """
        if self.current_revision() == SCHEMA_REVISION:
            return
        if self.settings.db_url.startswith("sqlite"):
            self.upgrade()
            return
        raise SchemaError(
            "the database schema is not at the current revision: run `kcrm init` to create "
            "or upgrade it"
        )

    def dispose(self) -> None:
        self.engine.dispose()
