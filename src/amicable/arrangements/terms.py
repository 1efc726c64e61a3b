"""What a creditor allows in an arrangement, read strictly from its settings (errors name the field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from amicable.ledger.money import to_decimal

FREQUENCIES = ("weekly", "fortnightly", "monthly")


class TermsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Terms:
    min_instalment: Decimal = Decimal("5")  # per instalment, in the account's currency
    max_term_months: int = 36
    settlement_max_discount: Decimal = Decimal("0")  # a share of the balance: 0.2 = 20% off
    settlement_days: int = 14  # a settlement must be paid within this many days
    frequencies: tuple[str, ...] = FREQUENCIES
    # Days after a due date before an unpaid instalment is missed (and the plan broken), or an
    # unkept promise broken: a payment made on the day can take a few days to arrive.
    instalment_grace_days: int = 7
    promise_grace_days: int = 3
    # How long collection pauses when a customer tells us of hardship, while a person looks at it.
    hardship_pause_days: int = 30
    # Standard Financial Statement spending guidelines, monthly, per flexible category: spending above
    # one is asked about, not refused.
    guidelines: Mapping[str, Decimal] = field(default_factory=dict)


def parse_terms(settings: Mapping | None) -> Terms:
    """Terms from a creditor's `arrangement_terms` setting; anything left out takes the default."""
    settings = dict(settings or {})
    unknown = set(settings) - set(Terms.__dataclass_fields__)
    if unknown:
        raise TermsError(f"arrangement_terms: unknown setting {sorted(unknown)[0]!r}")
    values = {}
    try:
        if "min_instalment" in settings:
            values["min_instalment"] = _positive(settings["min_instalment"], "min_instalment")
        if "max_term_months" in settings:
            values["max_term_months"] = _whole(settings["max_term_months"], "max_term_months", 1, 600)
        if "settlement_days" in settings:
            values["settlement_days"] = _whole(settings["settlement_days"], "settlement_days", 1, 365)
        for name in ("instalment_grace_days", "promise_grace_days"):
            if name in settings:
                values[name] = _whole(settings[name], name, 0, 60)
        if "hardship_pause_days" in settings:
            values["hardship_pause_days"] = _whole(
                settings["hardship_pause_days"], "hardship_pause_days", 1, 90
            )
        if "settlement_max_discount" in settings:
            discount = to_decimal(settings["settlement_max_discount"])
            if not Decimal(0) <= discount < Decimal(1):
                raise TermsError(f"settlement_max_discount: {discount} is not a share from 0 to below 1")
            values["settlement_max_discount"] = discount
        if "frequencies" in settings:
            chosen = tuple(settings["frequencies"])
            wrong = [f for f in chosen if f not in FREQUENCIES]
            if wrong or not chosen:
                raise TermsError(
                    f"frequencies: {wrong[0] if wrong else 'none'!r}: expected some of {FREQUENCIES}"
                )
            values["frequencies"] = chosen
        if "guidelines" in settings:
            values["guidelines"] = {
                name: _positive(amount, f"guidelines.{name}")
                for name, amount in dict(settings["guidelines"]).items()
            }
    except (ValueError, TypeError) as error:
        if isinstance(error, TermsError):
            raise
        raise TermsError(f"arrangement_terms: {error}") from None
    return Terms(**values)


def _positive(value: object, name: str) -> Decimal:
    try:
        amount = to_decimal(value)
    except (ValueError, TypeError, ArithmeticError):
        raise TermsError(f"{name}: {value!r} is not an amount") from None
    if amount <= 0:
        raise TermsError(f"{name}: {value!r} must be more than 0")
    return amount


def _whole(value: object, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise TermsError(f"{name}: {value!r} is not a whole number from {low} to {high}")
    return value
