"""What happens for each thing a customer may ask, beyond stop, dispute and promise (actions.py):
a plan, help in hardship, a vulnerability, a payment already made, the wrong person, a complaint,
a call back. Each runs inside handle_message's transaction and returns what it did, in a sentence.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Sum

from amicable.arrangements.accounts import account_options
from amicable.arrangements.terms import TermsError, parse_terms
from amicable.conversations import actions as core  # reply, add_task, send_to_review: one place each
from amicable.conversations.calls import schedule_callback
from amicable.conversations.models import Complaint, InboundMessage, TaskKind
from amicable.ledger.actions import ActionError, mark_contact_point_invalid, place_hold
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, JournalEntry, SensitiveNote
from amicable.ledger.money import Money
from amicable.understanding.clean import normalised
from amicable.understanding.model import Understanding

# How long a customer has to wait for an answer to a complaint. The UK's DISP 1.6.2R gives eight
# weeks for a final response; elsewhere amicable answers within 15 days (as the CFPB asks companies to).
COMPLAINT_DAYS = {"GB": 56}
COMPLAINT_DAYS_DEFAULT = 15
PAID_LOOKBACK = timedelta(days=45)  # a payment they say they made is looked for this far back
CALLBACK_DEFAULT = time(10)  # "call me tomorrow": at 10:00 their time
# Words that say what kind of vulnerability it is, for the specialist's record (first match wins).
CATEGORIES = (
    ("domestic_abuse", ("abuse", "abusive", "violence", "violent", "controlling", "refuge", "maltrato")),
    ("bereavement", ("died", "passed away", "funeral", "bereave", "lost my", "fallecio", "murio", "luto")),
    ("mental_health", ("depress", "anxiety", "mental", "suicid", "breakdown", "ansiedad", "depresion")),
    ("disability", ("disab", "wheelchair", "blind", "deaf", "discapacidad")),
    ("health", ("hospital", "cancer", "ill ", "illness", "sick", "surgery", "chemo", "enferm", "cirugia")),
)


def plan_request(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """The customer asks to spread the cost: the lowest plans the creditor allows, and the portal."""
    options = _options(message)
    if not options:
        core.send_to_review(message, "A request for a plan: nothing to offer automatically", actor)
        return "plan request sent to review"
    core.reply(message, "plan_options", understood, actor, options=options)
    return f"plan options sent ({', '.join(o.kind for o in options)})"


def hardship(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """Collection pauses for a while (the creditor's hardship_pause_days), the customer gets the plan
    options and where to find free debt advice, and a person follows up."""
    account = message.account
    until = pause_for_hardship(
        account, at=message.received_at, source=f"inbound message {message.pk}", actor=actor
    )
    core.add_task(message, TaskKind.REVIEW_MESSAGE, f"Hardship on {account.external_ref}: offer help", actor)
    core.reply(
        message,
        "hardship_support",
        understood,
        actor,
        until=until,
        options=_options(message),
        advice=_advice(message),
    )
    return f"collection paused until {until}; plan options and debt advice sent"


def vulnerability(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """Automated collection stops, a specialist reviews, and what they told us is kept as sensitive
    data: the message is marked so, and its words leave every summary and task."""
    customer = message.account.customer
    record_vulnerability(
        message.account,
        understood.text or message.body,
        category=_category(understood.text),
        at=message.received_at,
        source=f"inbound message {message.pk}",
        actor=actor,
    )
    message.sensitive = True
    core.add_task(
        message,
        TaskKind.VULNERABILITY,
        f"Specialist review for {customer}: see the restricted note",
        actor,
        role="specialist",
    )
    core.reply(message, "vulnerability_acknowledgement", understood, actor)
    return "collection paused; a specialist will review (details restricted)"


def pause_for_hardship(account: Account, *, at: datetime, source: str, actor: str) -> date:
    """Collection on the account pauses from `at` for the creditor's hardship_pause_days: the firmer
    steps wait while we look at what is affordable. Returns the pause's last day in the customer's
    zone. A reply telling of hardship and the portal's help page both come here."""
    ends_at = at + timedelta(days=_terms(account).hardship_pause_days)
    place_hold(
        account.customer,
        "paused",
        source=source,
        actor=actor,
        account=account,
        starts_at=min(at, core.timezone.now()),
        ends_at=ends_at,
        note="hardship: firmer steps paused while we look at what is affordable",
    )
    return ends_at.astimezone(ZoneInfo(account.customer.timezone)).date()


def record_vulnerability(
    account: Account, text: str, *, at: datetime, source: str, actor: str, category: str | None = None
) -> SensitiveNote:
    """Automated collection on all the customer's accounts stops until a specialist has reviewed, and
    what they told us (`text`, their words) is kept only in a restricted sensitive note. `category`
    defaults to the one the words suggest. A reply and the portal's help page both come here."""
    customer = account.customer
    starts = min(at, core.timezone.now())
    place_hold(customer, "vulnerability_review", source=source, actor=actor, starts_at=starts)
    place_hold(
        customer,
        "paused",
        source=source,
        actor=actor,
        starts_at=starts,
        note="a possible vulnerability: a specialist reviews before any collection",
    )
    note = SensitiveNote.objects.create(
        customer=customer,
        account=account,
        category=category or _category(text),
        detail=text,
        source=source,
        recorded_at=at,
        recorded_by=actor,
    )
    audit(
        actor,
        "record_sensitive_note",
        note,
        "Sensitive information recorded (restricted)",
        customer=customer,
        account=account,
        changes={"category": note.category},
    )
    return note


def debt_advice(country: str) -> list[tuple[str, str]]:
    """Free, independent debt advice in the customer's country (settings.DEBT_ADVICE): (name, site)."""
    return [tuple(item) for item in settings.DEBT_ADVICE.get(country, [])]


def paid_already(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """Checked against the ledger: a recent payment is confirmed, otherwise we ask for a reference."""
    account = message.account
    since = (message.received_at - PAID_LOOKBACK).date()
    payments = JournalEntry.objects.filter(account=account, kind="payment", effective_on__gte=since)
    claimed = understood.entities.amount
    matching = payments.filter(amount=claimed) if claimed is not None else payments
    found = matching.order_by("-effective_on").first()
    if found is not None:
        core.reply(message, "payment_found", understood, actor, payment=found)
        return f"payment of {Money(found.amount, account.currency)} on {found.effective_on} confirmed"
    total = payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    core.add_task(
        message,
        TaskKind.REVIEW_MESSAGE,
        f"Says already paid {account.external_ref}; no matching payment since {since} "
        f"({Money(total, account.currency)} received): check with payments",
        actor,
    )
    core.reply(message, "payment_reference_request", understood, actor)
    return "no matching payment found: asked for a reference"


def wrong_person(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """Not our customer: the number or address is marked and no longer used, and a person checks."""
    point = message.contact_point
    if point is not None and not point.invalid:
        mark_contact_point_invalid(point, reason=f"wrong person (inbound message {message.pk})", actor=actor)
    core.add_task(
        message, TaskKind.VERIFY_CONTACT, f"Wrong person at {message.sender}: find the right details", actor
    )
    # No answer: it would tell a stranger who we are and that someone owes us.
    return f"{message.sender} marked as the wrong person; no more contact on it"


def complaint(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """Recorded, and routed to a supervisor with the date by which the customer must have an answer."""
    customer = message.customer
    days = COMPLAINT_DAYS.get(customer.country, COMPLAINT_DAYS_DEFAULT)
    respond_by = message.received_at + timedelta(days=days)
    record = Complaint.objects.create(
        customer=customer,
        account=message.account,
        message=message,
        summary=(understood.text or message.body)[:2000],
        received_at=message.received_at,
        respond_by=respond_by,
    )
    audit(
        actor,
        "record_complaint",
        record,
        f"Complaint recorded: a supervisor answers by {respond_by:%Y-%m-%d}",
        customer=customer,
        account=message.account,
        changes={"respond_by": respond_by.isoformat()},
    )
    core.add_task(
        message,
        TaskKind.COMPLAINT,
        f"Complaint from {customer}: answer by {respond_by:%Y-%m-%d}",
        actor,
        role="supervisor",
        due_at=respond_by,
    )
    core.reply(message, "complaint_acknowledgement", understood, actor, respond_by=respond_by)
    return f"complaint recorded; a supervisor answers by {respond_by:%Y-%m-%d}"


def callback_request(message: InboundMessage, understood: Understanding, actor: str) -> str:
    """A call task at the time they asked for, which is their consent for that call (Reg F)."""
    account = message.account
    when = _callback_time(message, understood)
    try:
        schedule_callback(
            account,
            when,
            given_at=message.received_at,
            source=f"inbound message {message.pk}",
            actor=actor,
            message=message,
        )
    except ActionError as error:
        core.send_to_review(message, f"A callback request we could not schedule: {error}", actor)
        return f"callback request sent to review: {error}"
    core.reply(message, "callback_confirmation", understood, actor, when=when)
    return f"call back booked for {when.astimezone(ZoneInfo(account.customer.timezone)):%Y-%m-%d %H:%M}"


def _callback_time(message: InboundMessage, understood: Understanding) -> datetime:
    zone = ZoneInfo(message.customer.timezone)
    local = message.received_at.astimezone(zone)
    day = understood.entities.date or local.date()
    at = understood.entities.time or (CALLBACK_DEFAULT if day != local.date() else None)
    if at is None:  # "call me": within the hour, at a quarter past or to
        return message.received_at + timedelta(hours=1)
    when = datetime.combine(day, at, tzinfo=zone)
    if when <= message.received_at:  # "at 9" said at 10: the next morning
        when += timedelta(days=1)
    return when


def _terms(account: Account):
    try:
        return parse_terms(account.creditor.arrangement_terms)
    except TermsError:
        return parse_terms({})


def _options(message: InboundMessage) -> list:
    account = message.account
    today = message.received_at.astimezone(ZoneInfo(account.customer.timezone)).date()
    try:
        _, _, found = account_options(account, today)
    except TermsError:
        return []
    return [option for option in found.options if option.kind in ("weekly", "fortnightly", "monthly")]


def _advice(message: InboundMessage) -> list[tuple[str, str]]:
    return debt_advice(message.customer.country)


def _category(text: str) -> str:
    plain = normalised(text)
    for category, words in CATEGORIES:
        # Words start where a word starts: "ill" in "ill since May", not in "bill" or "will".
        if any(re.search(rf"\b{re.escape(word)}", plain) for word in words):
            return category
    return "other"
