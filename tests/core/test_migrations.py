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


def test_helpdesk_migration_keeps_cases_and_makes_customers_findable(settings: Settings) -> None:
    """0004: `agent` becomes `assignee`, closed cases get `resolved_at`, and customers that
    exist already get their search terms (the same as a customer written now would)."""
    from alembic import command
    from sqlalchemy import text

    from kcrm.crm.directory import customer_terms
    from kcrm.crm.profiles import find_customers

    db = Database(settings)
    config = db.alembic_config()
    command.upgrade(config, "0004_safety")  # the revision before the help desk
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (id, name, attributes, content_hash, created_at, updated_at)"
                " VALUES ('c1', 'Mary-Jane O''Neil', '{}', '', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contacts (customer_id, kind, value, is_primary) VALUES "
                "('c1', 'email', 'MJ@example.com', true), ('c1', 'phone', '07700 900123', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO products (id, name, description, active, repeatable, "
                "aliases, attributes, content_hash, created_at, updated_at) VALUES "
                "('p1', 'Card', '', true, false, '[]', '{}', '', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO purchases (order_id, customer_id, product_id, quantity, "
                "purchased_at, content_hash) VALUES ('o1', 'c1', 'p1', 1, '2026-01-02', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cases (id, customer_id, subject, description, status, agent, "
                "opened_at, closed_at) VALUES ('k1', 'c1', 's', 'd', 'closed', 'Sam', "
                "'2026-01-01 10:00', '2026-01-01 12:00')"
            )
        )
    command.upgrade(config, "head")
    with db.engine.connect() as conn:
        assignee, resolved = conn.execute(text("SELECT assignee, resolved_at FROM cases")).one()
        stored = set(conn.execute(text("SELECT term FROM customer_terms")).scalars())
        kept = conn.execute(text("SELECT count(*) FROM contacts")).scalar()
        bought = conn.execute(text("SELECT count(*) FROM purchases")).scalar()
    assert (kept, bought) == (2, 1)  # nothing of the customers' history is lost
    assert assignee == "Sam" and resolved is not None
    contacts = [("email", "MJ@example.com"), ("phone", "07700 900123")]
    assert stored == customer_terms("c1", "Mary-Jane O'Neil", contacts, "44")
    for query in ("o'neil", "mary jane", "+44 7700 900123", "mj@example.com"):
        assert [c["id"] for c in find_customers(db, query)["items"]] == ["c1"], query
    command.downgrade(config, "0004_safety")
    command.upgrade(config, "head")
    db.dispose()
