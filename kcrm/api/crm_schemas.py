"""Request and response bodies of the help-desk routes: customers, cases, interactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from kcrm.api.schemas import Strict
from kcrm.knowledge.records import CaseStatus, Channel, Priority

ID_PATTERN = r"^[^\s/\\]+$"
Tag = Annotated[str, Field(min_length=1, max_length=64)]


class ContactBody(Strict):
    """One email or phone of a customer; `primary` is the one used first for its kind."""

    kind: Literal["email", "phone"]
    value: str = Field(min_length=3, max_length=256)
    primary: bool = False


# JSON has no NaN or infinity (PostgreSQL refuses them); text values are bounded like fields.
AttributeValue = (
    Annotated[str, Field(max_length=2000)]
    | Annotated[int, Field(ge=-(2**63), lt=2**63)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def plausible_date(value: datetime | None) -> datetime | None:
    """A customer's date between 1900 and a day from now (read as UTC without an offset)."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        ok = EARLIEST <= aware <= datetime.now(UTC) + timedelta(days=1)
    except OverflowError:
        ok = False
    if not ok:
        raise ValueError("must be between 1900 and today")
    return aware


class CustomerFieldsBody(Strict):
    """Fields a create or an edit may give."""

    email: str | None = Field(default=None, max_length=256, description="the primary email")
    phone: str | None = Field(default=None, max_length=64, description="the primary phone")
    contacts: list[ContactBody] | None = Field(
        default=None,
        max_length=20,
        description="replaces the contacts of the kinds it holds; [] removes every contact",
    )
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=128)
    segment: str | None = Field(default=None, max_length=64)
    joined_at: datetime | None = None
    consent_email: bool | None = None
    consent_phone: bool | None = None
    consent_marketing: bool | None = None
    attributes: dict[Annotated[str, Field(min_length=1, max_length=100)], AttributeValue] | None = (
        Field(default=None, max_length=50, description="custom attributes; null removes a key")
    )

    _dates = field_validator("joined_at")(plausible_date)


class CustomerCreate(CustomerFieldsBody):
    """POST /v1/customers: a new customer; the id is generated when not given."""

    id: str | None = Field(default=None, min_length=1, max_length=128, pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)


class CustomerUpdate(CustomerFieldsBody):
    """PATCH /v1/customers/{id}: change what is given."""

    name: str | None = Field(default=None, min_length=1, max_length=256)


class MergeRequest(Strict):
    """POST /v1/customers/{id}/merge: merge this duplicate into the customer of the path."""

    duplicate_id: str = Field(min_length=1, max_length=128)


class ContactOut(BaseModel):
    """One email or phone of a customer."""

    kind: str
    value: str
    primary: bool


class CustomerSummary(BaseModel):
    """A customer's profile and contacts."""

    id: str
    name: str
    email: str | None
    phone: str | None
    country: str | None
    city: str | None
    segment: str | None
    joined_at: datetime | None = None
    consent_email: bool
    consent_phone: bool
    consent_marketing: bool
    attributes: dict[str, Any] = Field(default_factory=dict, description="custom attributes")
    contacts: list[ContactOut] = Field(default_factory=list)
    merged_into: str | None = None


class CustomerPublic(CustomerSummary):
    """A customer just created or edited."""

    possible_duplicates: list[str] | None = Field(
        default=None, description="other customers with the same email or phone (on create)"
    )


class CaseCreate(Strict):
    """POST /v1/cases: open a case for a known customer."""

    id: str | None = Field(default=None, min_length=1, max_length=128, pattern=ID_PATTERN)
    customer_id: str = Field(min_length=1, max_length=128)
    product_id: str | None = Field(default=None, max_length=128)
    subject: str = Field(default="", max_length=500)
    description: str = Field(min_length=1, max_length=20000)
    channel: Channel | None = None
    priority: Priority | None = Field(default=None, description="default: triage's proposal")
    queue: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=128, description='"me": the caller')
    agent: str | None = Field(default=None, max_length=128, description="old name of assignee")
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class UsedSuggestion(Strict):
    """The suggestion an agent used on the case (shown on its timeline)."""

    query_id: str | None = Field(default=None, max_length=64)
    item_id: str | None = Field(default=None, max_length=256)
    category: str | None = Field(default=None, max_length=128)
    article_id: str | None = Field(default=None, max_length=256)
    confidence: float | None = Field(default=None, ge=0, le=1)


class CaseUpdate(Strict):
    """PATCH /v1/cases/{id}: change fields, move the status, resolve with a resolution."""

    status: CaseStatus | None = None
    priority: Priority | None = None
    customer_id: str | None = Field(
        default=None, min_length=1, max_length=128, description="link the case to a customer"
    )
    assignee: str | None = Field(default=None, max_length=128, description='"" unassigns')
    agent: str | None = Field(default=None, max_length=128, description="old name of assignee")
    queue: str | None = Field(default=None, max_length=64, description='"" clears')
    tags: list[Tag] | None = Field(default=None, max_length=20)
    subject: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=20000)
    resolution: str | None = Field(default=None, max_length=20000)
    resolution_category: str | None = Field(default=None, max_length=128)
    article_id: str | None = Field(default=None, max_length=256)
    product_id: str | None = Field(default=None, max_length=128)
    sent_via: Channel | None = Field(
        default=None, description="the resolution was sent to the customer on this channel"
    )
    used_suggestion: UsedSuggestion | None = None
    note: str | None = Field(
        default=None, max_length=20000, description="an internal note for the timeline"
    )


class CasePublic(BaseModel):
    """A case as lists show it."""

    id: str
    customer_id: str | None
    contact_name: str | None = Field(default=None, description="who wrote, for help-page cases")
    contact_email: str | None = None
    product_id: str | None
    subject: str
    description: str
    status: str
    moves: list[str] = Field(description="the statuses the case may move to next")
    priority: str
    assignee: str | None
    agent: str | None
    queue: str | None
    tags: list[str]
    channel: str | None
    resolution: str | None
    resolution_category: str | None
    article_id: str | None
    opened_at: datetime
    due_at: datetime | None
    overdue: bool
    first_response_at: datetime | None
    first_response_seconds: float | None
    resolved_at: datetime | None
    resolution_seconds: float | None
    closed_at: datetime | None
    reopened: int
    updated_at: datetime | None
    in_knowledge_base: bool


class CaseDetail(CasePublic):
    """One case with its timeline, oldest entry first (and the triage when just opened)."""

    timeline: list[dict[str, Any]] = Field(default_factory=list)
    timeline_total: int = 0
    triage: dict[str, Any] | None = None


class Page(BaseModel):
    """A page of a list: `next` is the offset of the next page, null on the last."""

    total: int
    limit: int
    offset: int
    next: int | None


class CaseList(Page):
    items: list[CasePublic]


class InteractionCreate(Strict):
    """POST /v1/interactions: a call, email, chat, visit or social message, logged."""

    customer_id: str = Field(min_length=1, max_length=128)
    case_id: str | None = Field(default=None, max_length=256)
    channel: Channel
    direction: Literal["inbound", "outbound"]
    body: str = Field(min_length=1, max_length=20000)
    occurred_at: datetime | None = None


class InteractionPublic(BaseModel):
    id: str
    customer_id: str | None
    case_id: str | None
    channel: str
    direction: str
    body: str
    agent: str | None
    occurred_at: datetime


class InteractionList(Page):
    items: list[InteractionPublic]
