"""Finding a customer, and the customer's page: who they are, how to reach them and what they agreed
to, their accounts and holds, the work open for them, what they sent us from the portal (files with a
dispute, requests for help), and one timeline of everything that happened."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from amicable.conversations.tasks import NOTE_LIMIT
from amicable.portal.self_service import UPLOAD_KINDS

from .. import scope, work
from ..models import Role

# The only types a file is sent back as: those the portal accepts, checked by content on the way in.
DOWNLOAD_TYPES = {content_type for content_type, _magic, _suffixes in UPLOAD_KINDS}


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, customer or account reference, phone number or email address"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )


@scope.staff_page(Role.AGENT)
def customers(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    found, more, text = None, False, ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        text = form.cleaned_data["q"].strip()
        found = list(work.search(request.user, text)[: work.SEARCH_LIMIT + 1])
        more = len(found) > work.SEARCH_LIMIT
        found = found[: work.SEARCH_LIMIT]
    return render(
        request,
        "console/customers.html",
        {"form": form, "found": found, "more": more, "text": text, "limit": work.SEARCH_LIMIT},
        status=400 if form.errors else 200,
    )


@scope.staff_page(Role.AGENT)
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    person = scope.customer(request.user, pk)
    summaries = work.accounts(person)
    return render(
        request,
        "console/customer.html",
        {
            "customer": person,
            "creditor": person.creditor,
            "local_time": timezone.localtime(timezone.now(), ZoneInfo(person.timezone)).time(),
            "summaries": summaries,
            "points": work.contact_points(person),
            "holds": work.holds(person),
            "tasks": work.open_tasks(request.user, person),
            "task_roles": work.task_roles(request.user, request.role),
            "note_limit": NOTE_LIMIT,
            "files": work.dispute_files(person),
            "help_requests": work.help_requests(person),
            "timeline": work.timeline(
                person, request.GET.get("page", 1), accounts={s.account.pk: s.account for s in summaries}
            ),
            "may_see_sensitive": scope.may_see_sensitive(request.user),
        },
    )


@scope.staff_page(Role.AGENT)
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A file a customer sent with a dispute, always as a download: whatever it holds, it is never
    shown as a page of the console's own site."""
    found = work.evidence(request.user, pk)
    content_type = found.content_type if found.content_type in DOWNLOAD_TYPES else "application/octet-stream"
    response = HttpResponse(bytes(found.data), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("customers", customers, name="customers"),
    path("customers/<int:pk>", customer, name="customer"),
    path("evidence/<int:pk>", evidence, name="evidence"),
]
