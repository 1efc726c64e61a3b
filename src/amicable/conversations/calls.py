"""Phone calls as agents log them (through the API or the console): each one a contact on the
customer's timeline that the compliance rules count from then on, judged for the moment it was made,
with what was agreed in it (a promise, a dispute, a callback, help in hardship, a vulnerability told
of) recorded by the same actions a reply would use.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from amicable.arrangements.promises import record_promise
from amicable.compliance.engine import decide
from amicable.compliance.scenario import parse_scenario
from amicable.conversations.disputes import open_dispute
from amicable.conversations.models import Task, TaskKind
from amicable.conversations.tasks import create_task
from amicable.cycle.compose import reason_json
from amicable.cycle.facts import load_facts
from amicable.cycle.scenario_db import scenario_for
from amicable.ledger.actions import ActionError, mark_contact_point_invalid
from amicable.ledger.audit import audit
from amicable.ledger.importing.fields import FieldError, parse_phone
from amicable.ledger.models import Account, CallConsent, ContactPoint
from amicable.outbox.models import Contact, ContactStatus

# What an agent can log, and the name the compliance rules know it by. A conversation with someone
# else is a call that connected, but not a conversation with the debtor.
OUTCOMES = {
    "right_party": "conversation",
    "conversation": "conversation",
    "third_party": "third_party",
    # Someone who is not the customer, at a number that is not theirs: the number is no longer used.
    "wrong_person": "third_party",
    "no_answer": "no_answer",
    "voicemail": "voicemail",
    "busy": "busy",
    "not_in_service": "not_in_service",
    "dropped": "dropped",
}
CONSENT_DAYS = 7  # 12 CFR 1006.14(b)(3)(i): prior consent given within the last 7 days
CONSENT_EARLY = timedelta(hours=1)  # a callback made a little before the asked time still counts
PHONE_KINDS = ("mobile", "landline")


@dataclass(frozen=True, slots=True)
class Agreed:
    """What came of a conversation, besides the call itself."""

    promise_amount: Decimal | None = None
    promise_on: date | None = None
    dispute: str = ""
    callback_at: datetime | None = None
    hardship: bool = False  # they told of hardship: the firmer steps pause while we look at it
    vulnerability: str = ""  # what they told of a vulnerability, in their words (kept restricted)


def log_call(
    account: Account,
    outcome: str,
    *,
    actor: str,
    at: datetime | None = None,
    number: str = "",
    task: Contact | None = None,
    notes: str = "",
    voicemail: str = "",
    agreed: Agreed = Agreed(),
) -> Contact:
    """Record a call that was made, in one transaction, and what it settled. The call is judged by the
    rules for the moment it was made; one they forbade is still recorded (it happened) and flagged."""
    at = at or timezone.now()
    if outcome not in OUTCOMES:
        raise ActionError(f"outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}", field="outcome")
    if at > timezone.now() + timedelta(minutes=5):
        raise ActionError(f"at: {at.isoformat()} is in the future: log a call once it is made", field="at")
    talked = OUTCOMES[outcome] == "conversation"
    for name, given in (
        ("promise", agreed.promise_amount is not None or agreed.promise_on is not None),
        ("dispute", bool(agreed.dispute)),
        ("callback_at", agreed.callback_at is not None),
        ("hardship", agreed.hardship),
        ("vulnerability", bool(agreed.vulnerability.strip())),
    ):
        if given and not talked:
            raise ActionError(f"{name}: only a conversation with the customer can agree it", field=name)
    if (agreed.promise_amount is None) != (agreed.promise_on is None):
        raise ActionError("promise: give both the amount and the date", field="promise")
    if voicemail and outcome != "voicemail":
        raise ActionError("voicemail: only a voicemail outcome leaves one", field="voicemail")
    with transaction.atomic():
        account = (
            Account.objects.select_for_update().select_related("creditor", "customer").get(pk=account.pk)
        )
        point = _point(account, number, task)
        consent = _consent_used(account, at)
        facts = load_facts([account.pk], at)[account.pk]
        scenario = scenario_for(facts, now=at, channel="call", content=None, point=point)
        decision = decide(parse_scenario(scenario))
        reasons = reason_json(decision)
        if voicemail:
            left = scenario | {
                "contact": scenario["contact"] | {"channel": "voicemail", "content": voicemail}
            }
            reasons += [r for r in reason_json(decide(parse_scenario(left))) if r["effect"] != "allow"]
        contact = _record_call(
            account, point, task, at, OUTCOMES[outcome], notes, voicemail, reasons, scenario
        )
        if consent is not None:
            consent.used_at = at
            consent.save(update_fields=["used_at"])
        broken = sorted({r["rule"] for r in reasons if r["effect"] == "block"})
        audit(
            actor,
            "log_call",
            contact,
            f"Call to {point.value if point else 'the customer'}: {outcome.replace('_', ' ')}"
            + (f" (made although {', '.join(broken)} forbade it)" if broken else "")
            + (" (the customer asked for it)" if consent else ""),
            customer=account.customer,
            account=account,
            changes={"outcome": outcome, "rules_against": broken, "consented": bool(consent)},
        )
        source = f"call {contact.pk}"
        if outcome == "not_in_service" and point is not None and not point.invalid:
            mark_contact_point_invalid(point, reason="not in service (agent's call)", actor=actor)
        if outcome == "wrong_person":
            _wrong_person(account, point, at, actor)
        if agreed.promise_amount is not None:
            record_promise(
                account,
                agreed.promise_amount,
                agreed.promise_on,
                channel="call",
                source=source,
                actor=actor,
                made_at=at,
            )
        if agreed.dispute:
            open_dispute(account, agreed.dispute, source=source, actor=actor, received_at=at)
            create_task(
                TaskKind.DISPUTE,
                f"Verify the debt on {account.external_ref}",
                due_at=at + timedelta(days=5),
                actor=actor,
                customer=account.customer,
                account=account,
            )
        if agreed.callback_at is not None:
            schedule_callback(account, agreed.callback_at, given_at=at, source=source, actor=actor)
        if agreed.hardship or agreed.vulnerability.strip():
            _support(account, agreed, at, source, actor)
    return contact


def _wrong_person(account: Account, point: ContactPoint | None, at: datetime, actor: str) -> None:
    """As when a stranger answers a text: the number is marked and no longer used, and a person
    finds the right details."""
    if point is not None and not point.invalid:
        mark_contact_point_invalid(point, reason="wrong person (agent's call)", actor=actor)
    create_task(
        TaskKind.VERIFY_CONTACT,
        f"Wrong person at {point.value if point else 'the number called'}: find the right details",
        due_at=at + timedelta(days=2),
        actor=actor,
        customer=account.customer,
        account=account,
    )


def _support(account: Account, agreed: Agreed, at: datetime, source: str, actor: str) -> None:
    """The same help a reply telling of hardship or a vulnerability gets (conversations/intents.py)."""
    from amicable.conversations.intents import pause_for_hardship, record_vulnerability  # imports us

    if agreed.hardship:
        pause_for_hardship(account, at=at, source=source, actor=actor)
    if agreed.vulnerability.strip():
        record_vulnerability(account, agreed.vulnerability.strip(), at=at, source=source, actor=actor)
        create_task(
            TaskKind.VULNERABILITY,
            f"Specialist review for {account.customer}: see the restricted note",
            due_at=at + timedelta(days=1),
            actor=actor,
            customer=account.customer,
            account=account,
            role="specialist",
        )


def _point(account: Account, number: str, task: Contact | None) -> ContactPoint | None:
    if task is not None:
        if task.account_id != account.pk or task.channel != "call":
            raise ActionError(f"task {task.pk} is not a call to {account.external_ref}", field="task")
        if task.status not in (ContactStatus.QUEUED, ContactStatus.DEFERRED):
            raise ActionError(f"task {task.pk} is already {task.status}", field="task")
        return ContactPoint.objects.filter(pk=task.contact_point_id).first()
    if not number:
        return None
    try:  # as the import reads numbers: a national number in the customer's country is fine
        value = parse_phone(number, account.customer.country)
    except FieldError as error:
        raise ActionError(f"number: {error}", field="number") from None
    point = ContactPoint.objects.filter(
        customer_id=account.customer_id, kind__in=PHONE_KINDS, value=value
    ).first()
    if point is None:
        raise ActionError(f"number: {value} is not one of the customer's numbers", field="number")
    return point


def _consent_used(account: Account, at: datetime) -> CallConsent | None:
    """The customer's unused request for a call that covers one made at `at`, if any."""
    for consent in CallConsent.objects.select_for_update().filter(
        customer_id=account.customer_id,
        used_at__isnull=True,
        given_at__lte=at,
        given_at__gte=at - timedelta(days=CONSENT_DAYS),
    ):
        if consent.for_time is None or at >= consent.for_time - CONSENT_EARLY:
            return consent
    return None


def _record_call(
    account: Account,
    point: ContactPoint | None,
    task: Contact | None,
    at: datetime,
    outcome: str,
    notes: str,
    voicemail: str,
    reasons: list[dict],
    scenario: dict,
) -> Contact:
    if task is not None:  # the call the cycle planned
        contact = Contact.objects.select_for_update().get(pk=task.pk)
    else:
        local = at.astimezone(ZoneInfo(account.customer.timezone)).date()
        contact = Contact(
            key=f"call:{account.pk}:{secrets.token_hex(8)}",
            cycle_date=local,
            creditor=account.creditor,
            customer=account.customer,
            account=account,
            contact_point=point,
            playbook="agent",
            step="call",
            trigger_on=local,
            channel="call",
            template="call",
            language=account.customer.language,
            scheduled_at=at,
            reply_token=secrets.token_urlsafe(12),
        )
    contact.status, contact.sent_at, contact.outcome = ContactStatus.SENT, at, outcome
    contact.note, contact.provider = notes, "agent"
    contact.reasons, contact.scenario = reasons, scenario
    if voicemail:
        contact.voicemail = voicemail
    contact.save()
    return contact


def schedule_callback(
    account: Account, when: datetime, *, given_at: datetime, source: str, actor: str, message=None
) -> Task:
    """The customer asked to be called at `when`: a call task for an agent, and their consent for that
    call, so it does not count toward the call limits (12 CFR 1006.14(b)(3)(i))."""
    if when < given_at - CONSENT_EARLY:
        raise ActionError(f"callback_at: {when.isoformat()} is before it was asked for", field="callback_at")
    if when > given_at + timedelta(days=CONSENT_DAYS):
        raise ActionError(
            f"callback_at: {when.isoformat()} is more than {CONSENT_DAYS} days away; consent for a call "
            "lasts 7 days",
            field="callback_at",
        )
    consent = CallConsent.objects.create(
        customer=account.customer, account=account, given_at=given_at, for_time=when, source=source[:200]
    )
    local = when.astimezone(ZoneInfo(account.customer.timezone))
    task = create_task(
        TaskKind.CALLBACK,
        f"Call back at {local:%a %d %b %H:%M} ({account.customer.timezone}), as the customer asked",
        due_at=when,
        actor=actor,
        customer=account.customer,
        account=account,
        message=message,
    )
    audit(
        actor,
        "record_call_consent",
        consent,
        f"The customer asked for a call at {local:%Y-%m-%d %H:%M}: it will not count toward the call limits",
        customer=account.customer,
        account=account,
        changes={"for_time": when.isoformat(), "task": task.pk},
    )
    return task
