"""`amicable plan`: a day's contacts forecast from a portfolio imported from CSV, as an operator sees it."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.ledger.actions import place_hold
from amicable.ledger.models import Account, Creditor
from test_import_accounts import COLUMNS, row, to_csv

DAY = date(2026, 3, 10)


def due_in(days: int) -> str:
    return (DAY + timedelta(days=days)).isoformat()


def portfolio_rows() -> list[dict[str, str]]:
    return [
        # due in exactly 7 days, email consent: a reminder by email
        row(account_ref="A-7", customer_ref="C-7", due_date=due_in(7), email="ann@example.com"),
        # due in 7 days, no email consent but SMS consent: the reminder goes by SMS
        row(
            account_ref="B-7",
            customer_ref="C-8",
            due_date=due_in(7),
            email="bo@example.com",
            mobile="(617) 555-0188",
            email_consent="no",
            sms_consent="yes",
        ),
        # due in 30 days: nothing today
        row(account_ref="A-30", customer_ref="C-30", due_date=due_in(30), email="cy@example.com"),
        # a business in Los Angeles, one day overdue: the business playbook
        row(
            account_ref="Z-1",
            customer_ref="C-Z",
            customer_type="business",
            first_name="",
            last_name="",
            company_name="Zed Ltd",
            due_date=due_in(-1),
            email="ap@zed.example",
            region="CA",
            city="Los Angeles",
            postcode="90012",
        ),
    ]


def import_portfolio(cli, tmp_path) -> dict[str, Account]:
    path = tmp_path / "accounts.csv"
    path.write_bytes(to_csv(portfolio_rows(), COLUMNS))
    result = cli("import", "accounts", path)
    assert result.exit_code == 0, result.output
    return {a.external_ref: a for a in Account.objects.all()}


@pytest.fixture
def portfolio(db, cli, northwind, tmp_path):
    return import_portfolio(cli, tmp_path)


def plan(cli, *args: str) -> dict:
    result = cli("plan", "--date", DAY.isoformat(), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_reminders_go_seven_days_before_on_the_first_consented_channel(cli, portfolio):
    contacts = {c["account_ref"]: c for c in plan(cli)["contacts"]}
    assert set(contacts) == {"A-7", "B-7", "Z-1"}
    assert (contacts["A-7"]["step"], contacts["A-7"]["channel"]) == ("reminder-7", "email")
    assert (contacts["B-7"]["step"], contacts["B-7"]["channel"]) == ("reminder-7", "sms")
    assert (contacts["Z-1"]["playbook"], contacts["Z-1"]["step"]) == ("business", "overdue-1")


def test_contacts_are_scheduled_inside_the_window_in_the_customers_zone(cli, portfolio):
    zones = {"A-7": "America/New_York", "B-7": "America/New_York", "Z-1": "America/Los_Angeles"}
    for contact in plan(cli)["contacts"]:
        local = datetime.fromisoformat(contact["scheduled_at"]).astimezone(
            ZoneInfo(zones[contact["account_ref"]])
        )
        assert local.date() == DAY
        assert time(9) <= local.time() < time(18)


def test_the_summary_counts_what_an_operator_needs(cli, portfolio):
    summary = plan(cli)
    assert summary["accounts"] == 4
    assert summary["planned"] == 3
    assert summary["by_channel"] == {"email": 2, "sms": 1}
    assert summary["without_step"] == 1


def test_a_held_account_is_set_aside_for_the_engine(cli, portfolio):
    account = portfolio["A-7"]
    since = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))
    place_hold(
        account.customer,
        "dispute",
        source="letter of 1 March",
        account=account,
        actor="test",
        starts_at=since,
    )
    summary = plan(cli)
    assert summary["planned"] == 2
    assert summary["held"] == 1
    held = [c for c in summary["contacts"] if c["held"]]
    assert [(c["account_ref"], c["hold_kinds"]) for c in held] == [("A-7", ["dispute"])]


def test_an_account_pinned_to_a_playbook_follows_it(cli, portfolio):
    Account.objects.filter(external_ref="Z-1").update(playbook="consumer")
    contacts = {c["account_ref"]: c for c in plan(cli)["contacts"]}
    assert "Z-1" not in contacts  # the consumer playbook has no step one day after the due date


def test_a_creditor_without_playbooks_plans_nothing(cli, portfolio):
    Creditor.objects.update(playbooks=[])
    assert plan(cli)["planned"] == 0


def test_an_unknown_playbook_name_is_a_clear_error(cli, portfolio):
    """Saved around the admin's checks (a bulk update, say): the command says what is wrong, no traceback."""
    Creditor.objects.update(playbooks=["consumer", "gentle-ish"])
    result = cli("plan", "--date", DAY.isoformat())
    assert result.exit_code == 1
    assert "Error: no playbook named gentle-ish" in result.stderr


def test_planning_an_empty_ledger_plans_nothing(cli, db):
    result = cli("plan", "--date", DAY.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["accounts"], summary["planned"], summary["contacts"]) == (0, 0, [])


def test_one_account_in_words(cli, portfolio):
    result = cli("plan", "--date", DAY.isoformat(), "--account", "A-7")
    assert result.exit_code == 0, result.output
    assert "email  consumer/reminder-7 reminder_upcoming" in result.output


def test_playbook_names_are_checked_when_a_creditor_or_an_account_is_edited(portfolio):
    from django.core.exceptions import ValidationError

    creditor = Creditor.objects.get()
    creditor.playbooks = ["consumer", "gentle-ish"]
    with pytest.raises(ValidationError, match="'gentle-ish': no playbook of that name"):
        creditor.full_clean()
    account = portfolio["A-7"]
    account.playbook = "buisness"
    with pytest.raises(ValidationError, match="'buisness': no playbook of that name"):
        account.full_clean()
    account.playbook = "business"
    account.full_clean()
