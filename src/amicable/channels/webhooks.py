"""Checking a provider's signed webhook request (Django side): one place for every SMS endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

from .sms import signature_ok

log = logging.getLogger("amicable.webhooks")


def signed_sms_form(request: HttpRequest, what: str) -> dict[str, str] | None:
    """The form fields of a Twilio-style request signed with our auth token, or None (logged) when the
    signature is missing or wrong, or no token is configured: such requests are refused."""
    params = {key: request.POST[key] for key in request.POST}
    given = request.headers.get("X-Twilio-Signature", "")
    url = settings.PUBLIC_URL + request.path
    if settings.TWILIO_AUTH_TOKEN and signature_ok(url, params, settings.TWILIO_AUTH_TOKEN, given):
        return params
    log.warning(
        "rejected %s with a missing or wrong signature from %s", what, request.META.get("REMOTE_ADDR")
    )
    return None
