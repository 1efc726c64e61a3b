"""Providers' webhooks for what customers send. Thin: check the signature, call the actions."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amicable.channels.webhooks import signed_sms_form
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
    params = signed_sms_form(request, "an inbound SMS")
    if params is None:
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
