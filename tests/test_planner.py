"""The planner, on small literal portfolios: which steps fire today, on which channel, when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from amicable.planner.plan import plan_day
from amicable.planner.snapshot import Snapshot
from amicable.playbooks.load import default_playbooks

TODAY = date(2026, 3, 10)
PLAYBOOKS = default_playbooks()


def account(account_id: int, **facts) -> dict:
    return {
        "account_id": account_id,
        "account_ref": f"ACC-{account_id}",
        "creditor": "northwind",
        "customer_id": facts.pop("customer_id", account_id),
        "balance": Decimal(facts.pop("balance", "120.00")),
        "paid_total": Decimal(facts.pop("paid_total", "0")),
        "status": facts.pop("status", "current"),
        "pinned_playbook": facts.pop("pinned_playbook", None),
        "promise_active": facts.pop("promise_active", False),
        "plan_active": facts.pop("plan_active", False),
        "regulation_f": facts.pop("regulation_f", False),
    }


def customer(customer_id: int, **facts) -> dict:
    return {
        "customer_id": customer_id,
        "kind": facts.get("kind", "person"),
        "language": facts.get("language", "en-US"),
        "timezone": facts.get("timezone", "America/New_York"),
        "country": facts.get("country", "US"),
        "region": facts.get("region", "NY"),
        "channel_order": facts.get("channel_order", []),
    }


def reach(customer_id: int, *channels: str, use: str = "collection") -> list[dict]:
    return [
        {"customer_id": customer_id, "channel": c, "use": use, "contact_point_id": customer_id * 10 + i}
        for i, c in enumerate(channels)
    ]


def due(account_id: int, days_from_today: int, amount: str = "120.00") -> dict:
    return {
        "account_id": account_id,
        "due_on": TODAY + timedelta(days=days_from_today),
        "amount": Decimal(amount),
    }


def snapshot(accounts, customers, schedule, reachable, **more) -> Snapshot:
    creditor_playbooks = more.pop(
        "creditor_playbooks",
        [
            {"creditor": "northwind", "playbook": p}
            for p in ("consumer", "business", "arrangement", "aftercare")
        ],
    )
    return Snapshot.from_rows(
        accounts=accounts,
        customers=customers,
        schedule=schedule,
        reachable=reachable,
        creditor_playbooks=creditor_playbooks,
        **more,
    )


def one_customer(days: int, channels=("email", "sms"), **facts) -> Snapshot:
    return snapshot([account(1, **facts)], [customer(1)], [due(1, days)], reach(1, *channels))


def test_an_account_due_in_seven_days_gets_a_reminder_on_its_first_reachable_channel():
    plan = plan_day(one_customer(7), PLAYBOOKS, TODAY)
    row = plan.candidates.row(0, named=True)
    assert plan.candidates.height == 1
    assert (row["playbook"], row["step_id"], row["channel"], row["template"]) == (
        "consumer",
        "reminder-7",
        "email",
        "reminder_upcoming",
    )
    assert row["key"] == f"1:consumer:reminder-7:{TODAY + timedelta(days=7)}"


@pytest.mark.parametrize("days", [30, 6, 8, -1])
def test_no_step_on_days_the_playbook_does_not_name(days):
    plan = plan_day(one_customer(days), PLAYBOOKS, TODAY)
    assert plan.candidates.height == 0
    assert plan.without_step == 1


def test_a_customer_without_email_consent_gets_no_email():
    plan = plan_day(one_customer(7, channels=("sms",)), PLAYBOOKS, TODAY)
    assert plan.candidates["channel"].to_list() == ["sms"]


def test_the_customers_own_channel_order_comes_first():
    snap = snapshot([account(1)], [customer(1, channel_order=["sms"])], [due(1, 7)], reach(1, "email", "sms"))
    assert plan_day(snap, PLAYBOOKS, TODAY).candidates["channel"].to_list() == ["sms"]


def test_no_reachable_channel_is_a_decision_not_to_contact_with_the_reason():
    plan = plan_day(one_customer(7, channels=("call",)), PLAYBOOKS, TODAY)
    assert plan.candidates.height == 0
    assert plan.skips.select("step_id", "reason").rows() == [("reminder-7", "no usable contact point")]


def test_a_paid_instalment_stops_the_reminder():
    plan = plan_day(one_customer(7, balance="0.00", paid_total="120.00"), PLAYBOOKS, TODAY)
    assert plan.candidates.height == 0
    assert plan.skips["reason"].to_list() == ["stopped: instalment_paid"]


def test_send_times_fall_inside_the_local_window_in_each_customers_zone():
    zones = ["America/Los_Angeles", "Europe/London", "Asia/Tokyo", "America/New_York"]
    accounts = [account(i) for i in range(1, 41)]
    customers = [customer(i, timezone=zones[i % 4]) for i in range(1, 41)]
    schedule = [due(i, 7) for i in range(1, 41)]
    reachable = [r for i in range(1, 41) for r in reach(i, "email")]
    plan = plan_day(snapshot(accounts, customers, schedule, reachable), PLAYBOOKS, TODAY)
    assert plan.candidates.height == 40
    local_times = set()
    for row in plan.candidates.iter_rows(named=True):
        zone = ZoneInfo(customers[row["account_id"] - 1]["timezone"])
        local = row["scheduled_at"].astimezone(zone)
        assert local.date() == TODAY
        assert time(9) <= local.time() < time(18)
        local_times.add(local.time())
    assert len(local_times) > 20  # spread out, not a burst at 09:00


def test_a_call_step_is_scheduled_inside_the_call_window():
    plan = plan_day(one_customer(-14, channels=("call",)), PLAYBOOKS, TODAY)
    row = plan.candidates.row(0, named=True)
    local = row["scheduled_at"].astimezone(ZoneInfo("America/New_York"))
    assert row["channel"] == "call"
    assert time(9) <= local.time() < time(20)


def test_variants_are_weighted_and_the_same_account_always_gets_the_same_one():
    accounts = [account(i) for i in range(1, 401)]
    customers = [customer(i) for i in range(1, 401)]
    schedule = [due(i, 7) for i in range(1, 401)]
    reachable = [r for i in range(1, 401) for r in reach(i, "email")]
    snap = snapshot(accounts, customers, schedule, reachable)
    first = plan_day(snap, PLAYBOOKS, TODAY).candidates.select("account_id", "variant")
    again = plan_day(snap, PLAYBOOKS, TODAY).candidates.select("account_id", "variant")
    assert first.equals(again)
    counts = first["variant"].value_counts().sort("variant").rows()
    assert [name for name, _ in counts] == ["brief", "warm"]
    assert all(150 < n < 250 for _, n in counts)  # 50/50 weights


def test_an_account_with_a_hold_is_marked_for_the_engine():
    snap = snapshot(
        [account(1), account(2, customer_id=1)],
        [customer(1)],
        [due(1, 7), due(2, 7)],
        reach(1, "email"),
        holds=[{"customer_id": 1, "account_id": 2, "kind": "dispute"}],
    )
    rows = plan_day(snap, PLAYBOOKS, TODAY).candidates.sort("account_id")
    assert rows.select("account_id", "held").rows() == [(1, False), (2, True)]
    assert rows["hold_kinds"].to_list() == [[], ["dispute"]]


def test_business_customers_follow_the_business_playbook():
    snap = snapshot([account(1)], [customer(1, kind="business")], [due(1, -1)], reach(1, "email"))
    rows = plan_day(snap, PLAYBOOKS, TODAY).candidates
    assert rows.select("playbook", "step_id", "template").rows() == [("business", "overdue-1", "b2b_overdue")]


def test_events_fire_after_care_and_marketing_needs_its_own_consent():
    snap = snapshot(
        [account(1, status="resolved", balance="0"), account(2, status="resolved", balance="0")],
        [customer(1), customer(2)],
        [],
        reach(1, "email") + reach(2, "email") + reach(2, "email", use="marketing"),
        events=[{"account_id": i, "event": "account_resolved", "on": TODAY} for i in (1, 2)],
    )
    rows = plan_day(snap, PLAYBOOKS, TODAY).candidates.sort("account_id", "step_id")
    assert rows.select("account_id", "step_id").rows() == [
        (1, "thanks-resolved"),
        (2, "newsletter"),
        (2, "thanks-resolved"),
    ]


def test_instalment_reminders_three_days_before_each_instalment_of_a_plan():
    snap = snapshot(
        [account(1, balance="300")],
        [customer(1)],
        [due(1, -27, "100"), due(1, 3, "100"), due(1, 33, "100")],
        reach(1, "sms"),
    )
    rows = plan_day(snap, PLAYBOOKS, TODAY).candidates
    assert ("arrangement", "instalment-in-3") in rows.select("playbook", "step_id").rows()


def test_a_pinned_playbook_replaces_the_creditors_dated_playbook():
    snap = snapshot([account(1, pinned_playbook="business")], [customer(1)], [due(1, -1)], reach(1, "email"))
    rows = plan_day(snap, PLAYBOOKS, TODAY).candidates
    assert rows.select("playbook", "step_id").rows() == [("business", "overdue-1")]


def seven_calls(hour_utc: int = 13) -> list[dict]:
    """One unanswered call a day for the last 7 local days, today included (08:05 in New York)."""
    return [
        {
            "customer_id": 1,
            "account_id": 1,
            "channel": "call",
            "direction": "outbound",
            "outcome": "no_answer",
            "at": datetime.combine(TODAY - timedelta(days=d), time(hour_utc, 5), tzinfo=UTC),
        }
        for d in range(7)
    ]


def test_the_call_frequency_rules_block_an_eighth_call_in_seven_days():
    calls = seven_calls()
    snap = snapshot(
        [account(1, regulation_f=True)], [customer(1)], [due(1, -14)], reach(1, "call"), history=calls
    )
    plan = plan_day(snap, PLAYBOOKS, TODAY)
    assert plan.candidates.height == 0
    assert plan.skips.select("reason", "rule").rows() == [("compliance: block", "US-REGF-CALL-7IN7")]


def test_regulation_f_call_limits_are_for_us_debtors_only():
    """A debt collector's debtor in Britain is under the UK rules, not Regulation F's 7-in-7."""
    london = customer(1, timezone="Europe/London", country="GB", region="ENG")
    snap = snapshot(
        [account(1, regulation_f=True)],
        [london],
        [due(1, -14)],
        reach(1, "call"),
        history=seven_calls(hour_utc=8),
    )
    plan = plan_day(snap, PLAYBOOKS, TODAY)
    assert plan.candidates.select("step_id", "channel", "regulation_f").rows() == [("call-14", "call", False)]


def test_a_snapshot_with_a_wrong_column_type_is_refused_by_name():
    snap = one_customer(7)
    broken = Snapshot(
        **{name: getattr(snap, name) for name in snap.__slots__} | {"accounts": snap.accounts.drop("balance")}
    )
    with pytest.raises(ValueError, match=r"snapshot\.accounts: missing column 'balance'"):
        plan_day(broken, PLAYBOOKS, TODAY)
