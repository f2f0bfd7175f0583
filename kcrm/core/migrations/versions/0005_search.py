"""self-service search: help sessions and events, contact details on cases, category labels

Revision ID: 0005_search
Revises: 0004_safety
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kcrm.core.tables

revision: str = "0005_search"
down_revision: str | None = "0004_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("query_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_query_log_session_id"), ["session_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=320), nullable=True))
    op.create_table(
        "help_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("query_id", sa.String(length=32), nullable=True),
        sa.Column("item_id", sa.String(length=256), nullable=True),
        sa.Column("case_id", sa.String(length=256), nullable=True),
        sa.Column("created_at", kcrm.core.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_events")),
    )
    with op.batch_alter_table("help_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_events_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_events_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_events_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_events_created_at"), ["created_at"], unique=False)
    op.create_table(
        "category_labels",
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("category", "language", name=op.f("pk_category_labels")),
    )


def downgrade() -> None:
    op.drop_table("category_labels")
    with op.batch_alter_table("help_events", schema=None) as batch_op:
        for name in ("created_at", "item_id", "session_id", "kind"):
            batch_op.drop_index(batch_op.f(f"ix_help_events_{name}"))
    op.drop_table("help_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_name")
    with op.batch_alter_table("query_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_query_log_session_id"))
        batch_op.drop_column("session_id")
