"""Preferences: how and when we contact the customer and in which language, stopping (or restarting)
messages about the debt to each address or number, and the newsletter. Each form posts, calls one
action, then comes back here with a sentence saying what changed."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amicable.ledger.actions import ActionError, set_contact_preferences
from amicable.ledger.models import ContactPoint

from .. import access
from ..access import portal_page
from ..self_service import masked, set_messages, set_newsletter

CHANNELS = {
    "email": gettext_lazy("Email"),
    "sms": gettext_lazy("Text message"),
    "letter": gettext_lazy("Letter"),
    "call": gettext_lazy("Phone call"),
}
CHOICES = (
    ("choice_1", gettext_lazy("First choice")),
    ("choice_2", gettext_lazy("Second choice")),
    ("choice_3", gettext_lazy("Third choice")),
    ("choice_4", gettext_lazy("Fourth choice")),
)
TIME_ROWS = 3  # empty rows offered for times not to be contacted
LANGUAGES = {"en": "English", "es": "Español"}
TIME = re.compile(r"(\d{1,2}):(\d{2})")


def _time(value: str) -> str | None:
    """'18:00' (or '9:30', as typed where the browser has no time picker) as HH:MM; None if not a time."""
    match = TIME.fullmatch(value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def parse_contact(post, rows: int) -> tuple[dict, dict[str, str]]:
    """The contact form as the action's arguments, and the errors by field (none: it may be saved)."""
    errors: dict[str, str] = {}
    order: list[str] = []
    for field, label in CHOICES:
        channel = post.get(field, "")
        if not channel:
            continue
        if channel not in CHANNELS:
            errors[field] = _("%(label)s: choose one of the ways listed.") % {"label": label}
        elif channel in order:
            errors[field] = _("%(label)s: you chose %(channel)s already. Choose each way once.") % {
                "label": label,
                "channel": CHANNELS[channel],
            }
        else:
            order.append(channel)
    windows = []
    for row in range(1, rows + 1):
        given = {end: post.get(f"{end}_{row}", "").strip() for end in ("from", "to")}
        if not any(given.values()):
            continue
        window = {}
        for end, value in given.items():
            field = f"{end}_{row}"
            words = {"row": row, "value": value}
            if not value:
                errors[field] = (
                    _("Time %(row)s: enter when it starts, like 18:00.")
                    if end == "from"
                    else _("Time %(row)s: enter when it ends, like 21:00.")
                ) % words
            elif (window_time := _time(value)) is None:
                errors[field] = (
                    _("Time %(row)s: “%(value)s” is not a time. Use hours and minutes, like 18:00.") % words
                )
            else:
                window[end] = window_time
        if len(window) == 2:
            if window["from"] == window["to"]:
                errors[f"to_{row}"] = _("Time %(row)s: the end must be different from the start.") % {
                    "row": row
                }
            else:
                windows.append(window)
    language = post.get("language", "")
    if language not in LANGUAGES:
        errors["language"] = _("Language: choose English or Español.")
    return {"channel_order": order, "inconvenient_times": windows, "language": language}, errors


def describe(point: ContactPoint) -> dict:
    """What a contact point carries, in the customer's words, and the sentences for stopping it."""
    where = masked(point)
    words = {"where": where}
    if point.kind == "email":
        what, stopped, started = (
            _("Emails to %(where)s"),
            _("We will not email %(where)s any more about this debt."),
            _("We may email %(where)s about this debt again."),
        )
    elif point.kind == "mobile":
        what, stopped, started = (
            _("Texts and calls to %(where)s"),
            _("We will not text or call %(where)s any more about this debt."),
            _("We may text or call %(where)s about this debt again."),
        )
    elif point.kind == "landline":
        what, stopped, started = (
            _("Calls to %(where)s"),
            _("We will not call %(where)s any more about this debt."),
            _("We may call %(where)s about this debt again."),
        )
    else:
        what, stopped, started = (
            _("Letters to %(where)s"),
            _("We will not send letters to %(where)s any more about this debt."),
            _("We may send letters to %(where)s about this debt again."),
        )
    return {
        "point": point,
        "where": where,
        "what": what % words,
        "stopped_words": stopped % words,
        "started_words": started % words,
        "stopped": point.consent("collection") == "revoked",
        "newsletter": point.consent("marketing") == "granted",
    }


@portal_page
def preferences(request: HttpRequest) -> HttpResponse:
    customer = request.customer
    points = [describe(p) for p in customer.contact_points.order_by("kind", "pk")]
    saved = customer.inconvenient_times or []
    rows = max(TIME_ROWS, len(saved) + 1)
    values = {
        field: (customer.channel_order[i] if i < len(customer.channel_order) else "")
        for i, (field, _label) in enumerate(CHOICES)
    }
    for row, window in enumerate(saved, start=1):
        values[f"from_{row}"], values[f"to_{row}"] = window.get("from", ""), window.get("to", "")
    values["language"] = access.customer_language(customer)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "contact":
            values = request.POST
            wanted, errors = parse_contact(request.POST, rows)
            if not errors:
                return _save_contact(request, wanted)
        elif form == "messages":
            return _save_messages(request)
        elif form == "newsletter":
            return _save_newsletter(request)
        else:
            raise Http404("No such form")

    def field(name: str, label: str = "") -> dict:
        return {"name": name, "label": label, "value": values.get(name, ""), "error": errors.get(name)}

    context = {
        "customer": customer,
        "creditor": customer.creditor,
        "channels": CHANNELS.items(),
        "choices": [field(name, label) for name, label in CHOICES],
        "time_rows": [
            {"row": row, "from": field(f"from_{row}"), "to": field(f"to_{row}")} for row in range(1, rows + 1)
        ],
        "languages": LANGUAGES.items(),
        "language": field("language"),
        "errors": errors,
        "points": points,
        "emails": [p for p in points if p["point"].kind == "email" and not p["point"].invalid],
    }
    return render(request, "portal/preferences.html", context, status=400 if errors else 200)


def _save_contact(request: HttpRequest, wanted: dict) -> HttpResponse:
    customer = request.customer
    language = wanted["language"] if wanted["language"] != access.customer_language(customer) else None
    if (
        language is None
        and wanted["channel_order"] == customer.channel_order
        and wanted["inconvenient_times"] == customer.inconvenient_times
    ):
        messages.info(request, _("Nothing changed."))
        return redirect("portal:preferences")
    set_contact_preferences(
        customer,
        channel_order=wanted["channel_order"],
        inconvenient_times=wanted["inconvenient_times"],
        language=language,
        source="portal",
        actor=access.actor(customer),
    )
    response = redirect("portal:preferences")
    if language is not None:  # the portal speaks the new language too, from the next page on
        translation.activate(language)
        response.set_cookie("django_language", language, samesite="Lax", httponly=True)
    said = [_("Your preferences are saved.")]
    if wanted["channel_order"]:
        said.append(
            _("We will contact you by %(ways)s, in that order, where we can.")
            % {"ways": ", ".join(str(CHANNELS[c]).lower() for c in wanted["channel_order"])}
        )
    for window in wanted["inconvenient_times"]:
        said.append(_("We will not contact you between %(from)s and %(to)s.") % window)
    messages.success(request, " ".join(said))
    return response


def _own_point(request: HttpRequest) -> ContactPoint:
    """One of the signed-in customer's own addresses or numbers, or 404 (like customer_account)."""
    point = request.customer.contact_points.filter(pk=_int(request.POST.get("point"))).first()
    if point is None:
        raise Http404("No such contact point")
    return point


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _save_messages(request: HttpRequest) -> HttpResponse:
    point = _own_point(request)
    wanted = request.POST.get("do") == "start"
    described = describe(point)
    if set_messages(point, wanted, actor=access.actor(request.customer)):
        messages.success(request, described["started_words"] if wanted else described["stopped_words"])
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("portal:preferences")


def _save_newsletter(request: HttpRequest) -> HttpResponse:
    wanted = {_int(value) for value in request.POST.getlist("newsletter")}
    try:
        changed = set_newsletter(request.customer, wanted, actor=access.actor(request.customer))
    except ActionError as error:  # not expected: the portal signs as the customer
        messages.error(request, str(error))
        return redirect("portal:preferences")
    for point, now_wanted in changed:
        where = {"where": masked(point)}
        messages.success(
            request,
            _("You will get our newsletter at %(where)s.") % where
            if now_wanted
            else _("We will not send our newsletter to %(where)s any more.") % where,
        )
    if not changed:
        messages.info(request, _("Nothing changed."))
    return redirect("portal:preferences")


urlpatterns = [path("portal/preferences", preferences, name="preferences")]
