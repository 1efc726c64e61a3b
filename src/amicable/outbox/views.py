"""The outbox's web endpoints: the opt-out link every message carries, and providers' delivery news.

Thin: each view checks its input and calls one action.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from amicable.channels.sms import parse_status_callback
from amicable.channels.webhooks import signed_sms_form
from amicable.cycle.dispatch import apply_delivery_event
from amicable.ledger.actions import record_consent
from amicable.ledger.models import ContactUse

from .models import Contact

CHANNEL_WORDS = {"email": "emails", "sms": "text messages", "letter": "letters", "call": "calls"}


def _masked(value: str) -> str:
    """Enough of the address or number for the person to recognise it, not enough to read it out."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"***{value[-4:]}"


@csrf_exempt  # the link's token is the credential; mail providers' one-click POSTs carry no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (a person's button, or a mail provider's RFC 8058 one-click) opts the
    address or number out of collection messages at once."""
    contact = get_object_or_404(
        Contact.objects.select_related("contact_point", "creditor"), reply_token=token
    )
    point = contact.contact_point
    context = {
        "creditor": contact.creditor.display_name,
        "what": CHANNEL_WORDS.get(contact.channel, "messages"),
        "where": _masked(point.value) if point else "",
    }
    if point is None:
        return render(request, "outbox/unsubscribe.html", {**context, "gone": True}, status=410)
    if request.method == "POST":
        if point.consent(ContactUse.COLLECTION) != "revoked":
            record_consent(
                point,
                ContactUse.COLLECTION,
                "revoked",
                source=f"opt-out link in contact {contact.pk}",
                actor="customer:opt-out-link",
            )
        return render(request, "outbox/unsubscribe.html", {**context, "done": True})
    return render(request, "outbox/unsubscribe.html", context)


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """Twilio-style delivery status callbacks, signed with the account's auth token."""
    params = signed_sms_form(request, "an SMS status callback")
    if params is None:
        return HttpResponseForbidden("bad signature")
    for event in parse_status_callback(params):
        apply_delivery_event(event)
    return HttpResponse(status=204)
