"""What the dashboard and the compliance page count. Read-only, and counted by the database: every
function here is a GROUP BY over a bounded range (a day, 7 or 30 days, 12 weeks), never a loop over
rows, so the pages stay quick with millions of accounts (docs/console.md lists the indexes used and
those still wanted). Each takes the creditor ids the viewer may see
(`creditor_ids(user)`, from console/scope.py) and counts nothing outside them.

Weeks start on Monday (the database's own week truncation, the same on SQLite and PostgreSQL) in the
site's time zone. Amounts are summed per currency and never across currencies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amicable.compliance.packs import RULES
from amicable.compliance.packs.us_regf import NOT_CONNECTED
from amicable.conversations.actions import TASK_DAYS
from amicable.conversations.models import Complaint, TaskKind
from amicable.cycle.compose import MESSAGE_CHECK
from amicable.ledger.models import (
    Account,
    AuditLog,
    CreditorRole,
    Dispute,
    DisputeStatus,
    JournalEntry,
    Promise,
    PromiseStatus,
)
from amicable.outbox.models import Contact, ContactStatus

from . import scope

WEEKS = 12
LISTED = 50  # rows a list shows; the page says how many more there are
# The statuses a day's contacts are shown in, in the order they happen.
STATUSES = (
    ContactStatus.QUEUED,
    ContactStatus.DEFERRED,
    ContactStatus.SENT,
    ContactStatus.DELIVERED,
    ContactStatus.FAILED,
    ContactStatus.BLOCKED,
    ContactStatus.CANCELLED,
)
CHANNELS = ("email", "sms", "letter", "call")
# A contact a rule stopped: blocked when the cycle planned it, or cancelled when it was re-checked at
# send time. Only their reasons with the effect "block" are counted.
STOPPED = (ContactStatus.BLOCKED, ContactStatus.CANCELLED)
# An open dispute is verified within this many days: the due date of the agent's task to verify it.
DISPUTE_DAYS = TASK_DAYS[TaskKind.DISPUTE]
# Ids that are amicable's own checks rather than a rule pack's rule.
OWN_CHECKS = {
    MESSAGE_CHECK: _("the message failed amicable's own checks (length, missing words, its template)"),
    "AMICABLE-SEND-CHECK": _("at send time the contact could no longer go (no consent, a bad address)"),
    "AMICABLE-REPLY": _("a reply could no longer be sent (the conversation moved on)"),
}
RULES_BY_ID = {rule.id: rule for rule in RULES}


def creditor_ids(user) -> list[int]:
    """The creditors the viewer works: a short list (an agency's clients), passed to every query."""
    return list(scope.creditors(user).order_by().values_list("pk", flat=True))


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks, this one included, oldest first."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def _week(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# ------------------------------------------------------------------------------------------ dashboard


@dataclass(frozen=True, slots=True)
class CycleDay:
    day: date
    channels: list[str]  # those with contacts today, known ones first
    counts: dict[tuple[str, str], int]  # (channel, status) -> contacts

    def count(self, channel: str, status: str) -> int:
        return self.counts.get((channel, status), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def cycle_day(ids: list[int], day: date) -> CycleDay:
    """The day's contacts by channel and status. Uses the outbox's (cycle_date, status) index."""
    rows = (
        Contact.objects.filter(cycle_date=day, creditor_id__in=ids)
        .values_list("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(channel, status): n for channel, status, n in rows}
    seen = {channel for channel, _ in counts}
    channels = [c for c in CHANNELS if c in seen] + sorted(seen - set(CHANNELS))
    return CycleDay(day, channels, counts)


@dataclass(frozen=True, slots=True)
class WeekOfPayments:
    week: date
    payments: int
    amount: Decimal


def payments_by_week(ids: list[int], weeks: list[date]) -> dict[str, list[WeekOfPayments]]:
    """Payments and the amount recovered per week, per currency (an account's currency is its
    payments'), by the day each was paid. Every week is listed, those with none as zero."""
    rows = (
        JournalEntry.objects.filter(
            creditor_id__in=ids,
            kind="payment",
            effective_on__gte=weeks[0],
            effective_on__lt=weeks[-1] + timedelta(days=7),
        )
        .annotate(week=TruncWeek("effective_on"))
        .values_list("account__currency", "week")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    found: dict[str, dict[date, tuple[int, Decimal]]] = defaultdict(dict)
    for currency, week, n, total in rows:
        found[currency][_week(week)] = (n, Decimal(total))
    return {
        currency: [WeekOfPayments(week, *found[currency].get(week, (0, Decimal(0)))) for week in weeks]
        for currency in sorted(found)
    }


def _weekly(queryset, field: str, weeks: list[date], *, by: str | None = None) -> dict[str, list[int]]:
    """Counts per week (and per `by`), every week listed."""
    values = [by] if by else []
    rows = (
        queryset.annotate(week=TruncWeek(field))
        .values_list("week", *values)
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows:
        key = row[1] if by else ""
        counts[key][_week(row[0])] = row[-1]
    return {key: [counts[key].get(week, 0) for week in weeks] for key in counts}


def promises_by_week(ids: list[int], weeks: list[date]) -> dict[str, list[int]]:
    """Promises kept and broken, by the week they were due. Uses the (status, due_on) index."""
    queryset = Promise.objects.filter(
        account__creditor_id__in=ids,
        status__in=[PromiseStatus.KEPT, PromiseStatus.BROKEN],
        due_on__gte=weeks[0],
        due_on__lt=weeks[-1] + timedelta(days=7),
    )
    found = _weekly(queryset, "due_on", weeks, by="status")
    return {
        status: found.get(status, [0] * len(weeks)) for status in (PromiseStatus.KEPT, PromiseStatus.BROKEN)
    }


def opt_outs_by_week(ids: list[int], weeks: list[date]) -> list[int]:
    """Consents withdrawn (record_consent to "revoked": a STOP, an unsubscribe link, a request to an
    agent or in the portal), by the week recorded. An import states a consent rather than a request to
    stop; its audit rows have another form and are not matched. Uses the audit log's index on `at`."""
    start = _start_of(weeks[0])
    queryset = AuditLog.objects.filter(
        at__gte=start,
        at__lt=start + timedelta(weeks=len(weeks)),
        action="record_consent",
        changes__state__1="revoked",
        customer__creditor_id__in=ids,
    )
    return _weekly(queryset, "at", weeks).get("", [0] * len(weeks))


def complaints_by_week(ids: list[int], weeks: list[date]) -> list[int]:
    """Complaints, by the week received."""
    start = _start_of(weeks[0])
    queryset = Complaint.objects.filter(
        customer__creditor_id__in=ids,
        received_at__gte=start,
        received_at__lt=start + timedelta(weeks=len(weeks)),
    )
    return _weekly(queryset, "received_at", weeks).get("", [0] * len(weeks))


# ------------------------------------------------------------------------------------ compliance


@dataclass(frozen=True, slots=True)
class RuleBlocks:
    rule: str
    last_7: int
    last_30: int

    @property
    def description(self) -> str:
        known = RULES_BY_ID.get(self.rule)
        return known.summary if known else str(OWN_CHECKS.get(self.rule, ""))

    @property
    def citation(self) -> str:
        known = RULES_BY_ID.get(self.rule)
        return known.citation if known else ""

    @property
    def sources(self) -> list[tuple[str, str | None]]:
        return citation_links(self.citation)


def blocks_by_rule(ids: list[int], today: date) -> list[RuleBlocks]:
    """Contacts each rule stopped in the last 7 and 30 days (by cycle day, today included), most
    first. A contact stopped by two rules counts once under each. Uses the outbox's
    (cycle_date, status) index; the reasons are a JSON list, unpacked by the database itself."""
    if not ids:
        return []
    quote = connection.ops.quote_name
    table = quote(Contact._meta.db_table)
    if connection.vendor == "postgresql":
        unpack, rule, effect = (
            f"CROSS JOIN LATERAL jsonb_array_elements(c.{quote('reasons')}) AS r(value)",
            "r.value ->> 'rule'",
            "r.value ->> 'effect'",
        )
    else:  # SQLite's JSON1 functions
        unpack, rule, effect = (
            f"CROSS JOIN json_each(c.{quote('reasons')}) AS r",
            "json_extract(r.value, '$.rule')",
            "json_extract(r.value, '$.effect')",
        )
    week_from, month_from = today - timedelta(days=6), today - timedelta(days=29)
    sql = (
        f"SELECT {rule} AS rule, "
        f"COUNT(DISTINCT CASE WHEN c.{quote('cycle_date')} >= %s THEN c.{quote('id')} END), "
        f"COUNT(DISTINCT c.{quote('id')}) "
        f"FROM {table} AS c {unpack} "
        f"WHERE c.{quote('cycle_date')} >= %s AND c.{quote('cycle_date')} <= %s "
        f"AND c.{quote('status')} IN ({', '.join(['%s'] * len(STOPPED))}) "
        f"AND c.{quote('creditor_id')} IN ({', '.join(['%s'] * len(ids))}) "
        f"AND {effect} = 'block' "
        f"GROUP BY {rule}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [week_from, month_from, today, *(s.value for s in STOPPED), *ids])
        rows = cursor.fetchall()
    found = [RuleBlocks(rule_id or "unknown", week, month) for rule_id, week, month in rows]
    return sorted(found, key=lambda r: (-r.last_30, -r.last_7, r.rule))


CITATIONS = (
    # 12 CFR 1006.14(b)(2) -> the section in the eCFR
    (re.compile(r"\b(\d+) CFR (\d+)\.(\d+)"), "https://www.ecfr.gov/current/title-{0}/section-{1}.{2}"),
    (re.compile(r"\b(\d+) U\.S\.C\. (\d+[a-z]*)"), "https://www.law.cornell.edu/uscode/text/{0}/{1}"),
    (re.compile(r"\bCONC (\d+)\.(\d+)"), "https://www.handbook.fca.org.uk/handbook/CONC/{0}/{1}.html"),
    (re.compile(r"\bSI (\d{4})/(\d+)"), "https://www.legislation.gov.uk/uksi/{0}/{1}"),
    (re.compile(r"\bRCW (\d+)\.(\d+)\.(\d+)"), "https://app.leg.wa.gov/RCW/default.aspx?cite={0}.{1}.{2}"),
)


def citation_url(citation: str) -> str | None:
    """Where the official text of one citation is published; None when it has no public home here
    (amicable's own policy, a section not online)."""
    for pattern, url in CITATIONS:
        found = pattern.search(citation)
        if found:
            return url.format(*found.groups())
    return None


def citation_links(citation: str) -> list[tuple[str, str | None]]:
    """A rule's citation, split where it cites several texts ("amicable policy; 47 CFR 64.1200"),
    each part with the address of its official text where there is one."""
    return [(part, citation_url(part)) for part in (p.strip() for p in (citation or "").split(";")) if part]


@dataclass(frozen=True, slots=True)
class Cap:
    """A limit on contacts per debt over a number of days, and when an account is shown as near it."""

    rule: str
    channels: tuple[str, ...]
    limit: int
    days: int
    warn_at: int  # shown from this many contacts in the window
    applies: Q  # which contacts count: the accounts the rule's pack covers
    counted: Q  # which of their contacts count toward it

    @property
    def description(self) -> str:
        return RULES_BY_ID[self.rule].summary

    @property
    def citation(self) -> str:
        return RULES_BY_ID[self.rule].citation


def caps() -> list[Cap]:
    regf = RULES_BY_ID["US-REGF-CALL-7IN7"]
    mass = RULES_BY_ID["US-MA-CALLS"]
    return [
        # Regulation F: 7 placed calls in 7 days per debt; shown at 6, one call before the limit.
        # Calls not connected (busy, not in service) do not count. Calls the debtor asked for do not
        # count either; they are counted here all the same, so the list errs on the side of showing.
        Cap(
            regf.id,
            ("call",),
            regf.parameters["max_calls"],
            regf.parameters["days"],
            regf.parameters["max_calls"] - 1,
            Q(customer__country="US")
            & (Q(creditor__role=CreditorRole.DEBT_COLLECTOR) | Q(creditor__applies_regulation_f=True)),
            ~Q(outcome__in=NOT_CONNECTED),
        ),
        # Massachusetts: 2 calls or texts in 7 days per debt; shown once both are used.
        Cap(
            mass.id,
            ("call", "sms"),
            mass.parameters["max_contacts"],
            7,
            mass.parameters["max_contacts"],
            Q(customer__country="US", customer__region="MA"),
            Q(),
        ),
    ]


@dataclass(frozen=True, slots=True)
class NearCap:
    cap: Cap
    account: Account
    contacts: int


@dataclass(frozen=True, slots=True)
class CapList:
    cap: Cap
    accounts: list[NearCap]
    total: int  # accounts at or near the cap, of which the first LISTED are in `accounts`


def near_caps(ids: list[int], now: datetime) -> list[CapList]:
    """Accounts at or near a contact cap: contacts made (sent_at) in the last `days` days, counted
    per account in the database and kept when at `warn_at` or more. The count is over the last
    days x 24 hours, a little wider than the rule's local days, so nothing near the cap is missed."""
    found = []
    for cap in caps():
        counted = (
            Contact.objects.filter(
                cap.applies,
                cap.counted,
                creditor_id__in=ids,
                channel__in=cap.channels,
                sent_at__gt=now - timedelta(days=cap.days),
                sent_at__lte=now,
            )
            .values("account_id")
            .annotate(n=Count("id"))
            .filter(n__gte=cap.warn_at)
            .order_by()
        )
        total = counted.count()
        top = list(counted.order_by("-n", "account_id").values_list("account_id", "n")[:LISTED])
        accounts = Account.objects.select_related("customer", "creditor").in_bulk([pk for pk, _ in top])
        found.append(CapList(cap, [NearCap(cap, accounts[pk], n) for pk, n in top], total))
    return found


@dataclass(frozen=True, slots=True)
class OverdueDispute:
    dispute: Dispute
    deadline: datetime
    days_over: int


@dataclass(frozen=True, slots=True)
class DisputeList:
    disputes: list[OverdueDispute]
    total: int


def overdue_disputes(ids: list[int], now: datetime) -> DisputeList:
    """Disputes still open (verification not sent) more than DISPUTE_DAYS after they arrived, oldest
    first. While one is open the debt is neither collected (the dispute hold) nor answered."""
    queryset = Dispute.objects.filter(
        status=DisputeStatus.OPEN,
        received_at__lt=now - timedelta(days=DISPUTE_DAYS),
        account__creditor_id__in=ids,
    )
    total = queryset.count()
    rows = queryset.select_related("account__customer", "account__creditor").order_by("received_at", "id")
    listed = []
    for dispute in rows[:LISTED]:
        deadline = dispute.received_at + timedelta(days=DISPUTE_DAYS)
        listed.append(OverdueDispute(dispute, deadline, (now - deadline).days))
    return DisputeList(listed, total)
