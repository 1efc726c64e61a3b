"""Calls as agents log them: on the timeline, counted by the call limits, judged for the moment they
were made, and what was agreed in them (a promise, a dispute, a callback) recorded; disputes then
verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from amicable.conversations.calls import Agreed, log_call, schedule_callback
from amicable.conversations.disputes import decide_dispute, open_dispute, send_verification
from amicable.conversations.models import Task
from amicable.ledger.actions import ActionError
from amicable.ledger.models import Account, AuditLog, CallConsent, ContactPoint, Dispute, Hold, Promise
from amicable.outbox.models import Contact
from test_plan_command import import_portfolio

# 11:00 on Tuesday 10 March 2026 in Boston (EDT), inside every calling window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NUMBER = "+16175550123"  # A-7's customer's mobile


@pytest.fixture
def a7(db, cli, northwind, tmp_path) -> Account:
    northwind.applies_regulation_f = True
    northwind.save()
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        return import_portfolio(cli, tmp_path)["A-7"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_conversation_with_a_promise_is_on_the_timeline_and_the_promise_recorded(a7):
    contact = log_call(
        a7,
        "right_party",
        actor="agent:sam",
        number="(617) 555-0123",
        notes="Lost hours at work; can pay on Friday.",
        agreed=Agreed(promise_amount=Decimal("60"), promise_on=NOW.date() + timedelta(days=3)),
    )
    assert (contact.channel, contact.status, contact.outcome) == ("call", "sent", "conversation")
    assert contact.contact_point.value == NUMBER and contact.note.startswith("Lost hours")
    promise = Promise.objects.get()
    assert (promise.amount, promise.channel, promise.source) == (
        Decimal("60.0000"),
        "call",
        f"call {contact.pk}",
    )
    actions = list(AuditLog.objects.filter(account=a7).order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["log_call", "record_promise"]


def test_an_eighth_call_in_seven_days_is_recorded_and_flagged_but_a_requested_callback_is_not(a7):
    a7.customer.region = "NY"  # Massachusetts caps calls at two a week, consent or not
    a7.customer.save()
    for hours in range(7, 0, -1):
        log_call(a7, "no_answer", actor="agent:sam", number=NUMBER, at=NOW - timedelta(hours=hours * 20))
    eighth = log_call(a7, "no_answer", actor="agent:sam", number=NUMBER)
    assert [r["rule"] for r in eighth.reasons if r["effect"] == "block"] == ["US-REGF-CALL-7IN7"]
    summary = AuditLog.objects.filter(action="log_call").order_by("id").last().summary
    assert summary.endswith("no answer (made although US-REGF-CALL-7IN7 forbade it)")
    # Then the customer texts to ask for a call in an hour: that call is made with their consent.
    asked = NOW + timedelta(minutes=5)
    task = schedule_callback(a7, NOW + timedelta(hours=1), given_at=asked, source="reply", actor="test")
    assert (task.kind, task.due_at) == ("callback", NOW + timedelta(hours=1))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        callback = log_call(a7, "right_party", actor="agent:sam", number=NUMBER)
    assert not [r for r in callback.reasons if r["effect"] == "block"]
    assert CallConsent.objects.get().used_at == NOW + timedelta(hours=1)
    assert (
        "(the customer asked for it)"
        in AuditLog.objects.filter(action="log_call").order_by("id").last().summary
    )
    # One consent covers one call.
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        again = log_call(a7, "no_answer", actor="agent:sam", number=NUMBER)
    assert {r["rule"] for r in again.reasons if r["effect"] == "block"} >= {"US-REGF-CALL-7IN7"}


def test_a_number_not_in_service_is_marked_so(a7):
    log_call(a7, "not_in_service", actor="agent:sam", number=NUMBER)
    point = ContactPoint.objects.get(value=NUMBER, customer=a7.customer)
    assert point.invalid


@pytest.mark.parametrize(
    "outcome, agreed, field",
    [
        ("no_answer", Agreed(promise_amount=Decimal("10"), promise_on=NOW.date()), "promise"),
        ("voicemail", Agreed(dispute="not mine"), "dispute"),
        ("right_party", Agreed(promise_amount=Decimal("10")), "promise"),
        ("right_party", Agreed(callback_at=NOW + timedelta(days=9)), "callback_at"),
        ("hung_up", Agreed(), "outcome"),
    ],
)
def test_what_a_call_cannot_agree_is_refused_and_nothing_is_written(a7, outcome, agreed, field):
    before = (Contact.objects.count(), AuditLog.objects.count(), Promise.objects.count())
    with pytest.raises(ActionError) as refused:
        log_call(a7, outcome, actor="agent:sam", number=NUMBER, agreed=agreed)
    assert refused.value.field == field
    assert (Contact.objects.count(), AuditLog.objects.count(), Promise.objects.count()) == before
    assert CallConsent.objects.count() == 0


def test_a_dispute_on_a_call_holds_collection_until_verification_is_sent(a7):
    log_call(
        a7, "right_party", actor="agent:sam", number=NUMBER, agreed=Agreed(dispute="I paid this in 2024")
    )
    dispute = Dispute.objects.get()
    a7.refresh_from_db()
    assert a7.status == "disputed" and dispute.hold.kind == "dispute" and dispute.within_validation_period
    assert Task.objects.filter(kind="dispute", account=a7).exists()
    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        send_verification(dispute, actor="agent:sam", note="statement of account posted")
    dispute.refresh_from_db(), a7.refresh_from_db()
    assert dispute.status == "verification_sent" and a7.status != "disputed"
    assert Hold.objects.get().ends_at == later
    with pytest.raises(ActionError, match="not open"):
        send_verification(dispute, actor="agent:sam")
    decide_dispute(dispute, "rejected", actor="supervisor:kim")
    assert Dispute.objects.get().status == "rejected"


def test_a_dispute_needs_a_reason(a7):
    with pytest.raises(ActionError) as refused:
        open_dispute(a7, "  ", source="api", actor="test")
    assert refused.value.field == "reason" and Hold.objects.count() == 0
