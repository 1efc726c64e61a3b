"""The demo portfolio: generated the same way every time, realistic enough to show the product, and
loaded through the same importers and actions as a creditor's own data."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from statistics import mean, median

import pytest
import time_machine
from django.contrib.auth import get_user_model

from amicable.demo.portfolio import generate
from amicable.ledger.actions import itemisation
from amicable.ledger.balance import journal_balance
from amicable.ledger.jurisdictions import derive_timezone
from amicable.ledger.models import Account, AuditLog, Creditor, Customer, Hold, JournalEntry

AS_OF = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


# Generating


def test_same_arguments_give_the_same_portfolio():
    first = generate(300, 7, AS_OF)
    second = generate(300, 7, AS_OF)

    # Every part is there, so the comparison below means something.
    assert all([first.accounts, first.payments, first.instalments, first.holds, first.preferences])
    assert first.accounts == second.accounts
    assert first.payments == second.payments
    assert first.instalments == second.instalments
    assert first.holds == second.holds
    assert first.preferences == second.preferences


def test_different_seed_gives_a_different_portfolio():
    first = generate(300, 7, AS_OF)
    other = generate(300, 8, AS_OF)

    assert first.accounts != other.accounts
    assert first.payments != other.payments


def test_portfolio_needs_at_least_one_customer():
    with pytest.raises(ValueError):
        generate(0, 1, AS_OF)


@pytest.fixture(scope="module")
def big():
    return generate(2000, 1, AS_OF)


def test_portfolio_has_the_customers_it_was_asked_for(big):
    customers = {(row["creditor"], row["customer_ref"]) for row in big.accounts}
    assert len(customers) == 2000
    # Some customers owe more than one account.
    assert len(big.accounts) > 2000


def test_portfolio_has_us_and_gb_customers_in_several_time_zones(big):
    assert {row["country"] for row in big.accounts} == {"US", "GB"}
    zones = {row["timezone"] or derive_timezone(row["country"], row["region"]) for row in big.accounts}
    assert len(zones) >= 5
    assert "Europe/London" in zones


def test_portfolio_has_english_and_spanish_speakers(big):
    languages = Counter(row["language"].split("-")[0] for row in big.accounts)
    assert languages["en"] > languages["es"] > 0


def test_portfolio_has_persons_and_businesses(big):
    kinds = Counter(row["customer_type"] for row in big.accounts)
    assert kinds["person"] > kinds["business"] > 0
    assert all(row["company_name"] for row in big.accounts if row["customer_type"] == "business")


def test_portfolio_spreads_over_several_creditors_one_of_them_a_debt_collector(big):
    roles = {creditor.name: creditor.role for creditor in big.creditors}
    assert len(roles) >= 4
    assert list(roles.values()).count("debt_collector") == 1
    assert {row["creditor"] for row in big.accounts} == set(roles)


def test_due_dates_run_from_two_months_ahead_to_six_months_past(big):
    days = [(date.fromisoformat(row["due_date"]) - AS_OF).days for row in big.accounts]

    assert -180 <= min(days) <= -170
    assert 50 <= max(days) <= 60
    assert sum(d > 0 for d in days) > 0.1 * len(days)
    assert sum(d < -90 for d in days) > 0.2 * len(days)


def test_portfolio_has_instalment_plans_payments_and_holds(big):
    assert len(big.instalments) >= 20
    assert all(len(plan) >= 3 for plan in big.instalments.values())
    for (_creditor, account_ref), plan in big.instalments.items():
        row = next(r for r in big.accounts if r["account_ref"] == account_ref)
        assert sum(amount for _, amount in plan) == Decimal(row["balance"])

    assert len(big.payments) >= 100
    assert all(date.fromisoformat(p["paid_on"]) <= AS_OF for p in big.payments)

    assert len(big.holds) >= 10
    assert len({hold["kind"] for hold in big.holds}) >= 3


def test_some_customers_said_no_and_some_cannot_be_emailed_or_texted(big):
    refusals = [row for row in big.accounts if "no" in (row.get("email_consent"), row.get("sms_consent"))]
    post_only = [row for row in big.accounts if not row.get("email") and not row.get("mobile")]

    assert len(refusals) >= 20
    assert len(post_only) >= 20
    assert len(post_only) < 0.5 * len(big.accounts)


def test_balances_are_skewed_like_real_debts(big):
    balances = [Decimal(row["balance"]) for row in big.accounts]

    assert min(balances) > 0
    assert median(balances) < Decimal("0.75") * mean(balances)
    # A long tail: the largest debts are many times the typical one.
    assert max(balances) > 10 * median(balances)


# Loading through the command line


@pytest.fixture
def demo(db, settings, tmp_path, cli):
    """Run `amicable demo --json` with var/ in tmp_path and time frozen; returns the printed JSON."""
    settings.VAR_DIR = tmp_path
    # The default hasher is slow on purpose; the demo login's password only has to round-trip here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run() -> dict:
        with time_machine.travel(NOW, tick=False):
            result = cli("demo", "--customers", "150", "--seed", "3", "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def test_demo_loads_creditors_customers_and_accounts(demo, tmp_path):
    summary = demo()

    assert summary["generated"] is True
    assert summary["creditors"] == Creditor.objects.count() == 5
    assert summary["customers"] == Customer.objects.count() == 150
    assert summary["accounts"] == Account.objects.count() > 150
    assert summary["payments"] == JournalEntry.objects.filter(kind="payment").exclude(external_ref="").count()
    assert summary["holds"] == Hold.objects.count()
    assert (tmp_path / "demo" / "accounts.csv").exists()
    assert (tmp_path / "demo" / "payments.csv").exists()


def test_demo_balances_equal_the_journal(demo):
    demo()

    accounts = Account.objects.select_related("creditor").prefetch_related("journal")
    mismatched = {
        account.external_ref: (account.balance, itemisation(account).balance.amount)
        for account in accounts
        if account.balance != itemisation(account).balance.amount
        or account.balance != journal_balance([e.as_entry() for e in account.journal.all()])
    }
    assert mismatched == {}
    assert accounts.filter(status="resolved").exists()
    assert accounts.filter(status="overdue").exists()


def test_every_demo_customer_has_a_timeline(demo):
    demo()

    on_timeline = set(AuditLog.objects.exclude(customer=None).values_list("customer", flat=True))
    assert set(Customer.objects.values_list("pk", flat=True)) <= on_timeline


def test_running_the_demo_again_keeps_the_data(demo):
    first = demo()
    counts = [model.objects.count() for model in (Creditor, Customer, Account, JournalEntry, Hold)]

    second = demo()

    assert second["generated"] is False
    assert [model.objects.count() for model in (Creditor, Customer, Account, JournalEntry, Hold)] == counts
    assert second["login"] == first["login"]


def test_demo_creates_a_staff_login_with_the_printed_password(demo):
    summary = demo()

    login = summary["login"]
    user = get_user_model().objects.get(username="demo")
    assert login["username"] == "demo"
    assert user.is_staff
    assert user.check_password(login["password"])
    assert not user.check_password(login["password"] + "x")


def test_demo_loads_the_portfolio_generated_for_that_seed_and_day(demo):
    demo()

    portfolio = generate(150, 3, AS_OF)
    assert set(Account.objects.values_list("external_ref", flat=True)) == {
        row["account_ref"] for row in portfolio.accounts
    }
    for (creditor, account_ref), plan in portfolio.instalments.items():
        account = Account.objects.get(creditor__name=creditor, external_ref=account_ref)
        assert [(item.due_on, item.amount) for item in account.schedule.all()] == plan
    for hold in portfolio.holds:
        if hold["kind"] == "dispute":
            account = Account.objects.get(creditor__name=hold["creditor"], external_ref=hold["account_ref"])
            assert account.status == "disputed"


def test_demo_prints_a_portal_link_that_opens_with_the_printed_date_of_birth(demo, client):
    summary = demo()

    portal = summary["portal"]
    path = "/" + portal["url"].split("://", 1)[1].split("/", 1)[1]
    day, month, year = portal["date_of_birth"].split()
    with time_machine.travel(NOW, tick=False):
        assert "date of birth" in client.get(path).text
        answered = client.post(path, {"day": day, "month": month, "year": year})
        assert answered.status_code == 302
        home = client.get(answered["Location"])
    assert home.status_code == 200 and portal["customer"].split()[0] in home.text


def test_demo_staff_login_opens_the_console(demo, client):
    login = demo()["login"]

    signed_in = client.post("/console/login", {"username": login["username"], "password": login["password"]})
    assert signed_in.status_code == 302
