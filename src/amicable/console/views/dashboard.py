"""The dashboard: today's cycle, payments, promises, opt-outs and complaints, for the creditors the
viewer works. Read-only: the figures come from console/figures.py, the pictures from the pure charts
package, and each chart's numbers are also given in a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amicable.charts import Series, bar_chart, line_chart
from amicable.messages.render import babel_locale
from amicable.outbox.models import ContactStatus

from .. import figures, scope
from ..models import Role

CHANNEL_NAMES = {
    "email": gettext_lazy("Email"),
    "sms": gettext_lazy("Text (SMS)"),
    "letter": gettext_lazy("Letter"),
    "call": gettext_lazy("Call"),
}
STATUS_NAMES = {
    ContactStatus.QUEUED: gettext_lazy("Queued"),
    ContactStatus.DEFERRED: gettext_lazy("Deferred"),
    ContactStatus.SENT: gettext_lazy("Sent"),
    ContactStatus.DELIVERED: gettext_lazy("Delivered"),
    ContactStatus.FAILED: gettext_lazy("Failed"),
    ContactStatus.BLOCKED: gettext_lazy("Blocked"),
    ContactStatus.CANCELLED: gettext_lazy("Cancelled"),
}
# Each status keeps its colour (chart-s<n> in site.css) whichever others appear that day.
STATUS_TONES = {
    ContactStatus.QUEUED: 5,
    ContactStatus.DEFERRED: 3,
    ContactStatus.SENT: 2,
    ContactStatus.DELIVERED: 0,
    ContactStatus.FAILED: 6,
    ContactStatus.BLOCKED: 1,
    ContactStatus.CANCELLED: 4,
}


@dataclass
class Figure:
    """One chart and the same numbers as a table: a row per label, a column per series. The SVG is
    marked safe because the charts package escapes every text it draws."""

    chart_id: str
    title: str
    svg: SafeString
    corner: str  # the heading of the row labels' column
    columns: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)


def _locale():
    return babel_locale(translation.get_language() or "en")


def _count(value) -> str:
    return format_decimal(value, locale=_locale())


def _amount(currency: str) -> Callable[[object], str]:
    return lambda value: format_currency(Decimal(str(value)), currency, locale=_locale())


def _week_label(week: date) -> str:
    return format_date(week, "d MMM", locale=_locale())


def _week_row(week: date) -> str:
    return format_date(week, "medium", locale=_locale())


def cycle_figure(day: figures.CycleDay) -> Figure | None:
    if not day.channels:
        return None
    statuses = [s for s in figures.STATUSES if any(day.count(c, s) for c in day.channels)]
    labels = [str(CHANNEL_NAMES.get(c, c)) for c in day.channels]
    title = _("Today's contacts by channel and outcome")
    svg = bar_chart(
        "chart-cycle",
        title,
        labels,
        [
            Series(str(STATUS_NAMES[s]), [day.count(c, s) for c in day.channels], STATUS_TONES[s])
            for s in statuses
        ],
        summary=_("%(total)s contacts planned for today.") % {"total": _count(day.total)},
        fmt=_count,
    )
    rows = [
        (label, [_count(day.count(c, s)) for s in figures.STATUSES])
        for label, c in zip(labels, day.channels, strict=True)
    ]
    columns = [str(STATUS_NAMES[s]) for s in figures.STATUSES]
    return Figure("chart-cycle", title, mark_safe(svg), _("Channel"), columns, rows)


def payment_figures(weeks: list[date], found: dict[str, list[figures.WeekOfPayments]]) -> list[Figure]:
    labels = [_week_label(w) for w in weeks]
    made = []
    for currency, rows in found.items():
        amount = _amount(currency)
        title = _("Amount recovered per week, %(currency)s") % {"currency": currency}
        svg = bar_chart(
            f"chart-payments-{currency.lower()}",
            title,
            labels,
            [Series(_("Paid in %(currency)s") % {"currency": currency}, [r.amount for r in rows])],
            summary=_("Payments in %(currency)s only; other currencies have their own chart.")
            % {"currency": currency},
            fmt=amount,
        )
        made.append(
            Figure(
                f"chart-payments-{currency.lower()}",
                title,
                mark_safe(svg),
                _("Week starting"),
                [_("Payments"), _("Amount")],
                [(_week_row(r.week), [_count(r.payments), amount(r.amount)]) for r in rows],
            )
        )
    return made


def weekly_figure(
    chart_id: str, title: str, weeks: list[date], named: list[tuple[str, list[int], int]], *, line: bool
) -> Figure:
    draw = line_chart if line else bar_chart
    svg = draw(
        chart_id,
        title,
        [_week_label(w) for w in weeks],
        [Series(name, values, tone) for name, values, tone in named],
        fmt=_count,
    )
    rows = [(_week_row(week), [_count(one[1][i]) for one in named]) for i, week in enumerate(weeks)]
    return Figure(chart_id, title, mark_safe(svg), _("Week starting"), [one[0] for one in named], rows)


@scope.staff_page(Role.AGENT)
def dashboard(request):
    ids = figures.creditor_ids(request.user)
    today = timezone.localdate()
    weeks = figures.week_starts(today)
    promises = figures.promises_by_week(ids, weeks)
    context = {
        "creditors": scope.creditors(request.user).order_by("name"),
        "today": today,
        "first_week": weeks[0],
        "cycle": cycle_figure(figures.cycle_day(ids, today)),
        "payments": payment_figures(weeks, figures.payments_by_week(ids, weeks)),
        "promises": weekly_figure(
            "chart-promises",
            _("Promises kept and broken, by the week they were due"),
            weeks,
            [(_("Kept"), promises["kept"], 0), (_("Broken"), promises["broken"], 1)],
            line=False,
        ),
        "stops": weekly_figure(
            "chart-stops",
            _("Opt-outs and complaints per week"),
            weeks,
            [
                (_("Opt-outs"), figures.opt_outs_by_week(ids, weeks), 2),
                (_("Complaints"), figures.complaints_by_week(ids, weeks), 1),
            ],
            line=True,
        ),
    }
    return render(request, "console/dashboard.html", context)


urlpatterns = [path("dashboard", dashboard, name="dashboard")]
