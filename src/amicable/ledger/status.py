"""The status the ledger gives an account by itself. Pure: no Django.

current, overdue and resolved follow from the journal and the schedule. A person or a later process
sets the others; of those, an arrangement or a hold ends in `resolved` once nothing is owed, while a
dispute and a write-off stay as they are until someone decides (a paid dispute may still be upheld).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .balance import oldest_unpaid_due

CURRENT, OVERDUE, RESOLVED = "current", "overdue", "resolved"
AUTOMATIC = frozenset({CURRENT, OVERDUE, RESOLVED})
RESOLVED_WHEN_PAID = frozenset({"in_arrangement", "on_hold"})


def derive_status(
    current: str, balance: Decimal, schedule: Iterable[tuple[date, Decimal]], today: date
) -> str:
    """current, overdue or resolved from what is owed and when; statuses people set are kept."""
    if current in RESOLVED_WHEN_PAID and balance <= 0:
        return RESOLVED
    if current not in AUTOMATIC:
        return current
    if balance <= 0:
        return RESOLVED
    oldest_unpaid = oldest_unpaid_due(schedule, balance)
    if oldest_unpaid is not None and oldest_unpaid < today:
        return OVERDUE
    return CURRENT
