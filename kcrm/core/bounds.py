"""The edges of what kcrm accepts: dates, amounts and text a database can store.

Every way in (HTTP bodies and query parameters, knowledge files, CRM CSVs) checks
values against these, so a bad value is a 422 or a rejected row naming the field,
never a database error that takes a batch (or the server's answer) down with it.
docs/formats.md and docs/api.md list the bounds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator

# Nothing a bank records happened before 1900; a year 1 typed for "unknown" is a mistake.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# Events (purchases, cases, records) may be dated ahead a little (time zones, scheduled
# orders), not by more than a year.
FUTURE_SLACK = timedelta(days=366)
# A date a query filters on may be far ahead (a "before" bound), but not beyond this.
LATEST_BOUND = datetime(2200, 1, 1, tzinfo=UTC)
# Prices and costs: finite, not negative, at most this (in any currency's units).
MAX_AMOUNT = 1e12
MAX_QUANTITY = 1e6
_SURROGATE = re.compile("[\ud800-\udfff]")


def utc(value: datetime) -> datetime:
    """`value` in UTC; a date without a time zone is read as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def latest_event() -> datetime:
    """The latest moment an event may be dated (now plus `FUTURE_SLACK`)."""
    return datetime.now(UTC) + FUTURE_SLACK


def in_event_range(value: datetime) -> bool:
    """Whether `value` is a plausible date for something that happened."""
    return EARLIEST <= utc(value) <= latest_event()


def check_event(value: datetime) -> datetime:
    """An event's date (a purchase, a record's creation): UTC, 1900 to a year ahead."""
    value = utc(value)
    if value < EARLIEST:
        raise ValueError(f"{value.date().isoformat()} is before {EARLIEST.date().isoformat()}")
    if value > latest_event():
        raise ValueError(f"{value.date().isoformat()} is more than a year in the future")
    return value


def check_bound(value: datetime) -> datetime:
    """A date a query compares with (a filter's from or to): UTC, 1900 to 2199."""
    value = utc(value)
    if not EARLIEST <= value < LATEST_BOUND:
        raise ValueError(
            f"{value.date().isoformat()} is outside {EARLIEST.year}-{LATEST_BOUND.year - 1}"
        )
    return value


# Pydantic field types: `EventTime` for dates of things that happened, `BoundTime` for
# dates a query filters on. Both read a date without a time zone as UTC.
EventTime = Annotated[datetime, AfterValidator(check_event)]
BoundTime = Annotated[datetime, AfterValidator(check_bound)]


def unstorable_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """(dotted path, reason) of the first string in `value` no database can store.

    PostgreSQL text cannot hold NUL characters, and neither can any database hold
    lone surrogates (what undecodable bytes become when a file is read leniently, so
    that one bad row does not lose the others): neither is UTF-8.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return path, "NUL characters (\\x00) are not allowed"
        if _SURROGATE.search(value):
            return path, "not valid UTF-8 (undecodable bytes or a lone surrogate)"
        return None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}".strip(".")
        if isinstance(key, str):
            found = unstorable_text(key, where)
            if found is not None:
                return found
        found = unstorable_text(item, where)
        if found is not None:
            return found
    return None


def refuse_unstorable(data: Any) -> Any:
    """A `model_validator(mode="before")` body: refuse text no database can store."""
    found = unstorable_text(data)
    if found is not None:
        path, reason = found
        raise ValueError(f"{path or 'record'}: {reason}")
    return data
