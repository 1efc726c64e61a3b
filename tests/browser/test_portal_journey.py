"""A customer's way through the portal in a real browser: the link in a message, the identity check,
the balance itemised, a three-instalment plan chosen, checked and agreed, and the plan on the home
page's timeline."""

from __future__ import annotations

import re

import pytest

from amicable.ledger.models import Arrangement, AuditLog
from browser.helpers import answer_date_of_birth, open_portal_link, save_screenshot
from web.people import debtor

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_checks_in_sees_the_balance_itemised_and_agrees_a_three_instalment_plan(
    page, live_server, northwind
):
    account = debtor(northwind, balance="600.00", fees="25.00", interest="15.00")

    open_portal_link(page, live_server, account)
    page.get_by_role("heading", name="Check it's you").wait_for()
    assert "$600" not in page.content()  # nothing about the account before the check
    save_screenshot(page, "portal-check")
    answer_date_of_birth(page)
    page.wait_for_url(f"{live_server.url}/portal/")

    page.get_by_role("heading", name="Hello, Maria").wait_for()
    balance = page.get_by_role("table").filter(has_text="Interest")
    for item, amount in (("principal", "$560.00"), ("Interest", "$15.00"), ("Fees", "$25.00")):
        row = balance.get_by_role("row").filter(has_text=item)
        assert row.get_by_role("cell").inner_text() == amount, item
    assert (
        balance.get_by_role("row").filter(has_text="Balance now").get_by_role("cell").inner_text()
        == "$600.00"
    )

    page.get_by_role("link", name="Pay in instalments or choose a date").click()
    page.get_by_role("heading", name="Ways to pay", exact=True).wait_for()
    save_screenshot(page, "portal-plans")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Preview my plan"))
    form.get_by_role("radio", name="Every month").check()
    form.get_by_label("How many payments").fill("3")
    form.get_by_role("button", name="Preview my plan").click()

    page.get_by_role("heading", name="Check your plan").wait_for()
    page.wait_for_load_state()  # the whole schedule, before counting its rows
    schedule = page.get_by_role("table").filter(has_text="Your payments")
    assert schedule.locator("tbody tr").count() == 3
    assert "3 monthly payments of $200.00" in page.inner_text("main")
    assert not Arrangement.objects.exists()  # nothing is agreed by looking
    page.get_by_role("button", name="Agree to this plan").click()

    page.get_by_text("Thank you: your plan is agreed.").wait_for()
    page.wait_for_load_state()
    plan = Arrangement.objects.get(account=account, status="active")
    assert (plan.kind, plan.instalments.count(), str(plan.total)) == ("monthly", 3, "600.0000")
    agreed = AuditLog.objects.get(customer=account.customer, action="accept_plan")
    assert agreed.actor.startswith("customer:")

    page.get_by_role("link", name="Home").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    main = page.locator("main")
    assert "You have a payment plan of $200.00 per instalment." in main.inner_text()
    timeline = main.locator("ol.timeline")
    assert timeline.get_by_text(re.compile(r"Instalment 1 of 3 of your plan: \$200\.00 is due")).is_visible()
    save_screenshot(page, "portal-home")
