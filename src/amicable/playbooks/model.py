"""What a playbook is: a segment of accounts it covers and the steps it takes for them. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CHANNELS = ("email", "sms", "letter", "call")
CUSTOMER_KINDS = ("person", "business")
SCHEDULE_TYPES = ("single", "instalments")
# Events a step may answer instead of a day relative to a due date. `in_days` goes with the two
# "due" events: a reminder N days before a promise or an instalment.
EVENTS = (
    "payment_received",
    "account_resolved",
    "promise_made",
    "promise_due",
    "promise_broken",
    "instalment_due",
    "instalment_missed",
)
EVENTS_WITH_DAYS = ("promise_due", "instalment_due")
# Why a due step is not taken after all.
STOP_CONDITIONS = ("instalment_paid", "account_resolved", "promise_active", "plan_active", "disputed")
PURPOSES = ("collection", "after_care", "marketing")


@dataclass(frozen=True, slots=True)
class Range:
    low: Decimal | int | None = None
    high: Decimal | int | None = None

    def __contains__(self, value) -> bool:
        """Both ends included (the planner applies the same bounds as Polars expressions)."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True, slots=True)
class Segment:
    """Which accounts a playbook covers; an empty field covers everything."""

    creditors: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()  # a country (US) covers its regions (US-MA)
    customer_kinds: tuple[str, ...] = ()
    balance: Range = Range()
    days_past_due: Range = Range()
    schedule_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # a language (en) covers its variants (en-GB)


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    weight: int


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    channels: tuple[str, ...]  # first choice first; the customer's own order goes first among these
    template: str
    day: int | None = None  # relative to each due date or instalment; negative: before it
    event: str | None = None
    in_days: int | None = None
    variants: tuple[Variant, ...] = ()
    stop_if: tuple[str, ...] = ()
    purpose: str = "collection"

    @property
    def trigger(self) -> str:
        if self.event is None:
            return f"day {self.day:+d}"
        return self.event + (f" in {self.in_days} days" if self.in_days is not None else "")


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    title: str
    description: str
    segment: Segment
    steps: tuple[Step, ...]
    source: str  # the file it came from
