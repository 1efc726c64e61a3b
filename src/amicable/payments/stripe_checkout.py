"""Stripe Checkout through its API, with Stripe's own library (https://docs.stripe.com/api/checkout/sessions).

    POST /v1/checkout/sessions        start: one line item for the amount, in the account's currency
    GET  /v1/checkout/sessions/{id}   confirm, when the customer comes back (success_url)
    POST /hooks/stripe                checkout.session.completed (and friends), signed

The customer pays on Stripe's page; the payment is posted to the ledger when Stripe says the session
is paid, with the session id as the payment_ref, so the return page and the webhook post it once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import stripe

from .amounts import from_stripe_minor_amount, stripe_minor_amount
from .providers import Confirmation, Links, ProviderError, Started

if TYPE_CHECKING:
    from .models import Checkout

TIMEOUT = 15  # seconds; the customer is waiting on the other end
RETRIES = 2  # safe: every create carries an idempotency key
# Events that mean a session was paid (a card at once, or a bank debit that cleared later), or closed.
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")
# Stripe's Checkout speaks these of our languages; anything else: Stripe picks from the browser.
CHECKOUT_LOCALES = {"en", "es"}


class BadEvent(ValueError):
    """A webhook whose signature does not check out, or that is not an event at all."""


@lru_cache(maxsize=4)
def _client(secret_key: str, api_url: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_url},
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
        max_network_retries=RETRIES,
    )


class StripeCheckout:
    name = "stripe"

    def __init__(self, *, secret_key: str, api_url: str) -> None:
        if not secret_key:
            raise ProviderError("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY")
        self.client = _client(secret_key, api_url.rstrip("/"))

    def start(self, checkout: Checkout, links: Links, *, description: str, language: str) -> Started:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": checkout.currency.lower(),  # Stripe wants ISO codes in lower case
                        "unit_amount": stripe_minor_amount(checkout.amount, checkout.currency),
                        "product_data": {"name": description},
                    },
                }
            ],
            "client_reference_id": checkout.reference,
            "metadata": {"checkout": checkout.reference, "account": str(checkout.account_id)},
            "payment_intent_data": {
                "metadata": {"checkout": checkout.reference, "account": str(checkout.account_id)}
            },
            "success_url": links.success_url,
            "cancel_url": links.cancel_url,
            "locale": language if language in CHECKOUT_LOCALES else "auto",
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                # A retry (ours or the library's) gets the session already made, not a second one.
                options={"idempotency_key": f"amicable-checkout-{checkout.reference}"},
            )
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe could not start the checkout: {_describe(error)}") from error
        fields = as_dict(session)
        if not fields.get("id") or not fields.get("url"):
            raise ProviderError("Stripe answered without a session id and url")
        return Started(provider_ref=fields["id"], url=fields["url"])

    def confirm(self, checkout: Checkout) -> Confirmation:
        try:
            session = self.client.v1.checkout.sessions.retrieve(checkout.provider_ref)
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe could not say how the checkout went: {_describe(error)}") from error
        return confirmation(session)


def as_dict(obj: Any) -> dict[str, Any]:
    """The library's StripeObject is not a dict; its fields are."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def confirmation(session: Any) -> Confirmation:
    """A Checkout Session (from the API or an event) as our Confirmation."""
    session = as_dict(session)
    currency = str(session.get("currency") or "").upper()
    total = session.get("amount_total")
    return Confirmation(
        provider_ref=str(session.get("id") or ""),
        paid=session.get("payment_status") == "paid",
        amount=from_stripe_minor_amount(int(total), currency) if total is not None and currency else None,
        currency=currency,
    )


def read_event(payload: bytes, signature: str | None, secret: str) -> stripe.Event:
    """The event, if Stripe-Signature proves Stripe sent this very body recently (five minutes)."""
    try:
        return stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise BadEvent(str(error)) from None


def _describe(error: stripe.StripeError) -> str:
    status = getattr(error, "http_status", None)
    return (f"{status} " if status else "") + (error.user_message or str(error) or type(error).__name__)[:200]
