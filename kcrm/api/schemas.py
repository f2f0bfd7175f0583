"""Request and response bodies of the HTTP API (separate from the ORM classes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kcrm.core.bounds import MAX_AMOUNT, MAX_QUANTITY, BoundTime, EventTime, refuse_unstorable
from kcrm.knowledge.records import KnowledgeRecord

MAX_QUERY_CHARS = 1000
# A category or tag named in a filter: as long as a stored one may be.
Category = Annotated[str, StringConstraints(max_length=128)]
TagLabel = Annotated[str, StringConstraints(max_length=256)]


class Strict(BaseModel):
    # Unknown fields are refused with a 422 naming them: a typo must not pass silently;
    # so are NaN and infinity, which no answer could carry back as JSON.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold NUL: a 422 naming the field, not a 500 from the database.
        return refuse_unstorable(data)


class Filters(Strict):
    """Search restrictions; every given one must hold."""

    kind: list[Literal["faq", "article", "case", "interaction"]] = Field(
        default_factory=list, max_length=4
    )
    category: list[Category] = Field(default_factory=list, max_length=50)
    tags: list[TagLabel] = Field(default_factory=list, max_length=50)
    language: str | None = Field(default=None, max_length=8)
    product_id: str | None = Field(default=None, max_length=128)
    created_after: BoundTime | None = None
    created_before: BoundTime | None = None


# A help-page visit: a random id the page makes, tying its searches, views and contact.
SESSION = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]{8,64}$")


class SearchRequest(Strict):
    """POST /v1/search."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(default=10, ge=1, le=100)
    filters: Filters = Field(default_factory=Filters)
    facets: list[Literal["category", "kind", "language"]] = Field(
        default_factory=list, max_length=3
    )
    # The language facet and category labels are given in (default: the filter's language,
    # else the query's).
    locale: str | None = Field(default=None, max_length=8, pattern=r"^[A-Za-z]{2,3}(-\w+)?$")
    session: str | None = SESSION


class SearchResult(BaseModel):
    """One record in the results."""

    id: str
    kind: str
    title: str
    snippet: str  # plain text, no Markdown
    score: float
    category: str | None
    category_label: str | None = None  # the category's name in the locale
    language: str
    weak: bool = False  # below the relevance threshold: shown, if at all, as "related"
    # [start, end) code-point offsets of the query's words in `title` and `snippet`.
    highlights: dict[str, list[list[int]]] = Field(default_factory=dict)


class FacetValue(BaseModel):
    value: str
    count: int  # matching records with this value
    label: str  # the value's name in the locale


class SearchResponse(BaseModel):
    query_id: str
    no_match: bool  # nothing relevant enough to show
    language: str  # the query's detected language
    did_you_mean: str | None = None  # the corrected query the search ran with
    results: list[SearchResult]
    facets: dict[str, list[FacetValue]] | None = None


class ContactRequest(Strict):
    """POST /v1/help/contact: a customer asks for a person when no answer helped."""

    query: str = Field(default="", max_length=MAX_QUERY_CHARS)
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    message: str = Field(min_length=1, max_length=5000)
    query_id: str | None = Field(default=None, max_length=64)
    session: str | None = SESSION


class ContactResponse(BaseModel):
    case_id: str


class SuggestRequest(Strict):
    """POST /v1/agent/suggest: a case's text and what is known about it."""

    text: str = Field(min_length=1, max_length=5000)
    customer_id: str | None = Field(default=None, max_length=128)
    product_id: str | None = Field(default=None, max_length=128)
    k: int = Field(default=5, ge=1, le=20)


class DraftRequest(Strict):
    """POST /v1/agent/draft: what to reply to (a text or a case) and, optionally, with what."""

    text: str | None = Field(default=None, min_length=1, max_length=5000)
    case_id: str | None = Field(default=None, min_length=1, max_length=256)
    customer_id: str | None = Field(default=None, max_length=128)
    category: str | None = Field(default=None, min_length=1, max_length=128)
    article_id: str | None = Field(default=None, min_length=1, max_length=256)


class FeedbackRequest(Strict):
    """POST /v1/feedback: a verdict on one result of one query."""

    query_id: str = Field(min_length=1, max_length=64)
    item_id: str = Field(min_length=1, max_length=256)
    helpful: bool | None = None
    used: bool | None = None


class FeedbackResponse(BaseModel):
    id: int
    query_id: str
    item_id: str


class DocumentsRequest(Strict):
    """POST /v1/documents: one record or several."""

    records: list[KnowledgeRecord] = Field(min_length=1, max_length=1000)


class IngestResponse(BaseModel):
    added: int
    updated: int
    unchanged: int
    deleted: int
    rejected: int
    rejections: list[dict[str, Any]]


class DocumentPublic(BaseModel):
    """A record as a caller may see it."""

    id: str
    kind: str
    title: str
    body: str
    language: str
    category: str | None
    tags: list[str]
    visibility: str
    status: str
    version: int
    updated_at: datetime
    resolution: str | None = None
    article_id: str | None = None


class PurchaseLine(Strict):
    """One order line for POST /v1/purchases."""

    customer_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(min_length=1, max_length=128)
    purchased_at: EventTime
    order_id: str | None = Field(default=None, max_length=128)
    quantity: float = Field(default=1.0, gt=0, le=MAX_QUANTITY)
    unit_price: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    channel: str | None = Field(default=None, max_length=32)


class PurchasesRequest(Strict):
    purchases: list[PurchaseLine] = Field(min_length=1, max_length=10000)
    create_missing: bool = False
