"""The named actions for taking a payment: start a checkout, post it when the provider confirms it,
close it when the provider gives up on it. Each lands on the customer's timeline.

Posting is idempotent twice over: the checkout row is locked and marked paid once, and the ledger's
record_payment posts a payment_ref (the provider's id for the checkout) only once per creditor.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from amicable.ledger.actions import ActionError, record_payment
from amicable.ledger.audit import audit
from amicable.ledger.models import Account
from amicable.ledger.money import Money, round_amount

from .models import Checkout, CheckoutStatus
from .providers import Confirmation, Links, Provider, ProviderError, get_provider
from .stripe_checkout import EXPIRED_EVENTS, PAID_EVENTS, as_dict, confirmation

log = logging.getLogger(__name__)

# References are read aloud on the phone: no 0/O or 1/I/L.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class PaymentError(ActionError):
    """The provider confirmed something other than what the customer set out to pay."""


def new_reference() -> str:
    return "PAY-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def _money(checkout: Checkout) -> Money:
    return Money(checkout.amount, checkout.currency).rounded()


def start_checkout(
    account: Account, amount: Decimal, *, provider: Provider, actor: str, description: str, language: str
) -> Checkout:
    """Record the checkout, then ask the provider for the page the customer pays on.

    The row is written before the provider is asked (so a checkout is never lost between the two),
    and marked failed if the provider cannot start it. Raises ProviderError then."""
    amount = round_amount(amount, account.currency)
    if amount <= 0:
        raise ActionError(f"amount {amount}: a payment must be more than zero", field="amount")
    with transaction.atomic():
        checkout = Checkout.objects.create(
            reference=new_reference(),
            customer=account.customer,
            account=account,
            amount=amount,
            currency=account.currency,
            provider=provider.name,
        )
        audit(
            actor,
            "start_checkout",
            checkout,
            f"Started paying {_money(checkout)} on {account.external_ref} through {provider.name} "
            f"({checkout.reference})",
            customer=account.customer,
            account=account,
            changes={"amount": str(amount), "currency": account.currency, "provider": provider.name},
        )
    try:
        started = provider.start(checkout, _links(checkout), description=description, language=language)
    except ProviderError as error:
        log.warning("checkout %s could not start: %s", checkout.reference, error)
        with transaction.atomic():
            checkout.status, checkout.error = CheckoutStatus.FAILED, str(error)[:300]
            checkout.save(update_fields=["status", "error"])
            audit(
                actor,
                "fail_checkout",
                checkout,
                f"Could not start paying {_money(checkout)} on {account.external_ref} through "
                f"{provider.name} ({checkout.reference}): nothing was taken",
                customer=account.customer,
                account=account,
                changes={"error": checkout.error},
            )
        raise
    checkout.provider_ref, checkout.provider_url = started.provider_ref, started.url
    checkout.save(update_fields=["provider_ref", "provider_url"])
    return checkout


def _links(checkout: Checkout) -> Links:
    base = settings.PUBLIC_URL
    back = reverse("portal:pay-return", args=[checkout.account_id, checkout.reference])
    pay = reverse("portal:pay", args=[checkout.account_id])
    return Links(
        # Stripe puts the session's id in place of {CHECKOUT_SESSION_ID} when it sends the customer back.
        success_url=f"{base}{back}?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base}{pay}?cancelled={checkout.reference}",
    )


def confirm_checkout(
    checkout: Checkout, confirmed: Confirmation, *, actor: str, source: str
) -> tuple[Checkout, bool]:
    """Post the payment when the provider says the checkout is paid; returns (checkout, posted now).

    Safe to call any number of times from anywhere (the return page, a webhook and its retries): the
    checkout row is locked, and one already paid changes nothing."""
    with transaction.atomic():
        checkout = (
            Checkout.objects.select_for_update()
            .select_related("account__creditor", "customer")
            .get(pk=checkout.pk)
        )
        if checkout.status == CheckoutStatus.PAID or not confirmed.paid:
            return checkout, False
        if confirmed.provider_ref != checkout.provider_ref:
            raise PaymentError(
                f"{checkout.reference} is {checkout.provider_ref}, not {confirmed.provider_ref}"
            )
        if confirmed.currency != checkout.currency or confirmed.amount != checkout.amount:
            log.error(
                "checkout %s: %s confirmed another amount; not posted", checkout.reference, checkout.provider
            )
            raise PaymentError(
                f"{checkout.reference} was for {_money(checkout)}, but {checkout.provider} confirmed "
                f"{confirmed.amount} {confirmed.currency}"
            )
        account = checkout.account
        now = timezone.now()
        entry, _ = record_payment(
            account,
            checkout.amount,
            now.astimezone(ZoneInfo(checkout.customer.timezone)).date(),  # the customer's today
            currency=checkout.currency,
            payment_ref=checkout.provider_ref,
            source=f"{source} {checkout.reference}",
            actor=actor,
        )
        balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
        checkout.status, checkout.completed_at = CheckoutStatus.PAID, now
        checkout.payment, checkout.balance_after = entry, balance
        checkout.save(update_fields=["status", "completed_at", "payment", "balance_after"])
        audit(
            actor,
            "confirm_checkout",
            checkout,
            f"Paid {_money(checkout)} on {account.external_ref} through {checkout.provider} "
            f"({checkout.reference}); balance now {Money(balance, account.currency).rounded()}",
            customer=checkout.customer,
            account=account,
            changes={"payment_ref": checkout.provider_ref, "balance": str(balance)},
        )
        return checkout, True


def confirm_with_provider(checkout: Checkout, *, actor: str, source: str) -> tuple[Checkout, bool]:
    """Ask the checkout's provider how it went, and post the payment if it is paid."""
    return confirm_checkout(
        checkout, get_provider(checkout.provider).confirm(checkout), actor=actor, source=source
    )


@transaction.atomic
def expire_checkout(checkout: Checkout, *, actor: str, reason: str) -> bool:
    """The provider closed the checkout unpaid: say so on the timeline. A paid one stays paid."""
    checkout = Checkout.objects.select_for_update().select_related("account", "customer").get(pk=checkout.pk)
    if checkout.status != CheckoutStatus.STARTED:
        return False
    checkout.status, checkout.completed_at = CheckoutStatus.EXPIRED, timezone.now()
    checkout.save(update_fields=["status", "completed_at"])
    audit(
        actor,
        "expire_checkout",
        checkout,
        f"Payment of {_money(checkout)} on {checkout.account.external_ref} was not made "
        f"({checkout.reference}): {reason}",
        customer=checkout.customer,
        account=checkout.account,
    )
    return True


STRIPE_ACTOR = "system:stripe-webhook"


def handle_stripe_event(event: Any) -> str:
    """A verified Stripe event: post a paid session, close an expired one, ignore the rest. Returns
    what was done, for the webhook's answer."""
    fields = as_dict(event)
    kind = fields.get("type", "")
    if kind not in PAID_EVENTS + EXPIRED_EVENTS:
        return "ignored"
    session = (fields.get("data") or {}).get("object") or {}
    checkout = Checkout.objects.filter(provider="stripe", provider_ref=session.get("id") or "-").first()
    if checkout is None:
        return "unknown session"  # another integration on the same Stripe account, say
    if kind in EXPIRED_EVENTS:
        expire_checkout(checkout, actor=STRIPE_ACTOR, reason=kind.rsplit(".", 1)[-1].replace("_", " "))
        return "expired"
    checkout, posted = confirm_checkout(
        checkout, confirmation(session), actor=STRIPE_ACTOR, source="stripe webhook"
    )
    return "posted" if posted else "already posted" if checkout.status == CheckoutStatus.PAID else "not paid"
