"""An agent's way through the console in a real browser: sign in, the work queue, a customer, the call
guide with a promise logged from the call, and a message previewed before it could be sent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amicable.conversations.calls import schedule_callback
from amicable.ledger.models import AuditLog, Promise
from amicable.outbox.models import Contact
from browser.helpers import caseload, console_sign_in, save_screenshot
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_works_the_queue_logs_a_promise_from_a_call_and_previews_a_message(
    page, live_server, northwind
):
    agent = staff("ana", "agent", northwind)
    account = debtor(northwind)
    caseload(northwind)
    now = timezone.now()
    # The customer asked to be called back a few minutes ago: the most urgent kind of work.
    schedule_callback(
        account,
        now - timedelta(minutes=2),
        given_at=now - timedelta(minutes=30),
        source="test",
        actor="test:fixture",
    )

    console_sign_in(page, live_server, agent, PASSWORD)
    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_role("heading", name="Work queue", exact=True).wait_for()
    page.wait_for_load_state()  # the whole table, before counting its rows
    rows = page.get_by_role("table").locator("tbody tr")
    assert rows.count() >= 3  # the callback, the broken promise and the dispute, and maybe planned calls
    work = rows.first  # the most urgent: a time the customer asked for
    assert "Callback due" in work.inner_text()
    assert rows.filter(has_text="Broken promise").filter(has_text="Aisha Khan").count() == 1
    assert rows.filter(has_text="Dispute to verify").filter(has_text="Tom Baker").count() == 1
    save_screenshot(page, "console-queue")

    work.get_by_role("link", name="Maria Lopez").click()
    page.get_by_role("heading", name="Maria Lopez", level=1).wait_for()
    balance = page.get_by_role("table").filter(has_text="Principal")
    assert balance.get_by_role("row").filter(has_text="Fees").get_by_role("cell").inner_text() == "$25.00"

    page.get_by_role("link", name="Call guide").click()
    page.get_by_role("heading", name="Call Maria Lopez").wait_for()
    save_screenshot(page, "console-call")
    promised_on = timezone.localdate() + timedelta(days=7)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Log the call"))
    form.get_by_role("radio", name="Spoke with the customer").check()
    form.get_by_label("Number called").select_option("+16175550123")
    form.get_by_label("Amount promised").fill("100.00")
    form.get_by_label("Date promised").fill(promised_on.isoformat())
    form.get_by_label("Notes").fill("Paid late because of a new job; will pay $100 next week.")
    form.get_by_role("button", name="Log the call").click()

    page.get_by_text("The call is logged: Spoke with the customer.").wait_for()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/console/customers/{account.customer_id}"
    promise = Promise.objects.get(account=account)
    assert (promise.amount, promise.due_on, promise.channel) == (Decimal("100.0000"), promised_on, "call")
    assert AuditLog.objects.filter(
        customer=account.customer, action="log_call", actor__contains="ana"
    ).exists()
    timeline = page.get_by_role("region", name="Timeline")
    assert timeline.get_by_text("Call: Spoke with the customer").is_visible()
    assert timeline.get_by_text("Promise to pay USD 100.00").is_visible()
    assert "Promised $100.00 by" in page.locator("main").inner_text()
    save_screenshot(page, "console-customer")

    page.get_by_role("link", name="Write a message").click()
    page.get_by_role("heading", name="Write to Maria Lopez").wait_for()
    page.wait_for_load_state()  # htmx (a deferred script) is listening once the page has loaded
    preview = page.locator("#preview")
    assert "Maria" in preview.inner_text()  # the customer's own details, before anything is sent
    assert preview.get_by_role("heading", name="Sending it now").is_visible()
    texts = Contact.objects.filter(channel="sms").count()
    # Changing the channel refreshes the preview in place (htmx), with the text's length.
    page.get_by_label("Channel").select_option("sms")
    preview.get_by_text("Text length:").wait_for()
    assert "Maria" in preview.inner_text()
    save_screenshot(page, "console-compose")
    # The form also works without JavaScript's help: the Preview button posts the whole page.
    with page.expect_navigation():
        page.get_by_role("button", name="Preview", exact=True).click()
    assert page.get_by_label("Channel").input_value() == "sms"
    assert page.locator("#preview").get_by_text("Text length:").is_visible()
    assert Contact.objects.filter(channel="sms").count() == texts  # previewing sends nothing

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Dashboard", level=1).wait_for()
    save_screenshot(page, "console-dashboard")
