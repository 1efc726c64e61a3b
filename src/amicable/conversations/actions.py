"""What happens when a customer writes: each step a named action in its own transaction, on the
customer's timeline and in the audit log.

receive_sms stores the message first (so nothing is lost if understanding it fails), matched to the
customer by number; handle_message then reads it and acts: an opt-out at once, a dispute hold, a
promise, or a task for a person. Our answers are written to the outbox in the same transaction and
sent as soon as it commits.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from amicable.arrangements.promises import record_promise
from amicable.conversations import replies
from amicable.conversations.disputes import open_dispute
from amicable.conversations.models import InboundMessage, MessageStatus, Task, TaskKind
from amicable.conversations.tasks import create_task
from amicable.cycle import dispatch  # a module, so tests can stand in for the provider
from amicable.cycle.context import links, message_language
from amicable.ledger.actions import ActionError, record_consent
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, ContactPoint
from amicable.outbox.models import Contact, ContactStatus
from amicable.understanding.clean import normalised, own_words
from amicable.understanding.model import Understanding, classify
from amicable.understanding.rules import must_not_miss

ACTOR = "system:inbound"
log = logging.getLogger(__name__)
OPEN = ("current", "overdue", "in_arrangement", "disputed", "on_hold")
PHONE_KINDS = ("mobile", "landline")
# "the full balance", "all of it", "todo", "el total": the promise is the balance.
FULL_AMOUNT = re.compile(r"\b(full|whole|balance|everything|all of it|in full|todo|total|completo|saldo)\b")
TASK_DAYS = {TaskKind.REVIEW_MESSAGE: 1, TaskKind.DISPUTE: 5, TaskKind.VERIFY_CONTACT: 2}


def normalise_number(value: str) -> str:
    """E.164, or an ActionError naming the value."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ActionError(f"{value!r} is not a phone number in E.164 form (+ and the country code)") from None
    if not phonenumbers.is_valid_number(number):
        raise ActionError(f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def receive_sms(
    sender: str,
    body: str,
    *,
    recipient: str = "",
    provider_id: str = "",
    received_at: datetime | None = None,
    actor: str = ACTOR,
) -> tuple[InboundMessage, bool]:
    """Store a text as it arrived, matched to a customer by number. A provider's retry of the same
    message (the same id) returns the stored one: (message, False)."""
    number = normalise_number(sender)
    if not body.strip():
        raise ActionError("the message has no text")
    if provider_id:
        existing = InboundMessage.objects.filter(channel="sms", provider_id=provider_id).first()
        if existing:
            return existing, False
    points = list(ContactPoint.objects.filter(kind__in=PHONE_KINDS, value=number).select_related("customer"))
    point = _sender_point(points)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                channel="sms",
                sender=number,
                recipient=recipient,
                body=body,
                received_at=received_at or timezone.now(),
                provider_id=provider_id,
                customer=point.customer if point else None,
                account=_account_for(point) if point else None,
                contact_point=point,
                matched_by=("number" if len(points) == 1 else "last_contact") if point else "",
            )
            who = f"{point.customer}" if point else "no customer" if not points else "several customers"
            audit(
                actor,
                "receive_message",
                message,
                f"Text received from {number} ({who})",
                customer=message.customer,
                account=message.account,
                changes={"channel": "sms", "provider_id": provider_id},
            )
    except IntegrityError:  # the same provider id, stored by a concurrent delivery
        return InboundMessage.objects.get(channel="sms", provider_id=provider_id), False
    return message, True


def _sender_point(points: list[ContactPoint]) -> ContactPoint | None:
    """The contact point a text came from. A number shared by several customers (a household, a
    business line) is the one we last wrote to on it: replies follow our messages."""
    if len({point.customer_id for point in points}) <= 1:
        return points[0] if points else None
    last = (
        Contact.objects.filter(contact_point__in=points, sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("contact_point_id", flat=True)
        .first()
    )
    return next((point for point in points if point.pk == last), None)


def _account_for(point: ContactPoint) -> Account | None:
    """The account a reply from this number is about: the one we last wrote to on it, else the
    customer's oldest open account."""
    last = (
        Contact.objects.filter(contact_point=point, sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("account_id", flat=True)
        .first()
    )
    if last and Account.objects.filter(pk=last, status__in=OPEN).exists():
        return Account.objects.get(pk=last)
    return Account.objects.filter(customer_id=point.customer_id, status__in=OPEN).order_by("id").first()


def handle_message(message: InboundMessage, *, actor: str = ACTOR) -> InboundMessage:
    """Understand a received message and act on it, in one transaction; replies go out after it.
    If that fails, nothing of it stays, and the message goes to review instead, still honouring a
    request to stop: a message is never left unread."""
    try:
        return _handle(message, actor)
    except Exception as error:
        log.exception("could not handle inbound message %s", message.pk)
        return _handle_failed(message, error, actor)


def _handle_failed(message: InboundMessage, error: Exception, actor: str) -> InboundMessage:
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.RECEIVED:
            return message
        done = [f"could not be handled ({type(error).__name__}): sent to review"]
        if "opt_out" in must_not_miss(own_words(message.body) or message.body):
            done.append(_opt_out_sender(message, actor)[0])
        send_to_review(message, f"Could not be handled automatically ({type(error).__name__})", actor)
        _close(message, done, "Sent to review", actor)
    return message


def _handle(message: InboundMessage, actor: str) -> InboundMessage:
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.RECEIVED:
            return message  # already handled
        customer = message.customer
        understood = classify(
            message.body,
            received_at=message.received_at,
            timezone=customer.timezone if customer else "UTC",
            country=customer.country if customer else "",
            default_language=customer.language if customer else "en",
        )
        message.text = understood.text
        message.intent, message.confidence = understood.intent, understood.confidence
        message.understanding = understood.as_json()
        intents = [understood.intent, *understood.also]
        done: list[str] = []
        if customer is None:
            send_to_review(message, "No single customer has this number", actor)
            done.append("sent to review: no single customer has this number")
            if "opt_out" in intents:
                done.append(_opt_out_sender(message, actor)[0])
        else:
            if "opt_out" in intents:
                summary, changed = _opt_out_sender(message, actor)
                done.append(summary)
                if changed and message.account is None:
                    add_task(
                        message, TaskKind.REVIEW_MESSAGE, "Opted out; no open account to confirm from", actor
                    )
                elif changed:  # one confirmation; a second STOP gets no second one
                    reply(message, "opt_out_confirmation", understood, actor)
            if "dispute" in intents:
                done.append(_open_dispute(message, understood, actor, acknowledge="opt_out" not in intents))
            if understood.intent == "promise_to_pay" and not understood.needs_agent:
                done.append(_record_promise(message, understood, actor))
            elif understood.intent in INTENT_ACTIONS and not understood.needs_agent and not done:
                if message.account is None and understood.intent != "wrong_person":
                    send_to_review(
                        message,
                        f"{understood.intent.replace('_', ' ')} from a customer with no open account",
                        actor,
                    )
                    done.append("sent to review: no open account")
                else:
                    done.append(INTENT_ACTIONS[understood.intent](message, understood, actor))
            if not done:
                why = (
                    f"not sure enough what it asks ({understood.intent}, {understood.confidence:.0%})"
                    if understood.needs_agent
                    else f"{understood.intent.replace('_', ' ')} is handled by a person"
                )
                send_to_review(message, why[0].upper() + why[1:], actor)
                done.append(f"sent to review: {why}")
        _close(
            message,
            done,
            f"Read as {understood.intent} ({understood.source})",
            actor,
            changes={"understanding": message.understanding},
        )
    for contact_id in _queued_replies(message):
        dispatch.dispatch_one(contact_id)
    message.refresh_from_db()
    return message


def _close(message: InboundMessage, done: list[str], headline: str, actor: str, changes=None) -> None:
    """The message's outcome, saved, on the timeline: one handle_message row per message."""
    if message.status == MessageStatus.RECEIVED:
        message.status = MessageStatus.HANDLED
    message.outcome = "; ".join(done)[:300]
    message.save()
    audit(
        actor,
        "handle_message",
        message,
        f"{headline}: {message.outcome}"[:300],
        customer=message.customer,
        account=message.account,
        changes=changes,
    )


def send_to_review(message: InboundMessage, why: str, actor: str) -> None:
    message.status = MessageStatus.REVIEW
    # The message's words stay on the message: a task (and its audit row) points to it, so what a
    # customer wrote about their health or grief is never copied where more people can read it.
    add_task(message, TaskKind.REVIEW_MESSAGE, f"{why}: see message {message.pk}", actor)


def add_task(
    message: InboundMessage,
    kind: str,
    summary: str,
    actor: str,
    role: str = "agent",
    due_at: datetime | None = None,
) -> Task:
    """A task about this message, for its customer and account; due by the kind's usual time."""
    return create_task(
        kind,
        summary,
        due_at=due_at or message.received_at + timedelta(days=TASK_DAYS.get(kind, 1)),
        actor=actor,
        customer=message.customer,
        account=message.account,
        message=message,
        role=role,
    )


def _opt_out_sender(message: InboundMessage, actor: str) -> tuple[str, bool]:
    """Every use of the sender's number or address is revoked at once (texts and calls to a number,
    emails to an address), wherever it is on file. Returns a summary and whether anything changed
    (a second STOP changes nothing)."""
    # Locked, so two STOPs handled at once cannot both see the number still open (and both confirm).
    if message.channel == "email":
        addresses = {message.sender}
        point = message.contact_point
        if point is not None and point.kind == "email":
            # A reply to our email from another of their addresses asks us to stop writing to the one
            # we wrote to, too.
            addresses.add(point.value.lower())
        points = email_points(addresses, lock=True)
        who = ", ".join(sorted(addresses))
    else:
        points = list(
            ContactPoint.objects.select_for_update().filter(kind__in=PHONE_KINDS, value=message.sender)
        )
        who = message.sender
    changed = False
    for point in points:
        for use in ("collection", "marketing"):
            if point.consent(use) != "revoked":
                source = f"inbound message {message.pk}"
                record_consent(point, use, "revoked", source=source, actor=actor, at=message.received_at)
                changed = True
    if not changed:
        return f"{who} was already opted out", False
    count = len(points)
    return f"opted out {who} ({count} contact point{'s' if count != 1 else ''})", True


def _open_dispute(
    message: InboundMessage, understood: Understanding, actor: str, *, acknowledge: bool
) -> str:
    account = message.account
    if account is None:
        send_to_review(message, "A dispute from a customer with no open account", actor)
        return "dispute sent to review: no open account"
    open_dispute(
        account,
        understood.text or message.body,
        source=f"inbound message {message.pk}",
        actor=actor,
        received_at=message.received_at,
    )
    add_task(
        message, TaskKind.DISPUTE, f"Verify the debt on {account.external_ref} and send verification", actor
    )
    if acknowledge:
        reply(message, "dispute_acknowledgement", understood, actor)
    return f"dispute opened on {account.external_ref} with a hold"


def _record_promise(message: InboundMessage, understood: Understanding, actor: str) -> str:
    account = message.account
    entities = understood.entities
    if account is None or entities.date is None:
        missing = "no open account" if account is None else "no date"
        send_to_review(message, f"A promise to pay with {missing}", actor)
        return f"promise sent to review: {missing}"
    if entities.amount is None and not FULL_AMOUNT.search(normalised(understood.text)):
        send_to_review(message, "A promise to pay with no amount", actor)
        return "promise sent to review: no amount"
    try:
        promise = record_promise(
            account,
            entities.amount if entities.amount is not None else account.balance,
            entities.date,
            currency=entities.currency,
            channel=message.channel,
            source=f"inbound message {message.pk}",
            actor=actor,
            made_at=message.received_at,
        )
    except ActionError as error:  # another currency, a date already past: a person looks
        send_to_review(message, f"A promise we could not record ({error})", actor)
        return f"promise sent to review: {error}"
    reply(message, "promise_confirmation", understood, actor, promise=promise)
    return f"promise of {promise.amount} {account.currency} on {entities.date} recorded"


def reply(message: InboundMessage, kind: str, understood: Understanding, actor: str, **facts) -> None:
    """Write one answer to the outbox (at most one of each kind per message), to go out by the
    channel the customer used. Dispatch sends it as written, without the planning checks: it answers
    the customer's own message, within moments of it."""
    account, point = message.account, message.contact_point
    if account is None or point is None:
        return
    creditor = account.creditor
    language = message_language(understood.language, account.customer.country)
    if message.auto_submitted:
        # A program wrote it (an out-of-office reply, RFC 3834): an automatic answer could start two
        # programs answering each other. A person decides.
        add_task(
            message,
            TaskKind.REVIEW_MESSAGE,
            f"Answer by hand ({kind.replace('_', ' ')}): sent automatically",
            actor,
        )
        return
    if kind != "opt_out_confirmation" and point.consent() == "revoked":
        # The customer has stopped messages to this number or address: a person answers in another way.
        add_task(
            message,
            TaskKind.REVIEW_MESSAGE,
            f"Answer in writing ({kind.replace('_', ' ')}): opted out",
            actor,
        )
        return
    collector = creditor.role == "debt_collector" or (
        creditor.applies_regulation_f and account.customer.country == "US"
    )
    channel = message.channel
    token = secrets.token_urlsafe(12)
    # An email must carry an unsubscribe link (messages/required.py): the answer's own, like any email's.
    lines = {
        "channel": channel,
        "opt_out_url": links(token, account.customer_id).opt_out if channel == "email" else None,
    }
    body = _reply_body(kind, language, account, token, collector, lines, **facts)
    subject = _reply_subject(message, language) if channel == "email" else ""
    now = timezone.now()
    contact, created = Contact.objects.get_or_create(
        key=f"reply:{message.pk}:{kind}",
        defaults=dict(
            cycle_date=now.astimezone(ZoneInfo(account.customer.timezone)).date(),
            creditor=creditor,
            customer=account.customer,
            account=account,
            contact_point=point,
            playbook="conversation",
            step=kind,
            trigger_on=message.received_at.date(),
            channel=channel,
            purpose="reply",
            template=kind,
            language=language,
            status=ContactStatus.QUEUED,
            scheduled_at=now,
            subject=subject,
            body=body,
            reasons=[
                {
                    "rule": "AMICABLE-REPLY",
                    "citation": "",
                    "effect": "allow",
                    "message": f"An answer to the customer's message {message.pk}, sent as written",
                }
            ],
            reply_token=token,
        ),
    )
    if created:
        audit(
            actor,
            "plan_reply",
            contact,
            f"Answer queued: {kind.replace('_', ' ')}",
            customer=account.customer,
            account=account,
        )
    return [contact.pk]


def _queued_replies(message: InboundMessage) -> list[int]:
    return list(
        Contact.objects.filter(
            key__startswith=f"reply:{message.pk}:", status=ContactStatus.QUEUED
        ).values_list("pk", flat=True)
    )


# ----------------------------------------------------------------------------------------- email


def email_points(addresses: set[str] | list[str], *, lock: bool = False) -> list[ContactPoint]:
    """The email contact points with these addresses. The import stores email-validator's normalised
    form, which keeps the local part's case as typed ("Ann.Lee@example.com"), while mail programs
    write it as they like: compared in any case, as every mail system in practice does."""
    if not addresses:
        return []  # an empty Q() would match every address
    query = Q()
    for address in addresses:
        query |= Q(value__iexact=address)
    points = ContactPoint.objects.filter(query, kind="email").select_related("customer").order_by("pk")
    return list(points.select_for_update(of=("self",)) if lock else points)


def _reply_body(
    kind: str, language: str, account: Account, token: str, collector: bool, lines: dict, **facts
) -> str:
    """The words of one answer (replies.py), from what the intent's action worked out (`facts`)."""
    creditor, ref = account.creditor.name, account.external_ref
    common = {"creditor": creditor, "debt_collector": collector, **lines}
    portal = links(token, account.customer_id).portal
    if kind == "opt_out_confirmation":
        return replies.opt_out_confirmation(language, creditor=creditor, channel=lines["channel"])
    if kind == "dispute_acknowledgement":
        return replies.dispute_acknowledgement(language, ref=ref, **common)
    if kind == "promise_confirmation":
        promise = facts["promise"]
        return replies.promise_confirmation(
            language, ref=ref, amount=promise.amount, currency=promise.currency, on=promise.due_on, **common
        )
    if kind == "plan_options":
        return replies.plan_options(language, ref=ref, options=facts["options"], link=portal, **common)
    if kind == "hardship_support":
        return replies.hardship_support(
            language,
            ref=ref,
            until=facts["until"],
            options=facts["options"],
            link=portal,
            advice=facts["advice"],
            **common,
        )
    if kind == "vulnerability_acknowledgement":
        return replies.vulnerability_acknowledgement(language, **common)
    if kind == "payment_found":
        payment = facts["payment"]
        return replies.payment_found(
            language,
            ref=ref,
            amount=payment.amount,
            currency=account.currency,
            on=payment.effective_on,
            **common,
        )
    if kind == "payment_reference_request":
        return replies.payment_reference_request(language, ref=ref, **common)
    if kind == "complaint_acknowledgement":
        zone = ZoneInfo(account.customer.timezone)
        return replies.complaint_acknowledgement(
            language, respond_by=facts["respond_by"].astimezone(zone).date(), **common
        )
    if kind == "callback_confirmation":
        when = facts["when"].astimezone(ZoneInfo(account.customer.timezone))
        return replies.callback_confirmation(language, when=when, **common)
    raise ValueError(f"no words for a {kind!r} answer")


def _reply_subject(message: InboundMessage, language: str) -> str:
    creditor = message.account.creditor.name
    return replies.subject(language, creditor=creditor, theirs=message.subject)


# The other intents' actions (intents.py), once the message is understood well enough to act alone.
# Imported last: they use _reply, _task and _review from this module.
from amicable.conversations import intents  # noqa: E402

INTENT_ACTIONS = {
    "payment_plan_request": intents.plan_request,
    "hardship": intents.hardship,
    "vulnerability": intents.vulnerability,
    "paid_already": intents.paid_already,
    "wrong_person": intents.wrong_person,
    "complaint": intents.complaint,
    "callback_request": intents.callback_request,
}
