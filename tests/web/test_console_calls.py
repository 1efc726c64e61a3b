"""The console's call guide and the outcome form: the guide follows the rules for this account, and
logging a call does exactly what the API's call endpoint does."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from amicable.api.tokens import issue_api_token
from amicable.conversations.models import Task
from amicable.ledger.models import AuditLog, CallConsent, ContactPoint, Hold, Promise, SensitiveNote
from amicable.outbox.models import Contact
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db

# 11:00 on Tuesday 10 March 2026 in Boston (EDT): inside every calling window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def agent(client, *creditors, name="sam"):
    staff(name, "agent", *creditors)
    assert client.login(username=name, password=PASSWORD)
    return client


def call_page(client, whose, **query):
    return client.get(f"/console/customers/{whose.customer_id}/call", query)


def log(client, whose, **fields):
    """Log a call about the account `whose` (or, with account=, another one under its customer)."""
    return client.post(f"/console/customers/{whose.customer_id}/call", {"account": whose.pk, **fields})


def written() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Contact, AuditLog, Promise, Hold, Task, CallConsent, SensitiveNote)
    )


# The guide ------------------------------------------------------------------------------------------


def test_a_debt_collectors_guide_checks_identity_first_then_gives_the_mini_miranda(client, fairway):
    account = debtor(fairway)
    page = call_page(agent(client, fairway), account)
    assert page.status_code == 200
    text = page.text
    check, miranda = text.index("Check who you are speaking to"), text.index("US-REGF-MINI-MIRANDA")
    assert check < miranda
    assert "Ask them for their date of birth" in text and "Never say before the check passes" in text
    assert "This is an attempt to collect a debt by a debt collector" in text
    assert "US-REGF-VALIDATION" in text  # nothing was sent about this debt yet: a first communication
    assert "What challenges are you currently facing that might affect your ability to pay?" in text
    assert "TEXAS" in text and "Explicit consent" in text
    assert "the National Foundation for Credit Counseling (nfcc.org)" in text
    # The plans the arrangements engine allows for $600.00, and the summary beside the guide.
    assert "Pay in full: $600.00" in text and "monthly payments of $16.67" in text
    assert "$560.00" in text and "$25.00" in text


def test_an_original_creditors_guide_has_no_mini_miranda(client, northwind):
    account = debtor(northwind)
    text = call_page(agent(client, northwind), account).text
    assert "US-REGF-MINI-MIRANDA" not in text and "attempt to collect a debt" not in text
    assert "My name is sam, and I am calling from Northwind Energy about your account with us." in text
    assert "US-REGF-LCM" not in text


def test_the_voicemail_is_the_limited_content_message_for_this_creditor(client, fairway):
    fairway.phone = "+16175550100"
    fairway.save()
    account = debtor(fairway)
    text = call_page(agent(client, fairway), account).text
    voicemail = text[text.index(">Voicemail<") :]
    assert "US-REGF-LCM" in voicemail and "12 CFR 1006.2(j)" in voicemail
    # "Recoveries" tells whoever hears it that this is about a debt: the guide says not to leave it.
    assert "Do not leave a message" in voicemail and "Recoveries" in voicemail
    fairway.brand_name = "Fairway"
    fairway.save()
    voicemail = call_page(client, account).text.split(">Voicemail<")[1]
    assert "Leave this message:" in voicemail
    script = voicemail.split("<blockquote", 1)[1].split("</blockquote>")[0]
    assert "Customer Care from Fairway" in script and "(617) 555-0100" in script
    assert not any(word in script.lower() for word in ("debt", "balance", "owe", "$"))


def test_a_dispute_hold_shows_what_the_call_must_not_do(client, fairway):
    account = debtor(fairway)
    agent(client, fairway)
    log(client, account, outcome="conversation", dispute="I paid this in January")
    text = call_page(client, account).text
    assert "This debt is disputed: do not ask for payment" in text and "US-REGF-DISPUTE" in text
    assert "Do not ask for payment on this call" in text


def test_an_agent_of_another_creditor_gets_404_and_writes_nothing(client, northwind, fairway):
    account = debtor(northwind)
    other = debtor(fairway, "F-9")
    agent(client, fairway)
    assert call_page(client, account).status_code == 404
    before = written()
    assert log(client, account, outcome="no_answer").status_code == 404
    # Another creditor's account under one's own customer is not found either.
    assert call_page(client, other, account=account.pk).status_code == 404
    assert log(client, other, account=account.pk, outcome="no_answer").status_code == 404
    assert written() == before


def test_the_call_page_needs_a_signed_in_agent(client, fairway):
    account = debtor(fairway)
    page = call_page(client, account)
    assert page.status_code == 302 and "/console/login" in page["Location"]


# Logging the outcome --------------------------------------------------------------------------------


def test_a_call_with_a_promise_is_recorded_exactly_as_the_api_records_it(client, northwind):
    """The same call, logged in the console for one customer and through the API for another."""
    console_account, api_account = debtor(northwind, "C-1"), debtor(northwind, "C-2")
    due = (NOW + timedelta(days=3)).date().isoformat()
    agent(client, northwind)
    before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()  # the fixtures' last
    done = log(
        client,
        console_account,
        outcome="conversation",
        number="+16175550123",
        notes="will pay Friday",
        promise_amount="20",
        promise_on=due,
    )
    assert done.status_code == 302 and done["Location"] == f"/console/customers/{console_account.customer_id}"
    page = client.get(done["Location"])
    assert "The call is logged: Spoke with the customer." in page.text

    _, secret = issue_api_token(northwind, "crm", actor="test:fixture")
    api = Client().post(
        f"/api/v1/accounts/{api_account.external_ref}/calls",
        json.dumps(
            {
                "outcome": "right_party",
                "number": "+16175550123",
                "notes": "will pay Friday",
                "promise_amount": "20",
                "promise_on": due,
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 201 and api.json()["outcome"] == "conversation"

    def recorded(account):
        call = Contact.objects.get(account=account)
        promise = Promise.objects.get(account=account)
        actions = list(
            AuditLog.objects.filter(account=account, pk__gt=before)
            .order_by("pk")
            .values_list("action", flat=True)
        )
        return (
            (call.channel, call.status, call.outcome, call.note, call.provider, call.sent_at),
            (
                promise.amount,
                promise.currency,
                promise.due_on,
                promise.channel,
                promise.source == f"call {call.pk}",
            ),
            actions,
        )

    assert recorded(console_account) == recorded(api_account)
    assert recorded(console_account)[2] == ["log_call", "record_promise"]
    assert AuditLog.objects.filter(account=console_account, action="log_call").get().actor == "user:sam"


def test_a_bad_promise_date_names_the_field_and_writes_nothing(client, northwind):
    account = debtor(northwind)
    agent(client, northwind)
    before = written()
    page = log(client, account, outcome="conversation", promise_amount="20", promise_on="13/03/2026")
    assert page.status_code == 400
    assert 'role="alert"' in page.text and "Date promised: enter a date" in page.text
    field = page.text.split('id="promise_on"', 1)[1].split(">", 1)[0]
    assert 'value="13/03/2026"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="promise_on-hint promise_on-error"' in field
    # A date the promise action refuses (before today) is named the same way.
    page = log(client, account, outcome="conversation", promise_amount="20", promise_on="2026-03-01")
    assert page.status_code == 400 and "Date promised: 2026-03-01 is before the promise was made" in page.text
    # What only a conversation can agree.
    page = log(client, account, outcome="no_answer", dispute="not mine")
    assert page.status_code == 400 and "Why they dispute the debt: only a conversation" in page.text
    page = log(client, account, notes="no outcome chosen")
    assert page.status_code == 400 and "Choose how the call went." in page.text
    assert written() == before


def test_a_callback_hardship_and_vulnerability_call_the_same_actions_as_a_reply(client, fairway):
    account = debtor(fairway)
    agent(client, fairway)
    done = log(
        client,
        account,
        outcome="conversation",
        callback_at="2026-03-12T14:30",
        hardship="on",
        vulnerability="I have been in hospital since January",
        notes="Asked for a call on Thursday",
    )
    assert done.status_code == 302
    consent = CallConsent.objects.get()
    assert consent.for_time == datetime(2026, 3, 12, 18, 30, tzinfo=UTC)  # 14:30 in Boston
    assert Task.objects.filter(kind="callback").exists()
    kinds = set(Hold.objects.values_list("kind", flat=True))
    assert kinds == {"paused", "vulnerability_review"}
    note = SensitiveNote.objects.get()
    assert note.category == "health" and note.recorded_by == "user:sam"
    assert Task.objects.get(kind="vulnerability").role == "specialist"
    # The words stay in the restricted note: on no audit row and no call note.
    assert not AuditLog.objects.filter(summary__icontains="hospital").exists()
    assert "hospital" not in Contact.objects.get().note


def test_a_wrong_person_marks_the_number_and_asks_for_the_right_details(client, fairway):
    account = debtor(fairway)
    agent(client, fairway)
    assert log(client, account, outcome="wrong_person", number="+16175550123").status_code == 302
    assert ContactPoint.objects.get(kind="mobile").invalid
    assert Task.objects.get().kind == "verify_contact"
    assert Contact.objects.get().outcome == "third_party"


def test_the_guide_sits_beside_the_customers_timeline(client, northwind):
    from amicable.ledger.actions import record_payment

    account = debtor(northwind)
    record_payment(
        account,
        Decimal("40.00"),
        account.opened_on or date(2026, 3, 1),
        currency="USD",
        payment_ref="P-77",
        source="test",
        actor="test:fixture",
    )
    staff("ana", "agent", northwind)
    client.login(username="ana", password=PASSWORD)
    page = client.get(f"/console/customers/{account.customer_id}/call")
    assert page.status_code == 200
    timeline = page.text.split('id="timeline"', 1)[1]
    assert "P-77" in timeline or "40.00" in timeline
