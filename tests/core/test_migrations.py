"""The migrations create exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kcrm.core.config import Settings
from kcrm.core.db import SCHEMA_REVISION, Database
from kcrm.core.tables import Base


def test_upgrade_from_empty_matches_models(settings: Settings) -> None:
    db = Database(settings)
    assert db.current_revision() is None
    head = db.upgrade()
    assert db.current_revision() == head == SCHEMA_REVISION  # the constant open checks against
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.upgrade()  # idempotent
    db.dispose()
