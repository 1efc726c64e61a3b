"""Ledger records as the API shows them (the shapes are in schemas.py).

Money is a string amount rounded to its currency's minor units (the ledger keeps four places) with
its currency code; never a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from amicable.ledger.actions import itemisation
from amicable.ledger.balance import Itemisation
from amicable.ledger.importing.accounts_write import CUSTOMER_FIELDS
from amicable.ledger.models import (
    Account,
    AuditLog,
    ContactPoint,
    Customer,
    Dispute,
    DisputeStatus,
    Hold,
    JournalEntry,
    Promise,
    PromiseStatus,
)
from amicable.ledger.money import Money, round_amount

from .scope import scoped


def money(amount: Decimal | Money, currency: str | None = None) -> dict[str, str]:
    if isinstance(amount, Money):
        amount, currency = amount.amount, amount.currency
    return {"amount": str(round_amount(amount, currency)), "currency": currency}


def customer(record: Customer, *, created: bool = False) -> dict[str, Any]:
    points = ContactPoint.objects.filter(customer=record).order_by("kind", "id")
    return {
        "customer_ref": record.external_ref,
        "created": created,
        "customer_type": record.kind,
        # The import's customer columns, but for kind (shown above as customer_type).
        **{name: getattr(record, name) for name in CUSTOMER_FIELDS if name != "kind"},
        "contact_points": [
            {
                "kind": p.kind,
                "value": p.value,
                "address": p.address or None,
                "consents": {use: {"state": "unknown", **c} for use, c in p.consents.items()},
                "verified": p.verified,
                "invalid": p.invalid,
            }
            for p in points
        ],
    }


def account_summary(record: Account) -> dict[str, Any]:
    return {
        "account_ref": record.external_ref,
        "customer_ref": record.customer.external_ref,
        "currency": record.currency,
        "balance": money(record.balance, record.currency),
        "status": record.status,
        "product_type": record.product_type,
        "opened_on": record.opened_on,
        "charged_off_on": record.charged_off_on,
        "statute_of_limitations_on": record.statute_of_limitations_on,
        "schedule": [
            {"due_on": item.due_on, "amount": money(item.amount, record.currency)}
            for item in record.schedule.order_by("due_on")
        ],
    }


def _itemisation(items: Itemisation) -> dict[str, Any]:
    names = (
        "principal",
        "interest",
        "fees",
        "unallocated_credit",
        "total_charged",
        "total_interest",
        "total_fees",
        "total_paid",
        "total_credited",
        "total_written_off",
        "net_adjustments",
    )
    return {"balance": money(items.balance), **{name: money(getattr(items, name)) for name in names}}


def hold(record: Hold) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": record.pk,
        "kind": record.kind,
        "applies_to": "account" if record.account_id else "customer",
        "account_ref": record.account.external_ref if record.account_id else None,
        "customer_ref": record.customer.external_ref,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "active": record.starts_at <= now and (record.ends_at is None or record.ends_at > now),
        "source": record.source,
        "note": record.note,
    }


def payment(entry: JournalEntry, account: Account) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "account_ref": account.external_ref,
        "payment_ref": entry.external_ref,
        "amount": money(entry.amount, account.currency),
        "paid_on": entry.effective_on,
        "recorded_at": entry.recorded_at,
    }


def account(request: HttpRequest, record: Account, *, limit: int, offset: int) -> dict[str, Any]:
    """The account with its itemisation, what stops or shapes collection, and a page of its timeline."""
    now = timezone.now()
    holds = (
        scoped(request, Hold)
        .filter(customer_id=record.customer_id)
        .filter(Q(account=record) | Q(account__isnull=True))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("customer", "account")
        .order_by("starts_at", "id")
    )
    promises = scoped(request, Promise).filter(account=record, status=PromiseStatus.OPEN).order_by("due_on")
    disputes = (
        scoped(request, Dispute)
        .filter(account=record, status__in=[DisputeStatus.OPEN, DisputeStatus.VERIFICATION_SENT])
        .order_by("-received_at")
    )
    return {
        **account_summary(record),
        "itemisation": _itemisation(itemisation(record)),
        "holds": [hold(h) for h in holds],
        "open_promises": [
            {
                "id": p.pk,
                "amount": money(p.amount, p.currency),
                "due_on": p.due_on,
                "channel": p.channel,
                "made_at": p.made_at,
            }
            for p in promises
        ],
        "open_disputes": [
            {
                "id": d.pk,
                "status": d.status,
                "reason": d.reason,
                "received_at": d.received_at,
                "within_validation_period": d.within_validation_period,
            }
            for d in disputes
        ],
        "timeline": timeline(request, record, limit=limit, offset=offset),
    }


def timeline(request: HttpRequest, record: Account, *, limit: int, offset: int) -> dict[str, Any]:
    """The account's audit rows and its customer's own (those naming no account), newest first; rows
    about the customer's other accounts are left out."""
    rows = (
        scoped(request, AuditLog)
        .filter(Q(account_id=record.pk) | Q(customer_id=record.customer_id, account__isnull=True))
        .order_by("-at", "-id")
    )
    count = rows.count()
    page = list(rows[offset : offset + limit])
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if offset + limit < count else None,
        "items": [
            {
                "at": row.at,
                "actor": row.actor,
                "action": row.action,
                "summary": row.summary,
                "account_ref": record.external_ref if row.account_id else None,
                "changes": row.changes,
            }
            for row in page
        ],
    }


__all__ = ["account", "account_summary", "customer", "hold", "money", "payment", "timeline"]


def promise(record: Promise) -> dict[str, Any]:
    return {
        "id": record.pk,
        "amount": money(record.amount, record.currency),
        "due_on": record.due_on,
        "channel": record.channel,
        "made_at": record.made_at,
    }


def dispute(record: Dispute) -> dict[str, Any]:
    return {
        "id": record.pk,
        "status": record.status,
        "reason": record.reason,
        "received_at": record.received_at,
        "within_validation_period": record.within_validation_period,
    }


def call(contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "outcome": contact.outcome,
        "at": contact.sent_at,
        "rules_against": sorted({r["rule"] for r in contact.reasons if r["effect"] == "block"}),
        "reasons": contact.reasons,
    }
