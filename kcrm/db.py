"""Engine, sessions and schema migrations (Alembic, run programmatically)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kcrm.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaError(RuntimeError):
    """The database schema is missing or older than this version of kcrm."""


def make_engine(url: str) -> Engine:
    """An engine with the per-backend settings kcrm relies on."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        # Several threads (server) and processes (CLI beside a server) share the file.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.settings.db_url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> str:
        """Create or upgrade the schema to the newest revision; returns it."""
        command.upgrade(self.alembic_config(), "head")
        return self.head_revision()

    def head_revision(self) -> str:
        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        assert head is not None
        return head

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def ensure_schema(self) -> None:
        """Make sure the schema is current.

        The embedded SQLite default upgrades itself, so a newcomer never needs a
        step that is not in the README; a shared server database is only ever
        migrated on purpose, by `kcrm init`.
        """
        if self.current_revision() == self.head_revision():
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
