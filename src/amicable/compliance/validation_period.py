"""The Regulation F validation period.

US-REGF-VALIDATION-PERIOD (12 CFR 1006.34(b)(5)): the period ends 30 days after the consumer
receives the validation notice; a collector may assume receipt 5 days after sending, not counting
Saturdays, Sundays and US federal public holidays.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

RECEIPT_BUSINESS_DAYS = 5
PERIOD_DAYS = 30


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def assumed_receipt(sent: date) -> date:
    """Five days after `sent`, counting only weekdays that are not US federal holidays."""
    day, counted = sent, 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return day


def validation_period_end(sent: date, received: date | None = None) -> date:
    """The last day of the validation period: 30 days after receipt (actual, or assumed)."""
    return (received or assumed_receipt(sent)) + timedelta(days=PERIOD_DAYS)
