"""Builds the planner's snapshot from the database with one query per frame (no per-account queries).

The rows reach Polars through cycle.frames: as Arrow columns when nothing uncommitted is in the way,
through Django's cursor otherwise, and in both cases parsed a whole column at a time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum

from amicable.cycle.frames import Reader, reading
from amicable.ledger.models import (
    Account,
    ContactPoint,
    Creditor,
    Customer,
    Hold,
    JournalEntry,
    Promise,
    ScheduleItem,
)
from amicable.outbox.models import Contact
from amicable.planner.snapshot import MONEY, SCHEMAS, Snapshot

# The channels a contact point can carry, and whether each needs the customer's consent for the use.
# A call or a letter needs no opt-in, but not after the customer revoked it.
_CHANNELS = pl.DataFrame(
    [
        ("email", "email", True),
        ("mobile", "sms", True),
        ("mobile", "call", False),
        ("landline", "call", False),
        ("postal", "letter", False),
    ],
    schema={"kind": pl.String, "channel": pl.String, "needs_consent": pl.Boolean},
    orient="row",
)
USES = ("collection", "marketing")
# {"collection": {"state": "granted", "at": ..., "source": ...}, "marketing": {...}}
_CONSENTS = pl.Struct({use: pl.Struct({"state": pl.String}) for use in USES})
OPEN_STATUSES = ("current", "overdue", "in_arrangement", "disputed", "on_hold")
HISTORY_DAYS = 8  # the frequency rules look back seven days; one more covers every time zone
ID = pl.Int64


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
    customer_ids = accounts.values("customer_id")
    with reading() as read:
        return Snapshot(
            accounts=_accounts(read, accounts),
            schedule=read(
                ScheduleItem.objects.filter(account__in=accounts),
                account_id=("account_id", ID),
                due_on=("due_on", pl.Date),
                amount=("amount", MONEY),
            ),
            customers=_customers(read, customer_ids),
            reachable=_reachable(read, customer_ids),
            holds=read(
                Hold.objects.active_at(day_start + timedelta(hours=12)).filter(customer_id__in=customer_ids),
                customer_id=("customer_id", ID),
                account_id=("account_id", ID),
                kind=("kind", pl.String),
            ),
            events=_events(read, accounts, today, day_start),
            history=_history(read, customer_ids, day_start),
            creditor_playbooks=_creditor_playbooks(),
        )


def _accounts(read: Reader, accounts: QuerySet) -> pl.DataFrame:
    # A correlated subquery reads each account's journal through its index, where a join would need
    # a GROUP BY over every selected column.
    paid = (
        JournalEntry.objects.filter(account=OuterRef("pk"), kind__in=("payment", "credit"))
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    frame = read(
        accounts,
        account_id=("id", ID),
        account_ref=("external_ref", pl.String),
        creditor=("creditor__name", pl.String),
        customer_id=("customer_id", ID),
        balance=("balance", MONEY),
        paid_total=(Subquery(paid), MONEY),  # payments and credits so far (positive amounts)
        status=("status", pl.String),
        pinned_playbook=("playbook", pl.String),
        role=("creditor__role", pl.String),
        opts_in=("creditor__applies_regulation_f", pl.Boolean),
        promise_active=(Exists(Promise.objects.filter(account=OuterRef("pk"), status="open")), pl.Boolean),
    )
    return frame.with_columns(
        paid_total=pl.col("paid_total").fill_null(pl.lit(0).cast(MONEY)),
        pinned_playbook=pl.when(pl.col("pinned_playbook") != "").then("pinned_playbook"),
        plan_active=pl.col("status") == "in_arrangement",
        regulation_f=(pl.col("role") == "debt_collector") | pl.col("opts_in"),
    ).select(*SCHEMAS["accounts"])


def _customers(read: Reader, customer_ids: QuerySet) -> pl.DataFrame:
    frame = read(
        Customer.objects.filter(id__in=customer_ids),
        customer_id=("id", ID),
        kind=("kind", pl.String),
        language=("language", pl.String),
        timezone=("timezone", pl.String),
        country=("country", pl.String),
        region=("region", pl.String),
        channel_order=("channel_order", pl.List(pl.String)),
    )
    return frame.with_columns(
        region=pl.when(pl.col("region") != "").then("region"),
        channel_order=pl.col("channel_order").fill_null([]),
    )


def _reachable(read: Reader, customer_ids: QuerySet) -> pl.DataFrame:
    """One row per (customer, channel, use) each valid contact point can carry, read from its consents."""
    points = read(
        ContactPoint.objects.filter(customer_id__in=customer_ids, invalid=False),
        contact_point_id=("id", ID),
        customer_id=("customer_id", ID),
        kind=("kind", pl.String),
        consents=("consents", _CONSENTS),
    ).select(
        "contact_point_id",
        "customer_id",
        "kind",
        *(pl.col("consents").struct.field(use).struct.field("state").alias(use) for use in USES),
    )
    state = pl.col("state").fill_null("unknown")
    return (
        points.unpivot(
            index=["contact_point_id", "customer_id", "kind"],
            on=list(USES),
            variable_name="use",
            value_name="state",
        )
        .join(_CHANNELS, on="kind")
        .filter(
            (state == "granted")
            | (~pl.col("needs_consent") & (pl.col("use") == "collection") & (state != "revoked"))
        )
        .select(*SCHEMAS["reachable"])
    )


def _events(read: Reader, accounts: QuerySet, today: date, day_start: datetime) -> pl.DataFrame:
    """Payments received and accounts resolved today, promises made or found broken today, and the due
    dates of open promises (a step fires its in_days before), for the event steps."""
    paid_today = read(
        accounts.filter(journal__kind="payment", journal__effective_on=today).distinct(),
        account_id=("id", ID),
    ).with_columns(event=pl.lit("payment_received"), on=pl.lit(today))
    resolved_today = read(
        accounts.filter(status="resolved", updated_at__gte=day_start), account_id=("id", ID)
    ).with_columns(event=pl.lit("account_resolved"), on=pl.lit(today))
    promises = read(
        Promise.objects.filter(account__in=accounts, status="open", due_on__gte=today),
        account_id=("account_id", ID),
        on=("due_on", pl.Date),
    ).with_columns(event=pl.lit("promise_due"))
    made_today = read(
        Promise.objects.filter(
            account__in=accounts, made_at__gte=day_start, made_at__lt=day_start + timedelta(days=1)
        ),
        account_id=("account_id", ID),
    ).with_columns(event=pl.lit("promise_made"), on=pl.lit(today))
    broken_today = read(
        Promise.objects.filter(account__in=accounts, status="broken", settled_on=today),
        account_id=("account_id", ID),
    ).with_columns(event=pl.lit("promise_broken"), on=pl.lit(today))
    frames = (paid_today, resolved_today, promises, made_today, broken_today)
    return (
        pl.concat([frame.select(*SCHEMAS["events"]) for frame in frames])
        .unique()
        .sort(pl.all())
        .select(*SCHEMAS["events"])
    )


def _history(read: Reader, customer_ids: QuerySet, day_start: datetime) -> pl.DataFrame:
    """Contacts made in the last week to the customers with open accounts (calls with their outcome)."""
    made = Contact.objects.filter(
        customer_id__in=customer_ids,
        sent_at__gte=day_start - timedelta(days=HISTORY_DAYS),
        sent_at__lt=day_start + timedelta(days=2),
    )
    frame = read(
        made,
        customer_id=("customer_id", ID),
        account_id=("account_id", ID),
        channel=("channel", pl.String),
        status=("status", pl.String),
        outcome=("outcome", pl.String),
        at=("sent_at", SCHEMAS["history"]["at"]),
    )
    return frame.with_columns(
        direction=pl.lit("outbound"),
        outcome=pl.when(pl.col("outcome") != "").then("outcome").otherwise("status"),
    ).select(*SCHEMAS["history"])


def _creditor_playbooks() -> pl.DataFrame:
    rows = [
        (name, playbook)
        for name, playbooks in Creditor.objects.values_list("name", "playbooks")
        for playbook in playbooks or []
    ]
    return pl.DataFrame(rows, schema=SCHEMAS["creditor_playbooks"], orient="row")
