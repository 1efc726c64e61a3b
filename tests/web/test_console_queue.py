"""The console's work queue: what needs a person today, most urgent first, only for the creditors the
member of staff works, filterable, and a handful of queries however long it is."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from amicable.arrangements.promises import record_promise
from amicable.console import work
from amicable.conversations.calls import schedule_callback
from amicable.conversations.disputes import open_dispute
from amicable.conversations.models import Complaint, InboundMessage, TaskKind
from amicable.conversations.tasks import create_task
from amicable.ledger.actions import place_hold, record_payment
from amicable.ledger.models import Promise
from amicable.outbox.models import Contact
from web.people import debtor, staff

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday; the operator's zone is UTC in tests
ACTOR = "test:fixture"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def callback(account, at):
    return schedule_callback(account, at, given_at=min(at, NOON), source="test", actor=ACTOR)


def planned_call(account, at, status="queued"):
    return Contact.objects.create(
        key=f"{account.pk}:consumer:call:{secrets.token_hex(4)}",
        cycle_date=at.date(),
        creditor=account.creditor,
        customer=account.customer,
        account=account,
        contact_point=account.customer.contact_points.get(kind="mobile"),
        playbook="consumer",
        step="day_10_call",
        trigger_on=at.date(),
        channel="call",
        template="call",
        language="en",
        status=status,
        scheduled_at=at,
        reply_token=secrets.token_urlsafe(12),
    )


def broken_promise(account, broken_days_ago=2):
    promise = record_promise(
        account,
        Decimal("50"),
        timezone.localdate() - timedelta(days=broken_days_ago + 3),
        channel="sms",
        source="test",
        actor=ACTOR,
        made_at=NOON - timedelta(days=broken_days_ago + 5),
    )
    # As the daily review leaves it: found broken, with no payment since it was made.
    Promise.objects.filter(pk=promise.pk).update(
        status="broken", settled_on=timezone.localdate() - timedelta(days=broken_days_ago)
    )
    return promise


def complaint(account, respond_in_days=10):
    return Complaint.objects.create(
        customer=account.customer,
        account=account,
        summary="Your agent was rude",
        received_at=NOON - timedelta(days=1),
        respond_by=NOON + timedelta(days=respond_in_days),
    )


def rows(page) -> list[str]:
    """The queue's rows, each as 'what | who' in the order shown."""
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page.text else ""
    found = []
    for row in body.split("<tr>")[1:]:
        cells = [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in row.split("<td>")[1:]]
        what = re.sub(r"\s+", " ", cells[0]).strip()
        who = cells[1].split(" ")[0:2]
        found.append(f"{what} | {' '.join(who)}")
    return found


@pytest.fixture
def agent(client, northwind):
    user = staff("alice", "agent", northwind)
    client.force_login(user)
    return user


def test_overdue_work_comes_first_then_todays_then_later_each_by_kind(client, northwind, agent):
    a = debtor(northwind, "C-1", first_name="Ann")
    b = debtor(northwind, "C-2", first_name="Ben")
    c = debtor(northwind, "C-3", first_name="Cleo")
    d = debtor(northwind, "C-4", first_name="Dev")
    e = debtor(northwind, "C-5", first_name="Eve")
    # Overdue: a dispute waiting 8 days (verification due after 5) and a message to review since
    # yesterday. The message comes first: the kind decides inside a tier, then the time.
    open_dispute(a, "Not my account", source="test", actor=ACTOR, received_at=NOON - timedelta(days=8))
    create_task(
        TaskKind.REVIEW_MESSAGE,
        "Not sure what the customer asks: see message 1",
        due_at=NOON - timedelta(days=1),
        actor=ACTOR,
        customer=b.customer,
        account=b,
    )
    # Today: a planned call at 13:00 and a callback at 15:00; the customer's own request comes first.
    planned_call(c, NOON + timedelta(hours=1))
    callback(d, NOON + timedelta(hours=3))
    # Later: a complaint to answer within ten days.
    complaint(e)
    page = client.get("/console/")
    assert page.status_code == 200
    assert rows(page) == [
        "Message to review | Ben Lopez",
        "Dispute to verify | Ann Lopez",
        "Callback due | Dev Lopez",
        "Call to make | Cleo Lopez",
        "Complaint to answer For a supervisor | Eve Lopez",
    ]
    assert page.text.count("badge danger") == 2 and "Today" in page.text and "Later" in page.text
    assert "Verify the debt" not in page.text  # no dispute task was made: the dispute itself is listed
    assert f'href="/console/customers/{a.customer.pk}"' in page.text


def test_each_kind_of_work_is_listed_once_with_why_it_needs_a_person(client, northwind, agent):
    a = debtor(northwind, "C-1", first_name="Ann")
    b = debtor(northwind, "C-2", first_name="Ben")
    c = debtor(northwind, "C-3", first_name="Cleo")
    d = debtor(northwind, "C-4", first_name="Dev")
    # A dispute with its task: one row, the task's.
    open_dispute(a, "Not mine", source="test", actor=ACTOR, received_at=NOON - timedelta(hours=2))
    create_task(
        TaskKind.DISPUTE,
        "Verify the debt on A-C-1",
        due_at=NOON + timedelta(days=5),
        actor=ACTOR,
        customer=a.customer,
        account=a,
    )
    broken_promise(b)
    place_hold(c.customer, "vulnerability_review", source="inbound message 9", actor=ACTOR)
    InboundMessage.objects.create(
        channel="sms",
        sender="+16175550999",
        body="?",
        received_at=NOON - timedelta(hours=1),
        customer=d.customer,
        account=d,
        status="review",
        outcome="sent to review: not sure enough what it asks",
    )
    page = client.get("/console/")
    assert sorted(rows(page)) == [
        "Broken promise | Ben Lopez",
        "Dispute to verify | Ann Lopez",
        "Message to review | Dev Lopez",
        "Vulnerability review For a specialist | Cleo Lopez",
    ]
    text = page.text
    assert "Verify the debt on A-C-1" in text
    assert "Promised $50.00 by March 5, 2026 and did not pay; nothing has been done since." in text
    assert "Collection is paused until a specialist reviews" in text
    assert "Waiting for review: sent to review: not sure enough what it asks" in text


def test_a_broken_promise_followed_up_or_long_ago_is_not_listed(client, northwind, agent):
    called = debtor(northwind, "C-1", first_name="Ann")
    paid = debtor(northwind, "C-2", first_name="Ben")
    old = debtor(northwind, "C-3", first_name="Cleo")
    waiting = debtor(northwind, "C-4", first_name="Dev")
    for account in (called, paid, waiting):
        broken_promise(account)
    broken_promise(old, broken_days_ago=20)
    call = planned_call(called, NOON - timedelta(hours=3))
    Contact.objects.filter(pk=call.pk).update(
        status="sent", sent_at=NOON - timedelta(hours=3), outcome="no_answer"
    )
    record_payment(
        paid,
        Decimal("20"),
        timezone.localdate(),
        currency="USD",
        payment_ref="P-1",
        source="test",
        actor=ACTOR,
    )
    assert rows(client.get("/console/?kind=promise")) == ["Broken promise | Dev Lopez"]


def test_filters_by_kind_creditor_and_when_it_is_due(client, northwind, fairway):
    client.force_login(staff("alice", "agent", northwind, fairway))
    north = debtor(northwind, "C-1", first_name="Ann")
    fair = debtor(fairway, "F-1", first_name="Fay")
    callback(north, NOON + timedelta(hours=2))
    callback(fair, NOON + timedelta(days=1))  # tomorrow: not today's work
    open_dispute(fair, "Not mine", source="test", actor=ACTOR, received_at=NOON - timedelta(days=6))
    assert rows(client.get("/console/")) == ["Dispute to verify | Fay Lopez", "Callback due | Ann Lopez"]
    assert rows(client.get("/console/?kind=callback")) == ["Callback due | Ann Lopez"]
    assert rows(client.get(f"/console/?creditor={fairway.pk}")) == ["Dispute to verify | Fay Lopez"]
    assert rows(client.get("/console/?due=overdue")) == ["Dispute to verify | Fay Lopez"]
    assert rows(client.get("/console/?due=all&kind=callback")) == [
        "Callback due | Ann Lopez",
        "Callback due | Fay Lopez",
    ]
    page = client.get(f"/console/?due=all&kind=callback&creditor={fairway.pk}")
    assert rows(page) == ["Callback due | Fay Lopez"]
    # The form keeps what was chosen, and works without JavaScript (a plain GET) or with htmx.
    assert f'<option value="{fairway.pk}" selected>' in page.text
    assert '<option value="callback" selected>' in page.text and 'hx-get="/console/"' in page.text


def test_an_agent_sees_only_their_creditors_work(client, northwind, fairway, agent):
    north = debtor(northwind, "C-1", first_name="Ann")
    fair = debtor(fairway, "F-1", first_name="Fay")
    callback(north, NOON + timedelta(hours=1))
    callback(fair, NOON + timedelta(hours=1))
    complaint(fair, respond_in_days=-1)
    planned_call(fair, NOON)
    page = client.get("/console/?due=all")
    assert rows(page) == ["Callback due | Ann Lopez"]
    assert "Fairway" not in page.text and "Fay" not in page.text
    # Asking for another creditor's work by its id is refused, naming the field, and lists nothing.
    refused = client.get(f"/console/?creditor={fairway.pk}")
    assert refused.status_code == 400
    assert "Creditor: Choose one of the creditors you work for." in refused.text
    assert 'aria-invalid="true"' in refused.text and rows(refused) == []


def test_bad_filters_are_named_and_nothing_is_listed(client, northwind, agent):
    callback(debtor(northwind), NOON + timedelta(hours=1))
    page = client.get("/console/?kind=everything&due=soon&page=0")
    assert page.status_code == 400 and 'role="alert"' in page.text
    for message in (
        "Kind of work: Choose a kind of work from the list.",
        "Due: Choose when the work is due from the list.",
        "Page: Ensure this value is greater than or equal to 1.",
    ):
        assert message in page.text
    assert rows(page) == []


def test_signed_out_people_are_sent_to_sign_in(client, northwind):
    for url in ("/console/", "/console/customers", "/console/customers/1"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"] == f"/console/login?next={url}"


def test_the_queue_pages_through_long_lists(client, northwind, agent, monkeypatch):
    monkeypatch.setattr(work, "PAGE_SIZE", 2)
    for n in range(5):
        callback(debtor(northwind, f"C-{n}", first_name=f"P{n}"), NOON + timedelta(minutes=10 * (n + 1)))
    first = client.get("/console/?kind=callback")
    assert rows(first) == ["Callback due | P0 Lopez", "Callback due | P1 Lopez"]
    assert 'href="?kind=callback&amp;page=2"' in first.text and "Previous page" not in first.text
    last = client.get("/console/?kind=callback&page=3")
    assert rows(last) == ["Callback due | P4 Lopez"]
    assert "Next page" not in last.text and 'href="?kind=callback&amp;page=2"' in last.text


def test_a_long_queue_is_read_in_a_few_queries(
    client, northwind, fairway, agent, django_assert_max_num_queries
):
    accounts = [debtor(northwind, f"C-{n}", first_name=f"P{n}") for n in range(12)]
    for n, account in enumerate(accounts):
        callback(account, NOON + timedelta(minutes=n + 1))
        planned_call(account, NOON + timedelta(minutes=30 + n))
        open_dispute(account, "Not mine", source="test", actor=ACTOR, received_at=NOON - timedelta(days=n))
        broken_promise(account)
        complaint(account)
        place_hold(account.customer, "vulnerability_review", source="test", actor=ACTOR)
    # Session, user, groups, the creditor list, and one query per kind of work.
    with django_assert_max_num_queries(14):
        page = client.get("/console/?due=all")
    assert len(rows(page)) == work.PAGE_SIZE


def test_a_message_nobody_could_match_is_work_for_a_superuser(client, northwind):
    from django.contrib.auth.models import User

    InboundMessage.objects.create(
        channel="sms",
        sender="+16175550999",
        body="who is this?",
        received_at=NOON - timedelta(hours=2),
        status="review",
        outcome="sent to review: no customer has this number",
    )
    client.force_login(User.objects.create_superuser("root", password="x"))
    page = client.get("/console/")
    assert rows(page) == ["Message to review | Not matched:"]
    assert "Not matched: +16175550999" in page.text
    assert rows(client.get(f"/console/?creditor={northwind.pk}")) == []
