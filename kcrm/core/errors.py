"""Domain errors callers can act on; the API maps each to one problem+json status."""

from __future__ import annotations


class NotFound(LookupError):
    """The thing asked for does not exist (or is not the caller's to see): 404."""


class Conflict(ValueError):
    """The request contradicts what is stored (an id already taken, say): 409."""
