"""Parsing one value of an import row. Pure: each function returns the value or raises FieldError."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import available_timezones

import phonenumbers
from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email

from ..jurisdictions import check_region, iso_countries
from ..money import MoneyError, check_currency, minor_units, round_amount


class FieldError(ValueError):
    pass


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str) -> date:
    """YYYY-MM-DD only: the compact and week forms Python also reads are too easy to mistype."""
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError("expected an ISO date, YYYY-MM-DD") from None


_PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
# With --decimal-comma: 1234,56 or 1.234,56 (dots only as thousands separators, in groups of three).
_COMMA_DECIMAL = re.compile(r"-?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?")


def parse_decimal(value: str, *, decimal_comma: bool = False) -> Decimal:
    """A decimal written plainly. Exponents, thousands separators and stray symbols are refused,
    because guessing what "1,234" means in someone else's spreadsheet moves money."""
    text = value.strip()
    if decimal_comma:
        if not _COMMA_DECIMAL.fullmatch(text):
            raise FieldError("expected a decimal number such as 1234,56 or 1.234,56")
        text = text.replace(".", "").replace(",", ".")
    elif not _PLAIN_DECIMAL.fullmatch(text):
        if "," in text:
            raise FieldError("expected a decimal number such as 1234.56 (for 1234,56 use --decimal-comma)")
        raise FieldError("expected a decimal number such as 1234.56")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only valid decimals
        raise FieldError("expected a decimal number") from None


# The ledger stores amounts in 19 digits, 4 of them after the point.
LARGEST_AMOUNT = Decimal("999999999999999.9999")


def parse_amount(value: str, currency: str | None, *, decimal_comma: bool = False) -> Decimal:
    """A non-negative amount with no more decimals than the currency has minor units."""
    amount = parse_decimal(value, decimal_comma=decimal_comma)
    if amount < 0:
        raise FieldError("must not be negative")
    if amount > LARGEST_AMOUNT:
        raise FieldError(f"too large: the ledger holds amounts up to {LARGEST_AMOUNT:,.2f}")
    if currency is not None:
        exponent = amount.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > minor_units(currency):
            raise FieldError(f"{currency} has {minor_units(currency)} decimal places, this has {places}")
        amount = round_amount(amount, currency)  # 10.500 is stored as 10.50
    return amount


def parse_currency(value: str) -> str:
    try:
        return check_currency(value)
    except MoneyError:
        raise FieldError("expected an ISO 4217 currency code such as USD, GBP or EUR") from None


def parse_country(value: str) -> str:
    code = value.upper()
    if code not in iso_countries():
        raise FieldError("expected an ISO 3166-1 alpha-2 country code such as US or GB")
    return code


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_region(value: str, country: str | None) -> str:
    """A subdivision code, checked where amicable knows the country's list (US states, UK nations)."""
    region = value.upper()
    if country:
        try:
            check_region(country, region)
        except ValueError as error:
            raise FieldError(str(error)) from None
    return region


def parse_timezone(value: str) -> str:
    if value not in _zones():
        raise FieldError("expected an IANA time zone such as America/Chicago or Europe/London")
    return value


@cache
def parse_language(value: str) -> str:
    try:
        Locale.parse(value, sep="-")
    except (UnknownLocaleError, ValueError):
        raise FieldError("expected a BCP 47 language tag such as en, en-GB or es-US") from None
    return value


def parse_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise FieldError(f"not a valid email address: {error}") from None


def parse_phone(value: str, country: str | None) -> str:
    """The number in E.164, reading national numbers as belonging to the row's country."""
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        raise FieldError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        where = f" in {country}" if country and not value.startswith("+") else ""
        raise FieldError(f"not a valid phone number{where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(max_length: int):
    """A parser for free text that must fit its database column."""

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(f"longer than {max_length} characters ({len(value)})")
        if _CONTROL.search(value):
            raise FieldError("contains a control character (for example a NUL byte)")
        return value

    return parse


def parse_yes_no(value: str) -> bool | None:
    lowered = value.lower()
    if lowered == "":
        return None
    if lowered in {"yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    raise FieldError("expected yes, no or blank")


def parse_choice(value: str, choices: tuple[str, ...]) -> str:
    lowered = value.lower()
    if lowered not in choices:
        raise FieldError(f"expected one of {', '.join(choices)}")
    return lowered
