"""Money as a Decimal amount with an ISO 4217 currency, rounded to the currency's minor units.

Pure: no Django, no I/O. Floats are refused everywhere, because 0.1 + 0.2 is not 0.3 and a
debtor's balance must be exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import get_currency_precision, get_territory_currencies

ZERO = Decimal(0)


class MoneyError(ValueError):
    """A bad amount, a bad currency, or arithmetic across two currencies."""


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today, by Babel's CLDR data.

    Not every code Babel knows: that includes withdrawn currencies (DEM, FRF) and codes that are
    not money at all (XAU gold, XTS testing, XXX none).
    """
    today = datetime.now(UTC).date()
    codes: set[str] = set()
    for territory in Locale("en").territories:
        # Non-tender codes too: loans in Chile are written in CLF (Unidad de Fomento).
        codes.update(get_territory_currencies(territory, today, tender=True, non_tender=True))
    return frozenset(c for c in codes if not c.startswith("X") or c in _X_CURRENCIES)


# X codes are mostly not money (XAU gold, XDR and XB* units of account, XTS testing, XXX none);
# these are the currencies of real countries.
_X_CURRENCIES = frozenset({"XAF", "XCD", "XCG", "XOF", "XPF"})


def check_currency(code: str) -> str:
    """Return the code upper-cased if it is an ISO 4217 currency Babel knows, else raise."""
    upper = code.strip().upper()
    if len(upper) != 3 or upper not in known_currencies():
        raise MoneyError(f"{code!r} is not an ISO 4217 currency code")
    return upper


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for the currency: 2 for GBP, 0 for JPY, 3 for KWD."""
    return get_currency_precision(check_currency(currency))


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_amount(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to the currency's minor units. Half-up is the commercial default; interest
    calculations may ask for banker's rounding (ROUND_HALF_EVEN)."""
    try:
        return amount.quantize(_quantum(currency), rounding=rounding)
    except InvalidOperation:
        raise MoneyError(f"{amount} is too large an amount") from None


def to_decimal(value: object) -> Decimal:
    """A Decimal from a str, int or Decimal. Floats are refused: they are already inexact."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: use a str or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a decimal number") from None
    else:
        raise MoneyError(f"cannot make an amount from {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", check_currency(self.currency))
        object.__setattr__(self, "amount", to_decimal(self.amount))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        """Money rounded to the currency's minor units."""
        return cls(round_amount(to_decimal(amount), currency), currency)

    def rounded(self, rounding: str = ROUND_HALF_UP) -> Money:
        return Money(round_amount(self.amount, self.currency, rounding), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        return f"{self.currency} {round_amount(self.amount, self.currency):,}"


__all__ = [
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "ZERO",
    "Money",
    "MoneyError",
    "check_currency",
    "known_currencies",
    "minor_units",
    "round_amount",
    "to_decimal",
]
