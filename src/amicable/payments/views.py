"""The provider's signed notifications. Thin: check the signature, then call the action."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .actions import PaymentError, handle_stripe_event
from .stripe_checkout import BadEvent, read_event


@csrf_exempt  # Stripe cannot send a CSRF token; the Stripe-Signature header proves who sent it
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = read_event(
            request.body, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
        )
    except BadEvent:
        return HttpResponseBadRequest("bad signature", content_type="text/plain")
    try:
        done = handle_stripe_event(event)
    except PaymentError as error:
        # Not posted: Stripe retries, and the checkout's amount or id needs a person to look at it.
        return HttpResponse(str(error), status=422, content_type="text/plain")
    return HttpResponse(done, content_type="text/plain")
