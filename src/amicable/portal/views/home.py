"""The portal's home: who the creditor is, each account's balance itemised, what is due next, and
what happens next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ..access import customer_accounts, portal_page
from ..summary import customer_today, summaries


@portal_page
def home(request: HttpRequest) -> HttpResponse:
    customer = request.customer
    today = customer_today(customer)
    return render(
        request,
        "portal/home.html",
        {
            "customer": customer,
            "creditor": customer.creditor,
            "today": today,
            "summaries": summaries(list(customer_accounts(request)), today),
        },
    )


urlpatterns = [path("portal/", home, name="home")]
