"""help desk: customer search terms, consent and merges; cases as tickets with a timeline

Revision ID: 0005_helpdesk
Revises: 0004_search
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kcrm.core.tables

revision: str = "0005_helpdesk"
down_revision: str | None = "0004_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALSE = sa.false()


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for name in ("consent_email", "consent_phone", "consent_marketing"):
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=FALSE))
        batch_op.add_column(sa.Column("merged_into", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_customers_merged_into"), ["merged_into"], unique=False)

    op.create_table(
        "customer_terms",
        sa.Column("term", kcrm.core.tables.TermText, nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_terms_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "customer_id", name=op.f("pk_customer_terms")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("customer_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_terms_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("merged_id", sa.String(length=128), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("at", kcrm.core.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_merges_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_merges_merged_id"), ["merged_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        # `agent` was who handled the case; a help desk calls that the assignee.
        batch_op.alter_column("agent", new_column_name="assignee")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.String(length=8), nullable=False, server_default="normal")
        )
        batch_op.add_column(sa.Column("queue", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("due_at", kcrm.core.tables.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("first_response_at", kcrm.core.tables.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("resolved_at", kcrm.core.tables.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("reopened", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("updated_at", kcrm.core.tables.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_queue"), ["queue"], unique=False)
    # Cases closed before this revision were resolved when they were closed.
    op.execute("UPDATE cases SET resolved_at = closed_at WHERE status = 'closed'")

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", kcrm.core.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_events_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_events_kind"), ["kind"], unique=False)

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_customer_time", ["customer_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_interactions_case_time", ["case_id", "occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_case_time")
        batch_op.drop_index("ix_interactions_customer_time")
    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in ("queue", "priority", "due_at", "assignee"):
            batch_op.drop_index(batch_op.f(f"ix_cases_{name}"))
        for name in (
            "updated_at",
            "reopened",
            "resolved_at",
            "first_response_at",
            "due_at",
            "tags",
            "queue",
            "priority",
        ):
            batch_op.drop_column(name)
        batch_op.alter_column("assignee", new_column_name="agent")
    op.drop_table("customer_merges")
    op.drop_table("customer_terms")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_merged_into"))
        for name in ("merged_into", "consent_marketing", "consent_phone", "consent_email"):
            batch_op.drop_column(name)
