"""The work queue: what needs a person today, most urgent first, for the creditors the user works."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .. import scope, work
from ..models import Role


class QueueFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of work"),
        choices=[("", _("Every kind")), *work.KINDS.items()],
        required=False,
        error_messages={"invalid_choice": _("Choose a kind of work from the list.")},
    )
    creditor = forms.ModelChoiceField(
        label=_("Creditor"),
        queryset=None,
        required=False,
        empty_label=_("All your creditors"),
        error_messages={"invalid_choice": _("Choose one of the creditors you work for.")},
    )
    due = forms.ChoiceField(
        label=_("Due"),
        choices=list(work.DUE.items()),
        required=False,
        error_messages={"invalid_choice": _("Choose when the work is due from the list.")},
    )
    page = forms.IntegerField(
        label=_("Page"),
        min_value=1,
        required=False,
        error_messages={"invalid": _("The page is a whole number, 1 or more.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = scope.creditors(user).order_by("name")


@scope.staff_page(Role.AGENT)
def work_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilter(request.GET, user=request.user)
    found = None
    if form.is_valid():
        found = work.queue(
            request.user,
            kind=form.cleaned_data["kind"],
            creditor=form.cleaned_data["creditor"],
            due=form.cleaned_data["due"] or "today",
            page=form.cleaned_data["page"] or 1,
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "console/queue.html",
        {"form": form, "queue": found, "filters": params.urlencode()},
        status=200 if found is not None else 400,
    )


urlpatterns = [path("", work_queue, name="queue")]
