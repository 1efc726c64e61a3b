"""Words for the console's stored codes, in the page's language (console/work.py keeps the lists)."""

from django import template

from amicable.console.work import PLAN_KINDS

register = template.Library()


@register.filter
def plan_kind(code: str) -> str:
    return str(PLAN_KINDS.get(code, code))
