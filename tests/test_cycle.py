"""The daily cycle as an operator runs it: `amicable run` on a portfolio imported from CSV, then what
dispatch does with each contact, and what the customer's timeline says."""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, datetime, time
from email import message_from_bytes
from email.policy import default as email_policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner
from django.test import override_settings

from amicable.cli import main
from amicable.cycle.dispatch import MAX_ATTEMPTS, dispatch_due
from amicable.ledger.actions import place_hold, record_consent
from amicable.ledger.models import AuditLog, ContactPoint
from amicable.outbox.models import Contact, SandboxSms
from test_plan_command import DAY, import_portfolio

MORNING = datetime.combine(DAY, time(5), tzinfo=UTC)  # before anyone's window opens
EVENING = datetime.combine(DAY, time(23, 30), tzinfo=UTC)  # 18:30 in Boston: every message is due
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def outbox_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = "amicable.channels.email.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    settings.OUTBOX_DIR = tmp_path
    from amicable.channels.registry import get_channel

    get_channel.cache_clear()
    yield tmp_path
    get_channel.cache_clear()


def run(cli, *args: str) -> dict:
    result = cli("run", "--date", DAY.isoformat(), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def contacts(cli, *args: str) -> list[dict]:
    result = cli("contacts", "--date", DAY.isoformat(), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def portfolio(db, cli, northwind, tmp_path):
    """Imported (with its consents) in the small hours of the day the cycle runs."""
    with time_machine.travel(datetime.combine(DAY, time(0, 30), tzinfo=UTC), tick=False):
        return import_portfolio(cli, tmp_path)


@pytest.fixture
def planned(cli, portfolio):
    with time_machine.travel(MORNING, tick=False):
        summary = run(cli)
    return summary


def test_the_run_summary_says_what_was_planned_and_queued(planned):
    assert set(planned) >= {"date", "accounts", "planned", "sent", "queued", "blocked", "skipped", "deferred"}
    assert planned["date"] == DAY.isoformat()
    assert planned["accounts"] == 4
    assert planned["planned"] == 3
    assert planned["sent"] == {}  # nothing is due at 05:00 UTC
    assert planned["queued"] == {"email": 2, "sms": 1}
    assert planned["blocked"] == {}


def test_a_reminder_seven_days_before_goes_on_the_first_consented_channel(cli, planned):
    by_ref = {c["account_ref"]: c for c in contacts(cli)}
    assert set(by_ref) == {"A-7", "B-7", "Z-1"}  # A-30, due in 30 days, gets nothing
    assert (by_ref["A-7"]["channel"], by_ref["A-7"]["template"]) == ("email", "reminder_upcoming")
    # B-7 said no to email and yes to texts: no email, a text with an opt-out line.
    assert by_ref["B-7"]["channel"] == "sms"
    assert "Reply STOP" in by_ref["B-7"]["body"]
    assert "Ann" in by_ref["A-7"]["body"] and "$120.50" in by_ref["A-7"]["body"]
    assert by_ref["A-7"]["subject"]


def test_every_contact_is_scheduled_inside_the_window_in_the_customers_zone(cli, planned):
    zones = {"A-7": NEW_YORK, "B-7": NEW_YORK, "Z-1": ZoneInfo("America/Los_Angeles")}
    for contact in contacts(cli):
        local = datetime.fromisoformat(contact["scheduled_at"]).astimezone(zones[contact["account_ref"]])
        assert time(9) <= local.time() < time(18), contact


def test_running_the_same_day_again_plans_nothing_twice(cli, planned):
    with time_machine.travel(MORNING, tick=False):
        again = run(cli)
    assert again["planned"] == 0 and again["already_planned"] == 3
    assert Contact.objects.count() == 3


def test_a_dry_run_writes_nothing(cli, portfolio):
    with time_machine.travel(MORNING, tick=False):
        summary = run(cli, "--dry-run")
    assert summary["planned"] == 3 and summary["queued"] == {"email": 2, "sms": 1}
    assert Contact.objects.count() == 0
    assert not AuditLog.objects.filter(action__in=["plan_contact", "skip_contact"]).exists()


def test_dispatch_sends_each_due_contact_once(cli, planned, outbox_dir):
    with time_machine.travel(EVENING, tick=False):
        first = dispatch_due()
        second = dispatch_due()
    assert first == {("email", "delivered"): 2, ("sms", "delivered"): 1}
    assert second == {}
    emails = sorted((outbox_dir / "email").rglob("*.eml"))
    assert len(emails) == 2
    message = message_from_bytes(emails[0].read_bytes(), policy=email_policy)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"reply\+\S+@\S+", message["Reply-To"])
    text = SandboxSms.objects.get()
    assert text.to == "+16175550188" and "Reply STOP" in text.body
    timeline = AuditLog.objects.filter(action="send_contact")
    assert timeline.count() == 3 and all(row.customer_id for row in timeline)


def test_a_hold_placed_after_planning_cancels_the_contact_at_send_time(cli, planned, portfolio):
    account = portfolio["A-7"]
    with time_machine.travel(datetime.combine(DAY, time(6), tzinfo=UTC), tick=False):
        place_hold(account.customer, "cease", source="letter asking us to stop", actor="test:agent")
    with time_machine.travel(EVENING, tick=False):
        dispatch_due()
    contact = Contact.objects.get(account=account)
    assert contact.status == "cancelled"
    blocks = [r for r in contact.reasons if r["effect"] == "block"]
    assert blocks and all(r["citation"] for r in blocks)
    assert AuditLog.objects.filter(action="cancel_contact", account=account).exists()


def test_consent_withdrawn_after_planning_cancels_the_text(cli, planned, portfolio):
    account = portfolio["B-7"]
    mobile = ContactPoint.objects.get(customer=account.customer, kind="mobile")
    record_consent(mobile, "collection", "revoked", source="texted STOP", actor="test:inbound")
    with time_machine.travel(EVENING, tick=False):
        dispatch_due()
    contact = Contact.objects.get(account=account)
    assert contact.status == "cancelled"
    assert "consent" in contact.reasons[0]["message"]
    assert not SandboxSms.objects.exists()


def test_an_account_on_hold_when_planned_gets_a_blocked_contact_with_the_rule(cli, portfolio):
    account = portfolio["A-7"]
    with time_machine.travel(datetime.combine(DAY, time(1), tzinfo=UTC), tick=False):
        place_hold(account.customer, "bankruptcy", source="court notice", actor="test:agent")
    with time_machine.travel(MORNING, tick=False):
        summary = run(cli)
    assert sum(summary["blocked"].values()) == 1
    blocked = [c for c in contacts(cli, "--account", "A-7")]
    assert [c["status"] for c in blocked] == ["blocked"]
    rules = {r["rule"] for r in blocked[0]["reasons"] if r["effect"] == "block"}
    assert rules == set(summary["blocked"])


def test_explain_shows_the_reasons_and_the_facts_replay_in_the_checker(cli, portfolio):
    account = portfolio["A-7"]
    with time_machine.travel(datetime.combine(DAY, time(1), tzinfo=UTC), tick=False):
        place_hold(account.customer, "bankruptcy", source="court notice", actor="test:agent")
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    contact = Contact.objects.get(account=account)
    shown = cli("explain", contact.pk)
    assert shown.exit_code == 0
    rule = next(r["rule"] for r in contact.reasons if r["effect"] == "block")
    assert rule in shown.output and "blocked" in shown.output
    facts = cli("explain", contact.pk, "--scenario")
    replay = CliRunner().invoke(main, ["compliance", "check", "-"], input=facts.stdout)
    replayed = json.loads(replay.stdout)
    assert replayed["decision"] == "block"
    assert replayed["reasons"] == contact.reasons  # the same reasons, word for word


def test_preview_renders_what_would_be_sent_and_writes_nothing(cli, portfolio):
    with time_machine.travel(MORNING, tick=False):
        result = cli("preview", "A-7", "--date", DAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "reminder_upcoming" in result.output and "Subject:" in result.output
    assert Contact.objects.count() == 0
    missing = cli("preview", "NOPE")
    assert missing.exit_code != 0 and "no account 'NOPE'" in missing.output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_mail_server_is_retried_with_backoff_then_the_contact_fails(cli, planned):
    port = _closed_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
    ):
        moment = EVENING
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with time_machine.travel(moment, tick=False):
                dispatch_due()
            email = Contact.objects.filter(channel="email").order_by("id").first()
            assert email.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert email.status == "queued" and email.scheduled_at > moment
                assert "SMTP" in email.last_error
                moment = email.scheduled_at
    assert email.status == "failed"
    assert (
        AuditLog.objects.filter(action="retry_contact", object_id=str(email.pk)).count() == MAX_ATTEMPTS - 1
    )


def test_a_run_that_cannot_plan_says_why_and_writes_nothing(cli, portfolio):
    from amicable.ledger.models import Account
    from amicable.outbox.models import CycleRun

    Account.objects.filter(external_ref="A-7").update(playbook="no-such-playbook")
    with time_machine.travel(MORNING, tick=False):
        result = cli("run", "--date", DAY.isoformat(), "--json")
    assert result.exit_code != 0
    assert "no-such-playbook" in result.output
    assert not Contact.objects.exists() and not CycleRun.objects.exists()
    assert not AuditLog.objects.filter(action__in=["plan_contact", "skip_contact"]).exists()


def test_bad_command_arguments_are_named(cli, planned):
    status = cli("contacts", "--status", "posted")
    assert status.exit_code == 2 and "'posted' is not one of" in status.output
    missing = cli("explain", "999999")
    assert missing.exit_code == 1 and "no contact 999999" in missing.output


def test_a_voicemail_left_is_not_a_communication_so_the_first_message_carries_the_full_disclosure(
    cli, portfolio
):
    # Regulation F: a limited-content voicemail says nothing about the debt, so the email that follows
    # is still the first communication and must say it is an attempt to collect a debt.
    from amicable.ledger.models import Creditor

    Creditor.objects.update(role="debt_collector")
    account = portfolio["A-7"]
    Contact.objects.create(
        key="earlier-call",
        cycle_date=DAY,
        creditor=account.creditor,
        customer=account.customer,
        account=account,
        playbook="consumer",
        step="call",
        trigger_on=DAY,
        channel="call",
        template="call_guide",
        language="en",
        status="sent",
        scheduled_at=datetime.combine(DAY, time(1), tzinfo=UTC),
        sent_at=datetime.combine(DAY, time(1), tzinfo=UTC),
        outcome="voicemail",
        reply_token="earlier-call",
    )
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    email = Contact.objects.get(account=account, channel="email")
    assert email.status == "queued", email.reasons
    assert "attempt to collect a debt" in email.body
