"""The feedback form behind the signed link in the thank-you message. Thin: check the link, call the
action. Works without JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from amicable.aftercare.actions import give_feedback
from amicable.aftercare.links import account_id_from
from amicable.ledger.actions import ActionError
from amicable.ledger.models import Account


def feedback(request: HttpRequest, token: str) -> HttpResponse:
    account_id = account_id_from(token)
    account = (
        Account.objects.select_related("creditor", "customer").filter(pk=account_id).first()
        if account_id
        else None
    )
    if account is None:
        return render(request, "aftercare/feedback.html", {"gone": True}, status=404)
    language = "es" if account.customer.language.startswith("es") else "en"
    context = {
        "creditor": account.creditor.display_name,
        "es": language == "es",
        "values": request.POST,
        "nps_scale": [str(n) for n in range(11)],
    }
    with translation.override(language):
        if request.method == "POST":
            try:
                give_feedback(
                    account,
                    csat=_number(request.POST.get("csat"), "csat"),
                    nps=_number(request.POST.get("nps"), "nps") if request.POST.get("nps") else None,
                    comment=request.POST.get("comment", ""),
                    newsletter=request.POST.get("newsletter") == "yes",
                )
            except ActionError as error:
                context |= {"error": str(error), "field": error.field}
                return render(request, "aftercare/feedback.html", context, status=400)
            return render(request, "aftercare/feedback.html", context | {"done": True})
        return render(request, "aftercare/feedback.html", context)


def _number(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise ActionError(f"{field}: choose a number", field=field) from None
