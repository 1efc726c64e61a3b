"""Plans and promises in the portal: the ways to pay, a budget that shows which fit, a plan the
customer shapes, previews and agrees to, and a promise to pay by a date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from amicable.arrangements.options import payments_instalment
from amicable.arrangements.terms import Terms
from amicable.conversations.disputes import open_dispute
from amicable.ledger.actions import record_payment
from amicable.ledger.audit import timeline
from amicable.ledger.models import Arrangement, AuditLog, PlanInstalment, Promise
from amicable.portal.links import portal_token
from web.people import debtor

pytestmark = pytest.mark.django_db

# 10:00 in Boston on Monday 2 March 2026: plans start a week later, on 9 March.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def sign_in(client, account):
    answered = client.post(
        f"/p/{portal_token(account.customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert answered.status_code == 302


def hidden(page, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)


def agree(client, account, page):
    """Press "Agree to this plan" on a preview page."""
    fields = {name: hidden(page, name) for name in ("kind", "instalment", "payments", "schedule")}
    return client.post(f"/portal/a/{account.pk}/plans/accept", fields)


def written(account) -> tuple[int, int, int]:
    """What a refused request must not have added: plans, promises, and rows on the timeline."""
    return (
        Arrangement.objects.filter(account=account).count(),
        Promise.objects.filter(account=account).count(),
        AuditLog.objects.filter(customer=account.customer).count(),
    )


def test_the_options_are_shown_with_amounts_and_dates(client, northwind):
    northwind.arrangement_terms = {"settlement_max_discount": "0.2"}
    northwind.save()
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans")
    assert page.status_code == 200
    text = page.text
    assert "Your balance is $600.00." in text
    assert "One payment of $600.00 by March 2, 2026." in text  # in full
    assert "One payment of $480.00 by March 16, 2026" in text and "That is $120.00 less" in text
    # At the lowest instalment the terms allow (a minimum of 5, at most 36 months).
    assert "120 weekly payments of $5.00, from March 9, 2026 to June 19, 2028. Total $600.00." in text
    assert (
        "36 monthly payments of $16.67 (the last one $16.55), from March 9, 2026 to February 9, 2029" in text
    )
    assert "Fits your budget" not in text  # no budget given yet
    assert f'href="/portal/a/{account.pk}/promise"' in text


def test_the_home_page_leads_to_the_plans(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    assert f'href="/portal/a/{account.pk}/plans"' in client.get("/portal/").text


def test_a_budget_marks_the_options_that_fit_and_what_is_left_over(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    before = written(account)
    page = client.post(
        f"/portal/a/{account.pk}/plans",
        {"earnings": "2,000", "housing": "1000", "food_and_housekeeping": "400.00", "other_debts": "5400"},
    )
    assert page.status_code == 200
    text = page.text
    assert "Left over each month" in text and "$600.00" in text
    # 600 left, shared with 5,400 owed elsewhere: 60 a month for this 600 balance.
    assert "up to $60.00 a month could go to this account" in text
    assert "10 monthly payments of $60.00" in text
    assert text.count("Fits your budget") == 3  # weekly, fortnightly and monthly at the affordable share
    assert text.count("More than your budget allows") == 1  # paying it all at once
    assert written(account) == before  # the budget is not kept


def test_a_budget_with_nothing_left_offers_help_not_pressure(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.post(f"/portal/a/{account.pk}/plans", {"earnings": "900", "housing": "950"})
    assert "nothing is left over each month" in page.text
    assert "Fits your budget" not in page.text


def test_a_bad_budget_amount_names_the_field_and_changes_nothing(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    before = written(account)
    page = client.post(f"/portal/a/{account.pk}/plans", {"earnings": "lots", "housing": "-5"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert "Take-home pay from work: Enter an amount of 0 or more" in page.text
    assert "Rent or mortgage: Enter an amount of 0 or more" in page.text
    assert 'id="ie-earnings" name="earnings"' in page.text and 'aria-invalid="true"' in page.text
    assert "Fits your budget" not in page.text
    assert written(account) == before


def test_three_monthly_payments_are_previewed_then_agreed(client, northwind):
    account = debtor(northwind, balance="100.00", fees="0.00", interest="0.00")
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "monthly", "payments": "3"})
    assert page.status_code == 200
    text = page.text
    rows = re.findall(r'<time datetime="([\d-]+)">[^<]+</time></td><td class="num">\$([\d.]+)</td>', text)
    assert rows == [("2026-03-09", "33.34"), ("2026-04-09", "33.34"), ("2026-05-09", "33.32")]
    assert sum(Decimal(amount) for _, amount in rows) == Decimal("100.00")
    assert 'Total</th><td class="num">$100.00' in text
    assert "You then have 7 more days to pay it" in text and "the plan ends" in text
    assert Arrangement.objects.count() == 0  # a preview writes nothing

    agreed = agree(client, account, page)
    assert agreed.status_code == 302 and agreed["Location"] == f"/portal/a/{account.pk}/plans"
    plan = Arrangement.objects.get(account=account)
    assert (plan.kind, plan.status, plan.channel) == ("monthly", "active", "portal")
    assert [(i.due_on, i.amount) for i in PlanInstalment.objects.filter(arrangement=plan)] == [
        (date(2026, 3, 9), Decimal("33.34")),
        (date(2026, 4, 9), Decimal("33.34")),
        (date(2026, 5, 9), Decimal("33.32")),
    ]
    entry = timeline(account.customer).filter(action="accept_plan").get()
    assert entry.actor == f"customer:portal:{account.customer_id}"
    assert "3 payments" in entry.summary

    shown = client.get(agreed["Location"])
    assert "your plan is agreed. Your first payment of $33.34 is due on March 9, 2026." in shown.text
    assert "Your plan" in shown.text and "3 monthly payments of $33.34" in shown.text
    home = client.get("/portal/")
    assert "You have a payment plan of $33.34 per instalment" in home.text


def test_a_number_of_payments_becomes_the_instalment_the_terms_allow():
    terms = Terms(min_instalment=Decimal("30"))
    assert payments_instalment("monthly", Decimal("100"), "USD", terms, 3) == Decimal("33.34")
    assert payments_instalment("monthly", Decimal("100"), "USD", terms, 4) == Decimal("30")  # 30, 30, 30, 10
    with pytest.raises(ValueError, match=r"^payments: 5 monthly payments; the creditor's terms allow 1 to 4"):
        payments_instalment("monthly", Decimal("100"), "USD", terms, 5)
    with pytest.raises(ValueError, match="cannot be paid in 6"):  # whole cents: 0.02 x 5 at most
        payments_instalment("monthly", Decimal("0.10"), "USD", Terms(min_instalment=Decimal("0.01")), 6)
    with pytest.raises(ValueError, match=r"^frequency"):
        payments_instalment("monthly", Decimal("100"), "USD", Terms(frequencies=("weekly",)), 3)


def test_an_amount_each_time_makes_the_schedule(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "fortnightly", "instalment": "250"})
    assert page.status_code == 200
    assert "3 payments of $250.00 every two weeks (the last one $100.00)" in page.text


def test_choosing_an_option_previews_it(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "full"})
    assert page.status_code == 200 and "One payment of $600.00 by March 2, 2026." in page.text
    assert hidden(page, "instalment") == ""


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"kind": "monthly", "payments": "three"}, "How many payments: Enter a whole number, for example 3."),
        ({"kind": "monthly", "payments": "37"}, "How many payments: Enter a number from 1 to 36"),
        ({"kind": "monthly", "payments": "0"}, "How many payments: Enter a number from 1 to 36"),
        (
            {"kind": "monthly", "instalment": "10"},
            "Or, how much each time: Enter an amount from $16.67 to $600.00",
        ),
        ({"kind": "monthly", "instalment": "ten"}, "Or, how much each time: Enter an amount in numbers"),
        (
            {"kind": "monthly", "payments": "3", "instalment": "200"},
            "How many payments: Fill in one of these",
        ),
        ({"kind": "monthly"}, "How many payments: Enter how many payments you would like"),
        ({"kind": "yearly", "payments": "1"}, "How often: Choose how often you would like to pay."),
    ],
)
def test_a_plan_the_terms_do_not_allow_is_refused_naming_the_field(client, northwind, query, named):
    account = debtor(northwind)
    sign_in(client, account)
    before = written(account)
    page = client.get(f"/portal/a/{account.pk}/plans/preview", query)
    assert page.status_code == 400
    assert 'role="alert"' in page.text and named in page.text
    assert "Agree to this plan" not in page.text
    assert written(account) == before


def test_an_offer_the_creditor_does_not_make_is_refused_and_nothing_is_written(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    before = written(account)
    page = client.post(f"/portal/a/{account.pk}/plans/accept", {"kind": "settlement", "schedule": ""})
    assert page.status_code == 400
    assert "That plan is not one Northwind Energy can offer" in page.text
    assert written(account) == before


def test_a_plan_changed_since_the_preview_is_shown_again_not_agreed(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "monthly", "payments": "3"})
    record_payment(
        account,
        Decimal("60"),
        date(2026, 3, 2),
        currency="USD",
        payment_ref="P-1",
        source="test",
        actor="test",
    )
    again = agree(client, account, page)
    assert again.status_code == 409 and "Something changed since you looked" in again.text
    assert "3 monthly payments of $180.00" in again.text  # still three, of what is owed now
    assert not Arrangement.objects.exists()
    assert agree(client, account, again).status_code == 302  # agreed once seen
    assert Arrangement.objects.get().instalment == Decimal("180")


def test_a_new_plan_replaces_the_one_running(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    for payments in ("3", "6"):
        page = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "monthly", "payments": payments})
        if payments == "6":
            assert "This plan will replace the plan you have now." in page.text
        agree(client, account, page)
    assert list(Arrangement.objects.order_by("pk").values_list("status", "instalment")) == [
        ("replaced", Decimal("200.0000")),
        ("active", Decimal("100.0000")),
    ]


def test_a_disputed_account_offers_no_plan(client, northwind):
    account = debtor(northwind)
    open_dispute(account, "I never had this account", source="test", actor="test")
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/plans")
    assert "A plan can be agreed once that is settled" in page.text and "Choose this" not in page.text
    before = written(account)
    refused = client.get(f"/portal/a/{account.pk}/plans/preview", {"kind": "monthly", "payments": "3"})
    assert refused.status_code == 400 and "dispute" in refused.text
    assert written(account) == before


def test_another_customers_account_is_not_found(client, northwind, fairway):
    mine = debtor(northwind, "C-1")
    theirs = debtor(fairway, "C-2", first_name="John")
    sign_in(client, mine)
    before = written(theirs)
    assert client.get(f"/portal/a/{theirs.pk}/plans").status_code == 404
    assert client.post(f"/portal/a/{theirs.pk}/plans", {"earnings": "100"}).status_code == 404
    assert client.get(f"/portal/a/{theirs.pk}/plans/preview", {"kind": "full"}).status_code == 404
    assert client.post(f"/portal/a/{theirs.pk}/plans/accept", {"kind": "full"}).status_code == 404
    assert client.get(f"/portal/a/{theirs.pk}/promise").status_code == 404
    assert (
        client.post(f"/portal/a/{theirs.pk}/promise", {"amount": "5", "due_on": "2026-03-20"}).status_code
        == 404
    )
    assert written(theirs) == before


def test_accepting_needs_a_post(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    assert client.get(f"/portal/a/{account.pk}/plans/accept").status_code == 405


def test_a_promise_is_recorded_and_confirmed(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    form = client.get(f"/portal/a/{account.pk}/promise")
    assert form.status_code == 200 and 'min="2026-03-02"' in form.text
    sent = client.post(f"/portal/a/{account.pk}/promise", {"amount": "150", "due_on": "2026-03-20"})
    assert sent.status_code == 302 and sent["Location"] == f"/portal/a/{account.pk}/promise"
    promise = Promise.objects.get(account=account)
    assert (promise.amount, promise.due_on, promise.channel) == (Decimal("150"), date(2026, 3, 20), "portal")
    entry = timeline(account.customer).filter(action="record_promise").get()
    assert entry.actor == f"customer:portal:{account.customer_id}"
    shown = client.get(sent["Location"])
    assert "We have noted that you will pay $150.00 by March 20, 2026." in shown.text
    assert "$150.00 by March 20, 2026" in client.get(f"/portal/a/{account.pk}/plans").text
    assert "You told us you will pay $150.00 by March 20, 2026" in client.get("/portal/").text


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (
            {"amount": "50", "due_on": "2026-03-01"},
            "The date you can pay by: Choose a date from today, March 2, 2026",
        ),
        ({"amount": "50", "due_on": "2027-06-01"}, "The date you can pay by: Choose a date from today"),
        (
            {"amount": "50", "due_on": "next week"},
            "The date you can pay by: Enter the date as year-month-day",
        ),
        ({"amount": "50", "due_on": ""}, "The date you can pay by: Enter the date you can pay by."),
        ({"amount": "0", "due_on": "2026-03-20"}, "How much you can pay: Enter an amount above zero."),
        (
            {"amount": "fifty", "due_on": "2026-03-20"},
            "How much you can pay: Enter an amount above zero in numbers",
        ),
        ({"amount": "", "due_on": "2026-03-20"}, "How much you can pay: Enter the amount you can pay."),
    ],
)
def test_a_promise_that_cannot_be_kept_is_refused_naming_the_field(client, northwind, values, named):
    account = debtor(northwind)
    sign_in(client, account)
    before = written(account)
    page = client.post(f"/portal/a/{account.pk}/promise", values)
    assert page.status_code == 400
    assert 'role="alert"' in page.text and named in page.text
    assert 'aria-invalid="true"' in page.text
    assert written(account) == before


def test_a_promise_of_more_than_the_balance_is_refused_naming_the_amount(client, northwind):
    from amicable.ledger.models import Promise

    account = debtor(northwind)
    sign_in(client, account)
    page = client.post(f"/portal/a/{account.pk}/promise", {"amount": "5000.00", "due_on": "2026-03-20"})
    assert page.status_code == 400 and "Enter an amount up to your balance of $600.00." in page.text
    assert not Promise.objects.exists()
