"""The variables a message template sees (docs/messages.md), from one account's facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace as ns
from typing import Any

import phonenumbers
from django.conf import settings

from amicable.aftercare.links import feedback_url
from amicable.compliance.late_payment import LatePaymentError, fixed_compensation, statutory_interest
from amicable.ledger.balance import InstalmentStatus
from amicable.ledger.models import CustomerKind
from amicable.ledger.money import Money
from amicable.portal.links import portal_url

from .facts import AccountFacts, paid_so_far

# Who the customer can ask for, until agents are assigned to accounts (the console issue).
TEAM = {"en": "Customer Care", "es": "Atención al Cliente"}


def display_phone(number: str, customer_country: str) -> str:
    """+443301234567 -> 0330 123 4567 for a customer in the same country, else +44 330 123 4567."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    same = phonenumbers.region_code_for_number(parsed) == customer_country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def message_language(language: str, country: str) -> str:
    """A British customer whose language is plain English gets British wording (and advice)."""
    return "en-GB" if language == "en" and country == "GB" else language


def links(reply_token: str, customer_id: int, account_id: int | None = None) -> ns:
    """Personal links, short enough for a text. The portal's are signed for one customer and expire
    (portal/links.py); the identity check comes before anything is shown. The opt-out link is the
    contact's own token; the feedback form's link is signed for the account (aftercare/links.py)."""
    return ns(
        portal=portal_url(customer_id),
        pay=portal_url(customer_id, "pay"),
        opt_out=f"{settings.PUBLIC_URL}/u/{reply_token}",
        feedback=feedback_url(account_id) if account_id is not None else None,
    )


def message_context(facts: AccountFacts, today: date, reply_token: str) -> dict[str, Any]:
    account, customer, creditor = facts.account, facts.account.customer, facts.account.creditor
    currency = account.currency
    itemised = facts.itemised

    def money(amount: Decimal) -> Money:
        return Money(amount, currency).rounded()

    paid = paid_so_far(itemised)
    balance = itemised.balance.amount
    statuses = outstanding_instalments(facts.schedule, balance, today)
    upcoming = [s for s in statuses if s.outstanding > 0 and s.due >= today]
    overdue = [s for s in statuses if s.overdue]
    charged = paid + max(balance, Decimal(0))
    progress = int(paid * 100 / charged) if charged > 0 else 100
    conversation = facts.last_conversation
    language = message_language(customer.language, customer.country)
    return {
        "customer": ns(
            first_name=customer.first_name if customer.kind == CustomerKind.PERSON else "",
            name=customer.display_name,
            is_business=customer.kind == CustomerKind.BUSINESS,
        ),
        "creditor": ns(
            name=creditor.display_name,
            phone=display_phone(creditor.phone, customer.country) if creditor.phone else "",
            email=creditor.email,
            website=creditor.website,
        ),
        "account": ns(ref=account.external_ref),
        "balance": money(balance),
        "itemised": ns(
            principal=money(itemised.principal.amount),
            interest=money(itemised.interest.amount),
            fees=money(itemised.fees.amount),
            paid=money(paid),
        ),
        "next_due": ns(date=upcoming[0].due, amount=money(upcoming[0].outstanding)) if upcoming else None,
        "days_overdue": (today - overdue[0].due).days if overdue else 0,
        "paid_so_far": money(paid),
        "progress_percent": progress,
        "last_conversation": ns(
            date=conversation.sent_at.date(), channel="call", summary=conversation.note, promise=None
        )
        if conversation
        else None,
        "late_payment": _late_payment(facts, overdue, today),
        "links": links(reply_token, account.customer_id, account.pk),
        "agent": ns(name=TEAM.get(language.split("-")[0], TEAM["en"])),
        "language": language,
    }


def outstanding_instalments(schedule: list[tuple], balance: Decimal, today: date) -> list[InstalmentStatus]:
    """What is still owed on each instalment. Payments clear the oldest first, so the balance sits in
    the newest instalments (payments made before the schedule was set are not counted twice)."""
    statuses, remaining = [], max(balance, Decimal(0))
    for due, amount in sorted(schedule, reverse=True):
        outstanding = min(amount, remaining)
        remaining -= outstanding
        statuses.append(
            InstalmentStatus(due, amount, amount - outstanding, outstanding, due < today and outstanding > 0)
        )
    return statuses[::-1]


def _late_payment(facts: AccountFacts, overdue: list, today: date) -> ns | None:
    """For a UK business debt: the fixed compensation and statutory interest on what is overdue
    (Late Payment of Commercial Debts (Interest) Act 1998). Never for consumers."""
    customer = facts.account.customer
    if customer.kind != CustomerKind.BUSINESS or customer.country != "GB" or not overdue:
        return None
    if facts.account.currency != "GBP":
        return None
    amount = Money(sum((s.outstanding for s in overdue), Decimal(0)), "GBP")
    try:
        interest = statutory_interest(amount, overdue[0].due, today)
    except LatePaymentError:
        return None
    return ns(
        compensation=fixed_compensation(amount),
        interest=interest.total,
        rate=f"{interest.annual_rate.normalize():f}",
    )
