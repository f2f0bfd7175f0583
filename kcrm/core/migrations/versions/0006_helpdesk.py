"""help desk: customer search terms, consent and merges; cases as tickets with a timeline

Revision ID: 0006_helpdesk
Revises: 0005_search
Create Date: 2026-12-01 09:00:00
"""

import os
import re
import unicodedata
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

import kcrm.core.tables

revision: str = "0006_helpdesk"
down_revision: str | None = "0005_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALSE = sa.false()


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild: rebuilding `customers` on SQLite drops the old
    # table, and its contacts would go with it (ON DELETE CASCADE) and purchases would fail.
    for name in ("consent_email", "consent_phone", "consent_marketing"):
        op.add_column(
            "customers", sa.Column(name, sa.Boolean(), nullable=False, server_default=FALSE)
        )
    op.add_column("customers", sa.Column("merged_into", sa.String(length=128), nullable=True))
    op.create_index(op.f("ix_customers_merged_into"), "customers", ["merged_into"], unique=False)

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
    _backfill_terms()

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
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as in upgrade.
    op.drop_index(op.f("ix_customers_merged_into"), table_name="customers")
    for name in ("merged_into", "consent_marketing", "consent_phone", "consent_email"):
        op.drop_column("customers", name)


# ---- the search terms of customers that exist already ------------------------------------
# A frozen copy of kcrm.crm.directory's rules as of this revision (a migration must not
# change meaning when that module does); customers written later get theirs from it.
_WORDS = re.compile(r"[\w'’.-]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).casefold().strip()


def _phone(value: str, country: str) -> list[str]:
    text = unicodedata.normalize("NFKC", value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 4:
        return []
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        number = country + digits[1:]
    else:
        number = digits
    cuts = [len(country)] if number.startswith(country) else [1, 2, 3]
    return [number, *(number[k:] for k in cuts if len(number) - k >= 6)]


def _terms(cid: str, name: str, contacts: list[tuple[str, str]], country: str) -> set[str]:
    words = [w.strip("'’.-") for w in _WORDS.findall(_fold(name))]
    words = [w for w in words if w]
    terms = {_fold(cid)}
    if len(words) > 1:
        terms.add(" " + " ".join(words))
        terms.add(" " + " ".join([words[-1], *words[:-1]]))
    for word in words:
        terms.add(word)
        parts = [p for p in re.split(r"['’.-]+", word) if p]
        if len(parts) > 1:
            terms.update(["".join(parts), *parts])
        if _CJK.search(word) and len(word) <= 6:
            terms.update(word[i:] for i in range(1, len(word)))
    for kind, value in contacts:
        if kind == "email":
            terms.add(_fold(value).replace(" ", ""))
        elif kind == "phone":
            terms.update(_phone(value, country))
    return {t[:256] for t in terms if t}


def _batches(conn: sa.Connection, size: int = 5000) -> Iterator[list[tuple[str, str]]]:
    last = ""
    while True:
        rows = conn.execute(
            sa.text("SELECT id, name FROM customers WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": size},
        ).all()
        if not rows:
            return
        yield [(r[0], r[1] or "") for r in rows]
        last = rows[-1][0]


def _backfill_terms() -> None:
    conn = op.get_bind()
    country = os.environ.get("KCRM_PHONE_COUNTRY_CODE", "44")
    table = sa.table("customer_terms", sa.column("term"), sa.column("customer_id"))
    for batch in _batches(conn):
        ids = [cid for cid, _ in batch]
        contacts: dict[str, list[tuple[str, str]]] = {}
        rows = conn.execute(
            sa.text(
                "SELECT customer_id, kind, value FROM contacts WHERE customer_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        ).all()
        for cid, kind, value in rows:
            contacts.setdefault(cid, []).append((kind, value))
        values = [
            {"term": t, "customer_id": cid}
            for cid, name in batch
            for t in _terms(cid, name, contacts.get(cid, []), country)
        ]
        if values:
            conn.execute(sa.insert(table), values)
