"""Sending what is due: claim a contact, check it again, send it once, record what happened.

Each contact is claimed in its own transaction with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL),
so any number of workers can dispatch at once without two of them sending the same contact. Before
sending, the contact is composed again at the moment of sending: a payment, hold, opt-out or quiet
hour may have arrived since it was planned. Channels get the contact's key as an idempotency key.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from amicable.authoring.library import load_saved_templates
from amicable.channels.base import DeliveryEvent, Outgoing, PermanentFailure, TransientFailure
from amicable.channels.registry import automatic_channels, get_channel
from amicable.ledger.actions import mark_contact_point_invalid, record_consent
from amicable.ledger.audit import audit
from amicable.messages.render import body_html
from amicable.outbox.models import PENDING, Contact, ContactStatus, PrintBatch

from .compose import ONE_OFF, compose, envelope_text
from .facts import AccountFacts, load_facts

ACTOR = "system:dispatch"
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # the first retry waits about a minute, then 2, 4, 8 ... (with jitter)
BACKOFF_CAP_SECONDS = 3600
NEEDS_CONSENT = {"email", "sms"}
CLOSED = ("resolved", "written_off")


@dataclass(frozen=True, slots=True)
class Outcome:
    channel: str
    status: str  # sent, delivered, failed, cancelled, deferred, retry
    day: str = ""  # the day a sent letter is filed under (its print batch)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter (0.5x to 1.5x), so retries after an outage do not arrive at once."""
    base = min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=base * (rng or random).uniform(0.5, 1.5))


def due_ids(now: datetime, limit: int | None = None) -> list[int]:
    pending = Contact.objects.filter(
        status__in=PENDING, scheduled_at__lte=now, channel__in=automatic_channels()
    ).order_by("scheduled_at", "id")
    ids = pending.values_list("id", flat=True)
    return list(ids[:limit] if limit else ids)


def dispatch_due(now: datetime | None = None, *, limit: int | None = None) -> Counter:
    """Dispatch every contact due by `now`; returns Counter[(channel, outcome)]."""
    now = now or timezone.now()
    load_saved_templates()  # the texts saved in the console, once per batch
    outcomes: Counter = Counter()
    letter_days = set()
    for contact_id in due_ids(now, limit):
        outcome = dispatch_one(contact_id, now)
        if outcome is not None:
            outcomes[(outcome.channel, outcome.status)] += 1
            if outcome.channel == "letter" and outcome.status == "sent":
                letter_days.add(outcome.day)
    # Letters are filed under their recipient's local date: each of those days' batches is remade.
    for day in sorted(letter_days):
        build_print_batch(date.fromisoformat(day))
    return outcomes


def _claim(contact_id: int, now: datetime) -> Contact | None:
    pending = Contact.objects.filter(pk=contact_id, status__in=PENDING, scheduled_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    return pending.first()


def _still_usable(contact: Contact, facts: AccountFacts) -> str | None:
    """Why the contact can no longer go, for reasons outside the rule packs; None if it can."""
    if facts.account.status in CLOSED and contact.purpose == "collection":
        return f"the account is {facts.account.status} since this was planned"
    point = facts.points.get(contact.contact_point_id)
    if point is None or point.invalid:
        return "the contact point is gone or no longer valid"
    use = "marketing" if contact.purpose == "marketing" else "collection"
    state = ((point.consents or {}).get(use) or {}).get("state", "unknown")
    if state == "revoked" or (contact.channel in NEEDS_CONSENT and state != "granted"):
        return f"the customer's consent to {contact.channel} for {use} is {state}"
    return None


REPLY_FRESH_FOR = timedelta(hours=1)


def _reply_problem(contact: Contact, facts: AccountFacts, now: datetime) -> str | None:
    """An answer to the customer's own message (conversations/actions.py) is sent as written, without
    the planning checks, but only while it is an answer: soon after, to a number or address still
    usable. The opt-out confirmation goes although consent is gone: it is the one message the rules
    allow after it."""
    point = facts.points.get(contact.contact_point_id)
    where = "address" if contact.channel == "email" else "number"
    if point is None or point.invalid:
        return f"the {where} is no longer usable"
    if contact.template != "opt_out_confirmation" and point.consent("collection") == "revoked":
        return f"the customer opted this {where} out after we wrote the answer"
    if now - contact.created_at > REPLY_FRESH_FOR:
        return "too long after the customer's message to send as an answer"
    return None


def _record(contact: Contact, action: str, summary: str, fields: list[str], **changes) -> None:
    contact.save(update_fields=[*fields, "updated_at"])
    audit(
        ACTOR,
        action,
        contact,
        summary,
        customer=contact.customer,
        account=contact.account,
        changes={"status": contact.status, **changes},
    )


def _cancel(contact: Contact, reasons: list[dict]) -> Outcome:
    contact.status = ContactStatus.CANCELLED
    contact.reasons = reasons
    text = "; ".join(r["message"] for r in reasons if r["effect"] == "block")
    _record(
        contact, "cancel_contact", f"Cancelled {contact.channel} at send time: {text}", ["status", "reasons"]
    )
    return Outcome(contact.channel, "cancelled")


def outgoing(contact: Contact, facts: AccountFacts, now: datetime) -> Outgoing:
    point = facts.points[contact.contact_point_id]
    creditor = facts.account.creditor
    base = settings.PUBLIC_URL
    return Outgoing(
        contact_id=contact.pk,
        idempotency_key=contact.key,
        to=point.value,
        subject=contact.subject,
        body=contact.body,
        html=body_html(contact.body),
        sender_name=creditor.display_name,
        reply_to=f"reply+{contact.reply_token}@{settings.REPLY_DOMAIN}",
        unsubscribe_url=f"{base}/u/{contact.reply_token}",
        language=contact.language,
        address=dict(point.address or {}),
        return_address=envelope_text(facts),
        day=now.astimezone(ZoneInfo(facts.account.customer.timezone)).date().isoformat(),
    )


def dispatch_one(contact_id: int, now: datetime | None = None) -> Outcome | None:
    """Claim, re-check and send one contact. None when another worker has it or it is no longer due."""
    now = now or timezone.now()
    with transaction.atomic():
        contact = _claim(contact_id, now)
        if contact is None:
            return None
        facts = load_facts([contact.account_id], now)[contact.account_id]
        if contact.purpose == "reply":
            problem = _reply_problem(contact, facts, now)
            if problem:
                return _cancel(
                    contact,
                    [{"rule": "AMICABLE-REPLY", "citation": "", "effect": "block", "message": problem}],
                )
            return _send(contact, facts, now)
        problem = _still_usable(contact, facts)
        if problem:
            return _cancel(
                contact,
                [{"rule": "AMICABLE-SEND-CHECK", "citation": "", "effect": "block", "message": problem}],
            )
        local_today = now.astimezone(ZoneInfo(facts.account.customer.timezone)).date()
        composed = compose(
            facts,
            channel=contact.channel,
            template=contact.template,
            variant=contact.variant or None,
            purpose=contact.purpose,
            today=local_today,
            at=now,
            reply_token=contact.reply_token,
            point=facts.points[contact.contact_point_id],
            language=contact.language if contact.playbook == ONE_OFF else None,
        )
        contact.scenario = composed.scenario
        if composed.status == "blocked":
            return _cancel(contact, composed.reasons)
        if composed.status == "deferred":
            contact.status, contact.scheduled_at, contact.reasons = (
                "deferred",
                composed.scheduled_at,
                composed.reasons,
            )
            _record(
                contact,
                "defer_contact",
                f"Deferred {contact.channel} at send time to {contact.scheduled_at:%Y-%m-%d %H:%M} UTC",
                ["status", "scheduled_at", "reasons", "scenario"],
            )
            return Outcome(contact.channel, "deferred")
        rendered = composed.rendered
        # The words sent are those of the moment of sending (today's balance), checked just now.
        contact.subject, contact.body, contact.reasons = (
            (rendered.subject or "")[:300],
            rendered.body,
            composed.reasons,
        )
        return _send(contact, facts, now)


def _send(contact: Contact, facts: AccountFacts, now: datetime) -> Outcome:
    fields = ["status", "attempts", "last_error", "scheduled_at", "subject", "body", "reasons", "scenario"]
    contact.attempts += 1
    try:
        message = outgoing(contact, facts, now)
        sent = get_channel(contact.channel).send(message)
    except TransientFailure as error:
        contact.last_error = str(error)[:500]
        if contact.attempts >= MAX_ATTEMPTS:
            contact.status = ContactStatus.FAILED
            _record(
                contact,
                "fail_contact",
                f"{contact.channel} failed after {contact.attempts} attempts: {error}",
                fields,
            )
            return Outcome(contact.channel, "failed")
        contact.status = ContactStatus.QUEUED
        contact.scheduled_at = now + backoff(contact.attempts)
        _record(
            contact,
            "retry_contact",
            f"{contact.channel} will be retried at {contact.scheduled_at:%H:%M} UTC: {error}",
            fields,
        )
        return Outcome(contact.channel, "retry")
    except PermanentFailure as error:
        contact.status, contact.last_error = ContactStatus.FAILED, str(error)[:500]
        _record(contact, "fail_contact", f"{contact.channel} failed: {error}", fields)
        if error.invalid_recipient:
            mark_contact_point_invalid(facts.points[contact.contact_point_id], reason=str(error), actor=ACTOR)
        return Outcome(contact.channel, "failed")
    contact.status = ContactStatus.DELIVERED if sent.delivered else ContactStatus.SENT
    contact.provider, contact.provider_id, contact.sent_at = sent.provider, sent.provider_id[:200], now
    contact.last_error = ""
    if sent.delivered:
        contact.delivered_at = now
    _record(
        contact,
        "send_contact",
        f"Sent {contact.channel} '{contact.template}' ({sent.provider})",
        [*fields, "provider", "provider_id", "sent_at", "delivered_at"],
        provider_id=contact.provider_id,
    )
    return Outcome(contact.channel, contact.status, message.day)


def build_print_batch(day: date) -> PrintBatch | None:
    """Gather the day's letters into one PDF; remade when more letters are sent the same day."""
    path, letters = get_channel("letter").build_batch(day)
    if path is None:
        return None
    batch, _ = PrintBatch.objects.update_or_create(day=day, defaults={"letters": letters, "path": str(path)})
    return batch


@transaction.atomic
def apply_delivery_event(event: DeliveryEvent) -> Contact | None:
    """A provider's delivery news: the contact is marked delivered or failed, and a permanent failure
    marks the address or number invalid. A spam complaint leaves the contact's status (it was
    delivered), is recorded on it, and revokes every use of the address. Unknown ids are ignored (None)."""
    contact = (
        Contact.objects.select_for_update()
        .filter(provider_id=event.provider_id)
        .exclude(provider_id="")
        .first()
    )
    if contact is None:
        return None
    if event.status == "delivered":
        if contact.status == ContactStatus.SENT:
            contact.status, contact.delivered_at = ContactStatus.DELIVERED, event.at
    elif event.status == "complained":
        complaint = f"complained: {event.detail}"[:500]
        if contact.last_error == complaint:
            return contact  # the same report delivered again: recorded once
        # The message arrived (that is what was complained about): only the complaint is new.
        contact.last_error = complaint
    else:
        contact.status, contact.last_error = ContactStatus.FAILED, f"{event.status}: {event.detail}"[:500]
    _record(
        contact,
        "record_delivery",
        f"{contact.channel} {event.status}" + (f": {event.detail}" if event.detail else ""),
        ["status", "delivered_at", "last_error"],
        event=event.status,
    )
    if event.permanent and contact.contact_point_id:
        from amicable.ledger.models import ContactPoint

        point = ContactPoint.objects.get(pk=contact.contact_point_id)
        if not point.invalid:
            mark_contact_point_invalid(point, reason=f"{event.status}: {event.detail}", actor=ACTOR)
    if event.status == "complained" and contact.contact_point_id:
        _revoke_after_complaint(contact, event)
    return contact


def _revoke_after_complaint(contact: Contact, event: DeliveryEvent) -> None:
    """Someone who reports us as spam has told us to stop: every use of the address is revoked,
    wherever it is on file (as a reply saying "unsubscribe" would), so nothing more is sent to it."""
    from amicable.ledger.models import ContactPoint

    point = ContactPoint.objects.get(pk=contact.contact_point_id)
    # Addresses are stored as imported (email-validator keeps the local part's case): any case is the
    # same mailbox in practice.
    points = ContactPoint.objects.select_for_update().filter(kind=point.kind, value__iexact=point.value)
    for each in points.order_by("pk"):
        for use in ("collection", "marketing"):
            if each.consent(use) != "revoked":
                record_consent(each, use, "revoked", source="spam complaint", actor=ACTOR, at=event.at)
