"""Finding a customer and their page: identity and consents, itemised accounts, holds, and one timeline
of everything (messages and their delivery, replies, calls, notes, portal actions, payments, blocked
contacts with their rule), with sensitive words only for the roles allowed them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from amicable.console import work
from amicable.conversations.actions import handle_message, receive_sms
from amicable.conversations.calls import log_call
from amicable.ledger.actions import place_hold, record_payment
from amicable.ledger.audit import audit
from amicable.outbox.models import Contact
from amicable.portal.links import portal_token
from web.people import debtor, staff

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 12:00 in Boston, inside the calling hours
ACTOR = "test:fixture"
MOBILE = "+16175550123"  # every US debtor in web.people has this number


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def agent(client, northwind):
    user = staff("alice", "agent", northwind)
    client.force_login(user)
    return user


def contact(account, *, channel="email", status="delivered", reasons=(), minutes_ago=60, **fields):
    """A contact as the cycle and dispatch leave it."""
    kind = "email" if channel == "email" else "mobile"
    at = NOON - timedelta(minutes=minutes_ago)
    sent = status in ("sent", "delivered", "failed")
    with time_machine.travel(at, tick=False):  # planned then: its created_at
        return Contact.objects.create(
            key=f"{account.pk}:consumer:{secrets.token_hex(4)}",
            cycle_date=at.date(),
            creditor=account.creditor,
            customer=account.customer,
            account=account,
            contact_point=account.customer.contact_points.get(kind=kind),
            playbook="consumer",
            step="reminder",
            trigger_on=at.date(),
            channel=channel,
            template=fields.pop("template", "first_reminder"),
            language="en",
            status=status,
            scheduled_at=at,
            sent_at=at if sent else None,
            delivered_at=at + timedelta(minutes=1) if status == "delivered" else None,
            reasons=list(reasons),
            reply_token=secrets.token_urlsafe(12),
            **fields,
        )


def test_search_finds_customers_by_name_reference_account_phone_and_email(client, northwind, fairway, agent):
    maria = debtor(northwind, "C-1")
    debtor(northwind, "C-2", first_name="Sam", last_name="Ortiz")
    debtor(fairway, "F-1")  # another creditor's Maria Lopez, with the same number: never found
    for text in ("a-c-1", "C-1", "MARIA.C-1@example.com", "lopez maria", "(617) 555-0123", "+1 617 555 0123"):
        page = client.get("/console/customers", {"q": text})
        assert page.status_code == 200
        assert f'href="/console/customers/{maria.customer.pk}"' in page.text, text
        assert "Fairway" not in page.text, text
        if "555" not in text:  # Sam has the same number: only the number finds him too
            assert "Sam Ortiz" not in page.text, text
    found = client.get("/console/customers", {"q": "ortiz"})
    assert "Sam Ortiz" in found.text and "1 customer matches" in found.text and "$600.00" in found.text
    none = client.get("/console/customers", {"q": "F-1"})
    assert "0 customers match" in none.text and "Nobody matches" in none.text


def test_a_search_too_long_is_named_and_not_run(client, northwind, agent):
    page = client.get("/console/customers", {"q": "x" * 201})
    assert page.status_code == 400 and 'role="alert"' in page.text and 'aria-invalid="true"' in page.text
    assert "Search for at most 200 characters." in page.text and "match" not in page.text


def test_the_customer_page_shows_identity_consents_itemised_accounts_and_holds(client, northwind, agent):
    account = debtor(northwind, "C-1")
    customer = account.customer
    place_hold(
        customer,
        "paused",
        source="call 12",
        actor=ACTOR,
        note="lost their job",
        ends_at=NOON + timedelta(days=30),
    )
    ended = place_hold(
        customer,
        "dispute",
        source="letter",
        actor=ACTOR,
        account=account,
        starts_at=NOON - timedelta(days=40),
    )
    from amicable.ledger.actions import end_hold

    end_hold(ended, actor=ACTOR, at=NOON - timedelta(days=20), reason="verified")
    page = client.get(f"/console/customers/{customer.pk}")
    assert page.status_code == 200
    text = page.text
    for shown in (
        "Maria Lopez",
        "Customer C-1 of Northwind Energy",
        "March 27, 1984",
        "America/New_York",
        "(their time now: 12:00)",
        "US-MA",
        "maria.c-1@example.com",
        MOBILE,
        "Messages about the debt",
        "Newsletters and offers",
        "Account A-C-1",
        "$560.00",  # principal
        "$15.00",  # interest
        "$25.00",  # fees
        "$600.00",
        "Collection paused (hardship or a difficult situation)",
        "lost their job",
        "On now",
        "Ended",
    ):
        assert shown in text, shown
    # Consent per use: collection granted at import, marketing never asked.
    assert text.count('badge ok">Yes') == 2 and text.count(">Not asked<") == 4  # and the postal address


def test_the_timeline_merges_messages_delivery_blocks_payments_calls_and_portal_actions(
    client, northwind, agent
):
    account = debtor(northwind, "C-1")
    customer = account.customer
    sent = contact(account, subject="About your account", body="Dear Maria, ...", minutes_ago=120)
    # The audit row dispatch writes for the send: shown once, through the contact itself.
    audit(
        "system:dispatch",
        "send_contact",
        sent,
        "Sent email 'first_reminder' (eml)",
        customer=customer,
        account=account,
    )
    contact(
        account,
        channel="sms",
        status="blocked",
        template="second_reminder",
        reasons=[
            {
                "rule": "US-REGF-7IN7",
                "citation": "12 CFR 1006.14(b)(2)",
                "effect": "block",
                "message": "7 calls in 7 days",
            },
            {"rule": "GEN-QUIET", "citation": "", "effect": "allow", "message": "inside the hours"},
        ],
        minutes_ago=90,
    )
    with time_machine.travel(NOON - timedelta(minutes=30), tick=False):
        record_payment(
            account,
            Decimal("40"),
            timezone.localdate(),
            currency="USD",
            payment_ref="P-9",
            source="card",
            actor=ACTOR,
        )
    with time_machine.travel(NOON - timedelta(minutes=20), tick=False):
        log_call(account, "right_party", actor="user:alice", number=MOBILE, notes="Will pay on Friday")
    with time_machine.travel(NOON - timedelta(minutes=10), tick=False):
        # The customer signs in to the portal, in their own browser.
        portal = Client()
        signed_in = portal.post(
            f"/p/{portal_token(customer.pk)}", {"day": "27", "month": "3", "year": "1984"}
        )
        assert signed_in.status_code == 302

    page = client.get(f"/console/customers/{customer.pk}")
    text = page.text
    assert "Email “first_reminder”" in text and "Delivered" in text and "delivered 10 Mar, 14:01" in text
    assert "Sent email &#x27;first_reminder&#x27; (eml)" not in text  # the audit row, merged into the contact
    assert "About your account" in text and "Dear Maria, ..." in text
    assert "Text message “second_reminder”: Blocked" in text
    assert (
        "<strong>US-REGF-7IN7</strong>" in text and "12 CFR 1006.14(b)(2)" in text and "GEN-QUIET" not in text
    )
    assert "Payment of USD 40.00 on A-C-1" in text
    assert "Call: Spoke with the customer" in text and "Notes: Will pay on Friday" in text
    assert ">Portal</span>" in text and "customer:portal:" in text
    # Newest first: the portal sign-in, the call, the payment, then the messages.
    order = [
        text.index(s)
        for s in (
            "customer:portal:",
            "Call: Spoke",
            "Payment of USD 40.00",
            "second_reminder",
            "first_reminder",
        )
    ]
    assert order == sorted(order)


def test_an_agent_sees_that_words_are_restricted_and_a_supervisor_sees_them(client, northwind):
    account = debtor(northwind, "C-1")
    words = "My husband passed away last month and I can't deal with this right now"
    message, _ = receive_sms(MOBILE, words)
    handle_message(message)
    client.force_login(staff("alice", "agent", northwind))
    page = client.get(f"/console/customers/{account.customer.pk}").text
    assert "husband" not in page and "Bereavement" not in page
    assert "Restricted: this message tells of a vulnerability" in page
    assert "A restricted note exists" in page
    client.force_login(staff("sue", "supervisor", northwind))
    page = client.get(f"/console/customers/{account.customer.pk}").text
    assert page.count("husband passed away") == 2  # the message and the note
    assert "Bereavement" in page and "Restricted" not in page and "A restricted note exists" not in page


def test_another_creditors_customer_is_not_found_by_changing_the_id(client, northwind, fairway, agent):
    theirs = debtor(fairway, "F-1")
    assert client.get(f"/console/customers/{theirs.customer.pk}").status_code == 404
    assert client.get("/console/customers/999999").status_code == 404
    supervisor = Client()
    supervisor.force_login(staff("sue", "supervisor", fairway))
    assert supervisor.get(f"/console/customers/{theirs.customer.pk}").status_code == 200


def test_the_timeline_pages_through_a_long_history_in_a_few_queries(
    client, northwind, agent, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(work, "TIMELINE_PAGE", 5)
    with time_machine.travel(NOON - timedelta(days=1), tick=False):
        account = debtor(northwind, "C-1")
    for n in range(8):
        contact(account, template=f"reminder_{n}", minutes_ago=200 - n)
    for n in range(4):
        record_payment(
            account,
            Decimal("1"),
            timezone.localdate(),
            currency="USD",
            payment_ref=f"P-{n}",
            source="card",
            actor=ACTOR,
        )
    url = f"/console/customers/{account.customer.pk}"
    with django_assert_max_num_queries(25):
        first = client.get(url)
    assert (
        first.text.count("Payment of USD 1.00") == 4
        and "reminder_7" in first.text
        and "reminder_6" not in first.text
    )
    assert 'href="?page=2#timeline"' in first.text
    second = client.get(url, {"page": 2})
    assert "reminder_6" in second.text and "reminder_2" in second.text and "Payment of" not in second.text
    assert 'href="?page=1#timeline"' in second.text and "(page 2 of" in second.text
    with django_assert_max_num_queries(25):
        client.get(url, {"page": 3})
