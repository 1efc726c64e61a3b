"""{{ account.pk|feedback_url }}: the signed link to the feedback form, for an account once resolved."""

from django import template

from amicable.aftercare import links

register = template.Library()


@register.filter
def feedback_url(account_id: int) -> str:
    return links.feedback_url(int(account_id))
