"""Agreeing a plan and following it: instalments paid, late or missed, a plan broken after the grace
period (the playbook resumes), a settlement completed, promises kept or broken."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from amicable.arrangements.plans import accept_plan, review_commitments
from amicable.arrangements.tracking import plan_state, promise_state
from amicable.ledger.actions import ActionError, place_hold, record_payment
from amicable.ledger.models import Account, Arrangement, AuditLog, PlanInstalment, Promise
from test_plan_command import DAY, import_portfolio

D = Decimal
SCHEDULE = [(date(2026, 1, 10), D("50")), (date(2026, 2, 10), D("50")), (date(2026, 3, 10), D("20.50"))]


def test_instalments_are_paid_on_time_late_or_missed_after_the_grace_period():
    payments = [(date(2026, 1, 9), D("50")), (date(2026, 2, 14), D("50"))]
    state = plan_state(
        SCHEDULE, payments, accepted_on=date(2026, 1, 1), today=date(2026, 3, 12), grace_days=7
    )
    assert [i.status for i in state.instalments] == ["paid", "late", "overdue"]
    assert state.status == "active"
    state = plan_state(
        SCHEDULE, payments, accepted_on=date(2026, 1, 1), today=date(2026, 3, 18), grace_days=7
    )
    assert [i.status for i in state.instalments] == ["paid", "late", "missed"]
    assert state.status == "broken" and state.first_missed.number == 3


def test_a_plan_is_completed_when_its_total_is_paid_and_payments_before_it_do_not_count():
    payments = [(date(2025, 12, 20), D("500")), (date(2026, 1, 5), D("120.50"))]
    state = plan_state(SCHEDULE, payments, accepted_on=date(2026, 1, 1), today=date(2026, 1, 6), grace_days=7)
    assert state.status == "completed" and state.paid == D("120.50")
    assert [i.paid for i in state.instalments] == [D("50"), D("50"), D("20.50")]


def test_part_payments_fill_the_oldest_instalment_first():
    state = plan_state(
        SCHEDULE,
        [(date(2026, 1, 10), D("70"))],
        accepted_on=date(2026, 1, 1),
        today=date(2026, 1, 11),
        grace_days=3,
    )
    assert [(i.status, i.paid) for i in state.instalments] == [
        ("paid", D("50")),
        ("upcoming", D("20")),
        ("upcoming", D("0")),
    ]


def test_a_promise_is_kept_once_paid_and_broken_only_after_the_grace_period():
    made, due = date(2026, 1, 5), date(2026, 1, 9)
    assert promise_state(
        D("50"), due, [(date(2026, 1, 7), D("50"))], made_on=made, today=date(2026, 1, 7), grace_days=3
    ) == ("kept", date(2026, 1, 7))
    assert promise_state(
        D("50"), due, [(date(2026, 1, 4), D("50"))], made_on=made, today=date(2026, 1, 12), grace_days=3
    ) == ("open", None)  # paid before it was made: not this promise
    assert promise_state(D("50"), due, [], made_on=made, today=date(2026, 1, 13), grace_days=3) == (
        "broken",
        date(2026, 1, 13),
    )


@pytest.fixture(autouse=True)
def on_the_day():
    """Plans are agreed on DAY (a plan cannot start in the past); the clock runs on from noon there."""
    with time_machine.travel(datetime(2026, 3, 10, 16, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def a7(db, cli, northwind, tmp_path) -> Account:
    return import_portfolio(cli, tmp_path)["A-7"]  # 120.50 USD, due DAY + 7


def pay(account: Account, amount: str, on: date, ref: str) -> None:
    record_payment(account, D(amount), on, currency="USD", payment_ref=ref, source="test", actor="test")


def test_accepting_a_plan_writes_its_schedule_and_moves_the_account_to_in_arrangement(cli, a7):
    result = cli(
        "plans", "accept", "A-7", "monthly", "--instalment", "50", "--date", DAY.isoformat(), "--json"
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert (plan["status"], plan["payments"], plan["total"]) == ("active", 3, "120.50")
    first = DAY + timedelta(days=7)
    assert [(i["due_on"], i["amount"]) for i in plan["instalments"]] == [
        (first.isoformat(), "50.00"),
        (first.replace(month=4).isoformat(), "50.00"),
        (first.replace(month=5).isoformat(), "20.50"),
    ]
    a7.refresh_from_db()
    assert a7.status == "in_arrangement"
    assert [(s.due_on, s.amount) for s in a7.schedule.all()] == [
        (date.fromisoformat(i["due_on"]), D(i["amount"])) for i in plan["instalments"]
    ]
    actions = list(AuditLog.objects.filter(account=a7).values_list("action", flat=True))
    assert {"accept_plan", "set_schedule", "set_account_status"} <= set(actions)
    arrangement = Arrangement.objects.get()
    assert arrangement.previous_schedule == [[(DAY + timedelta(days=7)).isoformat(), "120.5000"]]


def test_an_instalment_below_the_creditors_terms_is_refused_and_nothing_is_written(cli, a7):
    audit_rows, status = AuditLog.objects.count(), a7.status
    result = cli("plans", "accept", "A-7", "monthly", "--instalment", "2", "--date", DAY.isoformat())
    assert result.exit_code == 1
    assert "instalment: 2.00 USD a month is below the least the creditor's terms allow, 5" in result.output
    a7.refresh_from_db()
    assert a7.status == status and Arrangement.objects.count() == 0
    assert AuditLog.objects.count() == audit_rows
    result = cli("plans", "accept", "A-7", "settlement", "--date", DAY.isoformat())
    assert result.exit_code == 1 and "kind: 'settlement' is not offered on A-7" in result.output


def test_a_missed_instalment_breaks_the_plan_after_the_grace_period_and_the_playbook_resumes(a7):
    from amicable.cycle.snapshot_db import build_snapshot

    accept_plan(a7, "monthly", instalment=D("50"), today=DAY, channel="call", source="test", actor="test")
    first_due = DAY + timedelta(days=7)
    pay(a7, "50", first_due, "P-1")
    assert review_commitments(first_due) == {"instalments_paid": 1}
    second_due = first_due.replace(month=4)
    assert review_commitments(second_due + timedelta(days=7)) == {}  # inside the grace period
    assert PlanInstalment.objects.get(number=2).status == "overdue"
    assert review_commitments(second_due + timedelta(days=8)) == {"instalments_missed": 1, "plans_broken": 1}
    a7.refresh_from_db()
    plan = Arrangement.objects.get()
    assert (plan.status, a7.status) == ("broken", "overdue")
    broke = AuditLog.objects.get(action="break_arrangement")
    assert "instalment 2 (USD 50.00 due 2026-04-17) was missed" in broke.summary
    flags = (
        build_snapshot(second_due + timedelta(days=8)).accounts.filter(account_id=a7.pk).row(0, named=True)
    )
    assert flags["plan_active"] is False  # the usual playbook takes the account up again
    # ... from the due date the account had before the plan: the plan's reminders stop.
    assert list(a7.schedule.values_list("due_on", flat=True)) == [DAY + timedelta(days=7)]
    assert review_commitments(second_due + timedelta(days=9)) == {}  # a broken plan is not judged again


def test_an_instalment_paid_late_but_inside_the_grace_period_keeps_the_plan(a7):
    accept_plan(a7, "monthly", instalment=D("50"), today=DAY, channel="call", source="test", actor="test")
    first_due = DAY + timedelta(days=7)
    pay(a7, "50", first_due + timedelta(days=3), "P-1")
    assert review_commitments(first_due + timedelta(days=3)) == {"instalments_late": 1}
    pay(a7, "70.50", first_due + timedelta(days=10), "P-2")
    assert review_commitments(first_due + timedelta(days=10)) == {"instalments_paid": 2, "plans_completed": 1}
    a7.refresh_from_db()
    assert a7.status == "resolved" and a7.balance == 0


def test_a_settlement_paid_in_full_writes_off_the_rest(a7, northwind):
    northwind.arrangement_terms = {"settlement_max_discount": "0.2"}
    northwind.save()
    plan = accept_plan(a7, "settlement", today=DAY, channel="portal", source="test", actor="test")
    assert plan.total == D("96.40")  # 20% off 120.50, rounded up to the cent
    pay(a7, "96.40", DAY + timedelta(days=2), "P-1")
    assert review_commitments(DAY + timedelta(days=2)) == {"instalments_paid": 1, "plans_completed": 1}
    a7.refresh_from_db()
    assert (a7.status, a7.balance) == ("resolved", 0)
    assert a7.journal.filter(kind="write_off", amount=D("24.10")).exists()


def test_a_new_plan_replaces_the_running_one_and_a_disputed_account_gets_none(a7):
    accept_plan(a7, "monthly", today=DAY, channel="call", source="test", actor="test")
    accept_plan(a7, "weekly", instalment=D("30"), today=DAY, channel="call", source="test", actor="test")
    assert sorted(Arrangement.objects.values_list("kind", "status")) == [
        ("monthly", "replaced"),
        ("weekly", "active"),
    ]
    # The schedule before any plan is kept through the replacement.
    assert Arrangement.objects.get(status="active").previous_schedule == [
        [(DAY + timedelta(days=7)).isoformat(), "120.5000"]
    ]
    place_hold(a7.customer, "dispute", source="test", actor="test", account=a7)
    with pytest.raises(ActionError, match="A-7 is disputed"):
        accept_plan(a7, "monthly", today=DAY, channel="call", source="test", actor="test")


def test_promises_are_kept_by_payments_and_broken_after_the_grace_period(a7):
    from django.utils import timezone

    from amicable.cycle.snapshot_db import build_snapshot

    made = timezone.now().replace(year=2026, month=3, day=10)
    kept = Promise.objects.create(
        account=a7,
        amount=D("50"),
        currency="USD",
        due_on=DAY + timedelta(days=3),
        channel="sms",
        source="t",
        made_at=made,
    )
    broken = Promise.objects.create(
        account=a7,
        amount=D("200"),
        currency="USD",
        due_on=DAY + timedelta(days=4),
        channel="sms",
        source="t",
        made_at=made,
    )
    pay(a7, "60", DAY + timedelta(days=2), "P-1")
    assert review_commitments(DAY + timedelta(days=2)) == {"promises_kept": 1}
    assert review_commitments(DAY + timedelta(days=7)) == {}  # the last day of the 3-day grace period
    day = DAY + timedelta(days=8)
    assert review_commitments(day) == {"promises_broken": 1}
    kept.refresh_from_db(), broken.refresh_from_db()
    assert (kept.status, broken.status, broken.settled_on) == ("kept", "broken", day)
    events = build_snapshot(day).events.filter(event="promise_broken")
    assert events["account_id"].to_list() == [a7.pk]
    assert AuditLog.objects.filter(action="break_promise", account=a7).count() == 1


def test_a_payment_made_before_the_plan_was_agreed_does_not_count_towards_it(a7, northwind):
    northwind.arrangement_terms = {"settlement_max_discount": "0.2"}
    northwind.save()
    pay(a7, "50", DAY, "P-0")  # this morning: the settlement is worked out on the 70.50 left
    plan = accept_plan(a7, "settlement", channel="portal", source="test", actor="test")
    assert plan.total == D("56.40")
    pay(a7, "6.40", DAY, "P-1")
    assert review_commitments(DAY) == {}  # 6.40 of 56.40 paid: not settled
    pay(a7, "50", DAY + timedelta(days=1), "P-2")
    assert review_commitments(DAY + timedelta(days=1)) == {"instalments_paid": 1, "plans_completed": 1}
    a7.refresh_from_db()
    assert a7.journal.get(kind="write_off").amount == D("14.10")  # 70.50 less 56.40, no more
    assert (a7.status, a7.balance) == ("resolved", 0)


def test_a_plan_cannot_start_in_the_past(a7):
    with pytest.raises(ActionError) as refused:
        accept_plan(a7, "monthly", today=DAY - timedelta(days=1), channel="api", source="t", actor="t")
    assert refused.value.field == "date"
