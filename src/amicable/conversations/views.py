"""Providers' webhooks for what customers send. Thin: check the signature, call the actions."""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amicable.channels.webhooks import signed_sms_form
from amicable.conversations.actions import handle_message, receive_sms
from amicable.conversations.email import MAX_BYTES, DeliveryReport, check_size, receive_email
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


EMAIL_TYPES = ("message/rfc822", "application/octet-stream")
CHUNK = 64 * 1024


@csrf_exempt
@require_POST
def email_inbound(request: HttpRequest) -> HttpResponse:
    """An email as an inbound-parse service forwards it: the raw RFC 5322 message as the body
    (message/rfc822 or application/octet-stream), the envelope recipient in ?to=, and
    X-Amicable-Signature: sha256=<hex HMAC-SHA256 of the body keyed with EMAIL_WEBHOOK_SECRET>.
    Unsigned or wrongly signed requests are refused (403) and logged; nothing is stored."""
    raw, size, signed = _signed_body(request)
    if not signed:
        log.warning(
            "rejected an inbound email with a missing or wrong signature from %s",
            request.META.get("REMOTE_ADDR"),
        )
        return HttpResponseForbidden("bad signature")
    content_type = request.content_type or ""
    if content_type not in EMAIL_TYPES:
        return HttpResponseBadRequest(
            f"Content-Type {content_type!r}: expected the raw message as {' or '.join(EMAIL_TYPES)}"
        )
    try:
        check_size(size)
        result, _ = receive_email(raw, actor="webhook:email", envelope_to=request.GET.get("to", ""))
    except ActionError as error:
        log.warning("refused an inbound email: %s", error)
        return HttpResponse(str(error), status=413 if size > MAX_BYTES else 400, content_type="text/plain")
    if isinstance(result, DeliveryReport):
        return JsonResponse(result.as_json())
    # A re-delivery of a message whose handling failed is handled now; one already handled is left alone.
    message = handle_message(result, actor="webhook:email")
    return JsonResponse(
        {
            "message_id": message.pk,
            "matched_by": message.matched_by or None,
            "intent": message.intent,
            "status": message.status,
        }
    )


def _signed_body(request: HttpRequest) -> tuple[bytes, int, bool]:
    """The body (at most MAX_BYTES + 1 of it kept), its full size, and whether its signature is right.
    Read in chunks, not through request.body, which Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB):
    emails with attachments are larger. No secret configured: nothing is accepted."""
    secret = settings.EMAIL_WEBHOOK_SECRET
    digest = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    kept, size = [], 0
    while chunk := request.read(CHUNK):
        digest.update(chunk)
        if size <= MAX_BYTES:
            kept.append(chunk)
        size += len(chunk)
    given = request.headers.get("X-Amicable-Signature", "")
    expected = "sha256=" + digest.hexdigest()
    signed = bool(secret) and hmac.compare_digest(given.strip().lower().encode(), expected.encode())
    return b"".join(kept), size, signed
