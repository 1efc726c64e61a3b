"""UK business-to-business late payment: fixed compensation and statutory interest.

UK-LATE-PAYMENT (Late Payment of Commercial Debts (Interest) Act 1998, s.5A; SI 2002/1675):
- fixed compensation per invoice: under GBP 1,000: 40; 1,000 to under 10,000: 70; 10,000 or more: 100;
- statutory interest: 8% a year over the reference rate, simple, daily. The reference rate is the Bank
  of England Bank Rate in force on 31 December (for interest starting to run January to June) or on
  30 June (July to December), and stays fixed for the debt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib.resources import files

from amicable.ledger.money import Money

STATUTORY_MARGIN = Decimal("8")
COMPENSATION_BANDS = ((Decimal("1000"), Decimal("40")), (Decimal("10000"), Decimal("70")))
TOP_COMPENSATION = Decimal("100")


class LatePaymentError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BankRates:
    changes: tuple[tuple[date, Decimal], ...]  # (effective date, percent), oldest first
    known_until: date

    def on(self, day: date) -> Decimal:
        if day > self.known_until:
            raise LatePaymentError(
                f"the Bank Rate on {day} is not in the shipped history (known to {self.known_until}); "
                "add the Bank of England's later decisions to compliance/data/boe_bank_rate.csv"
            )
        rate = None
        for effective, percent in self.changes:
            if effective <= day:
                rate = percent
        if rate is None:
            raise LatePaymentError(f"the shipped Bank Rate history starts after {day}")
        return rate


@cache
def bank_rates() -> BankRates:
    text = files("amicable.compliance").joinpath("data", "boe_bank_rate.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    known_until = date.fromisoformat(lines[0].split(",")[1])
    rows = list(csv.DictReader(lines[1:]))
    changes = tuple((date.fromisoformat(r["effective"]), Decimal(r["rate_percent"])) for r in rows)
    return BankRates(changes, known_until)


def fixed_compensation(amount: Money) -> Money:
    """The fixed sum per invoice (worked example 7: 850 -> 40, 5,000 -> 70, 12,000 -> 100)."""
    if amount.currency != "GBP":
        raise LatePaymentError(f"the statutory compensation bands are in GBP, not {amount.currency}")
    if amount.amount <= 0:
        raise LatePaymentError("the invoice amount must be more than zero")
    for upper, compensation in COMPENSATION_BANDS:
        if amount.amount < upper:
            return Money(compensation, "GBP")
    return Money(TOP_COMPENSATION, "GBP")


def reference_date(interest_starts: date) -> date:
    """31 December before a January-June start; 30 June before a July-December start."""
    if interest_starts.month <= 6:
        return date(interest_starts.year - 1, 12, 31)
    return date(interest_starts.year, 6, 30)


@dataclass(frozen=True, slots=True)
class StatutoryInterest:
    starts: date  # the day after the due date
    until: date
    days: int
    reference_rate: Decimal  # percent
    annual_rate: Decimal  # percent: reference + 8
    daily: Money
    total: Money


def statutory_interest(amount: Money, due: date, paid: date) -> StatutoryInterest:
    """Simple interest from the day after `due` up to and including `paid`."""
    if amount.currency != "GBP":
        raise LatePaymentError(
            f"statutory interest under the 1998 Act is on GBP debts, not {amount.currency}"
        )
    starts = due + timedelta(days=1)
    days = (paid - due).days
    if days <= 0:
        raise LatePaymentError(f"paid on {paid}, not after the due date {due}: no interest")
    reference = bank_rates().on(reference_date(starts))
    annual = reference + STATUTORY_MARGIN
    daily = amount.amount * annual / Decimal(100) / Decimal(365)
    return StatutoryInterest(
        starts=starts,
        until=paid,
        days=days,
        reference_rate=reference,
        annual_rate=annual,
        daily=Money(daily, "GBP").rounded(),
        total=Money(daily * days, "GBP").rounded(),
    )
