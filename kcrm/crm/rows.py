"""CRM rows as CSV files carry them: each column checked against where it is stored.

Lengths are the columns' (kcrm/core/tables.py; tests/crm/test_rejections.py checks
they agree), dates and amounts are bounded (kcrm/core/bounds.py), and text no
database can store is refused: a bad row is a rejection, never a failed batch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from kcrm.core.bounds import MAX_AMOUNT, MAX_QUANTITY, EventTime, refuse_unstorable
from kcrm.crm.profiles import check_contact

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y")


def parse_when(value: Any) -> Any:
    """ISO 8601 timestamps and plain dates (YYYY-MM-DD or DD-MM-YYYY) as aware UTC."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a date or ISO 8601 timestamp: {text!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return value or []


# Text as long as the column it goes to (kcrm/core/tables.py; tests check they agree).
ContactValue = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Alias = Annotated[str, StringConstraints(min_length=1, max_length=256)]
ProductId = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class _Row(BaseModel):
    """What every CRM row refuses: NaN and infinity, text no database can store."""

    model_config = ConfigDict(str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        return refuse_unstorable(data)


# Other column names exports use for contacts; their values join `email` or `phone`.
CONTACT_COLUMNS = {
    "email": ("email", "emails", "email_address", "secondary_email"),
    "phone": ("phone", "phones", "mobile", "telephone", "tel", "work_phone", "home_phone"),
}


class CustomerRow(_Row):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(default="", max_length=256)
    # Several per cell separated by `;`, the first is the primary; a column left out of the
    # file leaves the customer's contacts of that kind as they are.
    email: list[ContactValue] = Field(default_factory=list, max_length=20)
    phone: list[ContactValue] = Field(default_factory=list, max_length=20)
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=128)
    segment: str | None = Field(default=None, max_length=64)
    joined_at: EventTime | None = None
    consent_email: bool | None = None
    consent_phone: bool | None = None
    consent_marketing: bool | None = None

    _lists = field_validator("email", "phone", mode="before")(_split)
    _when = field_validator("joined_at", mode="before")(parse_when)

    @model_validator(mode="before")
    @classmethod
    def _contact_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for kind, columns in CONTACT_COLUMNS.items():
            values: list[str] = []
            present = False
            for column in columns:
                if column in data:
                    present = True
                    values.extend(_split(data.pop(column)))
            if present:
                data[kind] = list(dict.fromkeys(values))
        return data

    @field_validator("email")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        return [check_contact("email", v, "0") for v in values]

    @field_validator("phone")
    @classmethod
    def _phones(cls, values: list[str]) -> list[str]:
        return [check_contact("phone", v, "0") for v in values]


class ProductRow(_Row):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=256)
    category: str | None = Field(default=None, max_length=128)
    description: str = Field(default="", max_length=100_000)
    price: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    active: bool = True
    repeatable: bool = False
    aliases: list[Alias] = Field(default_factory=list, max_length=100)
    # Product rules (ids of other products): kept in `attributes` under these names, where
    # the recommender's business rules read them (kcrm/recommend/rules.py).
    replaces: list[ProductId] = Field(default_factory=list, max_length=100)
    conflicts_with: list[ProductId] = Field(default_factory=list, max_length=100)
    upgrade_of: list[ProductId] = Field(default_factory=list, max_length=100)

    _lists = field_validator("aliases", "replaces", "conflicts_with", "upgrade_of", mode="before")(
        _split
    )

    @model_validator(mode="after")
    def _not_itself(self) -> ProductRow:
        for link in ("replaces", "conflicts_with", "upgrade_of"):
            if self.id in getattr(self, link):
                raise ValueError(f"{link} names the product itself ({self.id!r})")
        return self


class PurchaseRow(_Row):
    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(min_length=1, max_length=128)
    purchased_at: EventTime
    # No order id: one basket per customer and day, named `customer@date` (128 at most).
    order_id: str | None = Field(default=None, max_length=128)
    quantity: float = Field(default=1.0, gt=0, le=MAX_QUANTITY)
    unit_price: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    channel: str | None = Field(default=None, max_length=32)

    _when = field_validator("purchased_at", mode="before")(parse_when)


# Column names other exports use for the same thing (e.g. the groceries data set).
ALIASES = {
    "member_number": "customer_id",
    "customer": "customer_id",
    "itemdescription": "product_id",
    "product": "product_id",
    "date": "purchased_at",
    "timestamp": "purchased_at",
    "order": "order_id",
    "qty": "quantity",
    "price": "unit_price",
}
