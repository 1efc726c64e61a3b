"""The light identity check's arithmetic: reading a date of birth from three boxes and comparing
postcodes the way people write them. Pure: no Django, no database."""

from __future__ import annotations

import re
from datetime import date

DATE_OF_BIRTH = "date_of_birth"
POSTCODE = "postcode"


class AnswerError(ValueError):
    """An answer that cannot be a date or a postcode at all; `field` names the box to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def birth_date(day: str, month: str, year: str) -> date:
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    for name, value in parts.items():
        if not value.isdigit():
            raise AnswerError(f"{name}: enter a number", name)
    if len(parts["year"]) != 4:
        raise AnswerError("year: enter all four digits, for example 1984", "year")
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise AnswerError("day: that date does not exist", "day") from None


def normal_postcode(value: str, country: str) -> str:
    """SW1A 1AA, sw1a1aa and 'SW1A-1AA' are one postcode; a US ZIP+4 matches its first five digits."""
    letters = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return letters[:5] if country == "US" else letters


def postcode_matches(given: str, on_file: str, country: str) -> bool:
    given_normal = normal_postcode(given, country)
    return bool(given_normal) and given_normal == normal_postcode(on_file, country)
