"""campaigns, their members and offer outcomes

Revision ID: 0007_campaigns
Revises: 0006_helpdesk
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kcrm.core.tables

revision: str = "0007_campaigns"
down_revision: str | None = "0006_helpdesk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("product_id", sa.String(length=128), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("holdout", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("consent_only", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("started_at", kcrm.core.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_members",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("arm", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.String(length=128), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_members_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "customer_id", name=op.f("pk_campaign_members")),
    )
    op.create_index("ix_campaign_members_campaign_arm", "campaign_members", ["campaign_id", "arm"])
    op.create_table(
        "offer_outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("product_id", sa.String(length=128), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=256), nullable=False),
        sa.Column("recorded_at", kcrm.core.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_offer_outcomes_campaign_id_campaigns"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_outcomes")),
    )
    op.create_index(
        op.f("ix_offer_outcomes_campaign_id"), "offer_outcomes", ["campaign_id"], unique=False
    )
    op.create_index(
        "ix_offer_outcomes_customer_product",
        "offer_outcomes",
        ["customer_id", "product_id", "outcome"],
    )


def downgrade() -> None:
    op.drop_index("ix_offer_outcomes_customer_product", table_name="offer_outcomes")
    op.drop_index(op.f("ix_offer_outcomes_campaign_id"), table_name="offer_outcomes")
    op.drop_table("offer_outcomes")
    op.drop_index("ix_campaign_members_campaign_arm", table_name="campaign_members")
    op.drop_table("campaign_members")
    op.drop_table("campaigns")
