"""Paying from the portal: choose how much, pay on the provider's page (or the sandbox's, in the demo),
come back to a receipt. The payment is posted by payments.actions, never here."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext

from amicable.ledger.actions import ActionError
from amicable.ledger.models import Account
from amicable.ledger.money import Money
from amicable.payments.actions import confirm_checkout, confirm_with_provider, start_checkout
from amicable.payments.forms import PayForm
from amicable.payments.models import Checkout, CheckoutStatus
from amicable.payments.providers import ProviderError, get_provider

from ..access import actor, customer_account, portal_page
from ..summary import customer_today, summaries


def _checkout(account: Account, reference: str) -> Checkout:
    """One of this account's checkouts (the account is already the customer's own), or 404."""
    checkout = Checkout.objects.filter(account=account, reference=reference).first()
    if checkout is None:
        raise Http404("No such payment")
    return checkout


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST, the provider's page is fetched with GET
    return response


@portal_page
def pay(request: HttpRequest, account_id: int) -> HttpResponse:
    account = customer_account(request, account_id)
    summary = summaries([account], customer_today(request.customer), with_outlook=False)[0]
    form = PayForm(
        request.POST if request.method == "POST" else None,
        balance=summary.balance.amount,
        currency=account.currency,
        next_due=summary.next_due.outstanding if summary.next_due else None,
    )
    context = {
        "customer": request.customer,
        "creditor": account.creditor,
        "account": account,
        "summary": summary,
        "form": form,
        "provider": settings.PAYMENT_PROVIDER,
        "cancelled": bool(request.GET.get("cancelled")),
    }
    if request.method != "POST" or settings.PAYMENT_PROVIDER == "none":
        return render(request, "portal/pay.html", context)
    if not form.is_valid():
        return render(request, "portal/pay.html", context, status=400)
    try:
        checkout = start_checkout(
            account,
            form.to_pay,
            provider=get_provider(),
            actor=actor(request.customer),
            description=gettext("Payment to %(creditor)s, account %(ref)s")
            % {"creditor": account.creditor.display_name, "ref": account.external_ref},
            language=get_language() or "en",
        )
    except ProviderError:
        return render(request, "portal/pay.html", context | {"provider_down": True}, status=502)
    return _see_other(checkout.provider_url)


@portal_page
def sandbox(request: HttpRequest, account_id: int, reference: str) -> HttpResponse:
    """The demo's stand-in for the provider's checkout page. Never reachable when a real provider is in
    use, so it can never post a payment nobody made."""
    account = customer_account(request, account_id)
    checkout = _checkout(account, reference)
    if checkout.provider != "sandbox" or settings.PAYMENT_PROVIDER != "sandbox":
        raise Http404("No such payment")
    if checkout.status != CheckoutStatus.STARTED:
        return redirect("portal:receipt", account.pk, checkout.reference)
    if request.method == "POST":
        confirm_checkout(
            checkout,
            get_provider("sandbox").confirm(checkout),
            actor=actor(request.customer),
            source="portal sandbox",
        )
        return redirect("portal:receipt", account.pk, checkout.reference)
    return render(
        request,
        "portal/pay_sandbox.html",
        {"creditor": account.creditor, "account": account, "checkout": checkout},
    )


@portal_page
def returned(request: HttpRequest, account_id: int, reference: str) -> HttpResponse:
    """Where the provider sends the customer back: ask it how the payment went, then show the receipt
    (or that we are still waiting to hear)."""
    account = customer_account(request, account_id)
    checkout = _checkout(account, reference)
    if (
        checkout.provider == "sandbox"
        or request.GET.get("session_id", checkout.provider_ref) != checkout.provider_ref
    ):
        raise Http404("No such payment")
    if checkout.status == CheckoutStatus.STARTED:
        # Not confirmed yet, or Stripe out of reach: the receipt says we are waiting to hear, and the
        # webhook will post it.
        with contextlib.suppress(ProviderError, ActionError):
            confirm_with_provider(checkout, actor=actor(request.customer), source="portal return")
    return redirect("portal:receipt", account.pk, checkout.reference)


@portal_page
def receipt(request: HttpRequest, account_id: int, reference: str) -> HttpResponse:
    account = customer_account(request, account_id)
    checkout = _checkout(account, reference)
    zone = ZoneInfo(request.customer.timezone)
    balance = Money(checkout.balance_after, account.currency) if checkout.balance_after is not None else None
    return render(
        request,
        "portal/receipt.html",
        {
            "creditor": account.creditor,
            "account": account,
            "checkout": checkout,
            "paid": checkout.status == CheckoutStatus.PAID,
            "waiting": checkout.status == CheckoutStatus.STARTED,
            "amount": Money(checkout.amount, checkout.currency),
            "paid_on": checkout.completed_at.astimezone(zone).date() if checkout.completed_at else None,
            "balance": balance,
            "paid_in_full": balance is not None and balance.amount <= 0,
        },
    )


urlpatterns = [
    path("portal/a/<int:account_id>/pay", pay, name="pay"),
    path("portal/a/<int:account_id>/pay/sandbox/<str:reference>", sandbox, name="pay-sandbox"),
    path("portal/a/<int:account_id>/pay/return/<str:reference>", returned, name="pay-return"),
    path("portal/a/<int:account_id>/receipt/<str:reference>", receipt, name="receipt"),
]
