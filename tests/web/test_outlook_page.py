"""The portal home's "what happens next": the account's playbook and the rules, in plain words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from babel.dates import format_date
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amicable.arrangements.plans import accept_plan
from amicable.conversations.disputes import open_dispute
from amicable.ledger.actions import place_hold
from amicable.ledger.upserts import AccountDetails, upsert_account
from amicable.portal.links import portal_token
from web.people import debtor

pytestmark = pytest.mark.django_db

# A Tuesday, mid-afternoon in New York and in London.
NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def long(day: date) -> str:
    return format_date(day, format="long", locale="en")


def home(client, account) -> str:
    answered = client.post(
        f"/p/{portal_token(account.customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert answered.status_code == 302
    page = client.get("/portal/")
    assert page.status_code == 200
    return page.text


def outlook(text: str) -> str:
    """The timeline's own markup, spaces squeezed, so a test reads what a person would."""
    found = re.search(r'<ol class="timeline">(.*?)</ol>', text, re.S)
    assert found, "no timeline on the page"
    return re.sub(r"\s+", " ", found.group(1))


def items(text: str) -> list[str]:
    return re.findall(r"<li(?: class=\"not\")?>.*?</li>", outlook(text))


def test_home_shows_the_next_reminder_on_its_date_and_what_will_not_happen(client, fairway):
    account = debtor(fairway, due_in_days=10)  # a debt collector's Massachusetts debtor
    text = home(client, account)
    assert "What happens next" in text
    first = items(text)[0]
    assert long(TODAY + timedelta(days=3)) in first  # the consumer playbook's reminder, 7 days before
    assert "A friendly reminder by email: $600.00 is due on " + long(TODAY + timedelta(days=10)) in first
    timeline = outlook(text)
    assert "If $600.00 due on" in timeline and "someone from our team may call you" in timeline
    # What will not happen, each with the rule behind it: Regulation F's and Massachusetts' limits.
    nots = [i for i in items(text) if i.startswith('<li class="not">')]
    assert any("before 8" in i and "after 9" in i and "US-REGF-TIME" in i for i in nots)
    assert any("No more than 7 calls about this account in any 7 days" in i for i in nots)
    assert any("No more than 2 calls or text messages" in i and "US-MA-CALLS" in i for i in nots)
    assert any("No interest or fees are added automatically" in i for i in nots)


def test_an_original_creditors_uk_customer_gets_the_uk_limits_and_no_call_cap(client, northwind):
    account = debtor(
        northwind, country="GB", region="ENG", zone="Europe/London", currency="GBP", due_in_days=10
    )
    timeline = outlook(home(client, account))
    assert "No calls, texts or emails on Sundays or bank holidays." in timeline
    assert "UK-CONC-CONTACT" in timeline and "UK-CONC-NO-PRESSURE" in timeline
    assert "calls about this account in any" not in timeline and "US-REGF" not in timeline


def test_a_dispute_stops_every_reminder_and_says_why(client, fairway):
    account = debtor(fairway, due_in_days=10)
    open_dispute(account, "I paid this in January", source="test", actor="test:fixture")
    timeline = outlook(home(client, account))
    assert "While we look into your dispute, we will not ask you to pay this account." in timeline
    assert "US-REGF-DISPUTE" in timeline
    assert "reminder" not in timeline and "follow-up" not in timeline and "may call you" not in timeline
    assert "is due" not in timeline


def test_a_pause_for_hardship_names_the_day_collection_may_resume(client, northwind):
    account = debtor(northwind, due_in_days=10)
    place_hold(
        account.customer, "paused", source="test", actor="test:fixture", ends_at=NOW + timedelta(days=30)
    )
    timeline = outlook(home(client, account))
    assert "Collection is paused to give you time: we will not ask you for payment before" in timeline
    # It ends at 13:00 New York time on 9 April: that day is still paused.
    assert f"before {long(TODAY + timedelta(days=31))}" in timeline and "GEN-HOLD-PAUSED" in timeline
    # The reminders and the call inside the pause will not come; the letter after it will.
    assert "A friendly reminder" not in timeline and "may call you" not in timeline
    assert f"{long(TODAY + timedelta(days=31))}</time> If $600.00 due on" in timeline  # the letter, day 21


def test_a_plan_shows_the_next_instalment_and_when_a_missed_one_counts_as_missed(client, northwind):
    account = debtor(northwind, due_in_days=-10)
    accept_plan(
        account, "monthly", channel="portal", source="test", actor="test:fixture", instalment=Decimal("200")
    )
    text = home(client, account)
    timeline = outlook(text)
    assert "Instalment 1 of 3 of your plan: $200.00 is due." in timeline
    plan = account.arrangements.get()
    first = plan.instalments.get(number=1).due_on
    last = first + timedelta(days=plan.grace_days)
    assert f"has not reached us by {long(last)}, it counts as missed and the plan ends" in timeline
    assert "A reminder by text message: the instalment of $200.00 is due on" in timeline


def test_the_outlook_costs_the_same_few_queries_for_one_account_or_three(client, northwind):
    account = debtor(northwind, due_in_days=10)
    home(client, account)
    with CaptureQueriesContext(connection) as one:
        client.get("/portal/")
    for ref in ("C-2", "C-3"):
        upsert_account(
            account.customer,
            f"A-{ref}",
            AccountDetails(currency="USD", balance=Decimal("90"), due_date=TODAY + timedelta(days=5)),
            source="test",
            actor="test:fixture",
        )
    with CaptureQueriesContext(connection) as three:
        page = client.get("/portal/")
    assert page.text.count('<ol class="timeline">') == 3
    assert len(three) == len(one)  # no query per account
