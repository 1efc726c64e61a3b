"""Plan options for an account: pay in full, settle (only within the creditor's authorised
discount), or instalments weekly, fortnightly or monthly within its minimum instalment and maximum
term. With an affordability assessment each option says whether it fits, and an affordable offer
the creditor's terms would refuse is flagged (CONC 7.3.4R: forbearance; refusing a reasonable
affordable proposal is a risk)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_UP, Decimal

from amicable.arrangements.affordability import Affordability
from amicable.arrangements.terms import Terms
from amicable.ledger.money import round_amount

PERIODS_PER_YEAR = {"weekly": 52, "fortnightly": 26, "monthly": 12}
FIRST_PAYMENT_IN = timedelta(days=7)  # time to set the payments up


@dataclass(frozen=True, slots=True)
class Option:
    kind: str  # full, settlement, weekly, fortnightly, monthly
    currency: str
    instalment: Decimal
    schedule: tuple[tuple[date, Decimal], ...]
    total: Decimal
    fits: bool | None  # None: no statement to judge by
    note: str = ""

    @property
    def end_date(self) -> date:
        return self.schedule[-1][0]

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "currency": self.currency,
            "instalment": str(self.instalment),
            "payments": len(self.schedule),
            "total": str(self.total),
            "end_date": self.end_date.isoformat(),
            "fits": self.fits,
            "note": self.note,
            "schedule": [{"due_on": day.isoformat(), "amount": str(amount)} for day, amount in self.schedule],
        }


@dataclass(frozen=True, slots=True)
class Options:
    options: tuple[Option, ...]
    flags: tuple[dict, ...] = field(default=())


UK_RULE = ("UK-CONC-FORBEARANCE", "CONC 7.3.4R")
POLICY_RULE = ("AMICABLE-FORBEARANCE", "amicable policy")


def plan_options(
    balance: Decimal,
    currency: str,
    today: date,
    terms: Terms,
    affordability: Affordability | None = None,
    *,
    rule: tuple[str, str] = POLICY_RULE,
) -> Options:
    """rule: what an affordable offer the terms refuse is flagged under (UK_RULE for UK customers)."""
    if balance <= 0:
        return Options(())
    options = [_single("full", balance, currency, today, affordability)]
    if terms.settlement_max_discount > 0:
        total = round_amount(balance * (1 - terms.settlement_max_discount), currency, rounding=ROUND_UP)
        due = today + timedelta(days=terms.settlement_days)
        options.append(
            _single(
                "settlement",
                total,
                currency,
                due,
                affordability,
                note=f"settles the balance of {balance} {currency} if paid by {due.isoformat()}",
            )
        )
    flags: list[dict] = []
    for frequency in terms.frequencies:
        option, flag = _instalments(frequency, balance, currency, today, terms, affordability, rule)
        options.append(option)
        if flag:
            flags.append(flag)
    return Options(tuple(options), tuple(flags))


def _single(
    kind: str, total: Decimal, currency: str, due: date, affordability: Affordability | None, note: str = ""
) -> Option:
    fits = None if affordability is None else affordability.share >= total
    return Option(kind, currency, total, ((due, total),), total, fits, note)


def _instalments(
    frequency: str,
    balance: Decimal,
    currency: str,
    today: date,
    terms: Terms,
    affordability: Affordability | None,
    rule: tuple[str, str],
) -> tuple[Option, dict | None]:
    lowest = lowest_instalment(frequency, balance, currency, terms)
    flag = None
    if affordability is None:
        instalment, fits, note = lowest, None, "the lowest instalment the creditor's terms allow"
    else:
        affordable = affordability.per_period(frequency)
        if affordable >= lowest:
            instalment, fits = min(affordable, balance), True
            note = f"the customer's affordable share, {affordable} {currency} {_every(frequency)}"
        else:
            instalment, fits = lowest, False
            note = (
                f"{lowest} {currency} {_every(frequency)} is more than the {affordable} {currency} affordable"
            )
            if affordable > 0:
                flag = {
                    "rule": rule[0],
                    "citation": rule[1],
                    "frequency": frequency,
                    "message": (
                        f"an affordable offer of {affordable} {currency} {_every(frequency)} "
                        "would be refused "
                        f"by the creditor's terms (at least {lowest} {currency}: a minimum of "
                        f"{terms.min_instalment} and a term of at most {terms.max_term_months} months)"
                    ),
                }
    schedule = instalment_schedule(frequency, balance, instalment, today + FIRST_PAYMENT_IN)
    return Option(frequency, currency, instalment, schedule, balance, fits, note), flag


def lowest_instalment(frequency: str, balance: Decimal, currency: str, terms: Terms) -> Decimal:
    """The least the creditor accepts: its minimum, and enough to clear the balance within its term."""
    most_payments = max(1, terms.max_term_months * PERIODS_PER_YEAR[frequency] // 12)
    lowest = max(terms.min_instalment, round_amount(balance / most_payments, currency, rounding=ROUND_UP))
    return min(lowest, balance)


def instalment_schedule(
    frequency: str, balance: Decimal, instalment: Decimal, first: date
) -> tuple[tuple[date, Decimal], ...]:
    """Equal instalments from `first`, the last one smaller if the balance does not divide evenly."""
    count = int((balance / instalment).to_integral_value(rounding=ROUND_CEILING))
    return tuple(
        (
            _due(first, frequency, number),
            instalment if number < count - 1 else balance - instalment * (count - 1),
        )
        for number in range(count)
    )


def chosen_instalments(
    frequency: str, balance: Decimal, currency: str, today: date, terms: Terms, instalment: Decimal
) -> Option:
    """A plan at the instalment the customer chose, if the creditor's terms allow it (ValueError
    naming `instalment` otherwise)."""
    if frequency not in terms.frequencies:
        raise ValueError(f"frequency: {frequency!r} is not offered (the creditor allows {terms.frequencies})")
    lowest = lowest_instalment(frequency, balance, currency, terms)
    instalment = round_amount(instalment, currency)
    if instalment < lowest:
        raise ValueError(
            f"instalment: {instalment} {currency} {_every(frequency)} is below the least the creditor's "
            f"terms allow, {lowest} {currency} (a minimum of {terms.min_instalment} and a term of at most "
            f"{terms.max_term_months} months)"
        )
    if instalment > balance:
        raise ValueError(
            f"instalment: {instalment} {currency} is more than the balance, {balance} {currency}"
        )
    schedule = instalment_schedule(frequency, balance, instalment, today + FIRST_PAYMENT_IN)
    return Option(
        frequency, currency, instalment, schedule, balance, None, "the instalment the customer chose"
    )


def most_payments(frequency: str, balance: Decimal, currency: str, terms: Terms) -> int:
    """How many instalments the longest plan the creditor's terms allow takes (at the lowest one)."""
    lowest = lowest_instalment(frequency, balance, currency, terms)
    return int((balance / lowest).to_integral_value(rounding=ROUND_CEILING))


def payments_instalment(
    frequency: str, balance: Decimal, currency: str, terms: Terms, payments: int
) -> Decimal:
    """The instalment that pays `balance` in `payments` instalments (equal, the last one smaller), for a
    customer who chose how many rather than how much; ValueError naming `payments` when the creditor's
    terms do not allow that many (or the balance cannot be split into them)."""
    if frequency not in terms.frequencies:
        raise ValueError(f"frequency: {frequency!r} is not offered (the creditor allows {terms.frequencies})")
    most = most_payments(frequency, balance, currency, terms)
    if not 1 <= payments <= most:
        raise ValueError(f"payments: {payments} {frequency} payments; the creditor's terms allow 1 to {most}")
    instalment = max(
        lowest_instalment(frequency, balance, currency, terms),
        round_amount(balance / payments, currency, rounding=ROUND_UP),
    )
    if int((balance / instalment).to_integral_value(rounding=ROUND_CEILING)) != payments:
        # Only for tiny balances: 0.10 cannot be 6 payments of whole cents.
        raise ValueError(f"payments: {balance} {currency} cannot be paid in {payments} {frequency} payments")
    return instalment


def _every(frequency: str) -> str:
    return {"weekly": "a week", "fortnightly": "a fortnight", "monthly": "a month"}[frequency]


def _due(first: date, frequency: str, number: int) -> date:
    if frequency == "weekly":
        return first + timedelta(weeks=number)
    if frequency == "fortnightly":
        return first + timedelta(weeks=2 * number)
    month = first.month - 1 + number
    year, month = first.year + month // 12, month % 12 + 1
    return date(year, month, min(first.day, calendar.monthrange(year, month)[1]))
