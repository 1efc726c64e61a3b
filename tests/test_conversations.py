"""Texts from customers, as the SMS webhook and `amicable inbound sms` take them in: matched by number,
understood, and acted on (opt-out, dispute, promise, review), each on the timeline."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client

from amicable.channels.sms import signature
from amicable.conversations.actions import handle_message, receive_sms
from amicable.conversations.models import InboundMessage, Task
from amicable.ledger.models import AuditLog, ContactPoint, Dispute, Hold, Promise
from amicable.outbox.models import Contact, SandboxSms
from test_cycle import EVENING, MORNING, outbox_dir, run  # noqa: F401 (outbox_dir: an autouse fixture)
from test_plan_command import DAY, import_portfolio

B7_MOBILE = "+16175550188"  # customer C-8: texts allowed, email not; due in 7 days
# Texts arrive after the import and before the cycle runs: 20:00 on Monday 9 March in Boston.
IMPORTED = datetime.combine(DAY, time(0, 30), tzinfo=UTC)
ARRIVED = datetime.combine(DAY, time(1), tzinfo=UTC)
TOKEN = "test-auth-token"


@pytest.fixture
def portfolio(db, cli, northwind, tmp_path):
    with time_machine.travel(IMPORTED, tick=False):
        return import_portfolio(cli, tmp_path)


def inbound(cli, sender: str, body: str) -> dict:
    with time_machine.travel(ARRIVED, tick=False):
        result = cli("inbound", "sms", "--from", sender, "--body", body, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def texts_to(number: str) -> list[str]:
    return list(SandboxSms.objects.filter(to=number).order_by("created_at").values_list("body", flat=True))


def test_stop_opts_the_number_out_sends_one_confirmation_and_no_more_texts(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "STOP")
    assert (answer["customer_ref"], answer["intent"], answer["status"]) == ("C-8", "opt_out", "handled")
    mobile = ContactPoint.objects.get(value=B7_MOBILE)
    assert mobile.consent("collection") == "revoked" and mobile.consent("marketing") == "revoked"
    # Exactly one confirmation, with nothing else in it.
    assert texts_to(B7_MOBILE) == [
        "Northwind Energy: you're unsubscribed and won't get any more texts from us on this number."
    ]
    # A second STOP changes nothing and sends nothing.
    again = inbound(cli, B7_MOBILE, "stop please")
    assert again["outcome"] == f"{B7_MOBILE} was already opted out" and again["replies"] == []
    assert len(texts_to(B7_MOBILE)) == 1
    # The next cycle sends this customer no text: the reminder due in 7 days has no channel left.
    with time_machine.travel(MORNING, tick=False):
        summary = run(cli)
    assert (
        not Contact.objects.filter(account=portfolio["B-7"], channel="sms").exclude(purpose="reply").exists()
    )
    reminders = Contact.objects.filter(account=portfolio["B-7"]).exclude(purpose="reply")
    assert list(reminders.values_list("channel", flat=True)) == ["letter"]  # no text: a letter instead
    assert summary["queued"].get("sms", 0) == 0
    with time_machine.travel(EVENING, tick=False):
        cli("dispatch")
    assert len(texts_to(B7_MOBILE)) == 1
    actions = set(AuditLog.objects.filter(customer=mobile.customer).values_list("action", flat=True))
    assert {"receive_message", "record_consent", "handle_message", "plan_reply", "send_contact"} <= actions


def test_i_dont_owe_this_places_a_dispute_hold_acknowledges_and_makes_a_task(cli, portfolio):
    account = portfolio["B-7"]
    answer = inbound(cli, B7_MOBILE, "I don't owe this")
    assert answer["intent"] == "dispute" and answer["account_ref"] == "B-7"
    dispute = Dispute.objects.get(account=account)
    assert (
        dispute.status == "open" and dispute.within_validation_period and dispute.reason == "I don't owe this"
    )
    hold = Hold.objects.get(pk=dispute.hold_id)
    assert (hold.kind, hold.account_id, hold.ends_at) == ("dispute", account.pk, None)
    assert Task.objects.get(kind="dispute").account_id == account.pk
    account.refresh_from_db()
    assert account.status == "disputed"
    [acknowledgement] = texts_to(B7_MOBILE)
    assert "received your dispute about account B-7" in acknowledgement and "Reply STOP" in acknowledgement
    # Collection on the account stops: the next cycle blocks its reminder with the hold's rule.
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    reminder = Contact.objects.exclude(purpose="reply").get(account=account)
    assert reminder.status == "blocked" and "dispute" in json.dumps(reminder.reasons).lower()


def test_a_promise_to_pay_on_friday_is_recorded_for_that_friday_and_confirmed(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "I can pay 50 on Friday")
    assert answer["intent"] == "promise_to_pay"
    promise = Promise.objects.get(account=portfolio["B-7"])
    assert promise.due_on == date(2026, 3, 13)  # the Friday after Monday 9 March, in Boston
    assert (str(promise.amount), promise.currency, promise.status, promise.channel) == (
        "50.0000",
        "USD",
        "open",
        "sms",
    )
    [confirmation] = texts_to(B7_MOBILE)
    assert "$50.00 on March 13, 2026 for account B-7" in confirmation


def test_a_promise_without_a_date_goes_to_an_agent(cli, portfolio):
    answer = inbound(cli, B7_MOBILE, "I will pay 50 dollars when I get paid")
    if answer["intent"] == "promise_to_pay":
        assert answer["status"] == "review" and "no date" in answer["outcome"]
    assert not Promise.objects.exists()
    assert Task.objects.filter(kind="review_message").exists()


def test_a_text_from_an_unknown_number_lands_in_review(cli, portfolio):
    answer = inbound(cli, "+15005550006", "hello? who is this")
    assert answer["customer_ref"] is None and answer["status"] == "review"
    message = InboundMessage.objects.get(pk=answer["message_id"])
    assert message.body == "hello? who is this" and message.matched_by == ""
    task = Task.objects.get(message=message)
    assert task.kind == "review_message" and "No single customer has this number" in task.summary
    assert SandboxSms.objects.count() == 0


def test_a_shared_number_is_matched_to_the_customer_we_last_texted(cli, portfolio):
    other = portfolio["A-7"].customer
    ContactPoint.objects.create(customer=other, kind="mobile", value=B7_MOBILE)
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    with time_machine.travel(EVENING, tick=False):
        cli("dispatch")
    assert Contact.objects.filter(account=portfolio["B-7"], channel="sms", sent_at__isnull=False).exists()
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        message, _ = receive_sms(B7_MOBILE, "who is this?")
    assert message.customer.external_ref == "C-8" and message.matched_by == "last_contact"


def test_bad_input_is_named_and_nothing_is_stored(cli, portfolio):
    result = cli("inbound", "sms", "--from", "12345", "--body", "STOP")
    assert result.exit_code == 2 and "'12345' is not a phone number in E.164 form" in result.output
    result = cli("inbound", "sms", "--from", B7_MOBILE, "--body", "   ")
    assert result.exit_code == 2 and "the message has no text" in result.output
    assert not InboundMessage.objects.exists()


# ---------------------------------------------------------------------------------------- webhook


def _post(client: Client, settings, params: dict[str, str], signed: bool = True):
    url = settings.PUBLIC_URL + "/hooks/sms/inbound"
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature(url, params, TOKEN) if signed else "forged"}
    return client.post("/hooks/sms/inbound", data=params, **headers)


def test_the_webhook_takes_a_signed_text_once_and_refuses_a_forged_one(portfolio, settings, caplog):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    params = {"From": B7_MOBILE, "To": "+15005550000", "Body": "STOP", "MessageSid": "SM" + "1" * 32}
    client = Client()
    with time_machine.travel(ARRIVED, tick=False):
        first = _post(client, settings, params)
        retried = _post(client, settings, params)
    assert first.status_code == retried.status_code == 200
    assert first["Content-Type"] == "text/xml" and b"<Response></Response>" in first.content
    assert InboundMessage.objects.count() == 1 and len(texts_to(B7_MOBILE)) == 1
    assert ContactPoint.objects.get(value=B7_MOBILE).consent("collection") == "revoked"

    with caplog.at_level(logging.WARNING):
        forged = _post(client, settings, {**params, "MessageSid": "SM" + "2" * 32}, signed=False)
        unsigned = client.post("/hooks/sms/inbound", data=params)
    assert forged.status_code == unsigned.status_code == 403
    assert InboundMessage.objects.count() == 1
    assert "rejected an inbound SMS with a missing or wrong signature" in caplog.text


def test_handling_twice_acts_once(portfolio):
    with time_machine.travel(ARRIVED, tick=False):
        message, created = receive_sms(B7_MOBILE, "I don't owe this", provider_id="SM9")
        handle_message(message)
        handle_message(message)
        again, created_again = receive_sms(B7_MOBILE, "I don't owe this", provider_id="SM9")
    assert created and not created_again and again.pk == message.pk
    assert Dispute.objects.count() == 1 and Hold.objects.filter(kind="dispute").count() == 1


def test_an_answer_held_up_by_a_failure_is_not_sent_once_the_number_has_opted_out(portfolio, monkeypatch):
    import amicable.cycle.dispatch as dispatch

    with time_machine.travel(ARRIVED, tick=False):
        message, _ = receive_sms(B7_MOBILE, "I can pay 50 on Friday")
        with (
            monkeypatch.context() as patch
        ):  # the confirmation is written but not sent (the provider is down)
            patch.setattr(dispatch, "dispatch_one", lambda *args, **kwargs: None)
            handle_message(message)
        stop, _ = receive_sms(B7_MOBILE, "STOP")
        handle_message(stop)
    with time_machine.travel(ARRIVED + timedelta(minutes=10), tick=False):
        dispatch.dispatch_due()
    assert texts_to(B7_MOBILE) == [
        "Northwind Energy: you're unsubscribed and won't get any more texts from us on this number."
    ]
    held = Contact.objects.get(key=f"reply:{message.pk}:promise_confirmation")
    assert held.status == "cancelled" and "opted this number out" in held.reasons[0]["message"]


def test_a_message_that_cannot_be_handled_goes_to_review_and_a_stop_in_it_still_counts(
    portfolio, monkeypatch
):
    from amicable.conversations import actions

    def broken(*args, **kwargs):
        raise RuntimeError("the model is unavailable")

    monkeypatch.setattr(actions, "classify", broken)
    with time_machine.travel(ARRIVED, tick=False):
        message, _ = receive_sms(B7_MOBILE, "STOP texting me")
        handled = handle_message(message)
    assert handled.status == "review" and "could not be handled (RuntimeError)" in handled.outcome
    assert ContactPoint.objects.get(value=B7_MOBILE).consent("collection") == "revoked"
    assert Task.objects.get(message=message).kind == "review_message"


def test_a_promise_with_no_amount_goes_to_an_agent_but_the_full_balance_is_an_amount(cli, portfolio):
    first = inbound(cli, B7_MOBILE, "I'll pay on Friday")
    if first["intent"] == "promise_to_pay":
        assert first["status"] == "review" and "no amount" in first["outcome"]
    assert not Promise.objects.exists()
    second = inbound(cli, B7_MOBILE, "I will pay the full balance on Friday")
    assert second["intent"] == "promise_to_pay"
    assert Promise.objects.get().amount == portfolio["B-7"].balance


@pytest.mark.parametrize("language", ["en", "en-GB", "es"])
def test_every_answer_fits_three_text_segments_and_carries_what_the_rules_require(language):
    from decimal import Decimal

    from amicable.conversations import replies
    from amicable.messages.checks import sms_size

    long_name, long_ref = "Northwind Energy Cooperative", "NW-000012345-1"
    answers = [
        replies.dispute_acknowledgement(language, creditor=long_name, ref=long_ref, debt_collector=True),
        replies.promise_confirmation(
            language,
            creditor=long_name,
            ref=long_ref,
            amount=Decimal("1234.56"),
            currency="USD",
            on=date(2026, 12, 15),
            debt_collector=True,
        ),
        *_intent_answers(language, long_name, long_ref),
    ]
    for answer in answers:
        assert sms_size(answer).segments <= 3, answer
        assert "STOP" in answer and ("debt collector" in answer or "cobrador de deudas" in answer)
    confirmation = replies.opt_out_confirmation(language, creditor=long_name)
    assert "STOP" not in confirmation and "cobrador" not in confirmation  # nothing but the confirmation


def test_a_signed_text_from_a_number_that_is_not_one_is_refused_and_nothing_is_stored(portfolio, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    params = {"From": "not-a-number", "To": "+15005550000", "Body": "STOP", "MessageSid": "SM" + "3" * 32}
    response = _post(Client(), settings, params)
    assert response.status_code == 400 and b"not-a-number" in response.content
    assert (
        not InboundMessage.objects.exists() and not AuditLog.objects.filter(action="receive_message").exists()
    )


def _intent_answers(language: str, creditor: str, ref: str) -> list[str]:
    """The answers to the other intents, at their longest (conversations/intents.py)."""
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from amicable.arrangements.options import plan_options
    from amicable.arrangements.terms import Terms
    from amicable.conversations import replies

    options = [
        o
        for o in plan_options(Decimal("12345.67"), "USD", date(2026, 3, 9), Terms()).options
        if o.kind != "full"
    ]
    link = "http://127.0.0.1:8000/p/" + "x" * 16
    advice = [
        ("MoneyHelper", "moneyhelper.org.uk"),
        ("StepChange", "stepchange.org"),
        ("National Debtline", "nationaldebtline.org"),
    ]
    common = {"creditor": creditor, "debt_collector": True}
    return [
        replies.plan_options(language, ref=ref, options=options, link=link, **common),
        replies.hardship_support(
            language, ref=ref, until=date(2026, 9, 30), options=options, link=link, advice=advice, **common
        ),
        replies.vulnerability_acknowledgement(language, **common),
        replies.payment_found(
            language, ref=ref, amount=Decimal("1234.56"), currency="USD", on=date(2026, 9, 30), **common
        ),
        replies.payment_reference_request(language, ref=ref, **common),
        replies.complaint_acknowledgement(language, respond_by=date(2026, 9, 30), **common),
        replies.callback_confirmation(
            language, when=datetime(2026, 9, 30, 15, 30, tzinfo=ZoneInfo("UTC")), **common
        ),
    ]
