"""Template filters the portal and the console share: money and dates in the page's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from django import template
from django.utils import translation

from amicable.ledger.money import Money
from amicable.messages.render import babel_locale

register = template.Library()


@register.filter
def money(value: Money | Decimal | None, currency: str | None = None) -> str:
    """{{ itemised.balance|money }} or {{ amount|money:account.currency }}: $1,234.50, 1.234,50 €."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        amount, currency = value.amount, value.currency
    else:
        amount = Decimal(value)
    if not currency:
        raise template.TemplateSyntaxError(f"money: {value!r} has no currency")
    return format_currency(amount, currency, locale=babel_locale(translation.get_language() or "en"))


@register.filter
def long_date(value: date | None) -> str:
    """24 November 2026 / 24 de noviembre de 2026."""
    if not value:
        return ""
    return format_date(value, format="long", locale=babel_locale(translation.get_language() or "en"))


# A customer's personal links, as messages carry them: the portal's (/p/TOKEN), the feedback form's
# (/f/TOKEN) and the opt-out (/u/TOKEN). Staff see what a message says, never a link that works: with
# the customer's date of birth on screen, a working portal link would let anyone act as the customer.
PERSONAL_LINK = re.compile(r"/([pfu])/[0-9A-Za-z._-]{8,}")


@register.filter
def hide_personal_links(text: str | None) -> str:
    """/p/4.tp14to.hVNP2PHIo2gUpCES/pay -> /p/[personal link]/pay."""
    if not text:
        return ""
    return PERSONAL_LINK.sub(lambda m: f"/{m.group(1)}/[personal link]", str(text))
