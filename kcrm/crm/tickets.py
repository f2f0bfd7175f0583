"""The rules of a case as a ticket: statuses and their moves, priorities and SLA targets.

    open ──→ pending ──→ resolved ──→ closed
      │  ↖──────┘ ↘         │ ↑          │
      └──────────────→──────┘ └──────────┤   (open → closed in one step: "close with this")
      ↖──────────── reopen ──────────────┘   (resolved or closed → open)

`due_at` is the resolution target: opening time plus `KCRM_SLA_HOURS[priority]`
(defaults in `core.config.DEFAULT_SLA_HOURS`); changing the priority moves it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kcrm.core.errors import Conflict

# The vocabularies are the knowledge records' (what imports and the API accept too).
from kcrm.knowledge.records import CASE_STATUSES
from kcrm.knowledge.records import CHANNELS as CHANNELS
from kcrm.knowledge.records import PRIORITIES as PRIORITIES

STATUSES = CASE_STATUSES

ACTIVE = ("open", "pending")  # statuses an agent still has to work on (SLA clock running)
DONE = ("resolved", "closed")
DIRECTIONS = ("inbound", "outbound")

# Which moves an agent may make; anything else is refused naming the allowed ones.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("pending", "resolved", "closed"),
    "pending": ("open", "resolved", "closed"),
    "resolved": ("open", "closed"),
    "closed": ("open",),
}


def check_choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """ValueError naming the field and the allowed values when `value` is not one of them."""
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def check_move(current: str, wanted: str) -> None:
    """Conflict (409) when a case in `current` may not move to `wanted`."""
    check_choice("status", wanted, STATUSES)
    if wanted != current and wanted not in TRANSITIONS[current]:
        raise Conflict(
            f"a {current} case can move to {' or '.join(TRANSITIONS[current])}, not to {wanted}"
        )


def due_at(opened_at: datetime, priority: str, sla_hours: dict[str, float]) -> datetime:
    """The resolution target of a case of `priority` opened at `opened_at`."""
    return opened_at + timedelta(hours=sla_hours[priority])


@dataclass
class Triage:
    """What kcrm predicts about a new case; the agent may override `priority`.

    Built by `kcrm.assist.triage` and handed to `cases.open_case` (crm does not import assist).
    """

    priority: str  # the proposed priority
    urgency: float  # 0 (can wait) .. 1 (act now)
    sentiment: float  # -1 (angry, distressed) .. 1 (pleased)
    language: str
    category: str | None = None  # the suggestion model's top resolution category
    confidence: float | None = None  # its calibrated confidence
    signals: list[str] = field(default_factory=list)  # the words and rules that fired

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
