"""Response bodies of the customer routes: the list, the 360° view, a merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from kcrm.api.crm_schemas import ContactOut, CustomerSummary, Page


class CustomerListItem(BaseModel):
    """A customer as a search lists it (email and phone null for marketing keys)."""

    id: str
    name: str
    email: str | None
    phone: str | None
    country: str | None
    city: str | None
    segment: str | None
    consent_email: bool
    consent_phone: bool
    consent_marketing: bool


class CustomerList(Page):
    items: list[CustomerListItem]


class MovedCounts(BaseModel):
    """What a merge moved from the duplicate to the customer kept."""

    contacts: int
    cases: int
    interactions: int
    purchases: int
    api_keys: int
    queries: int
    knowledge_records: int


class MergeResult(BaseModel):
    """POST /v1/customers/{id}/merge."""

    customer: CustomerSummary
    merged_id: str
    moved: MovedCounts


class Profile(BaseModel):
    name: str
    country: str | None
    city: str | None
    segment: str | None
    joined_at: datetime | None
    attributes: dict[str, Any] = Field(description="custom attributes")
    consent_email: bool
    consent_phone: bool
    consent_marketing: bool
    merged_ids: list[str] = Field(description="duplicates merged into this customer")


class Totals(BaseModel):
    """How many there are in all (the lists hold the newest only)."""

    cases: int
    open_cases: int
    interactions: int
    purchases: int
    products: int


class OwnedProduct(BaseModel):
    product_id: str
    name: str
    category: str | None
    orders: int
    quantity: float
    first_purchased_at: datetime | None
    last_purchased_at: datetime | None


class RecentPurchase(BaseModel):
    order_id: str
    product_id: str
    name: str
    quantity: float
    unit_price: float | None
    purchased_at: datetime | None
    channel: str | None


class CaseBrief(BaseModel):
    id: str
    subject: str
    status: str
    priority: str
    assignee: str | None
    due_at: datetime | None
    product_id: str | None
    resolution_category: str | None
    opened_at: datetime | None
    closed_at: datetime | None
    channel: str | None


class InteractionBrief(BaseModel):
    id: str
    channel: str
    direction: str
    case_id: str | None
    occurred_at: datetime | None
    agent: str | None
    text: str = Field(description="the first 280 characters")


class CustomerValue(BaseModel):
    """RFM scores (1-5) against the whole customer base, segment and value tier."""

    recency_days: float
    orders: int
    monetary: float = Field(description="spend, or order lines where no price is known")
    r: int
    f: int
    m: int
    rfm: str
    segment: str
    value_tier: str
    last_purchased_at: datetime = Field(description="the customer's newest purchase")
    as_of: datetime = Field(description="the newest purchase in the data: recency counts from it")


class CustomerView(BaseModel):
    """GET /v1/customers/{id}: the 360° view, lists newest first.

    A section the key's role may not see is absent: marketing keys get `customer_id`,
    `profile`, `value`, `products_owned`, `recent_purchases` and `open_cases` only.
    """

    customer_id: str
    profile: Profile | None = None
    totals: Totals | None = None
    contacts: list[ContactOut] | None = None
    products_owned: list[OwnedProduct] | None = None
    recent_purchases: list[RecentPurchase] | None = None
    cases: list[CaseBrief] | None = None
    open_cases: int | None = None
    interactions: list[InteractionBrief] | None = None
    value: CustomerValue | None = Field(default=None, description="null without purchases")
