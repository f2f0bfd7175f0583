"""The system of record: SQLAlchemy 2.0 ORM classes.

The database is the source of truth. The vector and lexical indexes are
replicas rebuilt from `chunks` (which keep their embeddings, so a rebuild never
re-embeds) and kept in step through `index_log`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no offsets, PostgreSQL does."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    country: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(128))
    segment: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the customer agreed to be contacted about; campaign exports read these.
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    # A duplicate merged into another customer stays as a pointer, so old ids still resolve.
    merged_into: Mapped[str | None] = mapped_column(String(128), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    """One way to reach a customer (email, phone, address)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(256))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


# Byte order on both databases, so that a prefix is one contiguous key range
# ("ab" <= t < "ab" + U+10FFFF) whatever the server's locale: PostgreSQL's default
# collations ignore punctuation and would scatter "o'neil" away from "oneil".
TermText = String(256).with_variant(String(256, collation="C"), "postgresql")


class CustomerTerm(Base):
    """A normalised name word, email or phone of a customer: what `find` prefix-scans."""

    __tablename__ = "customer_terms"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(TermText, primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CustomerMerge(Base):
    """A duplicate customer merged into another: who did it, when, and what moved."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(128), index=True)  # the one kept
    merged_id: Mapped[str] = mapped_column(String(128), index=True)  # the duplicate
    actor: Mapped[str] = mapped_column(String(256), default="")
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    category: Mapped[str | None] = mapped_column(String(128), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Consumables and renewals are bought again, so "already owned" must not hide them.
    repeatable: Mapped[bool] = mapped_column(Boolean, default=False)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Purchase(Base):
    """One order line."""

    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("order_id", "product_id", name="uq_purchases_order_product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float, default=1.0)
    unit_price: Mapped[float | None] = mapped_column(Float)
    purchased_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class Document(Base):
    """A knowledge record: FAQ, article, or the knowledge projection of a case or interaction."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    visibility: Mapped[str] = mapped_column(String(16), default="internal")
    status: Mapped[str] = mapped_column(String(16), default="published", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    tags: Mapped[list[str]] = mapped_column(default=list)
    category: Mapped[str | None] = mapped_column(String(128), index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(String(256))
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    product_ids: Mapped[list[str]] = mapped_column(default=list)
    channel: Mapped[str | None] = mapped_column(String(32))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.ordinal"
    )

    @property
    def searchable(self) -> bool:
        """Only published records are in the indexes."""
        return self.status == "published"


class Chunk(Base):
    """A piece of a document as indexed; its integer id is the id in both indexes."""

    __tablename__ = "chunks"
    # AUTOINCREMENT on SQLite so a deleted chunk's id is never handed out again:
    # a stale index entry must never point at a different chunk.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text, default="")
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(256))

    document: Mapped[Document] = relationship(back_populates="chunks")


class IndexLog(Base):
    """Append-only log of index changes; index replicas replay it from their last seq."""

    __tablename__ = "index_log"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chunk_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(1))  # "a" add, "r" remove
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    """A customer case as the CRM works it; closed cases with a resolution become knowledge."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    product_id: Mapped[str | None] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolution_category: Mapped[str | None] = mapped_column(String(128), index=True)
    article_id: Mapped[str | None] = mapped_column(String(256))
    channel: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(8), default="normal", index=True)
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    queue: Mapped[str | None] = mapped_column(String(64), index=True)
    tags: Mapped[list[str]] = mapped_column(default=list)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # the SLA target
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    document_id: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    # Who wrote in, when no known customer did (the help page's contact form).
    contact_name: Mapped[str | None] = mapped_column(String(256))
    contact_email: Mapped[str | None] = mapped_column(String(320))


class Interaction(Base):
    """A call, chat, email, web or branch contact with a customer."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    case_id: Mapped[str | None] = mapped_column(String(256), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    text: Mapped[str] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    document_id: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )


class CaseEvent(Base):
    """One change to a case (opened, status, priority, assignee, queue, triage...), with who."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(256), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


Index("ix_purchases_customer_time", Purchase.customer_id, Purchase.purchased_at)
Index("ix_interactions_customer_time", Interaction.customer_id, Interaction.occurred_at)
Index("ix_interactions_case_time", Interaction.case_id, Interaction.occurred_at)


class ApiKey(Base):
    """An API key; only its SHA-256 is stored (256 random bits need no slow hash)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings and logs instead of the key
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(128))
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class QueryLog(Base):
    """Every search and suggestion asked: for analytics, feedback and the knowledge-gap report."""

    __tablename__ = "query_log"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the query_id callers see
    kind: Mapped[str] = mapped_column(String(16), index=True)  # search | suggest
    role: Mapped[str] = mapped_column(String(16), index=True)
    key_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[str | None] = mapped_column(String(128))
    query: Mapped[str] = mapped_column(Text)  # PII-redacted
    language: Mapped[str | None] = mapped_column(String(8))
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    top_score: Mapped[float | None] = mapped_column(Float)
    answerable: Mapped[bool | None] = mapped_column(Boolean)
    result_ids: Mapped[list[str]] = mapped_column(default=list)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(256))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # One visit of the help page (a random id the page makes): ties its searches,
    # article views, marks and a contact together for the deflection rate.
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)


class HelpEvent(Base):
    """Self-service events besides searches and marks: an article opened, a contact sent."""

    __tablename__ = "help_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # view | contact
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    key_id: Mapped[int | None] = mapped_column(Integer)
    query_id: Mapped[str | None] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(256), index=True)
    case_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CategoryLabel(Base):
    """A category's name as readers see it, per language (topics on the help page)."""

    __tablename__ = "category_labels"

    category: Mapped[str] = mapped_column(String(128), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    label: Mapped[str] = mapped_column(String(256))


class Feedback(Base):
    """An agent's or customer's verdict on one result of one query."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_id: Mapped[str] = mapped_column(
        ForeignKey("query_log.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(256), index=True)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    used: Mapped[bool | None] = mapped_column(Boolean)
    role: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentRevision(Base):
    """One version of a knowledge record: what it said, its status, and who changed it."""

    __tablename__ = "document_revisions"
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_revisions_doc_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key: the history outlives a deleted record.
    document_id: Mapped[str] = mapped_column(String(256), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(256), default="")
    change: Mapped[str] = mapped_column(String(32))  # created | updated | status | deleted
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateBucket(Base):
    """A token bucket of the rate limiter (per API key, or per client address for bad keys).

    Shared by every worker and server of a PostgreSQL deployment; on SQLite the same
    table lives in a file of its own in the data dir (`kcrm/api/ratelimit.py` says why).
    """

    __tablename__ = "rate_buckets"

    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)  # epoch seconds of the last update
    granted: Mapped[bool] = mapped_column(Boolean)  # whether the last request went ahead


class Campaign(Base):
    """An offer sent to a list of customers, with a random holdout that gets nothing."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256))
    # The product offered; none: each member is offered their own best product.
    product_id: Mapped[str | None] = mapped_column(String(128))
    segment: Mapped[str | None] = mapped_column(String(64))  # RFM segment the list was cut to
    tier: Mapped[str | None] = mapped_column(String(16))  # value tier the list was cut to
    size: Mapped[int | None] = mapped_column(Integer)  # at most this many members
    holdout: Mapped[float] = mapped_column(Float)  # share of members held out
    seed: Mapped[int] = mapped_column(Integer)  # of the random holdout draw
    consent_only: Mapped[bool] = mapped_column(
        Boolean, default=False
    )  # members agreed to marketing
    created_by: Mapped[str] = mapped_column(String(256), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)  # conversions count from here


class CampaignMember(Base):
    """One customer of a campaign, in the treatment or the holdout group."""

    __tablename__ = "campaign_members"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    arm: Mapped[str] = mapped_column(String(16))  # treatment | holdout
    product_id: Mapped[str] = mapped_column(String(128))  # offered, or would have been
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)  # in the campaign's list, 1 = best


class OfferOutcome(Base):
    """A customer's answer to an offer: accepted or rejected (offer fatigue counts these)."""

    __tablename__ = "offer_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    customer_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    recorded_by: Mapped[str] = mapped_column(String(256), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


Index(
    "ix_offer_outcomes_customer_product",
    OfferOutcome.customer_id,
    OfferOutcome.product_id,
    OfferOutcome.outcome,
)
Index("ix_campaign_members_campaign_arm", CampaignMember.campaign_id, CampaignMember.arm)
