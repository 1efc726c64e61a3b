"""Builds the planner's snapshot from the database with one query per frame (no per-account queries)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from amicable.ledger.models import Account, ContactPoint, Creditor, Customer, Hold, JournalEntry, ScheduleItem
from amicable.outbox.models import Contact
from amicable.planner.snapshot import SCHEMAS, Snapshot

# The channels a contact point can carry, and whether each needs the customer's consent for the use.
# A call or a letter needs no opt-in, but not after the customer revoked it.
_CHANNELS = {
    "email": [("email", True)],
    "mobile": [("sms", True), ("call", False)],
    "landline": [("call", False)],
    "postal": [("letter", False)],
}
USES = ("collection", "marketing")
OPEN_STATUSES = ("current", "overdue", "in_arrangement", "disputed", "on_hold")


def _frame(name: str, rows) -> pl.DataFrame:
    schema = SCHEMAS[name]
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def build_snapshot(today: date, account_ids: list[int] | None = None) -> Snapshot:
    """Open accounts, and accounts resolved today (for after-care), with everything the planner needs.
    With account_ids, only those accounts (a preview)."""
    day_start = datetime.combine(today, time(0), tzinfo=ZoneInfo("UTC"))
    accounts = Account.objects.filter(
        Q(status__in=OPEN_STATUSES)
        | Q(status__in=("resolved",), updated_at__gte=day_start - timedelta(days=1))
    )
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    paid = Coalesce(Sum("journal__amount", filter=Q(journal__kind__in=("payment", "credit"))), Decimal(0))
    rows = accounts.annotate(paid=paid).values_list(
        "id",
        "external_ref",
        "creditor__name",
        "customer_id",
        "balance",
        "paid",
        "status",
        "playbook",
        "creditor__role",
        "creditor__applies_regulation_f",
    )
    account_rows = [
        (
            pk,
            ref,
            creditor,
            customer,
            balance,
            paid,  # payments and credits so far (positive amounts in the journal)
            status,
            pin or None,
            False,  # promises arrive with the conversations issue
            status == "in_arrangement",
            role == "debt_collector" or opts_in,
        )
        for pk, ref, creditor, customer, balance, paid, status, pin, role, opts_in in rows
    ]
    schedule = ScheduleItem.objects.filter(account__in=accounts).values_list("account_id", "due_on", "amount")
    customers = [
        (pk, kind, language, zone, country, region or None, list(order or []))
        for pk, kind, language, zone, country, region, order in Customer.objects.filter(
            id__in=accounts.values("customer_id")
        ).values_list("id", "kind", "language", "timezone", "country", "region", "channel_order")
    ]
    reachable = []
    points = ContactPoint.objects.filter(customer_id__in=accounts.values("customer_id"), invalid=False)
    for pk, customer, kind, consents in points.values_list("id", "customer_id", "kind", "consents"):
        for channel, needs_consent in _CHANNELS.get(kind, ()):
            for use in USES:
                state = ((consents or {}).get(use) or {}).get("state", "unknown")
                if state == "granted" or (not needs_consent and use == "collection" and state != "revoked"):
                    reachable.append((customer, channel, use, pk))
    holds = Hold.objects.active_at(day_start + timedelta(hours=12)).filter(
        customer_id__in=accounts.values("customer_id")
    )
    payments = JournalEntry.objects.filter(account__in=accounts, kind="payment", effective_on=today)
    events = [
        (account, "payment_received", today) for account in payments.values_list("account_id", flat=True)
    ]
    events += [
        (pk, "account_resolved", today)
        for pk in accounts.filter(status="resolved", updated_at__gte=day_start).values_list("id", flat=True)
    ]
    creditor_playbooks = [
        (name, playbook)
        for name, playbooks in Creditor.objects.values_list("name", "playbooks")
        for playbook in playbooks or []
    ]
    return Snapshot(
        accounts=_frame("accounts", account_rows),
        schedule=_frame("schedule", schedule),
        customers=_frame("customers", customers),
        reachable=_frame("reachable", reachable),
        holds=_frame("holds", holds.values_list("customer_id", "account_id", "kind")),
        events=_frame("events", sorted(set(events))),
        history=_frame("history", _history(accounts, day_start)),
        creditor_playbooks=_frame("creditor_playbooks", creditor_playbooks),
    )


HISTORY_DAYS = 8  # the frequency rules look back seven days; one more covers every time zone


def _history(accounts, day_start: datetime) -> list[tuple]:
    """Contacts made in the last week to the customers with open accounts (calls with their outcome)."""
    made = Contact.objects.filter(
        customer_id__in=accounts.values("customer_id"),
        sent_at__gte=day_start - timedelta(days=HISTORY_DAYS),
        sent_at__lt=day_start + timedelta(days=2),
    ).values_list("customer_id", "account_id", "channel", "status", "outcome", "sent_at")
    return [
        (customer, account, channel, "outbound", outcome or status, at)
        for customer, account, channel, status, outcome, at in made
    ]
