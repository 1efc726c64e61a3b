"""The way in: a link from a message, the identity check, and the pages that explain what to do when
a link is wrong, expired or locked."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from amicable.ledger.models import Customer

from .. import access
from ..links import PAGES, open_link

# Pages a link may lead to once the check is passed; those about one account open it directly
# when the customer has only one.
ACCOUNT_PAGES = {"pay", "plans", "dispute"}


def link(request: HttpRequest, token: str, page: str = "") -> HttpResponse:
    opened = open_link(token)
    customer = Customer.objects.select_related("creditor").filter(pk=opened.id).first() if opened else None
    if customer is None or page not in (*PAGES, ""):
        return render(request, "portal/link_problem.html", {"problem": "unknown"}, status=404)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else access.customer_language(customer)
    with translation.override(language):
        context = {"customer": customer, "creditor": customer.creditor}
        if opened.expired:
            return render(request, "portal/link_problem.html", context | {"problem": "expired"}, status=410)
        if access.signed_in_customer(request) == customer:
            return redirect(_landing(customer, page))
        question = access.question_for(customer)
        if question is None:
            return render(request, "portal/link_problem.html", context | {"problem": "no_check"}, status=403)
        context |= {"question": question, "values": {}}
        if until := access.locked_until(request, customer):
            return render(request, "portal/locked.html", context | {"until": until}, status=429)
        if request.method != "POST":
            return render(request, "portal/check.html", context)
        answer = {name: request.POST.get(name, "") for name in ("day", "month", "year", "postcode")}
        outcome = access.check_identity(request, customer, answer)
        if outcome.ok:
            response = redirect(_landing(customer, page))
            if chosen not in dict(settings.LANGUAGES):
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", httponly=True)
            return response
        if outcome.locked_until:
            return render(
                request, "portal/locked.html", context | {"until": outcome.locked_until}, status=429
            )
        context |= {"values": answer, "error": outcome.error, "tries_left": outcome.tries_left}
        return render(request, "portal/check.html", context, status=400 if outcome.error else 403)


def _landing(customer: Customer, page: str) -> str:
    if page in ACCOUNT_PAGES:
        accounts = list(customer.accounts.values_list("pk", flat=True)[:2])
        if len(accounts) == 1:
            return reverse(f"portal:{page}", args=[accounts[0]])
        return reverse("portal:home")
    return reverse(f"portal:{page}") if page else reverse("portal:home")


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signed_out.html")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    access.sign_out(request)
    return redirect("portal:signed-out")


urlpatterns = [
    path("p/<str:token>", link, name="link"),
    path("p/<str:token>/<str:page>", link, name="link-page"),
    path("portal/signed-out", signed_out, name="signed-out"),
    path("portal/sign-out", sign_out, name="sign-out"),
]
