"""Providers' webhooks for what customers send. Thin: check the signature, call the actions."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amicable.channels.sms import signature_ok
from amicable.conversations.actions import handle_message, receive_sms
from amicable.ledger.actions import ActionError

log = logging.getLogger(__name__)
# An empty TwiML answer: our replies go through the outbox, so every one is recorded and sent once.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A text from a customer, in the Twilio-compatible form (From, To, Body, MessageSid), signed
    with the account's auth token. Unsigned or wrongly signed requests are refused and logged."""
    url = settings.PUBLIC_URL + request.path
    params = {key: request.POST[key] for key in request.POST}
    given = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not signature_ok(url, params, settings.TWILIO_AUTH_TOKEN, given):
        log.warning(
            "rejected an inbound SMS with a missing or wrong signature from %s",
            request.META.get("REMOTE_ADDR"),
        )
        return HttpResponseForbidden("bad signature")
    try:
        message, _ = receive_sms(
            params.get("From", ""),
            params.get("Body", ""),
            recipient=params.get("To", ""),
            provider_id=params.get("MessageSid", ""),
            actor="webhook:sms",
        )
    except ActionError as error:
        log.warning("refused an inbound SMS: %s", error)
        return HttpResponseBadRequest(str(error))
    # A retry of a message whose handling failed is handled now; one already handled is left alone.
    handle_message(message, actor="webhook:sms")
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
