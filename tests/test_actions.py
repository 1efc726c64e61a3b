"""The ledger's named actions: what each one changes, what it refuses, and what it leaves on the record.

The actors: Dana Payer, a Northwind customer who pays, with one USD account; Ellis Other, another
Northwind customer. Time is frozen at noon UTC on 10 March 2025 unless a test travels on.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amicable.ledger import actions
from amicable.ledger.actions import (
    ActionError,
    create_creditor,
    end_hold,
    itemisation,
    mark_contact_point_invalid,
    place_hold,
    post_entry,
    record_consent,
    record_payment,
    set_account_status,
    set_contact_preferences,
    set_schedule,
)
from amicable.ledger.audit import timeline
from amicable.ledger.balance import AllocationOrder, EntryKind, journal_balance
from amicable.ledger.models import (
    Account,
    AuditLog,
    ConsentState,
    ContactPoint,
    Customer,
    Hold,
    JournalEntry,
    ScheduleItem,
)
from amicable.ledger.models.append_only import AppendOnlyError

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
ACTOR = "user:agent"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_customer(creditor, ref: str, first_name: str, last_name: str) -> Customer:
    # There is no "create customer" action yet: customers arrive through the importer.
    return Customer.objects.create(
        creditor=creditor,
        external_ref=ref,
        first_name=first_name,
        last_name=last_name,
        country="US",
        region="NY",
        timezone="America/New_York",
    )


def make_account(customer: Customer, ref: str, currency: str = "USD") -> Account:
    return Account.objects.create(
        creditor=customer.creditor, customer=customer, external_ref=ref, currency=currency
    )


@pytest.fixture
def dana(northwind) -> Customer:
    return make_customer(northwind, "C-DANA", "Dana", "Payer")


@pytest.fixture
def dana_account(dana) -> Account:
    return make_account(dana, "NW-1")


@pytest.fixture
def ellis(northwind) -> Customer:
    return make_customer(northwind, "C-ELLIS", "Ellis", "Other")


@pytest.fixture
def ellis_account(ellis) -> Account:
    return make_account(ellis, "NW-2")


@pytest.fixture
def dana_email(dana) -> ContactPoint:
    return ContactPoint.objects.create(customer=dana, kind="email", value="dana@example.com")


def stored(account: Account) -> Account:
    return Account.objects.get(pk=account.pk)


def charge(account: Account, amount: str, on: date = TODAY) -> JournalEntry:
    return post_entry(account, "charge", Decimal(amount), on, source="test", actor=ACTOR)


def pay(account: Account, amount: str, on: date = TODAY, ref: str = "") -> JournalEntry:
    return post_entry(account, "payment", Decimal(amount), on, source="test", actor=ACTOR, external_ref=ref)


def receive(account: Account, amount: str, ref: str, currency: str = "USD") -> tuple[JournalEntry, bool]:
    return record_payment(
        account, Decimal(amount), TODAY, currency=currency, payment_ref=ref, source="bank", actor=ACTOR
    )


# post_entry


def test_charge_then_part_payment_leaves_the_difference_owed(dana_account):
    charge(dana_account, "120.00")
    pay(dana_account, "20.00")

    account = stored(dana_account)
    assert account.balance == Decimal("100.00")
    assert account.status == "current"
    assert itemisation(account).total_paid.amount == Decimal("20.00")


def test_account_paid_to_zero_becomes_resolved(dana_account):
    charge(dana_account, "80.00")
    pay(dana_account, "50.00")
    assert stored(dana_account).status == "current"

    pay(dana_account, "30.00")

    account = stored(dana_account)
    assert account.balance == 0
    assert account.status == "resolved"


def test_new_charge_on_a_resolved_account_makes_it_owed_again(dana_account):
    charge(dana_account, "10.00")
    pay(dana_account, "10.00")

    charge(dana_account, "5.00")

    account = stored(dana_account)
    assert account.balance == Decimal("5.00")
    assert account.status == "current"


def test_overpayment_leaves_a_credit_and_resolves_the_account(dana_account):
    charge(dana_account, "40.00")
    pay(dana_account, "55.00")

    account = stored(dana_account)
    assert account.balance == Decimal("-15.00")
    assert account.status == "resolved"


def test_account_becomes_overdue_when_a_later_entry_finds_its_due_date_passed(dana_account, frozen):
    charge(dana_account, "100.00")
    set_schedule(dana_account, [(date(2025, 3, 15), Decimal("100.00"))], reason="bill", actor=ACTOR)
    assert stored(dana_account).status == "current"

    frozen.move_to(datetime(2025, 3, 16, 9, 0, tzinfo=UTC))
    post_entry(dana_account, "fee", Decimal("25.00"), date(2025, 3, 16), source="test", actor=ACTOR)

    assert stored(dana_account).status == "overdue"


def test_amount_due_today_is_not_yet_overdue(dana_account):
    charge(dana_account, "100.00")
    set_schedule(dana_account, [(TODAY, Decimal("100.00"))], reason="bill", actor=ACTOR)

    post_entry(dana_account, "interest", Decimal("1.00"), TODAY, source="test", actor=ACTOR)

    assert stored(dana_account).status == "current"


def test_overdue_account_paid_in_full_is_resolved(dana_account):
    charge(dana_account, "100.00")
    set_schedule(dana_account, [(TODAY - timedelta(days=10), Decimal("100.00"))], reason="bill", actor=ACTOR)
    assert stored(dana_account).status == "overdue"

    pay(dana_account, "100.00")

    assert stored(dana_account).status == "resolved"


def test_status_set_by_a_person_is_kept_when_entries_are_posted(dana_account):
    charge(dana_account, "60.00")
    set_account_status(dana_account, "disputed", reason="customer says the bill is wrong", actor=ACTOR)

    pay(dana_account, "60.00")

    account = stored(dana_account)
    assert account.balance == 0
    assert account.status == "disputed"


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("payment", "0"), ("charge", "-5.00"), ("fee", "0.004"), ("adjustment", "0.00")],
)
def test_entry_that_would_not_change_the_balance_properly_is_refused(dana_account, kind, amount):
    charge(dana_account, "10.00")

    with pytest.raises(ActionError):
        post_entry(dana_account, kind, Decimal(amount), TODAY, source="test", actor=ACTOR)

    assert dana_account.journal.count() == 1
    assert stored(dana_account).balance == Decimal("10.00")


def test_negative_adjustment_reduces_what_is_owed(dana_account):
    charge(dana_account, "10.00")

    post_entry(dana_account, "adjustment", Decimal("-4.00"), TODAY, source="test", actor=ACTOR)

    assert stored(dana_account).balance == Decimal("6.00")


def test_amount_is_rounded_to_the_currency_minor_units(dana_account):
    entry = charge(dana_account, "10.005")

    assert JournalEntry.objects.get(pk=entry.pk).amount == Decimal("10.01")
    assert stored(dana_account).balance == Decimal("10.01")


# record_payment


def test_repeating_a_payment_ref_posts_the_payment_once(dana_account):
    charge(dana_account, "100.00")
    first, created = receive(dana_account, "30.00", ref="P-1")
    assert created is True
    audit_rows = AuditLog.objects.count()

    again, created_again = receive(dana_account, "30.00", ref="P-1")

    assert created_again is False
    assert again.pk == first.pk
    assert dana_account.journal.filter(kind="payment").count() == 1
    assert AuditLog.objects.count() == audit_rows
    assert stored(dana_account).balance == Decimal("70.00")


def test_payment_ref_reused_with_a_different_amount_is_refused(dana_account):
    charge(dana_account, "100.00")
    receive(dana_account, "30.00", ref="P-1")

    with pytest.raises(ActionError, match="P-1"):
        receive(dana_account, "31.00", ref="P-1")

    assert dana_account.journal.filter(kind="payment").count() == 1
    assert stored(dana_account).balance == Decimal("70.00")


def test_payment_ref_reused_on_another_account_is_refused(dana_account, ellis_account):
    charge(dana_account, "100.00")
    charge(ellis_account, "100.00")
    receive(dana_account, "30.00", ref="P-1")

    with pytest.raises(ActionError):
        receive(ellis_account, "30.00", ref="P-1")

    assert stored(ellis_account).balance == Decimal("100.00")


def test_payment_in_another_currency_is_refused(dana_account):
    charge(dana_account, "100.00")

    with pytest.raises(ActionError, match="GBP"):
        receive(dana_account, "30.00", ref="P-1", currency="GBP")

    assert not dana_account.journal.filter(kind="payment").exists()
    assert stored(dana_account).balance == Decimal("100.00")


def test_payment_without_a_ref_is_refused(dana_account):
    charge(dana_account, "100.00")

    with pytest.raises(ActionError):
        receive(dana_account, "30.00", ref="")

    assert stored(dana_account).balance == Decimal("100.00")


# place_hold and end_hold


def test_hold_without_an_end_stays_active(dana, dana_account):
    hold = place_hold(dana, "dispute", account=dana_account, source="letter of 9 March", actor=ACTOR)

    assert hold.starts_at == NOW
    assert hold.ends_at is None
    assert list(Hold.objects.active_at(NOW)) == [hold]
    assert list(Hold.objects.active_at(NOW + timedelta(days=3650))) == [hold]
    assert not Hold.objects.active_at(NOW - timedelta(seconds=1)).exists()


def test_breathing_space_is_active_from_its_start_until_its_end(dana):
    starts, ends = NOW + timedelta(days=1), NOW + timedelta(days=61)
    hold = place_hold(
        dana, "breathing_space", starts_at=starts, ends_at=ends, source="Insolvency Service", actor=ACTOR
    )

    assert hold.account is None
    assert not Hold.objects.active_at(NOW).exists()
    assert list(Hold.objects.active_at(starts)) == [hold]
    assert list(Hold.objects.active_at(ends - timedelta(seconds=1))) == [hold]
    assert not Hold.objects.active_at(ends).exists()


def test_hold_of_an_unknown_kind_is_refused(dana):
    with pytest.raises(ActionError, match="holiday"):
        place_hold(dana, "holiday", source="call", actor=ACTOR)

    assert not Hold.objects.exists()


def test_hold_on_another_customers_account_is_refused(dana, ellis_account):
    with pytest.raises(ActionError, match="NW-2"):
        place_hold(dana, "dispute", account=ellis_account, source="call", actor=ACTOR)

    assert not Hold.objects.exists()


@pytest.mark.parametrize("length", [timedelta(0), timedelta(hours=-1)])
def test_hold_that_ends_before_it_starts_is_refused(dana, length):
    with pytest.raises(ActionError):
        place_hold(dana, "cease", starts_at=NOW, ends_at=NOW + length, source="letter", actor=ACTOR)

    assert not Hold.objects.exists()


def test_ended_hold_is_no_longer_active(dana, frozen):
    hold = place_hold(dana, "cease", source="letter", actor=ACTOR)
    frozen.move_to(NOW + timedelta(days=2))

    end_hold(hold, actor=ACTOR, reason="customer asked us to write again")

    assert Hold.objects.get(pk=hold.pk).ends_at == NOW + timedelta(days=2)
    assert Hold.objects.active_at(NOW + timedelta(days=1)).exists()
    assert not Hold.objects.active_at(NOW + timedelta(days=2)).exists()


def test_hold_cannot_be_ended_before_it_starts(dana):
    hold = place_hold(dana, "represented", starts_at=NOW + timedelta(days=1), source="attorney", actor=ACTOR)

    with pytest.raises(ActionError):
        end_hold(hold, actor=ACTOR)
    with pytest.raises(ActionError):
        end_hold(hold, actor=ACTOR, at=NOW + timedelta(days=1))

    assert Hold.objects.get(pk=hold.pk).ends_at is None


def test_hold_that_has_ended_cannot_be_ended_again(dana):
    hold = place_hold(
        dana,
        "breathing_space",
        starts_at=NOW - timedelta(days=70),
        ends_at=NOW - timedelta(days=10),
        source="Insolvency Service",
        actor=ACTOR,
    )

    with pytest.raises(ActionError, match="already ended"):
        end_hold(hold, actor=ACTOR)

    assert Hold.objects.get(pk=hold.pk).ends_at == NOW - timedelta(days=10)


# set_schedule


def test_new_schedule_replaces_the_old_one(dana_account):
    charge(dana_account, "300.00")
    set_schedule(dana_account, [(TODAY + timedelta(days=30), Decimal("300.00"))], reason="bill", actor=ACTOR)

    plan = [(TODAY + timedelta(days=30 * n), Decimal("100.00")) for n in (1, 2, 3)]
    set_schedule(dana_account, plan, reason="agreed on a call", actor=ACTOR)

    assert [(i.due_on, i.amount) for i in ScheduleItem.objects.filter(account=dana_account)] == plan


@pytest.mark.parametrize(
    "instalments",
    [
        [],
        [(date(2025, 4, 1), Decimal("50.00")), (date(2025, 4, 1), Decimal("50.00"))],
        [(date(2025, 4, 1), Decimal("100.00")), (date(2025, 5, 1), Decimal("0"))],
        [(date(2025, 4, 1), Decimal("-10.00"))],
        [(date(2025, 4, 1), Decimal("0.004"))],
    ],
    ids=["empty", "duplicate-date", "zero", "negative", "rounds-to-zero"],
)
def test_invalid_schedule_is_refused_and_the_old_one_kept(dana_account, instalments):
    charge(dana_account, "100.00")
    old = [(date(2025, 3, 31), Decimal("100.00"))]
    set_schedule(dana_account, old, reason="bill", actor=ACTOR)

    with pytest.raises(ActionError):
        set_schedule(dana_account, instalments, reason="typo", actor=ACTOR)

    assert [(i.due_on, i.amount) for i in ScheduleItem.objects.filter(account=dana_account)] == old


def test_instalment_past_due_and_unpaid_makes_the_account_overdue(dana_account):
    charge(dana_account, "300.00")
    plan = [
        (TODAY - timedelta(days=5), Decimal("100.00")),
        (TODAY + timedelta(days=25), Decimal("100.00")),
        (TODAY + timedelta(days=55), Decimal("100.00")),
    ]

    set_schedule(dana_account, plan, reason="agreed plan", actor=ACTOR)

    assert stored(dana_account).status == "overdue"


def test_paying_the_missed_instalment_brings_the_account_back_to_current(dana_account):
    charge(dana_account, "300.00")
    plan = [(TODAY + timedelta(days=30 * n), Decimal("100.00")) for n in (-1, 0, 1)]
    set_schedule(dana_account, plan, reason="agreed plan", actor=ACTOR)
    assert stored(dana_account).status == "overdue"

    pay(dana_account, "100.00")

    assert stored(dana_account).status == "current"


# set_account_status


def test_status_set_by_a_person_is_stored(dana_account):
    account = set_account_status(dana_account, "in_arrangement", reason="plan agreed", actor=ACTOR)

    assert account.status == "in_arrangement"
    assert stored(dana_account).status == "in_arrangement"


def test_unknown_status_is_refused(dana_account):
    with pytest.raises(ActionError, match="paused"):
        set_account_status(dana_account, "paused", reason="?", actor=ACTOR)

    assert stored(dana_account).status == "current"
    assert not AuditLog.objects.filter(action="set_account_status").exists()


# record_consent


def test_consent_keeps_where_and_when_it_was_given(dana_email):
    given_at = datetime(2025, 3, 8, 15, 30, tzinfo=UTC)

    record_consent(
        dana_email, "collection", "revoked", source="call recording 8 March", actor=ACTOR, at=given_at
    )

    point = ContactPoint.objects.get(pk=dana_email.pk)
    assert point.consent("collection") == ConsentState.REVOKED
    assert point.consents["collection"] == {
        "state": "revoked",
        "source": "call recording 8 March",
        "at": given_at.isoformat(),
    }
    assert point.consent("marketing") == ConsentState.UNKNOWN


def test_consent_without_a_time_is_recorded_now(dana_email):
    record_consent(dana_email, "marketing", "granted", source="portal", actor="customer:portal")

    point = ContactPoint.objects.get(pk=dana_email.pk)
    assert point.consents["marketing"]["at"] == NOW.isoformat()
    assert point.consent("marketing") == ConsentState.GRANTED


def test_later_consent_decision_replaces_the_earlier_one_for_that_use_only(dana_email):
    record_consent(dana_email, "collection", "granted", source="import", actor=ACTOR)
    record_consent(dana_email, "marketing", "granted", source="portal", actor="customer:portal")

    record_consent(dana_email, "collection", "revoked", source="STOP reply", actor=ACTOR)

    point = ContactPoint.objects.get(pk=dana_email.pk)
    assert point.consent("collection") == ConsentState.REVOKED
    assert point.consents["collection"]["source"] == "STOP reply"
    assert point.consent("marketing") == ConsentState.GRANTED


def test_only_the_customer_can_opt_in_to_newsletters(dana_email):
    with pytest.raises(ActionError, match="only be given by the customer themselves"):
        record_consent(dana_email, "marketing", "granted", source="agent on a call", actor="agent:sam")
    assert ContactPoint.objects.get(pk=dana_email.pk).consent("marketing") == ConsentState.UNKNOWN
    record_consent(
        dana_email, "marketing", "revoked", source="agent on a call", actor="agent:sam"
    )  # stopping is


def test_consent_in_an_unknown_state_is_refused(dana_email):
    with pytest.raises(ActionError):
        record_consent(dana_email, "collection", "maybe", source="call", actor=ACTOR)

    assert ContactPoint.objects.get(pk=dana_email.pk).consents == {}


def test_consent_for_an_unknown_use_is_refused(dana_email):
    # A misspelt use ("colection") must not be stored beside the real one, leaving the customer's
    # decision about collection messages unrecorded.
    with pytest.raises(ActionError):
        record_consent(dana_email, "colection", "revoked", source="call", actor=ACTOR)

    assert ContactPoint.objects.get(pk=dana_email.pk).consents == {}


# set_contact_preferences


def test_contact_preferences_are_stored(dana):
    set_contact_preferences(
        dana,
        channel_order=["sms", "email"],
        inconvenient_times=[{"from": "18:00", "to": "21:00"}],
        source="call",
        actor=ACTOR,
    )

    customer = Customer.objects.get(pk=dana.pk)
    assert customer.channel_order == ["sms", "email"]
    assert customer.inconvenient_times == [{"from": "18:00", "to": "21:00"}]


@pytest.mark.parametrize(
    ("channel_order", "window"),
    [
        (["sms", "pigeon"], {"from": "18:00", "to": "21:00"}),
        (["email"], {"from": "18:00"}),
        (["email"], {"from": "18:00", "to": "21:00", "days": "weekdays"}),
        (["email"], {"from": "24:00", "to": "21:00"}),
        (["email"], {"from": "18:60", "to": "21:00"}),
        (["email"], {"from": "9:00", "to": "21:00"}),
        (["email"], {"from": "6pm", "to": "9pm"}),
        (["email"], {"from": "1:000", "to": "21:00"}),
    ],
    ids=[
        "unknown-channel",
        "missing-to",
        "extra-key",
        "hour-24",
        "minute-60",
        "one-digit-hour",
        "am-pm",
        "misplaced-colon",
    ],
)
def test_invalid_contact_preferences_are_refused(dana, channel_order, window):
    with pytest.raises(ActionError):
        set_contact_preferences(
            dana, channel_order=channel_order, inconvenient_times=[window], source="call", actor=ACTOR
        )

    customer = Customer.objects.get(pk=dana.pk)
    assert customer.channel_order == []
    assert customer.inconvenient_times == []


# The audit log and the customer's timeline


def _actions(dana: Customer, dana_account: Account, dana_email: ContactPoint):
    hold_to_end = Hold.objects.create(
        customer=dana, kind="cease", starts_at=NOW - timedelta(days=1), source="letter"
    )
    return {
        "post_charge": lambda: charge(dana_account, "50.00"),
        "post_payment": lambda: receive(dana_account, "5.00", ref="P-9"),
        "set_account_status": lambda: set_account_status(dana_account, "disputed", reason="r", actor=ACTOR),
        "place_hold": lambda: place_hold(dana, "dispute", account=dana_account, source="letter", actor=ACTOR),
        "end_hold": lambda: end_hold(hold_to_end, actor=ACTOR),
        "record_consent": lambda: record_consent(
            dana_email, "collection", "granted", source="portal", actor=ACTOR
        ),
        "mark_contact_point_invalid": lambda: mark_contact_point_invalid(
            dana_email, reason="hard bounce", actor=ACTOR
        ),
        "set_schedule": lambda: set_schedule(
            dana_account, [(TODAY, Decimal("50.00"))], reason="bill", actor=ACTOR
        ),
        "set_contact_preferences": lambda: set_contact_preferences(
            dana, channel_order=["email"], inconvenient_times=[], source="portal", actor=ACTOR
        ),
    }


ACTION_NAMES = [
    "post_charge",
    "post_payment",
    "set_account_status",
    "place_hold",
    "end_hold",
    "record_consent",
    "mark_contact_point_invalid",
    "set_schedule",
    "set_contact_preferences",
]


@pytest.mark.parametrize("name", ACTION_NAMES)
def test_every_action_writes_one_audit_row_on_the_customers_timeline(
    dana, dana_account, dana_email, ellis, name
):
    run = _actions(dana, dana_account, dana_email)[name]
    before = set(AuditLog.objects.values_list("pk", flat=True))

    run()

    new = list(AuditLog.objects.exclude(pk__in=before))
    assert len(new) == 1
    row = new[0]
    assert row.action == name
    assert row.customer == dana
    assert row.actor == ACTOR
    assert row.at == NOW
    assert row.summary
    assert row in timeline(dana)
    assert row not in timeline(ellis)


def test_creating_a_creditor_is_audited_without_a_customer(db):
    creditor = create_creditor("Harbour Telecom", actor=ACTOR)

    row = AuditLog.objects.get(action="create_creditor")
    assert row.customer is None
    assert row.object_id == str(creditor.pk)


def test_timeline_shows_the_newest_event_first(dana, dana_account, frozen):
    charge(dana_account, "50.00")
    frozen.move_to(NOW + timedelta(hours=1))
    pay(dana_account, "10.00")
    frozen.move_to(NOW + timedelta(hours=2))
    set_account_status(dana_account, "disputed", reason="wrong meter reading", actor=ACTOR)

    assert [row.action for row in timeline(dana)] == ["set_account_status", "post_payment", "post_charge"]


# Failed actions leave nothing behind


def test_post_entry_that_fails_leaves_no_journal_entry_and_the_balance_unchanged(dana_account):
    charge(dana_account, "100.00")
    entries, audit_rows = JournalEntry.objects.count(), AuditLog.objects.count()

    with (
        mock.patch.object(actions, "audit", side_effect=RuntimeError("audit log unavailable")),
        pytest.raises(RuntimeError),
    ):
        pay(dana_account, "100.00")

    assert JournalEntry.objects.count() == entries
    assert AuditLog.objects.count() == audit_rows
    account = stored(dana_account)
    assert account.balance == Decimal("100.00")
    assert account.status == "current"


def test_set_schedule_that_fails_keeps_the_old_schedule(dana_account):
    charge(dana_account, "100.00")
    old = [(TODAY + timedelta(days=10), Decimal("100.00"))]
    set_schedule(dana_account, old, reason="bill", actor=ACTOR)

    with (
        mock.patch.object(actions, "audit", side_effect=RuntimeError("audit log unavailable")),
        pytest.raises(RuntimeError),
    ):
        set_schedule(dana_account, [(TODAY - timedelta(days=1), Decimal("100.00"))], reason="r", actor=ACTOR)

    assert [(i.due_on, i.amount) for i in ScheduleItem.objects.filter(account=dana_account)] == old
    assert stored(dana_account).status == "current"


def test_place_hold_that_fails_leaves_no_hold(dana):
    with (
        mock.patch.object(actions, "audit", side_effect=RuntimeError("audit log unavailable")),
        pytest.raises(RuntimeError),
    ):
        place_hold(dana, "cease", source="letter", actor=ACTOR)

    assert not Hold.objects.exists()


# Append-only rows


@pytest.fixture
def journal_row(dana_account) -> JournalEntry:
    return charge(dana_account, "100.00")


@pytest.fixture
def audit_row(journal_row) -> AuditLog:
    return AuditLog.objects.get(action="post_charge")


TAMPERING = {JournalEntry: ("amount", Decimal("1.00")), AuditLog: ("summary", "tampered")}


@pytest.mark.parametrize("model", ["journal_row", "audit_row"])
def test_append_only_row_refuses_to_be_changed(request, model):
    row = request.getfixturevalue(model)
    field, value = TAMPERING[type(row)]
    row = type(row).objects.get(pk=row.pk)
    setattr(row, field, value)

    with pytest.raises(AppendOnlyError):
        row.save()

    assert getattr(type(row).objects.get(pk=row.pk), field) != value


@pytest.mark.parametrize("model", ["journal_row", "audit_row"])
def test_append_only_row_refuses_to_be_deleted(request, model):
    row = request.getfixturevalue(model)

    with pytest.raises(AppendOnlyError):
        row.delete()

    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", ["journal_row", "audit_row"])
def test_append_only_rows_refuse_a_queryset_update(request, model):
    row = request.getfixturevalue(model)
    field, value = TAMPERING[type(row)]

    with pytest.raises(AppendOnlyError):
        type(row).objects.filter(pk=row.pk).update(**{field: value})

    assert getattr(type(row).objects.get(pk=row.pk), field) != value


@pytest.mark.parametrize("model", ["journal_row", "audit_row"])
def test_append_only_rows_refuse_a_queryset_delete(request, model):
    row = request.getfixturevalue(model)

    with pytest.raises(AppendOnlyError):
        type(row).objects.filter(pk=row.pk).delete()

    assert type(row).objects.filter(pk=row.pk).exists()


# The balance always equals the journal


_creditor_numbers = itertools.count(1)

entries = st.lists(
    st.tuples(
        st.sampled_from(list(EntryKind)),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2),
        st.booleans(),  # an adjustment's sign
        st.integers(min_value=-60, max_value=60),  # effective date, days from today
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journal=entries, order=st.sampled_from(list(AllocationOrder)))
def test_stored_balance_always_equals_the_journal(db, journal, order):
    # Each example gets its own creditor and account: the examples share one test transaction.
    number = next(_creditor_numbers)
    creditor = create_creditor(f"Property creditor {number}", allocation_order=order, actor=ACTOR)
    customer = make_customer(creditor, f"C{number}", "Prop", "Erty")
    account = make_account(customer, f"A{number}")

    for kind, amount, negative, days in journal:
        if kind is EntryKind.ADJUSTMENT and negative:
            amount = -amount
        post_entry(account, kind, amount, TODAY + timedelta(days=days), source="property", actor=ACTOR)

    account = Account.objects.select_related("creditor").get(pk=account.pk)
    rows = [entry.as_entry() for entry in account.journal.all()]
    assert len(rows) == len(journal)
    assert account.balance == itemisation(account).balance.amount
    assert account.balance == journal_balance(rows)
    expected_status = "resolved" if account.balance <= 0 else "current"
    assert account.status == expected_status


def test_a_dispute_hold_marks_the_account_disputed_in_the_same_action(dana, dana_account):
    charge(dana_account, "100.00")
    hold = actions.place_hold(dana, "dispute", account=dana_account, source="letter", actor="test")

    assert stored(dana_account).status == "disputed"
    row = AuditLog.objects.filter(action="place_hold").get()
    assert row.changes["account_status"] == ["current", "disputed"]

    actions.end_hold(hold, actor="test", at=NOW + timedelta(days=2), reason="verification sent")
    assert stored(dana_account).status == "current"


def test_an_arrangement_paid_in_full_is_resolved_but_a_paid_dispute_is_left_for_a_person(
    dana_account, ellis_account
):
    for account, status in ((dana_account, "in_arrangement"), (ellis_account, "disputed")):
        charge(account, "50.00")
        actions.set_account_status(account, status, reason="test", actor="test")
        pay(account, "50.00")

    assert stored(dana_account).status == "resolved"
    assert stored(ellis_account).status == "disputed"
