"""Reading an amount a customer typed, and the amount a provider wants. Pure: no Django, no I/O.

People type amounts the way they write them: "50", "50.00", "1,234.50", or "50,00" in Spanish. An
amount is read in the page's language first, then as plain digits with one decimal mark, and is never
rounded: a customer who typed 10.005 is asked again rather than charged something else.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, get_currency_symbol, parse_decimal

from amicable.ledger.money import minor_units
from amicable.messages.render import babel_locale

_PLAIN = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class AmountProblem(ValueError):
    """Why an amount cannot be paid. `code`: missing, unreadable, not_positive, too_precise, too_much;
    `typed`: what the customer typed; `amount`: what it was read as, when it could be read."""

    def __init__(self, code: str, typed: str = "", amount: Decimal | None = None) -> None:
        super().__init__(f"{code}: {typed!r}")
        self.code, self.typed, self.amount = code, typed, amount


def read_amount(typed: str, currency: str, balance: Decimal, language: str = "en") -> Decimal:
    """The amount to pay from what was typed: positive, in the currency's minor units (2 for USD, 0 for
    JPY) and no more than the balance. Raises AmountProblem."""
    text = typed.strip()
    if not text:
        raise AmountProblem("missing", typed)
    amount = _parse(_bare(text, currency, language), language)
    if amount is None:
        raise AmountProblem("unreadable", text)
    if amount <= 0:
        raise AmountProblem("not_positive", text)
    if amount > balance:
        raise AmountProblem("too_much", text, amount)
    try:
        exact = amount.quantize(Decimal(1).scaleb(-minor_units(currency)))
    except InvalidOperation:
        raise AmountProblem("unreadable", text) from None
    if exact != amount:
        raise AmountProblem("too_precise", text)
    return exact


def _bare(text: str, currency: str, language: str) -> str:
    """The number without spaces, currency signs, or the currency's code or symbol (USD 50, US$50)."""
    for mark in (currency, get_currency_symbol(currency, locale=babel_locale(language))):
        text = re.sub(re.escape(mark), "", text, flags=re.IGNORECASE)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Sc")


def _parse(text: str, language: str) -> Decimal | None:
    if not text or any(c.isalpha() for c in text):  # 1e3 is a number to Python, not to a person
        return None
    try:
        return parse_decimal(text, locale=babel_locale(language), strict=True)
    except NumberFormatError:
        pass
    if _PLAIN.fullmatch(text):
        return Decimal(text.replace(",", "."))
    return None


# Stripe counts most currencies in their ISO 4217 minor units, but kept Icelandic krónur two-decimal
# in its API after they became whole-unit only: ISK 5 is sent as 500.
# https://docs.stripe.com/currencies#special-cases
_STRIPE_UNITS = {"ISK": 2}


def stripe_minor_amount(amount: Decimal, currency: str) -> int:
    """The integer Stripe's API wants for an amount: 600.00 USD is 60000, 5000 JPY is 5000."""
    units = _STRIPE_UNITS.get(currency.upper(), minor_units(currency))
    return int(amount.scaleb(units).to_integral_exact())


def from_stripe_minor_amount(value: int, currency: str) -> Decimal:
    units = _STRIPE_UNITS.get(currency.upper(), minor_units(currency))
    return Decimal(value).scaleb(-units)
