"""Dates, amounts and the language of a message, read relative to when and where it was written.

"I can pay 50 on Friday" means the Friday after the message arrived, in the customer's own time zone;
"te pago el 15" means the next 15th. Day-first or month-first numeric dates follow the customer's
country (the US writes 12/15, the rest 15/12). What cannot be pinned down ("payday") stays empty
rather than guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from amicable.understanding.clean import normalised


@dataclass(frozen=True, slots=True)
class Entities:
    date: date | None = None
    amount: Decimal | None = None
    currency: str | None = None  # ISO 4217 when the message names it; otherwise the account's applies
    time: time | None = None  # a time of day they asked for ("call me at 3pm"), in their zone

    def as_json(self) -> dict:
        """The shape `amicable inbound classify --json` prints, fixed by the issue that defined it; the
        time of day is read by callbacks from the object itself."""
        return {
            "date": self.date.isoformat() if self.date else None,
            "amount": str(self.amount) if self.amount is not None else None,
            "currency": self.currency,
        }


WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
# Short forms are words of their own too ("sat", "sun"), so they count only after "on", "by", "this" ...
SHORT_WEEKDAYS = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR"}
CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD", "dolares": "USD", "dolar": "USD",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "libras": "GBP",
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "pesos": "MXN", "mxn": "MXN",
}  # fmt: skip
NUMBER_WORDS = {
    "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "diez": 10, "veinte": 20, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100,
}  # fmt: skip

_WEEKDAY = "|".join(WEEKDAYS)
_SHORT = "|".join(SHORT_WEEKDAYS)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th|º|o)?"
_NO_TIME = r"(?!\s*(?:%|am|pm|h\b|:))"
_DATE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("day_after", re.compile(r"\b(day after tomorrow|pasado manana)\b")),
    ("tomorrow", re.compile(r"\b(tomorrow|tmrw|tmr|tmrow|tomoz|2moro|2morrow|manana)\b")),
    ("today", re.compile(r"\b(today|tonight|hoy|esta noche)\b")),
    ("in_days", re.compile(r"\b(?:in|en|dentro de) (\d{1,2}) (days?|weeks?|dias?|semanas?)\b")),
    ("next_week", re.compile(r"\b(next week|la (proxima|siguiente) semana|la semana que viene)\b")),
    ("month_end", re.compile(r"\b(end of (the |this )?month|month end|(fin|final|finales) de mes)\b")),
    # 12/3, 12-3, 12/3/26; with dots only with a year (15.12.2026), so that 10.05 stays an amount
    ("numeric", re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?\b(?![.,]\d)")),
    ("numeric", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\b")),
    ("day_month", re.compile(rf"\b{_ORDINAL}(?: of| de)? ({_MONTH})\b")),
    ("month_day", re.compile(rf"\b({_MONTH}) (?:the )?{_ORDINAL}\b")),
    ("weekday", re.compile(rf"\b({_WEEKDAY})\b")),
    ("short_weekday", re.compile(rf"\b(?:on|by|this|next|till|until|before|el|this coming) ({_SHORT})\b")),
    # "the 15th", "el 15", but not "at 6pm" or "on 15%"
    ("day_of_month", re.compile(rf"\b(?:the|on the|on|by the|el|el dia|dia|para el) {_ORDINAL}\b{_NO_TIME}")),
    ("ordinal", re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")),
]  # fmt: skip

_NUMBER = r"(\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_SIGNED = re.compile(rf"([$£€])\s?{_NUMBER}|{_NUMBER}\s?([$£€])")
_WORDED = re.compile(rf"{_NUMBER}\s?({'|'.join(CURRENCY_WORDS)})\b")
_AFTER_VERB = re.compile(
    r"\b(pay|paying|send|sending|give|transfer|deposit|put|clear|pago|pagar|pagaria|pagare|deposito|"
    r"depositar|mando|mandar|envio|enviar|abono|abonar|te doy|les doy|puedo dar)\b"
    rf"(?:\s+(?:you|u|ya|them|te|le|les|off|about|around|like|only|just|unos|como|solo))*\s+{_NUMBER}\b"
)
_NUMBER_WORD = re.compile(
    rf"\b(pay|send|give|pago|pagar|mando|deposito)\b(?:\s+\w+)?\s+(a |an )?({'|'.join(NUMBER_WORDS)})\b"
)

_SPANISH = set(
    "el la los las de que y en un una por para con no es mi su lo te le pago pagar debo deuda gracias hola "
    "por favor cuanto como puedo quiero llamar semana mes dinero trabajo ya pero esta este esa eso tengo "
    "estoy usted ustedes manana viernes lunes numero buenos buenas dias tardes mas nada nunca nos les son "
    "del al se si hoy llamen escriban manden pague ahora".split()
)
_ENGLISH = set(
    "the a an and of to in is it my your you i me we for on at this that can will pay paid owe please "
    "call week month money job but not have has am are was be do don't dont thanks hello hi number stop "
    "with from what when how".split()
)


# Times of day: "at 3pm", "3:30 p.m.", "15:00", "a las 5 de la tarde". A bare "at 5" or "a las 5" is
# read in business hours (17:00): nobody asks to be called at five in the morning.
_CLOCK = re.compile(
    r"\b(?:at|a las|a la|after|around|about|sobre las|despues de las) (\d{1,2})(?:[:.](\d{2}))?"
    r"(?:\s*(am|pm|a\.m\.|p\.m\.|h\b|de la (?:manana|tarde|noche)))?"
    r"|\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
    r"|\b(\d{1,2}):(\d{2})\b"
)
_PART_OF_DAY = [
    (re.compile(r"\b(in the morning|this morning|por la manana)\b"), time(10)),
    (re.compile(r"\b(in the afternoon|this afternoon|por la tarde)\b"), time(14)),
    (re.compile(r"\b(in the evening|this evening|por la noche)\b"), time(18)),
]


def _time(plain: str) -> tuple[time | None, list[tuple[int, int]]]:
    """The time of day asked for, and the span it was written in (so it is not read as an amount)."""
    for match in _CLOCK.finditer(plain):
        hour_text, minute, marker = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(4), match.group(5), match.group(6))
            if match.group(4)
            else (match.group(7), match.group(8), None)
        )
        hour, minutes = int(hour_text), int(minute or 0)
        if hour > 23 or minutes > 59:
            continue
        marker = (marker or "").replace(".", "")
        if marker in ("pm", "de la tarde", "de la noche") and hour < 12:
            hour += 12
        elif marker in ("am", "de la manana") and hour == 12:
            hour = 0
        elif not marker and match.group(1) and 1 <= hour <= 7:
            hour += 12
        return time(hour, minutes), [match.span()]
    for pattern, moment in _PART_OF_DAY:
        found = pattern.search(plain)
        if found:
            return moment, [found.span()]
    return None, []


def detect_language(text: str, default: str = "en") -> str:
    """en or es, by the common words each uses; a message too short to tell takes the default."""
    words = re.findall(r"[a-z']+", normalised(text))
    spanish = sum(w in _SPANISH for w in words) + 2 * len(re.findall(r"[ñ¿¡]|ción|ción", text.lower()))
    english = sum(w in _ENGLISH for w in words)
    if spanish == english:
        return default
    return "es" if spanish > english else "en"


def extract(
    text: str, *, received_at: datetime, timezone: str, country: str = "", past: bool = False
) -> Entities:
    """The first date and the amount the message states, the date as a day in the customer's zone.
    Dates are read forwards ("on Friday": the next Friday), or backwards with past ("paid on Friday")."""
    today = received_at.astimezone(ZoneInfo(timezone)).date()
    plain = normalised(text)
    found, kind, spans = _date(plain, today, month_first=country.upper() == "US")
    if past and found is not None and found > today:
        found = _back(found, kind)
    at, time_spans = _time(_blank(plain, spans))
    amount, currency = _amount(text, plain, spans + time_spans)
    return Entities(found, amount, currency, at)


def _date(plain: str, today: date, *, month_first: bool) -> tuple[date | None, str, list[tuple[int, int]]]:
    """The earliest-mentioned date and its kind, and the spans of every date phrase (so their numbers
    are not read as amounts)."""
    hits: list[tuple[int, date, str]] = []
    spans: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(plain):
            if any(match.start() < end and start < match.end() for start, end in spans):
                continue
            value = _resolve(kind, match, today, month_first)
            if value is not None:  # what does not make a date stays readable as an amount
                spans.append(match.span())
                hits.append((match.start(), value, kind))
    if not hits:
        return None, "", spans
    _, value, kind = min(hits, key=lambda hit: hit[0])
    return value, kind, spans


def _resolve(kind: str, match: re.Match, today: date, month_first: bool) -> date | None:
    if kind == "today":
        return today
    if kind == "tomorrow":
        return today + timedelta(days=1)
    if kind == "day_after":
        return today + timedelta(days=2)
    if kind == "in_days":
        count = int(match.group(1))
        return today + timedelta(days=count * (7 if match.group(2).startswith(("week", "semana")) else 1))
    if kind == "next_week":
        return today + timedelta(days=7 - today.weekday())
    if kind == "month_end":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if kind in ("weekday", "short_weekday"):
        weekday = WEEKDAYS.get(match.group(1), SHORT_WEEKDAYS.get(match.group(1)))
        # The next one after today: "on Friday", said on a Friday, means a week later.
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if kind in ("day_of_month", "ordinal"):
        return _next_day_of_month(today, int(match.group(1)))
    if kind == "numeric":
        first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
        month, day = (first, second) if month_first else (second, first)
        return _dated(today, day, month, year)
    if kind == "day_month":
        return _dated(today, int(match.group(1)), MONTHS[match.group(2)], None)
    if kind == "month_day":
        return _dated(today, int(match.group(2)), MONTHS[match.group(1)], None)
    return None


def _back(future: date, kind: str) -> date:
    """The same weekday, day of the month or date, the last time it came round."""
    if kind in ("weekday", "short_weekday"):
        return future - timedelta(days=7)
    if kind in ("day_of_month", "ordinal"):
        year, month = (future.year, future.month - 1) if future.month > 1 else (future.year - 1, 12)
        return date(year, month, min(future.day, calendar.monthrange(year, month)[1]))
    if kind in ("numeric", "day_month", "month_day") and not (future.month == 2 and future.day == 29):
        return future.replace(year=future.year - 1)
    return future


def _next_day_of_month(today: date, day: int) -> date | None:
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):  # this month, or the next that has that day
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _dated(today: date, day: int, month: int, year: str | None) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        candidates = [full]
    else:  # the next such day: "3 Jan" written in December means next year's
        candidates = [today.year, today.year + 1]
    for candidate_year in candidates:
        if not 1 <= candidate_year <= 9999:
            return None
        if day <= calendar.monthrange(candidate_year, month)[1]:
            value = date(candidate_year, month, day)
            if year or value >= today:
                return value
    return None


def _amount(text: str, plain: str, date_spans: list[tuple[int, int]]) -> tuple[Decimal | None, str | None]:
    outside = _blank(plain, date_spans)
    signed = _SIGNED.search(text)
    if signed:
        sign = signed.group(1) or signed.group(4)
        number = signed.group(2) or signed.group(3)
        return _decimal(number), CURRENCY_SIGNS[sign]
    worded = _WORDED.search(outside)
    if worded:
        return _decimal(worded.group(1)), CURRENCY_WORDS[worded.group(2)]
    after = _AFTER_VERB.search(outside)
    if after:
        return _decimal(after.group(2)), None
    spelled = _NUMBER_WORD.search(outside)
    if spelled:
        return Decimal(NUMBER_WORDS[spelled.group(3)]), None
    return None, None


def _blank(plain: str, spans: list[tuple[int, int]]) -> str:
    """The text with date phrases blanked out (same length, so positions still line up)."""
    chars = list(plain)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _decimal(number: str) -> Decimal | None:
    """1,200 and 1.200 are thousands; 50.5 and 50,50 are decimals (both conventions occur)."""
    if re.fullmatch(r"\d{1,3}([,.])\d{3}(\1\d{3})*", number):
        number = re.sub(r"[,.]", "", number)
    elif re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{1,2}", number):
        number = number.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", number):
        number = number.replace(".", "").replace(",", ".")
    else:
        number = number.replace(",", ".")
    try:
        return Decimal(number)
    except InvalidOperation:
        return None
