"""Whether plans and promises are being kept, judged against the payments made (pure).

Payments count towards a plan's instalments oldest first, from the day the plan was accepted. An
instalment is paid when the payments reach it by its due date, late when they reach it afterwards,
and missed when they have not reached it once the creditor's grace period is over. One missed
instalment breaks the plan; the plan is completed when its total is paid. A promise is kept as soon
as the payments since it was made reach its amount, and broken when they have not by its date plus
the grace period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

UPCOMING, OVERDUE, PAID, LATE, MISSED = "upcoming", "overdue", "paid", "late", "missed"
SETTLED = (PAID, LATE)
ACTIVE, COMPLETED, BROKEN = "active", "completed", "broken"
OPEN, KEPT = "open", "kept"

Payment = tuple[date, Decimal]


@dataclass(frozen=True, slots=True)
class InstalmentState:
    number: int  # 1-based
    due_on: date
    amount: Decimal
    paid: Decimal  # what the payments so far put towards it
    status: str  # upcoming, overdue (inside the grace period), paid, late, missed
    settled_on: date | None  # the day the payments reached it in full


@dataclass(frozen=True, slots=True)
class PlanState:
    status: str  # active, completed, broken
    instalments: tuple[InstalmentState, ...]
    paid: Decimal
    first_missed: InstalmentState | None = None

    @property
    def ended_on(self) -> date | None:
        if self.status == BROKEN and self.first_missed is not None:
            return self.first_missed.due_on
        if self.status == COMPLETED:
            return max((i.settled_on for i in self.instalments if i.settled_on), default=None)
        return None


def _reached(payments: Sequence[Payment], target: Decimal) -> date | None:
    """The first day the running total of `payments` (sorted by date) reaches `target`."""
    running = Decimal(0)
    for day, amount in payments:
        running += amount
        if running >= target:
            return day
    return None


def plan_state(
    schedule: Sequence[tuple[date, Decimal]],
    payments: Iterable[Payment],
    *,
    accepted_on: date,
    today: date,
    grace_days: int,
) -> PlanState:
    """Each instalment's state, and the plan's, as of `today` (payments after today are ignored)."""
    counted = sorted((day, amount) for day, amount in payments if accepted_on <= day <= today)
    total_paid = sum((amount for _, amount in counted), Decimal(0))
    grace = timedelta(days=grace_days)
    states, cumulative, first_missed = [], Decimal(0), None
    for number, (due_on, amount) in enumerate(sorted(schedule), start=1):
        before = cumulative
        cumulative += amount
        settled_on = _reached(counted, cumulative)
        paid = min(amount, max(Decimal(0), total_paid - before))
        if settled_on is not None:
            status = PAID if settled_on <= due_on else LATE
        elif today > due_on + grace:
            status = MISSED
        elif today > due_on:
            status = OVERDUE
        else:
            status = UPCOMING
        state = InstalmentState(number, due_on, amount, paid, status, settled_on)
        if status == MISSED and first_missed is None:
            first_missed = state
        states.append(state)
    if states and all(s.status in SETTLED for s in states):
        plan = COMPLETED
    elif first_missed is not None:
        plan = BROKEN
    else:
        plan = ACTIVE
    return PlanState(plan, tuple(states), total_paid, first_missed)


def promise_state(
    amount: Decimal,
    due_on: date,
    payments: Iterable[Payment],
    *,
    made_on: date,
    today: date,
    grace_days: int,
) -> tuple[str, date | None]:
    """(open, kept or broken, the day it was decided). Payments from the day it was made count."""
    counted = sorted((day, paid) for day, paid in payments if made_on <= day <= today)
    kept_on = _reached(counted, amount)
    if kept_on is not None:
        return KEPT, kept_on
    if today > due_on + timedelta(days=grace_days):
        return BROKEN, today  # decided today: the day the account's playbook resumes
    return OPEN, None
