"""What happens when a customer asks for a plan, tells of hardship or a vulnerability, says they have
paid, is the wrong person, complains, or asks for a call back: each from a text, as the SMS webhook
and `amicable inbound sms` take it in."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from amicable.conversations.models import Complaint, InboundMessage, Task
from amicable.ledger.actions import record_payment
from amicable.ledger.models import AuditLog, CallConsent, ContactPoint, Hold, SensitiveNote
from amicable.outbox.models import Contact
from test_conversations import ARRIVED, B7_MOBILE, IMPORTED, inbound, texts_to
from test_cycle import MORNING, outbox_dir, run  # noqa: F401 (outbox_dir: an autouse fixture)
from test_plan_command import import_portfolio

BOSTON = ZoneInfo("America/New_York")


@pytest.fixture
def portfolio(db, cli, northwind, tmp_path):
    with time_machine.travel(IMPORTED, tick=False):
        return import_portfolio(cli, tmp_path)


def test_a_request_for_a_plan_is_answered_with_the_plans_the_creditor_allows(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "Could I pay this off in smaller amounts each month?")
    assert (answer["intent"], answer["status"]) == ("payment_plan_request", "handled")
    [options] = texts_to(B7_MOBILE)
    assert "you can pay B-7 in instalments, from $5.00 a month" in options
    assert "/p/" in options and "Reply STOP" in options


def test_hardship_pauses_collection_signposts_free_advice_and_offers_plans(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "I lost my job and can't afford anything right now")
    assert answer["intent"] == "hardship"
    hold = Hold.objects.get(kind="paused")
    assert hold.account == portfolio["B-7"] and hold.ends_at == ARRIVED + timedelta(days=30)
    [support] = texts_to(B7_MOBILE)
    assert "paused collection on B-7 until April 8, 2026" in support and "nfcc.org" in support
    assert "Plans from $5.00 a month" in support
    # The reminder the next cycle would have sent is blocked by the pause.
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    reminder = Contact.objects.exclude(purpose="reply").get(account=portfolio["B-7"])
    assert reminder.status == "blocked" and "GEN-HOLD-PAUSED" in json.dumps(reminder.reasons)


def test_a_vulnerability_pauses_collection_and_its_words_are_kept_apart(cli, portfolio):
    words = "My husband passed away last month and I can't deal with this right now"
    answer = inbound(cli, B7_MOBILE, words)
    assert answer["intent"] == "vulnerability"
    customer = portfolio["B-7"].customer
    assert set(Hold.objects.filter(customer=customer).values_list("kind", flat=True)) == {
        "vulnerability_review",
        "paused",
    }
    note = SensitiveNote.objects.get(customer=customer)
    assert (note.category, note.detail) == ("bereavement", words)
    assert InboundMessage.objects.get().sensitive
    task = Task.objects.get(kind="vulnerability")
    assert task.role == "specialist" and "husband" not in task.summary
    # Nothing on the timeline or in a task repeats what they told us.
    assert not AuditLog.objects.filter(summary__icontains="husband").exists()
    assert not Task.objects.filter(summary__icontains="husband").exists()
    [reply] = texts_to(B7_MOBILE)
    assert "a specialist will be in touch" in reply and "husband" not in reply


def test_a_payment_already_made_is_confirmed_from_the_ledger(cli, portfolio):
    record_payment(
        portfolio["B-7"], Decimal("40"), ARRIVED.date() - timedelta(days=3), currency="USD",
        payment_ref="P-1", source="bank", actor="test",
    )  # fmt: skip
    answer = inbound(cli, B7_MOBILE, "I already paid the $40 last week")
    assert answer["intent"] == "paid_already"
    [reply] = texts_to(B7_MOBILE)
    assert "we have your payment of $40.00 from March 7, 2026 on account B-7" in reply


def test_a_payment_we_cannot_find_is_asked_about(cli, portfolio):
    inbound(cli, B7_MOBILE, "I already paid $30 for this last week")
    [reply] = texts_to(B7_MOBILE)
    assert "We can't see that payment on B-7 yet" in reply
    assert "no matching payment" in Task.objects.get(kind="review_message").summary


def test_the_wrong_person_is_not_contacted_again_and_a_person_checks(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "Wrong number, I don't know who this is")
    assert answer["intent"] == "wrong_person"
    assert ContactPoint.objects.get(value=B7_MOBILE).invalid
    assert Task.objects.get(kind="verify_contact")
    assert texts_to(B7_MOBILE) == []  # nothing that would tell a stranger about the debt
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    assert not Contact.objects.filter(account=portfolio["B-7"], channel="sms").exists()


def test_a_complaint_goes_to_a_supervisor_with_a_deadline(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "Your agent was rude to me on the phone yesterday, I want to complain")
    assert answer["intent"] == "complaint"
    complaint = Complaint.objects.get()
    assert complaint.respond_by == ARRIVED + timedelta(days=15) and complaint.status == "open"
    task = Task.objects.get(kind="complaint")
    assert (task.role, task.due_at) == ("supervisor", complaint.respond_by)
    [reply] = texts_to(B7_MOBILE)
    assert "A supervisor will look into your complaint and answer you by March 24, 2026" in reply


def test_a_callback_request_books_a_call_with_the_customers_consent(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "Can you call me tomorrow at 3pm?")
    assert answer["intent"] == "callback_request"
    asked_for = datetime.combine(ARRIVED.astimezone(BOSTON).date() + timedelta(days=1), time(15), BOSTON)
    consent = CallConsent.objects.get()
    assert consent.for_time == asked_for and consent.given_at == ARRIVED
    assert Task.objects.get(kind="callback").due_at == asked_for
    [reply] = texts_to(B7_MOBILE)
    assert "we'll call you on Tuesday, March 10, 2026 at 3:00" in reply


def test_only_staff_allowed_sensitive_notes_see_a_vulnerable_customers_words(cli, portfolio, client):
    from django.contrib.auth.models import Permission, User

    words = "I'm in hospital having chemo, please give me some time"
    inbound(cli, B7_MOBILE, words)
    message = InboundMessage.objects.get()
    staff = User.objects.create_user("agent", password="pw", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_inboundmessage", "view_task", "view_sensitivenote"][:2]
        )
    )
    client.force_login(staff)
    page = client.get(f"/admin/conversations/inboundmessage/{message.pk}/change/").content.decode()
    assert "chemo" not in page and "Restricted: this message tells of a vulnerability" in page
    assert client.get("/admin/ledger/sensitivenote/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_sensitivenote"))
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the user object
    client.force_login(staff)
    page = client.get(f"/admin/conversations/inboundmessage/{message.pk}/change/").content.decode()
    assert "chemo" in page
    assert (
        "chemo"
        in client.get(
            f"/admin/ledger/sensitivenote/{SensitiveNote.objects.get().pk}/change/"
        ).content.decode()
    )
