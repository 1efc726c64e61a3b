"""What the console reads, and nothing it writes: the work queue (what needs a person today), the
customer search, and a customer's one timeline.

Every query starts from console/scope.py, so an agent only ever sees their own creditors' work. Each
list is a handful of queries whatever its length: the queue is one query per kind of work, the
timeline one query for the page's order and one per kind of record on it."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amicable.conversations.actions import TASK_DAYS
from amicable.conversations.models import Complaint, ComplaintStatus, InboundMessage, Task, TaskKind
from amicable.cycle.context import outstanding_instalments
from amicable.ledger.balance import InstalmentStatus, Itemisation, itemise
from amicable.ledger.models import (
    Account,
    AccountStatus,
    Arrangement,
    AuditLog,
    ContactPoint,
    Creditor,
    Customer,
    Dispute,
    DisputeStatus,
    Hold,
    HoldKind,
    JournalEntry,
    Promise,
    PromiseStatus,
    ScheduleItem,
    SensitiveNote,
)
from amicable.ledger.money import Money
from amicable.outbox.models import PENDING, CallTask, Contact
from amicable.portal.models import DisputeEvidence, HelpKind, HelpRequest

from . import scope
from .models import Role

# ---------------------------------------------------------------------------------------------------
# The work queue

# The kinds of work, most urgent first: a callback is a time the customer asked for; a planned call
# can wait for everything a customer is waiting on.
KINDS = {
    "callback": _("Callback due"),
    "message": _("Message to review"),
    "promise": _("Broken promise"),
    "dispute": _("Dispute to verify"),
    "vulnerability": _("Vulnerability review"),
    "complaint": _("Complaint to answer"),
    "call": _("Call to make"),
}
PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}
# Tasks are the work conversations made for a person; each kind of task is one kind of work.
TASK_KINDS = {
    TaskKind.CALLBACK: "callback",
    TaskKind.REVIEW_MESSAGE: "message",
    TaskKind.VERIFY_CONTACT: "message",
    TaskKind.DISPUTE: "dispute",
    TaskKind.VULNERABILITY: "vulnerability",
    TaskKind.COMPLAINT: "complaint",
}
DUE = {"today": _("Due today (and overdue)"), "overdue": _("Overdue"), "all": _("Everything open")}
# When work without a task of its own is due: as a task for it would be.
REVIEW_WITHIN = timedelta(days=TASK_DAYS[TaskKind.REVIEW_MESSAGE])
VERIFY_WITHIN = timedelta(days=TASK_DAYS[TaskKind.DISPUTE])
FOLLOW_UP_WITHIN = timedelta(days=1)
RECENT_BROKEN_DAYS = 14  # a promise broken longer ago than this is the playbook's business again
PAGE_SIZE = 25
MAX_PAGES = 20  # beyond 500 rows, the filters narrow the list faster than paging does


@dataclass
class Work:
    """One row of the queue: what needs doing, for whom, by when, and the record it is about."""

    kind: str
    due: datetime
    record: Any  # Task, InboundMessage, Promise, Dispute, Hold, Contact or Complaint
    source: str  # which of those: task, message, promise, dispute, hold, call, complaint
    customer: Customer | None
    account: Account | None
    role: str = "agent"
    overdue: bool = False
    today: bool = False

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def creditor(self) -> Creditor | None:
        return self.customer.creditor if self.customer else None


@dataclass
class Queue:
    rows: list[Work]
    page: int
    has_next: bool
    capped: bool  # the last page we show: narrow the filters to see the rest

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass
class _Ask:
    """One reading of the queue: whose, which creditors, what kind, due when, and how many rows of
    each source it needs; with the moments it is judged against, in the operator's time zone."""

    user: Any
    creditor_ids: QuerySet  # the user's creditors (or the one chosen), as a subquery
    creditor: Creditor | None  # the one chosen
    kind: str
    due: str
    limit: int
    now: datetime
    today: date = field(init=False)
    tomorrow: datetime = field(init=False)  # the start of tomorrow: an appointment before it is today's

    def __post_init__(self) -> None:
        local = timezone.localtime(self.now)
        self.today = local.date()
        self.tomorrow = datetime.combine(self.today + timedelta(days=1), time.min, tzinfo=local.tzinfo)

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def queue(
    user,
    *,
    kind: str = "",
    creditor: Creditor | None = None,
    due: str = "today",
    page: int = 1,
    now: datetime | None = None,
) -> Queue:
    """What needs a person, most urgent first: overdue work, then today's, then later; within each,
    by kind (KINDS' order) and then by when it is due. `kind`, `creditor` and `due` filter it (a
    creditor not the user's lists nothing). With `due="today"`, appointments (a callback, a planned
    call) are work on their day; everything else is work from the moment it arrives."""
    page = max(1, min(page, MAX_PAGES))
    creditors = scope.creditors(user)
    if creditor is not None:
        creditors = creditors.filter(pk=creditor.pk)
    ask = _Ask(
        user,
        creditors.values("pk"),
        creditor,
        kind,
        due,
        limit=page * PAGE_SIZE + 1,  # one more than the page needs: is there a next page?
        now=now or timezone.now(),
    )
    rows: list[Work] = []
    for source, kinds in SOURCES:
        if not kind or kind in kinds:
            rows += source(ask)
    for row in rows:
        row.overdue = row.due < ask.now
        row.today = row.due < ask.tomorrow
    rows.sort(key=lambda r: (_tier(r, ask), PRIORITY[r.kind], r.due, r.source, r.record.pk))
    start = (page - 1) * PAGE_SIZE
    return Queue(
        rows=rows[start : start + PAGE_SIZE],
        page=page,
        has_next=len(rows) > page * PAGE_SIZE and page < MAX_PAGES,
        capped=len(rows) > page * PAGE_SIZE and page == MAX_PAGES,
    )


def _tier(row: Work, ask: _Ask) -> int:
    return 0 if row.due < ask.now else 1 if row.due < ask.tomorrow else 2


def _tasks(ask: _Ask) -> list[Work]:
    tasks = scope.tasks(ask.user).filter(done_at__isnull=True)
    if ask.creditor is not None:
        tasks = tasks.filter(customer__creditor=ask.creditor)
    if ask.kind:
        tasks = tasks.filter(kind__in=[k for k, work in TASK_KINDS.items() if work == ask.kind])
    if ask.due == "overdue":
        tasks = tasks.filter(due_at__lt=ask.now)
    elif ask.due == "today":
        tasks = tasks.filter(~Q(kind=TaskKind.CALLBACK) | Q(due_at__lt=ask.tomorrow))
    # Tasks of several kinds: ordered here as the queue orders them, so the first `limit` are the
    # ones the queue would show.
    tasks = tasks.annotate(
        tier=Case(
            When(due_at__lt=ask.now, then=Value(0)),
            When(due_at__lt=ask.tomorrow, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        rank=Case(
            *(When(kind=task_kind, then=Value(PRIORITY[work])) for task_kind, work in TASK_KINDS.items()),
            default=Value(PRIORITY["message"]),  # as an unknown kind is listed (below)
            output_field=IntegerField(),
        ),
    ).order_by("tier", "rank", "due_at", "pk")
    return [
        Work(
            TASK_KINDS.get(task.kind, "message"),
            task.due_at,
            task,
            "task",
            task.customer,
            task.account,
            role=task.role,
        )
        for task in tasks.select_related("customer__creditor", "account")[: ask.limit]
    ]


def _open_task(**match) -> Exists:
    return Exists(Task.objects.filter(done_at__isnull=True, **match))


def _messages(ask: _Ask) -> list[Work]:
    """Messages waiting for review that no open task already covers. Like tasks, they may have no
    customer (nobody matched the sender): scope.messages shows those only to superusers."""
    messages = scope.messages(ask.user).filter(status="review").exclude(_open_task(message=OuterRef("pk")))
    if ask.creditor is not None:
        messages = messages.filter(customer__creditor=ask.creditor)
    if ask.due == "overdue":
        messages = messages.filter(received_at__lt=ask.now - REVIEW_WITHIN)
    messages = messages.select_related("customer__creditor", "account").order_by("received_at", "pk")
    return [
        Work("message", m.received_at + REVIEW_WITHIN, m, "message", m.customer, m.account)
        for m in messages[: ask.limit]
    ]


def _promises(ask: _Ask) -> list[Work]:
    """Promises broken in the last two weeks with nothing done since: no new promise or plan, no
    payment, no call."""
    since = ask.today - timedelta(days=RECENT_BROKEN_DAYS)
    promises = (
        Promise.objects.filter(
            status=PromiseStatus.BROKEN,
            settled_on__gte=since,
            account__creditor__in=ask.creditor_ids,
        )
        .exclude(account__status__in=[AccountStatus.RESOLVED, AccountStatus.WRITTEN_OFF])
        .exclude(Exists(Promise.objects.filter(account=OuterRef("account"), made_at__gt=OuterRef("made_at"))))
        .exclude(
            Exists(
                Arrangement.objects.filter(
                    account=OuterRef("account"), accepted_on__gte=OuterRef("settled_on")
                )
            )
        )
        .exclude(
            Exists(
                JournalEntry.objects.filter(
                    account=OuterRef("account"), kind="payment", effective_on__gte=OuterRef("settled_on")
                )
            )
        )
        .exclude(
            Exists(
                Contact.objects.filter(
                    customer=OuterRef("account__customer"),
                    channel="call",
                    sent_at__date__gte=OuterRef("settled_on"),
                )
            )
        )
    )
    if ask.due == "overdue":
        promises = promises.filter(settled_on__lt=ask.today)
    promises = promises.select_related("account__customer__creditor").order_by("settled_on", "pk")
    return [
        Work(
            "promise",
            ask.start_of(p.settled_on) + FOLLOW_UP_WITHIN,
            p,
            "promise",
            p.account.customer,
            p.account,
        )
        for p in promises[: ask.limit]
    ]


def _disputes(ask: _Ask) -> list[Work]:
    """Disputes whose verification has not been sent, where no open task already asks for it."""
    disputes = Dispute.objects.filter(
        status=DisputeStatus.OPEN, account__creditor__in=ask.creditor_ids
    ).exclude(_open_task(kind=TaskKind.DISPUTE, account=OuterRef("account")))
    if ask.due == "overdue":
        disputes = disputes.filter(received_at__lt=ask.now - VERIFY_WITHIN)
    disputes = disputes.select_related("account__customer__creditor").order_by("received_at", "pk")
    return [
        Work("dispute", d.received_at + VERIFY_WITHIN, d, "dispute", d.account.customer, d.account)
        for d in disputes[: ask.limit]
    ]


def _reviews(ask: _Ask) -> list[Work]:
    """Vulnerability reviews still open (the hold is on) that no open specialist task covers."""
    holds = (
        Hold.objects.active_at(ask.now)
        .filter(kind=HoldKind.VULNERABILITY_REVIEW, customer__creditor__in=ask.creditor_ids)
        .exclude(_open_task(kind=TaskKind.VULNERABILITY, customer=OuterRef("customer")))
    )
    if ask.due == "overdue":
        holds = holds.filter(starts_at__lt=ask.now - FOLLOW_UP_WITHIN)
    holds = holds.select_related("customer__creditor", "account").order_by("starts_at", "pk")
    return [
        Work(
            "vulnerability",
            h.starts_at + FOLLOW_UP_WITHIN,
            h,
            "hold",
            h.customer,
            h.account,
            role="specialist",
        )
        for h in holds[: ask.limit]
    ]


def _calls(ask: _Ask) -> list[Work]:
    """The calls the cycle planned for an agent to make."""
    calls = CallTask.objects.filter(channel="call", status__in=PENDING, creditor__in=ask.creditor_ids)
    if ask.due == "overdue":
        calls = calls.filter(scheduled_at__lt=ask.now)
    elif ask.due == "today":
        calls = calls.filter(scheduled_at__lt=ask.tomorrow)
    calls = calls.select_related("customer__creditor", "account", "contact_point").order_by(
        "scheduled_at", "pk"
    )
    return [Work("call", c.scheduled_at, c, "call", c.customer, c.account) for c in calls[: ask.limit]]


def _complaints(ask: _Ask) -> list[Work]:
    """Open complaints that no open supervisor's task already covers."""
    complaints = Complaint.objects.filter(
        status=ComplaintStatus.OPEN, customer__creditor__in=ask.creditor_ids
    ).exclude(_open_task(kind=TaskKind.COMPLAINT, customer=OuterRef("customer")))
    if ask.due == "overdue":
        complaints = complaints.filter(respond_by__lt=ask.now)
    complaints = complaints.select_related("customer__creditor", "account").order_by("respond_by", "pk")
    return [
        Work("complaint", c.respond_by, c, "complaint", c.customer, c.account, role="supervisor")
        for c in complaints[: ask.limit]
    ]


# Each source of work, and the kinds of work it can hold (a kind filter skips the others' queries).
SOURCES = [
    (_tasks, set(TASK_KINDS.values())),
    (_messages, {"message"}),
    (_promises, {"promise"}),
    (_disputes, {"dispute"}),
    (_reviews, {"vulnerability"}),
    (_calls, {"call"}),
    (_complaints, {"complaint"}),
]


# ---------------------------------------------------------------------------------------------------
# Finding a customer

SEARCH_LIMIT = 50
PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


def search(user, text: str) -> QuerySet[Customer]:
    """Customers in scope whose name, customer reference, account reference, phone number or email
    address matches `text`: names by every word in any order, references and addresses exactly (in
    any case), phone numbers by their digits, with or without the country code."""
    text = " ".join(text.split())
    if not text:
        return Customer.objects.none()
    found = Q(external_ref__iexact=text) | Q(
        Exists(Account.objects.filter(customer=OuterRef("pk"), external_ref__iexact=text))
    )
    words = Q()
    for word in text.split(" "):
        words &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(company_name__icontains=word)
        )
    found |= words
    if "@" in text:
        found |= Q(
            Exists(ContactPoint.objects.filter(customer=OuterRef("pk"), kind="email", value__iexact=text))
        )
    elif PHONE.match(text):
        # Numbers are kept in E.164 (+16175550123); people type them as they say them ("(617)
        # 555-0123", "07700 900123"): the national digits without a trunk 0 are the number's end.
        digits = re.sub(r"\D", "", text).lstrip("0")
        if len(digits) >= 6:
            found |= Q(
                Exists(
                    ContactPoint.objects.filter(
                        customer=OuterRef("pk"), kind__in=("mobile", "landline"), value__endswith=digits
                    )
                )
            )
    return (
        scope.customers(user)
        .filter(found)
        .select_related("creditor")
        .prefetch_related("accounts")
        .order_by("last_name", "first_name", "company_name", "pk")
    )


# ---------------------------------------------------------------------------------------------------
# A customer's timeline

CHANNELS = {"email": _("Email"), "sms": _("Text message"), "letter": _("Letter"), "call": _("Call")}
CONTACT_STATUS = {
    "queued": _("Planned"),
    "deferred": _("Moved later by a rule"),
    "sent": _("Sent"),
    "delivered": _("Delivered"),
    "failed": _("Failed"),
    "blocked": _("Blocked"),
    "cancelled": _("Cancelled at send time"),
}
CALL_OUTCOMES = {
    "conversation": _("Spoke with the customer"),
    "third_party": _("Spoke with someone else"),
    "no_answer": _("No answer"),
    "voicemail": _("Left a voicemail"),
    "busy": _("Busy"),
    "not_in_service": _("Number not in service"),
    "dropped": _("Call dropped"),
}
SENSITIVE_CATEGORIES = {
    "health": _("Illness or health"),
    "mental_health": _("Mental health"),
    "bereavement": _("Bereavement"),
    "disability": _("Disability"),
    "domestic_abuse": _("Domestic or economic abuse"),
    "other": _("Another difficult situation"),
}
MESSAGE_STATUS = {"received": _("Received"), "handled": _("Handled"), "review": _("Waiting for review")}
ENTRY_KINDS = {
    "sent": _("Message"),
    "blocked": _("Blocked"),
    "call": _("Call"),
    "reply": _("Reply"),
    "note": _("Sensitive note"),
    "payment": _("Payment"),
    "portal": _("Portal"),
    "customer": _("The customer"),
    "event": _("Event"),
}
# Audit rows about these records are shown through the records themselves, once, as they are now:
# a contact with its delivery, a message with what was done about it, a note only to those allowed.
MERGED = ("outbox.contact", "conversations.inboundmessage", "ledger.sensitivenote")
TIMELINE_PAGE = 30


@dataclass
class Entry:
    """One thing on the timeline: an audit row, a contact (message, call or blocked contact), a
    message the customer sent, or a sensitive note."""

    source: str  # audit, contact, inbound, note
    at: datetime
    record: Any
    kind: str = "event"
    account: Account | None = None
    rules: list[dict] = field(default_factory=list)  # the rules that blocked, moved or flagged it
    about: Any = None  # an audit row's record, when the page shows more of it: a help request, a file

    @property
    def kind_label(self) -> str:
        return ENTRY_KINDS[self.kind]

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(getattr(self.record, "channel", ""), getattr(self.record, "channel", ""))

    @property
    def status_label(self) -> str:
        if self.source == "inbound":
            return MESSAGE_STATUS.get(self.record.status, self.record.status)
        return CONTACT_STATUS.get(self.record.status, self.record.status)

    @property
    def outcome_label(self) -> str:
        return CALL_OUTCOMES.get(self.record.outcome, self.record.outcome)

    @property
    def category_label(self) -> str:
        return SENSITIVE_CATEGORIES.get(self.record.category, self.record.category)


def _rows(customer: Customer) -> QuerySet:
    """(source, id, moment) for everything on the customer's timeline, in one ordered query."""

    def tagged(queryset: QuerySet, source: str, moment) -> QuerySet:
        return (
            queryset.order_by()
            .annotate(src=Value(source, output_field=CharField()), ref=F("pk"), happened=moment)
            .values_list("src", "ref", "happened")
        )

    audit = tagged(
        AuditLog.objects.filter(customer=customer).exclude(object_type__in=MERGED), "audit", F("at")
    )
    contacts = tagged(Contact.objects.filter(customer=customer), "contact", Coalesce("sent_at", "created_at"))
    inbound = tagged(InboundMessage.objects.filter(customer=customer), "inbound", F("received_at"))
    notes = tagged(SensitiveNote.objects.filter(customer=customer), "note", F("recorded_at"))
    return audit.union(contacts, inbound, notes, all=True).order_by("-happened", "-src", "-ref")


def timeline(customer: Customer, page: object = 1, *, accounts: dict[int, Account] | None = None) -> Page:
    """One page of everything that happened to the customer, newest first: the audit log, merged
    with the contacts (messages sent and their delivery, calls, blocked contacts with the rule that
    blocked them), the messages they sent and their sensitive notes, each once. Whether words may be
    shown is the template's to decide (`scope.may_see_sensitive`)."""
    paginator = Paginator(_rows(customer), TIMELINE_PAGE)
    found = paginator.get_page(page)
    ids: dict[str, list[int]] = {"audit": [], "contact": [], "inbound": [], "note": []}
    for source, pk, _moment in found.object_list:
        ids[source].append(pk)
    records = {
        "audit": AuditLog.objects.in_bulk(ids["audit"]),
        "contact": Contact.objects.select_related("contact_point").in_bulk(ids["contact"]),
        "inbound": InboundMessage.objects.in_bulk(ids["inbound"]),
        "note": SensitiveNote.objects.in_bulk(ids["note"]),
    }
    accounts = accounts if accounts is not None else {a.pk: a for a in customer.accounts.all()}
    found.object_list = [
        _entry(source, moment, records[source][pk], accounts) for source, pk, moment in found.object_list
    ]
    _attach(found.object_list, customer)
    return found


# The portal's own records an audit row is about, shown with it: a hardship request's words (never a
# difficult situation's: those are only in the restricted note) and a file sent with a dispute.
ABOUT = {
    "portal.helprequest": lambda customer: HelpRequest.objects.filter(customer=customer),
    "portal.disputeevidence": lambda customer: DisputeEvidence.objects.filter(
        dispute__account__customer=customer
    ).defer("data"),
}


def _attach(entries: list[Entry], customer: Customer) -> None:
    """One query per kind of record, and only when the page has a row about one."""
    wanted: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.source == "audit" and entry.record.object_type in ABOUT:
            wanted[entry.record.object_type].append(entry)
    for object_type, rows in wanted.items():
        ids = {int(e.record.object_id) for e in rows if e.record.object_id.isdigit()}
        found = ABOUT[object_type](customer).in_bulk(ids)
        for entry in rows:
            if entry.record.object_id.isdigit():
                entry.about = found.get(int(entry.record.object_id))


def _entry(source: str, moment: datetime, record, accounts: dict[int, Account]) -> Entry:
    entry = Entry(source, moment, record, account=accounts.get(getattr(record, "account_id", None)))
    if source == "contact":
        entry.rules = [r for r in record.reasons if r.get("effect") in ("block", "defer")]
        if record.status in ("blocked", "cancelled"):
            entry.kind = "blocked"
        elif record.channel == "call":
            entry.kind = "call"
        else:
            entry.kind = "sent"
    elif source == "inbound":
        entry.kind = "reply"
    elif source == "note":
        entry.kind = "note"
    elif record.action == "post_payment":
        entry.kind = "payment"
    elif record.actor.startswith("customer:portal"):
        entry.kind = "portal"
    elif record.actor.startswith("customer:"):
        entry.kind = "customer"
    return entry


# ---------------------------------------------------------------------------------------------------
# A customer's accounts, holds and contact points, as the customer page shows them

ACCOUNT_STATUS = {
    "current": _("Current"),
    "overdue": _("Overdue"),
    "in_arrangement": _("In a payment plan"),
    "disputed": _("Disputed"),
    "on_hold": _("On hold"),
    "resolved": _("Resolved"),
    "written_off": _("Written off"),
}
HOLD_KINDS = {
    "dispute": _("Dispute"),
    "cease": _("Asked us to stop contact"),
    "bankruptcy": _("Bankruptcy"),
    "deceased": _("Deceased"),
    "breathing_space": _("Breathing space"),
    "mental_health_crisis": _("Mental health crisis breathing space"),
    "represented": _("Represented (attorney or debt adviser)"),
    "vulnerability_review": _("Vulnerability review"),
    "paused": _("Collection paused (hardship or a difficult situation)"),
}
CONTACT_KINDS = {"email": _("Email"), "mobile": _("Mobile"), "landline": _("Landline"), "postal": _("Post")}
USES = {"collection": _("Messages about the debt"), "marketing": _("Newsletters and offers")}
CONSENT_STATES = {"granted": _("Yes"), "revoked": _("No: withdrawn"), "unknown": _("Not asked")}
PLAN_KINDS = {
    "full": _("Pay in full"),
    "settlement": _("Settlement"),
    "weekly": _("Weekly"),
    "fortnightly": _("Every two weeks"),
    "monthly": _("Monthly"),
}
DISPUTE_STATUS = {
    "open": _("Open: verification not sent yet"),
    "verification_sent": _("Verification sent"),
    "upheld": _("Upheld"),
    "rejected": _("Rejected"),
}
RECENT_HOLDS = timedelta(days=90)


@dataclass
class AccountView:
    """An account as the customer page shows it: the balance itemised from the journal, what is due
    next, and any plan, promise or dispute in progress."""

    account: Account
    itemised: Itemisation
    next_due: InstalmentStatus | None
    plan: Arrangement | None
    promise: Promise | None
    dispute: Dispute | None

    @property
    def balance(self) -> Money:
        return self.itemised.balance

    @property
    def paid(self) -> Money:
        return self.itemised.total_paid

    @property
    def credits(self) -> Money:
        return self.itemised.total_credited + self.itemised.total_written_off

    @property
    def status_label(self) -> str:
        return ACCOUNT_STATUS.get(self.account.status, self.account.status)

    @property
    def plan_label(self) -> str:
        return PLAN_KINDS.get(self.plan.kind, self.plan.kind) if self.plan else ""

    @property
    def dispute_label(self) -> str:
        return DISPUTE_STATUS.get(self.dispute.status, self.dispute.status) if self.dispute else ""


def accounts(customer: Customer, now: datetime | None = None) -> list[AccountView]:
    """The customer's accounts, in six queries however many there are."""
    found = list(customer.accounts.select_related("creditor").order_by("external_ref", "pk"))
    ids = [a.pk for a in found]
    today = timezone.localtime(now or timezone.now(), ZoneInfo(customer.timezone)).date()
    entries: dict[int, list] = defaultdict(list)
    for row in JournalEntry.objects.filter(account_id__in=ids).order_by("effective_on", "pk"):
        entries[row.account_id].append(row.as_entry())
    schedule: dict[int, list] = defaultdict(list)
    for account_id, due_on, amount in ScheduleItem.objects.filter(account_id__in=ids).values_list(
        "account_id", "due_on", "amount"
    ):
        schedule[account_id].append((due_on, amount))
    plans = {p.account_id: p for p in Arrangement.objects.filter(account_id__in=ids, status="active")}
    promises = {}
    for promise in Promise.objects.filter(account_id__in=ids, status=PromiseStatus.OPEN).order_by("-due_on"):
        promises[promise.account_id] = promise  # the soonest wins
    disputes = {}
    for dispute in Dispute.objects.filter(
        account_id__in=ids, status__in=[DisputeStatus.OPEN, DisputeStatus.VERIFICATION_SENT]
    ).order_by("-received_at"):
        disputes[dispute.account_id] = dispute  # the oldest wins
    views = []
    for account in found:
        itemised = itemise(entries[account.pk], account.currency, account.creditor.allocation_order)
        owing = [
            s
            for s in outstanding_instalments(schedule[account.pk], itemised.balance.amount, today)
            if s.outstanding > 0
        ]
        views.append(
            AccountView(
                account,
                itemised,
                owing[0] if owing else None,
                plans.get(account.pk),
                promises.get(account.pk),
                disputes.get(account.pk),
            )
        )
    return views


@dataclass
class Consent:
    use: str
    state: str
    source: str
    at: datetime | None

    @property
    def use_label(self) -> str:
        return USES.get(self.use, self.use)

    @property
    def label(self) -> str:
        return CONSENT_STATES.get(self.state, self.state)


def contact_points(customer: Customer) -> list[ContactPoint]:
    """The customer's contact points, each with `kind_label` and `uses`: the consent for each use
    (collection, marketing) with where and when it came from."""
    points = list(customer.contact_points.order_by("kind", "pk"))
    for point in points:
        point.kind_label = CONTACT_KINDS.get(point.kind, point.kind)
        point.uses = []
        for use in USES:
            record = point.consents.get(use) or {}
            given = record.get("at")
            try:
                at = datetime.fromisoformat(given) if given else None
            except (TypeError, ValueError):
                at = None
            point.uses.append(Consent(use, record.get("state", "unknown"), record.get("source", ""), at))
    return points


def holds(customer: Customer, now: datetime | None = None) -> list[Hold]:
    """Holds on now, and those ended in the last 90 days, newest first; each marked `active`."""
    now = now or timezone.now()
    found = list(
        customer.holds.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=now - RECENT_HOLDS))
        .select_related("account")
        .order_by("-starts_at", "-pk")[:50]
    )
    for hold in found:
        hold.active = hold.starts_at <= now and (hold.ends_at is None or hold.ends_at > now)
        hold.kind_label = HOLD_KINDS.get(hold.kind, hold.kind)
    return found


# ---------------------------------------------------------------------------------------------------
# Tasks, and what the portal gave us to read: on the customer page


def task_roles(user, role: Role | None = None) -> set[str]:
    """The tasks a member of staff may mark done, by whom each task is for: an agent's, by anyone; a
    supervisor's (a complaint), by a supervisor or admin; a specialist's (a vulnerability review, which
    means reading a restricted note), by those who may read it. `role`: the user's, if known."""
    roles = {"agent"}
    role = role or scope.role_of(user)
    if role is not None and scope.RANK[role] >= scope.RANK[Role.SUPERVISOR]:
        roles.add("supervisor")
    if scope.may_see_sensitive(user):
        roles.add("specialist")
    return roles


def open_tasks(user, customer: Customer) -> list[Task]:
    """The customer's tasks not done yet, soonest due first, each with `label` (its kind of work)."""
    tasks = list(
        scope.tasks(user).filter(customer=customer, done_at__isnull=True).select_related("account")[:50]
    )
    for task in tasks:
        task.label = KINDS[TASK_KINDS.get(task.kind, "message")]
    return tasks


def dispute_files(customer: Customer) -> list[DisputeEvidence]:
    """The files the customer sent with their disputes (the bytes are read only to download one),
    newest first, each with its dispute and account. The customer comes through console/scope.py, and
    a customer's accounts are all with their creditor, so no second scope check is needed here (it
    would make the database list every account of the user's creditors)."""
    return list(
        DisputeEvidence.objects.filter(dispute__account__customer=customer)
        .defer("data")
        .select_related("dispute__account")
        .order_by("-uploaded_at", "-pk")[:50]
    )


def evidence(user, pk: object) -> DisputeEvidence:
    """One file sent with a dispute, if its account is in the user's scope (404 otherwise)."""
    return scope.one(
        DisputeEvidence.objects.filter(dispute__account__in=scope.accounts(user)).select_related(
            "dispute__account"
        ),
        pk,
    )


HELP_KINDS = {
    HelpKind.HARDSHIP: _("Money is tight (hardship)"),
    HelpKind.SITUATION: _("A difficult situation"),
}


def help_requests(customer: Customer) -> list[HelpRequest]:
    """What the customer asked for help with in the portal, newest first, each with `kind_label`. A
    hardship request keeps the customer's words; a difficult situation's words are only in the
    restricted sensitive note."""
    found = list(HelpRequest.objects.filter(customer=customer).select_related("task")[:50])
    for request in found:
        request.kind_label = HELP_KINDS.get(request.kind, request.kind)
    return found
