"""Template filters the portal and the console share: money and dates in the page's language."""

from __future__ import annotations

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
