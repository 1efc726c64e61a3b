"""Finishing work in the console: a task marked done (once, audited, for one's own creditors only), a
planned call or a callback closed by logging the call made for it, and what customers sent from the
portal (dispute files, requests for help) read on their page."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from amicable.conversations.calls import schedule_callback
from amicable.conversations.models import Task, TaskKind
from amicable.conversations.tasks import create_task
from amicable.ledger.models import AuditLog
from amicable.outbox.models import Contact
from amicable.portal.access import actor as portal_actor
from amicable.portal.models import DisputeEvidence
from amicable.portal.self_service import Upload, ask_for_help, dispute_from_portal
from web.people import debtor, staff

pytestmark = pytest.mark.django_db

# 12:00 on Tuesday 10 March 2026 in Boston (EDT): inside the calling hours; the operator's zone is UTC.
NOON = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
ACTOR = "test:fixture"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def agent(client, northwind):
    user = staff("alice", "agent", northwind)
    client.force_login(user)
    return user


def task(account, summary="Hardship on A-C-1: offer help", kind=TaskKind.REVIEW_MESSAGE, role="agent"):
    return create_task(
        kind,
        summary,
        due_at=NOON - timedelta(hours=1),
        actor=ACTOR,
        customer=account.customer,
        account=account,
        role=role,
    )


def planned_call(account, at=NOON + timedelta(hours=1)):
    """A call the cycle planned for an agent to make today."""
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
        status="queued",
        scheduled_at=at,
        reply_token=secrets.token_urlsafe(12),
    )


def done(client, task, **form):
    return client.post(f"/console/tasks/{task.pk}/done", form)


def completions() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action="complete_task").order_by("pk"))


def written() -> tuple[int, ...]:
    return (
        AuditLog.objects.count(),
        Task.objects.filter(done_at__isnull=False).count(),
        Contact.objects.count(),
        Contact.objects.filter(status="sent").count(),
    )


def call_links(page) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="([^"]*/call\?[^"]*)"[^>]*>Open the call guide', page.text)
    ]


# Marking a task done -------------------------------------------------------------------------------


def test_a_task_marked_done_is_on_the_timeline_and_gone_from_the_queue(client, northwind, agent):
    account = debtor(northwind, "C-1")
    work = task(account)
    queue = client.get("/console/")
    assert "Hardship on A-C-1: offer help" in queue.text
    assert f'action="/console/tasks/{work.pk}/done"' in queue.text
    assert 'name="next" value="/console/"' in queue.text

    answer = done(client, work, note="Offered a plan of $20 a month", next="/console/?due=all")
    assert answer.status_code == 302 and answer["Location"] == "/console/?due=all"
    work.refresh_from_db()
    assert work.done_at == NOON
    (row,) = completions()
    assert row.actor == "user:alice" and row.customer == account.customer and row.account == account
    assert (
        row.summary
        == "Task done: Review a message: Hardship on A-C-1: offer help (Offered a plan of $20 a month)"
    )
    after = client.get("/console/?due=all")
    assert "Done: Hardship on A-C-1: offer help" in after.text  # the confirmation
    assert "Hardship on A-C-1: offer help" not in after.text.replace("Done: Hardship on A-C-1", "")
    page = client.get(f"/console/customers/{account.customer_id}")
    assert "Task done: Review a message: Hardship on A-C-1" in page.text and "No open tasks." in page.text


def test_a_task_already_done_is_refused_and_nothing_more_is_written(client, northwind, agent):
    work = task(debtor(northwind, "C-1"))
    assert done(client, work).status_code == 302
    before = written()
    again = done(client, work)
    assert again.status_code == 302 and again["Location"] == "/console/"
    assert written() == before and len(completions()) == 1
    assert "Someone has already marked this task done: nothing changed." in client.get("/console/").text


def test_another_creditors_task_is_not_found_and_nothing_is_written(client, northwind, fairway, agent):
    theirs = task(debtor(fairway, "F-1"), "Call Yolanda about the boat")
    before = written()
    assert done(client, theirs).status_code == 404
    assert client.post("/console/tasks/999999/done").status_code == 404
    assert written() == before
    assert "Call Yolanda about the boat" not in client.get("/console/?due=all").text


def test_marking_done_is_a_post_from_signed_in_staff(client, northwind):
    work = task(debtor(northwind, "C-1"))
    answer = done(client, work)
    assert answer.status_code == 302 and answer["Location"].startswith("/console/login?next=")
    client.force_login(staff("alice", "agent", northwind))
    assert client.get(f"/console/tasks/{work.pk}/done").status_code == 405
    assert Task.objects.get(pk=work.pk).done_at is None and not completions()


def test_marking_done_without_the_csrf_token_is_refused(northwind):
    work = task(debtor(northwind, "C-1"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("alice", "agent", northwind))
    queue = client.get("/console/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', queue.text).group(1)
    before = written()
    assert done(client, work).status_code == 403
    assert written() == before
    assert done(client, work, csrfmiddlewaretoken=token).status_code == 302
    assert len(completions()) == 1


def test_a_note_too_long_is_named_and_nothing_is_written(client, northwind, agent):
    work = task(debtor(northwind, "C-1"))
    before = written()
    answer = done(client, work, note="x" * 201)
    assert answer.status_code == 302
    assert written() == before
    assert "Note: keep it to 200 characters." in client.get("/console/").text


def test_a_specialists_review_is_marked_done_only_by_someone_who_may_read_the_note(client, northwind, agent):
    account = debtor(northwind, "C-1")
    review = task(account, "Specialist review: see the restricted note", TaskKind.VULNERABILITY, "specialist")
    assert f"/console/tasks/{review.pk}/done" not in client.get("/console/").text
    before = written()
    assert done(client, review).status_code == 403
    assert written() == before
    supervisor = Client()
    supervisor.force_login(staff("sue", "supervisor", northwind))
    assert f"/console/tasks/{review.pk}/done" in supervisor.get("/console/").text
    assert done(supervisor, review).status_code == 302 and len(completions()) == 1


def test_the_customer_page_lists_open_work_and_returns_to_itself(client, northwind, agent):
    account = debtor(northwind, "C-1")
    work = task(account)
    url = f"/console/customers/{account.customer_id}"
    page = client.get(url)
    assert "Work open for them" in page.text and "Hardship on A-C-1: offer help" in page.text
    assert f'name="next" value="{url}"' in page.text
    answer = done(client, work, next=url)
    assert answer["Location"] == url
    # Anywhere else is not a page to return to.
    other = task(account, "Another")
    assert done(client, other, next="https://elsewhere.example/")["Location"] == "/console/"


def test_the_admins_mark_done_is_the_same_action(client, northwind):
    work = task(debtor(northwind, "C-1"))
    client.force_login(User.objects.create_superuser("root", password="x"))
    answer = client.post("/admin/conversations/task/", {"action": "mark_done", "_selected_action": [work.pk]})
    assert answer.status_code == 302
    (row,) = completions()
    assert row.actor == "user:root" and row.summary.startswith("Task done: ") and row.account_id


# Calls from the queue --------------------------------------------------------------------------------


def test_logging_a_planned_call_from_the_queue_closes_it_instead_of_adding_another(client, northwind, agent):
    account = debtor(northwind, "C-1")
    planned = planned_call(account)
    (link,) = call_links(client.get("/console/"))
    assert link == f"/console/customers/{account.customer_id}/call?account={account.pk}&contact={planned.pk}"
    # Opened from the customer's page instead, the guide offers the planned call.
    plain = client.get(f"/console/customers/{account.customer_id}/call")
    assert (
        f'href="?account={account.pk}&amp;contact={planned.pk}">Log this call as that planned call'
        in plain.text
    )
    page = client.get(link)
    assert page.status_code == 200
    assert "logging it closes that planned call" in page.text and "Log this call as that" not in page.text
    assert f'name="contact" value="{planned.pk}"' in page.text

    answer = client.post(
        f"/console/customers/{account.customer_id}/call",
        {"account": account.pk, "contact": planned.pk, "outcome": "no_answer"},
    )
    assert answer.status_code == 302
    calls = Contact.objects.filter(account=account, channel="call")
    assert calls.count() == 1
    planned.refresh_from_db()
    assert planned.status == "sent" and planned.outcome == "no_answer" and planned.sent_at == NOON
    assert "Nothing needs a person here right now." in client.get("/console/?due=all").text


def test_a_planned_call_already_logged_is_set_aside_and_the_new_call_logged_on_its_own(
    client, northwind, agent
):
    account = debtor(northwind, "C-1")
    planned = planned_call(account)
    Contact.objects.filter(pk=planned.pk).update(status="sent", outcome="busy", sent_at=NOON)
    url = f"/console/customers/{account.customer_id}/call"
    page = client.get(url, {"account": account.pk, "contact": planned.pk})
    assert "That planned call has already been logged" in page.text and 'name="contact"' not in page.text
    answer = client.post(url, {"account": account.pk, "contact": planned.pk, "outcome": "no_answer"})
    assert answer.status_code == 302
    assert Contact.objects.filter(account=account, channel="call").count() == 2


def test_a_callback_is_done_once_a_conversation_is_logged_for_it(client, northwind, agent):
    account = debtor(northwind, "C-1")
    callback = schedule_callback(
        account, NOON + timedelta(minutes=30), given_at=NOON - timedelta(days=1), source="test", actor=ACTOR
    )
    (link,) = call_links(client.get("/console/"))
    assert link == f"/console/customers/{account.customer_id}/call?account={account.pk}&task={callback.pk}"
    page = client.get(link)
    assert "This call answers a callback the customer asked for" in page.text
    assert f'name="task" value="{callback.pk}"' in page.text
    url = f"/console/customers/{account.customer_id}/call"
    form = {"account": account.pk, "task": callback.pk}

    # Nobody answered: the callback is still owed.
    client.post(url, form | {"outcome": "no_answer"})
    callback.refresh_from_db()
    assert callback.done_at is None and not completions()
    assert "The callback stays in the work queue" in client.get("/console/").text

    answer = client.post(url, form | {"outcome": "conversation", "notes": "All sorted"})
    assert answer.status_code == 302
    callback.refresh_from_db()
    assert callback.done_at == NOON
    (row,) = completions()
    assert row.summary.startswith("Task done: Call the customer back: Call back at")
    assert row.summary.endswith(f"(answered by call {Contact.objects.order_by('-pk').first().pk})")
    assert "Nothing needs a person here right now." in client.get("/console/?due=all").text
    assert Contact.objects.filter(account=account, channel="call").count() == 2


def test_another_creditors_planned_call_or_callback_is_not_found_and_nothing_is_written(
    client, northwind, fairway, agent
):
    mine, theirs = debtor(northwind, "C-1"), debtor(fairway, "F-1")
    their_call = planned_call(theirs)
    their_callback = task(theirs, "Call back", TaskKind.CALLBACK)
    their_review = task(mine, "Not a callback")  # one's own task, but not a call
    url = f"/console/customers/{mine.customer_id}/call"
    before = written()
    for query in (
        {"contact": their_call.pk},
        {"task": their_callback.pk},
        {"task": their_review.pk},
        {"account": mine.pk, "contact": their_call.pk},
        {"contact": "nonsense"},
    ):
        assert client.get(url, query).status_code == 404, query
        assert client.post(url, query | {"outcome": "no_answer"}).status_code == 404, query
    # Their customer's page, with their own planned call, is not found either.
    theirs_url = f"/console/customers/{theirs.customer_id}/call"
    assert client.get(theirs_url, {"contact": their_call.pk}).status_code == 404
    assert written() == before


def test_a_planned_call_for_another_of_the_customers_accounts_is_not_found(client, northwind, agent):
    account = debtor(northwind, "C-1")
    planned = planned_call(account)
    other = debtor(northwind, "C-2")
    url = f"/console/customers/{account.customer_id}/call"
    assert client.get(url, {"account": other.pk, "contact": planned.pk}).status_code == 404
    # Another customer's planned call under one's own customer: not found.
    assert (
        client.get(f"/console/customers/{other.customer_id}/call", {"contact": planned.pk}).status_code == 404
    )


# What the portal sent ----------------------------------------------------------------------------------


def disputed_with_a_file(account):
    customer = account.customer
    dispute_from_portal(
        account,
        "paid",
        "Paid in January, the bank statement shows it",
        upload=Upload("statement.pdf", PDF, "application/pdf"),
        actor=portal_actor(customer),
    )
    return DisputeEvidence.objects.get(dispute__account=account)


def test_a_dispute_file_is_listed_and_downloaded_by_the_agent_as_an_attachment(client, northwind, agent):
    account = debtor(northwind, "C-1")
    file = disputed_with_a_file(account)
    page = client.get(f"/console/customers/{account.customer_id}")
    assert f'href="/console/evidence/{file.pk}"' in page.text and "statement.pdf" in page.text
    assert "Download statement.pdf" in page.text  # on the timeline too
    answer = client.get(f"/console/evidence/{file.pk}")
    assert answer.status_code == 200 and answer.content == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer["Cache-Control"]
    # A type the portal never takes is sent back as plain bytes.
    DisputeEvidence.objects.filter(pk=file.pk).update(content_type="text/html")
    assert client.get(f"/console/evidence/{file.pk}")["Content-Type"] == "application/octet-stream"
    assert client.post(f"/console/evidence/{file.pk}").status_code == 405


def test_another_creditors_dispute_file_is_not_found(client, northwind, fairway, agent):
    file = disputed_with_a_file(debtor(fairway, "F-1"))
    assert client.get(f"/console/evidence/{file.pk}").status_code == 404
    assert client.get("/console/evidence/999999").status_code == 404
    signed_out = Client().get(f"/console/evidence/{file.pk}")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/console/login?next=")


def test_a_hardship_requests_words_are_on_the_customer_page_and_a_situations_are_not(
    client, northwind, agent
):
    account = debtor(northwind, "C-1")
    customer = account.customer
    ask_for_help(customer, "hardship", text="I lost my job in February", actor=portal_actor(customer))
    ask_for_help(
        customer, "situation", situation="illness", text="I am in hospital", actor=portal_actor(customer)
    )
    page = client.get(f"/console/customers/{customer.pk}")
    assert "Requests for help" in page.text and "Money is tight (hardship)" in page.text
    assert page.text.count("I lost my job in February") == 2  # the list and the timeline
    assert "A difficult situation" in page.text and "I am in hospital" not in page.text
    assert "Restricted: what they told us is in a note" in page.text
    # The tasks the requests made are open work on the page.
    assert "Hardship on A-C-1: offer help" in page.text
