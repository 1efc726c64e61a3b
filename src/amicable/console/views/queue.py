"""The work queue: what needs a person today, most urgent first, for the creditors the user works;
and marking a task done, from the queue or the customer's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from amicable.conversations.tasks import NOTE_LIMIT, complete_task
from amicable.ledger.actions import ActionError

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
        {
            "form": form,
            "queue": found,
            "filters": params.urlencode(),
            "task_roles": work.task_roles(request.user, request.role),
            "note_limit": NOTE_LIMIT,
        },
        status=200 if found is not None else 400,
    )


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_LIMIT,
        required=False,
        error_messages={"max_length": _("Note: keep it to %(limit_value)d characters.")},
    )


def back_to(request: HttpRequest) -> str:
    """The console page the form was on (the queue with its filters, or the customer's page)."""
    wanted = request.POST.get("next") or ""
    if wanted.startswith("/console/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("console:queue")


@scope.staff_page(Role.AGENT)
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = scope.task(request.user, pk)
    if task.role not in work.task_roles(request.user, request.role):
        raise PermissionDenied("This task is for another role.")
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
        return redirect(back_to(request))
    try:
        complete_task(task, actor=scope.actor(request.user), note=form.cleaned_data["note"])
    except ActionError:
        messages.error(request, gettext("Someone has already marked this task done: nothing changed."))
    else:
        messages.success(request, gettext("Done: %(task)s") % {"task": task.summary})
    return redirect(back_to(request))


urlpatterns = [
    path("", work_queue, name="queue"),
    path("tasks/<int:pk>/done", task_done, name="task-done"),
]
