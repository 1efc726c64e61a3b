"""Composing a one-off message from a template: a live preview with the customer's real data, the
message checks and the compliance decision for sending it now; sending only when that decision
allows it (cycle/one_off.py does both, as the cycle composes and dispatches its own contacts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amicable.cycle.context import message_language
from amicable.cycle.one_off import CHANNELS, Draft, catalogue, draft, send_one_off
from amicable.ledger.actions import ActionError
from amicable.ledger.models import Account, ContactPoint, Customer

from .. import scope
from ..models import Role
from .calls import chosen_account, customer_page

CHANNEL_LABELS = {
    "email": gettext_lazy("Email"),
    "sms": gettext_lazy("Text message"),
    "letter": gettext_lazy("Letter"),
}
LABELS = {
    "account": gettext_lazy("Account"),
    "channel": gettext_lazy("Channel"),
    "template": gettext_lazy("Template"),
    "variant": gettext_lazy("Variant"),
    "language": gettext_lazy("Language"),
    "point": gettext_lazy("Send to"),
    "decision": gettext_lazy("Sending it now"),
}
# The template chosen when the page opens: a gentle check-in.
DEFAULT_TEMPLATE = "follow_up_gentle"


@dataclass(frozen=True)
class Choice:
    """What the agent chose on the form."""

    account: Account
    accounts: list[Account]
    channel: str
    template: str
    variant: str
    language: str
    point: str  # a contact point's id, or "" for the best one


def _choice(request: HttpRequest, customer: Customer) -> Choice:
    values = request.POST if request.method == "POST" else request.GET
    account, accounts = chosen_account(request.user, customer, values.get("account"))
    channel = values.get("channel") or CHANNELS[0]
    names = catalogue().templates.get(channel, ())
    default = DEFAULT_TEMPLATE if DEFAULT_TEMPLATE in names else (names[0] if names else "")
    return Choice(
        account=account,
        accounts=accounts,
        channel=channel,
        template=values.get("template") or default,
        variant=values.get("variant") or "",
        language=values.get("language") or "",
        point=values.get("point") or "",
    )


def _point_id(choice: Choice) -> int | None:
    if not choice.point:
        return None
    try:
        return int(choice.point)
    except ValueError:
        raise ActionError(
            f"point: {choice.point!r} is not one of the customer's addresses", field="point"
        ) from None


def _error(error: ActionError) -> dict[str, str]:
    field = error.field if error.field in LABELS else ""
    said = str(error).split(": ", 1)[-1] if field else str(error)
    return {field: f"{LABELS[field]}: {said}" if field else said}


def _draft(choice: Choice) -> tuple[Draft | None, dict[str, str]]:
    try:
        return (
            draft(
                choice.account,
                channel=choice.channel,
                template=choice.template,
                variant=choice.variant or None,
                language=choice.language or None,
                point_id=_point_id(choice),
                now=timezone.now(),
            ),
            {},
        )
    except ActionError as error:
        return None, _error(error)


def _context(customer: Customer, choice: Choice, found: Draft | None, errors: dict) -> dict:
    known = catalogue()
    return {
        "customer": customer,
        "choice": choice,
        "draft": found,
        "errors": errors,
        "labels": LABELS,
        "channels": [(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        "templates": [(c, CHANNEL_LABELS[c], known.templates[c]) for c in CHANNELS],
        "variants": known.variants,
        "languages": known.languages,
        "customer_language": message_language(customer.language, customer.country),
        "points": ContactPoint.objects.filter(
            customer=customer, kind__in=("email", "mobile", "postal")
        ).order_by("kind", "pk"),
        "flags": [r for r in found.reasons if r["effect"] == "flag"] if found else [],
        "against": [r for r in found.reasons if r["effect"] in ("block", "defer")] if found else [],
    }


@scope.staff_page(Role.AGENT)
def compose_message(request: HttpRequest, pk: int) -> HttpResponse:
    customer = scope.customer(request.user, pk)
    choice = _choice(request, customer)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            send_one_off(
                choice.account,
                channel=choice.channel,
                template=choice.template,
                variant=choice.variant or None,
                language=choice.language or None,
                point_id=_point_id(choice),
                actor=scope.actor(request.user),
            )
        except ActionError as error:
            errors = _error(error)
        else:
            messages.success(
                request,
                _("The %(channel)s is on its way: it is on the customer's timeline.")
                % {"channel": CHANNEL_LABELS[choice.channel].lower()},
            )
            return redirect(customer_page(customer, choice.account))
    found, problems = _draft(choice)
    errors = errors or problems
    return render(
        request,
        "console/compose.html",
        _context(customer, choice, found, errors),
        status=400 if errors else 200,
    )


@require_POST
@scope.staff_page(Role.AGENT)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview alone, for htmx to put in place as the form changes."""
    customer = scope.customer(request.user, pk)
    choice = _choice(request, customer)
    found, errors = _draft(choice)
    return render(request, "console/compose_preview.html", _context(customer, choice, found, errors))


urlpatterns = [
    path("customers/<int:pk>/compose", compose_message, name="compose"),
    path("customers/<int:pk>/compose/preview", preview, name="compose_preview"),
]
