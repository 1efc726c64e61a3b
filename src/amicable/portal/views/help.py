"""When something is wrong: "I don't owe this" (a dispute, with a file if the customer has one) and
asking for help (money is tight, or a difficult situation). Each posts, calls one action
(portal/self_service.py), then shows what happens next."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from amicable.conversations.intents import debt_advice
from amicable.ledger.actions import ActionError

from .. import access
from ..access import customer_account, customer_accounts, portal_page
from ..models import DisputeEvidence, HelpKind, HelpRequest
from ..self_service import (
    MAX_UPLOAD,
    REASONS,
    SITUATIONS,
    ask_for_help,
    check_upload,
    dispute_from_portal,
    dispute_reason,
    open_dispute_of,
)
from ..summary import customer_today


@portal_page
def dispute(request: HttpRequest, account_id: int) -> HttpResponse:
    account = customer_account(request, account_id)
    context = {
        "account": account,
        "creditor": account.creditor,
        "reasons": list(REASONS.items()),
        "values": {},
        "errors": {},
    }
    if request.method == "POST" and open_dispute_of(account) is not None:  # sent twice, or another tab
        messages.info(request, _("You have already told us you dispute this debt. We are checking it."))
        return redirect("portal:dispute", account.pk)
    if request.method == "POST":
        values = {"reason": request.POST.get("reason", ""), "details": request.POST.get("details", "")}
        errors: dict[str, str] = {}
        upload = None
        try:  # checked here as well as in the action, so every problem is shown at once
            dispute_reason(values["reason"], values["details"])
        except ActionError as error:
            errors[error.field or "reason"] = str(error)
        try:
            upload = _upload(request)
        except ActionError as error:
            errors[error.field or "evidence"] = str(error)
        if not errors:
            try:
                dispute_from_portal(
                    account,
                    values["reason"],
                    values["details"],
                    upload=upload,
                    actor=access.actor(request.customer),
                )
            except ActionError as error:
                errors[error.field or "form"] = str(error)
        if not errors:
            messages.success(
                request, _("Thank you. We have paused collection on this debt while we check it.")
            )
            return redirect("portal:dispute", account.pk)
        context |= {"values": values, "errors": errors}
    current = open_dispute_of(account)
    context["dispute"] = current
    context["disputed_on"] = customer_today(request.customer, current.received_at) if current else None
    context["files"] = (
        list(DisputeEvidence.objects.filter(dispute=current).values_list("name", flat=True))
        if current
        else []
    )
    return render(request, "portal/dispute.html", context, status=400 if context["errors"] else 200)


def _upload(request: HttpRequest):
    """The file sent, checked, or None; an ActionError naming the file when it cannot be taken."""
    sent = request.FILES.get("evidence")
    if sent is None:
        return None
    if sent.size > MAX_UPLOAD:  # refused before reading it into memory
        return check_upload(sent.name, sent.size, b"")
    return check_upload(sent.name, sent.size, sent.read())


@portal_page
def help_page(request: HttpRequest) -> HttpResponse:
    customer = request.customer
    context = {
        "customer": customer,
        "creditor": customer.creditor,
        "advice": debt_advice(customer.country),
        "situations": [(key, label) for key, (_category, label) in SITUATIONS.items()],
        "accounts": list(customer_accounts(request)),
        "values": {},
        "errors": {},
        "sent": None,
    }
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ("kind", "situation", "message")}
        try:
            sent = ask_for_help(
                customer,
                values["kind"],
                situation=values["situation"],
                text=values["message"],
                actor=access.actor(customer),
            )
        except ActionError as error:
            context |= {"values": values, "errors": {error.field or "kind": str(error)}}
            return render(request, "portal/help.html", context, status=400)
        return redirect(f"{request.path}?sent={sent.pk}")
    if sent_id := request.GET.get("sent", ""):
        # Only the customer's own request, so an id in the address shows nobody else's.
        context["sent"] = HelpRequest.objects.filter(
            pk=int(sent_id) if sent_id.isdigit() else 0, customer=customer
        ).first()
        if context["sent"] is None:
            raise Http404("No such request")
        context["hardship"] = context["sent"].kind == HelpKind.HARDSHIP
    return render(request, "portal/help.html", context)


urlpatterns = [
    path("portal/a/<int:account_id>/dispute", dispute, name="dispute"),
    path("portal/help", help_page, name="help"),
]
