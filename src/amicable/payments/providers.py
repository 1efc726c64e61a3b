"""What every payment provider does for us, and which one is in use (settings.PAYMENT_PROVIDER).

A provider starts a checkout for an amount on an account and gives back the page the customer pays
on; later it confirms what became of it. The ledger is only ever changed by actions.confirm_checkout,
whichever provider confirmed the payment.

sandbox  a page on this site stands in for the provider's checkout (the demo); no money moves
stripe   Stripe Checkout through its API (stripe_checkout.py), confirmed on return and by webhook
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.urls import reverse

if TYPE_CHECKING:
    from .models import Checkout

NAMES = ("sandbox", "stripe")


class ProviderError(Exception):
    """The provider could not be reached, or refused the request: nothing was taken."""


@dataclass(frozen=True, slots=True)
class Started:
    provider_ref: str  # the provider's id for the checkout
    url: str  # where to send the customer to pay


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the provider says about a checkout: paid or not, and for how much."""

    provider_ref: str
    paid: bool
    amount: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class Links:
    """Where the provider sends the customer back to."""

    success_url: str  # may carry the provider's placeholder for its own id
    cancel_url: str


class Provider(Protocol):
    name: str

    def start(self, checkout: Checkout, links: Links, *, description: str, language: str) -> Started: ...

    def confirm(self, checkout: Checkout) -> Confirmation: ...


class SandboxProvider:
    """For the demo: the "checkout" is a page on this site (portal:pay-sandbox), clearly labelled.

    Pressing its Pay button is the payment, so `confirm` is called only from that page's POST."""

    name = "sandbox"

    def start(self, checkout: Checkout, links: Links, *, description: str, language: str) -> Started:
        return Started(
            provider_ref=f"sandbox_{checkout.reference}",
            url=reverse("portal:pay-sandbox", args=[checkout.account_id, checkout.reference]),
        )

    def confirm(self, checkout: Checkout) -> Confirmation:
        return Confirmation(checkout.provider_ref, True, checkout.amount, checkout.currency)


def get_provider(name: str | None = None) -> Provider:
    """The provider by name; by default the one settings.PAYMENT_PROVIDER names."""
    name = name or settings.PAYMENT_PROVIDER
    if name == "sandbox":
        return SandboxProvider()
    if name == "stripe":
        from .stripe_checkout import StripeCheckout

        return StripeCheckout(
            secret_key=settings.STRIPE_SECRET_KEY,
            api_url=settings.STRIPE_API_URL,
        )
    raise KeyError(f"no payment provider {name!r} (providers: {', '.join(NAMES)})")
