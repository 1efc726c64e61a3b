"""A statement of one account as a PDF: the balance itemised, every journal entry with the balance
after it, and the plan's schedule, rendered from HTML (portal/statement.html) with WeasyPrint, as
letters are (channels/letter.py). Read-only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from amicable.ledger.actions import itemisation
from amicable.ledger.balance import EntryKind
from amicable.ledger.models import Account, Arrangement, ContactPoint
from amicable.ledger.models.arrangement import ArrangementStatus
from amicable.ledger.money import Money

KIND_WORDS = {
    EntryKind.CHARGE: gettext_lazy("Amount owed"),
    EntryKind.INTEREST: gettext_lazy("Interest"),
    EntryKind.FEE: gettext_lazy("Fee"),
    EntryKind.PAYMENT: gettext_lazy("Payment received"),
    EntryKind.CREDIT: gettext_lazy("Credit"),
    EntryKind.ADJUSTMENT: gettext_lazy("Adjustment"),
    EntryKind.WRITE_OFF: gettext_lazy("Written off"),
}
INSTALMENT_WORDS = {
    "upcoming": gettext_lazy("Upcoming"),
    "overdue": gettext_lazy("Due, not yet late"),
    "paid": gettext_lazy("Paid"),
    "late": gettext_lazy("Paid late"),
    "missed": gettext_lazy("Missed"),
}


@dataclass(frozen=True, slots=True)
class Line:
    on: date
    what: str
    amount: Money  # the entry's size, always positive
    reduces: bool  # a payment, credit or write-off: what is owed went down
    balance: Money  # after this entry


def statement_lines(account: Account) -> list[Line]:
    """Every journal entry in the order the balance counts them, with the balance after each."""
    running = Decimal(0)
    lines = []
    for entry in account.journal.order_by("effective_on", "id"):
        signed = entry.as_entry().signed()
        running += signed
        lines.append(
            Line(
                entry.effective_on,
                str(KIND_WORDS[EntryKind(entry.kind)]),
                Money(abs(signed), account.currency),
                signed < 0,
                Money(running, account.currency),
            )
        )
    return lines


def statement_html(account: Account, today: date) -> str:
    customer, creditor = account.customer, account.creditor
    postal = (
        ContactPoint.objects.filter(customer=customer, kind="postal", invalid=False).order_by("pk").first()
    )
    address = postal.address if postal else {}
    plan = (
        Arrangement.objects.filter(account=account, status=ArrangementStatus.ACTIVE)
        .prefetch_related("instalments")
        .first()
    )
    instalments = [
        {
            "number": i.number,
            "due_on": i.due_on,
            "amount": i.amount,
            "paid": i.paid,
            "status": str(INSTALMENT_WORDS.get(i.status, i.status)),
        }
        for i in (plan.instalments.all() if plan else [])
    ]
    context = {
        "account": account,
        "customer": customer,
        "creditor": creditor,
        "address": [address[k] for k in ("line1", "line2", "city", "region", "postcode") if address.get(k)],
        "today": today,
        "itemised": itemisation(account),
        "lines": statement_lines(account),
        "plan": plan,
        "instalments": instalments,
        "schedule": [] if plan else list(account.schedule.order_by("due_on")),
        "language": translation.get_language() or "en",
    }
    return render_to_string("portal/statement.html", context)


def statement_pdf(account: Account, today: date) -> bytes:
    """The PDF. The page is self-contained (its style inline, no images or links to load), and every
    value in it is escaped by the template, so rendering it fetches nothing."""
    from weasyprint import HTML  # imported here: loading it takes a moment

    return HTML(string=statement_html(account, today)).write_pdf()


def statement_filename(account: Account, today: date) -> str:
    ref = re.sub(r"[^A-Za-z0-9._-]+", "-", account.external_ref).strip("-.") or str(account.pk)
    return f"statement-{ref}-{today.isoformat()}.pdf"
