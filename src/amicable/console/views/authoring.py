"""Supervisors' editors for playbooks and message templates (authoring/library.py does the work).

A playbook edit is checked (an error names the line and the field), then tried on tomorrow's cycle for
the supervisor's accounts; it can be saved only after a dry run of exactly that text. A template edit
is checked like `amicable templates check` and previewed with any of the supervisor's accounts.
Playbooks and templates are shared by every creditor that uses them: only someone who works for all
of those creditors may save a change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amicable.authoring import library
from amicable.authoring.models import PlaybookVersion, TemplateVersion
from amicable.messages.render import (
    BLOCKS,
    CHANNELS,
    TemplateError,
    packaged_text,
    template_path,
    template_stems,
)
from amicable.playbooks.load import PlaybookError, default_playbooks

from .. import scope
from ..models import Role

CHANNEL_LABELS = {
    "email": gettext_lazy("Email"),
    "sms": gettext_lazy("Text message"),
    "letter": gettext_lazy("Letter"),
    "call": gettext_lazy("Call"),
}
HISTORY = 10  # versions listed on an editor
NEW_PLAYBOOK = """playbook: my-playbook
title: My playbook
description: >
  Whom it is for and what it does, in a sentence or two.
segment:
  customer_kinds: person
steps:
  - id: reminder-7
    day: -7
    channels: [email, sms]
    template: reminder_upcoming
    stop_if: [instalment_paid, promise_active, plan_active]
"""


def _int(value: object) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _may_change(user, creditor_ids: set[int]) -> bool:
    return creditor_ids <= set(scope.creditors(user).values_list("pk", flat=True))


def _history(model, **where):
    return list(model.objects.filter(**where).order_by("-id")[:HISTORY])


# ------------------------------------------------------------------------------------------ playbooks


def _signature(name: str, based_on: int, text: str) -> str:
    """What the dry run was of: the playbook, the version it started from and the exact text."""
    return salted_hmac("amicable.authoring.dry_run", f"{name}\n{based_on}\n{text}").hexdigest()


@scope.staff_page(Role.SUPERVISOR)
def playbooks(request: HttpRequest) -> HttpResponse:
    saved = library.saved_playbooks()
    books = library.active_playbooks(saved)
    packaged = set(default_playbooks())
    rows = [
        {
            "name": name,
            "book": books[name],
            "version": saved.get(name),
            "packaged": name in packaged,
        }
        for name in sorted(books)
    ]
    return render(request, "console/playbooks.html", {"rows": rows})


def _playbook_page(request: HttpRequest, name: str | None, status: int = 200, **context) -> HttpResponse:
    context.setdefault("errors", {})
    book = default_playbooks().get(name) if name else None
    return render(
        request,
        "console/playbook.html",
        {
            "name": name,
            "packaged": library.packaged_playbook_text(book) if book else None,
            "history": _history(PlaybookVersion, name=name) if name else [],
            "tomorrow": timezone.localdate() + timedelta(days=1),
            **context,
        },
        status=400 if context["errors"] and status == 200 else status,
    )


def _playbook_errors(error: PlaybookError) -> dict[str, str]:
    return {
        "text": _("Playbook text, line %(line)s, field %(field)s: %(message)s")
        % {"line": error.line, "field": error.field, "message": library.playbook_error_message(error)}
    }


def _edit_playbook(request: HttpRequest, name: str | None, text: str, based_on: int) -> HttpResponse:
    """The editor: GET shows the text; POST `dry_run` checks it and tries it on tomorrow's cycle;
    POST `save` saves it, if it is the text the dry run was of."""
    used_by = library.creditors_using([name]) if name else set()
    may_save = _may_change(request.user, used_by)
    page = {"text": text, "based_on": based_on, "may_save": may_save}
    if request.method != "POST":
        return _playbook_page(request, name, **page)
    text = library.normalise(request.POST.get("text", ""))
    based_on = _int(request.POST.get("based_on"))
    note = request.POST.get("note", "").strip()
    page.update(text=text, based_on=based_on, note=note)
    if request.POST.get("action") == "save":
        signed = request.POST.get("dry_run_of", "")
        book_name = name or _new_name(text)
        if not may_save:
            return _playbook_page(
                request,
                name,
                status=403,
                errors={"text": _("This playbook is also used by creditors you do not work for.")},
                **page,
            )
        if not book_name or not constant_time_compare(signed, _signature(book_name, based_on, text)):
            return _playbook_page(
                request,
                name,
                errors={
                    "text": _(
                        "Playbook text: it changed after the dry run (or there was none). "
                        "Run the dry run of this text, then save it."
                    )
                },
                **page,
            )
        try:
            version = library.save_playbook(
                text, actor=scope.actor(request.user), name=name, note=note, based_on=based_on
            )
        except library.AuthoringError as error:
            return _playbook_page(request, name, errors={"text": _("Playbook text: %s") % error}, **page)
        messages.success(
            request,
            _("Playbook %(name)s saved: the next cycle uses it.") % {"name": version.name},
        )
        return redirect("console:playbook", name=version.name)
    try:
        book = library.check_playbook(text, name)
    except PlaybookError as error:
        lines = text.splitlines()
        shown = lines[error.line - 1] if 0 < error.line <= len(lines) else ""
        return _playbook_page(request, name, errors=_playbook_errors(error), error_line=shown, **page)
    # The supervisor's creditors' accounts (everyone's for a superuser, without listing them all).
    ids = (
        None if request.user.is_superuser else list(scope.accounts(request.user).values_list("pk", flat=True))
    )
    result = library.dry_run(book, ids, timezone.localdate() + timedelta(days=1))
    channels = result.channels
    for row in channels:
        row.label = CHANNEL_LABELS.get(row.key, row.key)
    return _playbook_page(
        request,
        name,
        dry_run=result,
        dry_rows={"channels": channels, "steps": result.steps, "rules": result.rules, "skips": result.skips},
        dry_run_of=_signature(book.name, based_on, text),
        **page,
    )


def _new_name(text: str) -> str | None:
    try:
        return library.check_playbook(text).name
    except PlaybookError:
        return None


@scope.staff_page(Role.SUPERVISOR)
def playbook(request: HttpRequest, name: str) -> HttpResponse:
    found = library.playbook_text(name)
    if found is None:
        raise Http404("No such playbook")
    text, version = found
    return _edit_playbook(request, name, text, version.pk if version else 0)


@scope.staff_page(Role.SUPERVISOR)
def playbook_new(request: HttpRequest) -> HttpResponse:
    return _edit_playbook(request, None, NEW_PLAYBOOK, 0)


# ---------------------------------------------------------------------------------------- templates


@scope.staff_page(Role.SUPERVISOR)
def templates(request: HttpRequest) -> HttpResponse:
    return _templates_page(request)


def _templates_page(
    request: HttpRequest, errors: dict | None = None, new: dict | None = None
) -> HttpResponse:
    saved = library.load_saved_templates()
    sections = []
    for channel in CHANNELS:
        rows: dict[tuple[str, str], dict[str, object]] = defaultdict(dict)
        languages = set()
        for stem in template_stems(channel):
            name, variant, language = library.parts(stem)
            languages.add(language)
            rows[(name, variant or "")][language] = {
                "stem": stem,
                "version": saved.get(f"{channel}/{stem}.j2"),
            }
        ordered = sorted(languages)
        sections.append(
            {
                "channel": channel,
                "label": CHANNEL_LABELS[channel],
                "languages": ordered,
                "rows": [
                    {"name": name, "variant": variant, "cells": [files.get(lang) for lang in ordered]}
                    for (name, variant), files in sorted(rows.items())
                ],
            }
        )
    return render(
        request,
        "console/templates.html",
        {
            "sections": sections,
            "channels": [(c, CHANNEL_LABELS[c]) for c in CHANNELS],
            "errors": errors or {},
            "new": new or {},
        },
        status=400 if errors else 200,
    )


@scope.staff_page(Role.SUPERVISOR)
def template_new(request: HttpRequest) -> HttpResponse:
    """The list page's "new template" form: to the editor of that file, if the name can be one."""
    channel, stem = request.GET.get("channel", ""), request.GET.get("name", "").strip()
    try:
        template_path(channel, stem)
    except TemplateError as error:
        said = str(error).partition(": ")[2]
        field = "new_channel" if channel not in CHANNELS else "new_name"
        label = _("Channel") if field == "new_channel" else _("New template's name")
        return _templates_page(request, {field: f"{label}: {said}"}, {"channel": channel, "name": stem})
    if library.template_text(channel, stem) is not None:
        return redirect("console:template", channel=channel, name=stem)
    return redirect(reverse("console:template", args=[channel, stem]) + "?new=1")


def _starter(channel: str) -> str:
    return "\n\n".join(f"{{% block {block} %}}\n{{% endblock %}}" for block in BLOCKS[channel]) + "\n"


def _account(user, ref: str):
    """An account of the user's creditors by its reference (404 for any other, as for none)."""
    found = list(scope.accounts(user).filter(external_ref=ref).select_related("customer", "creditor")[:2])
    if not found:
        raise LookupError(
            _("Account: there is no account %(ref)s among your creditors' accounts.") % {"ref": ref}
        )
    if len(found) > 1:
        raise ValueError(
            _("Account: more than one of your creditors has an account %(ref)s; ask an admin.") % {"ref": ref}
        )
    return found[0]


@scope.staff_page(Role.SUPERVISOR)
def template(request: HttpRequest, channel: str, name: str) -> HttpResponse:
    try:
        template_path(channel, name)
    except TemplateError:
        raise Http404("No such template") from None
    found = library.template_text(channel, name)
    if found is None and request.GET.get("new") != "1" and request.method != "POST":
        raise Http404("No such template")
    text, version = found or (_starter(channel), None)
    based_on = version.pk if version else 0
    may_save = _may_change(request.user, library.creditors_using_template(channel, name))
    packaged = packaged_text(channel, name)
    page = {
        "channel": channel,
        "channel_label": CHANNEL_LABELS[channel],
        "name": name,
        "is_new": found is None,
        "packaged": packaged is not None,
        "packaged_text": packaged,
        "history": _history(TemplateVersion, channel=channel, name=name),
        "blocks": BLOCKS[channel],
        "text": text,
        "based_on": based_on,
        "may_save": may_save,
        "account_ref": "",
        "errors": {},
    }
    if request.method != "POST":
        return render(request, "console/template.html", page)
    text = library.normalise(request.POST.get("text", ""))
    ref = request.POST.get("account_ref", "").strip()
    note = request.POST.get("note", "").strip()
    page.update(text=text, account_ref=ref, note=note, based_on=_int(request.POST.get("based_on")))
    refused = ""
    if request.POST.get("action") == "save":
        if not may_save:
            page["errors"] = {"text": _("This template is sent by creditors you do not work for.")}
            return render(request, "console/template.html", page, status=403)
        try:
            library.save_template(
                channel, name, text, actor=scope.actor(request.user), note=note, based_on=page["based_on"]
            )
        except library.AuthoringError as error:
            refused = str(error)
        else:
            messages.success(
                request, _("Template %(name)s saved: the next message uses it.") % {"name": name}
            )
            return redirect("console:template", channel=channel, name=name)
    checked = library.check_template(channel, name, text)
    page["checked"] = checked
    status = 200
    if checked.errors or refused:
        page["errors"]["text"] = _("Template text: %s") % ("; ".join(checked.errors) or refused)
        status = 400
    if ref:
        try:
            account = _account(request.user, ref)
        except LookupError as error:
            page["errors"]["account_ref"] = str(error)
            status = 404
        except ValueError as error:
            page["errors"]["account_ref"] = str(error)
            status = 400
        else:
            page["account"] = account
            page["preview"] = library.preview_template(account, channel, name, text)
    return render(request, "console/template.html", page, status=status)


urlpatterns = [
    path("playbooks", playbooks, name="playbooks"),
    path("playbooks/new", playbook_new, name="playbook_new"),
    path("playbooks/<str:name>", playbook, name="playbook"),
    path("templates", templates, name="templates"),
    path("templates/new", template_new, name="template_new"),
    path("templates/<str:channel>/<str:name>", template, name="template"),
]
