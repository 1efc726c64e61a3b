"""The outlook ("what happens next"), on small literal accounts: the playbooks' later steps on the days
the planner would take them, payments and their deadlines, and what the rules say will not happen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

from amicable.outlook import Due, PlanFacts, PlannedStep, PromiseFacts, Situation, next_steps
from amicable.planner.plan import assigned_steps
from amicable.planner.snapshot import Snapshot
from amicable.playbooks.load import default_playbooks

TODAY = date(2026, 3, 10)  # a Tuesday
PLAYBOOKS = default_playbooks()
NEW_YORK = {"jurisdictions": ["US", "US-NY"], "timezones": ["America/New_York"]}
US_COLLECTOR = {"debtor": NEW_YORK, "creditor": {"role": "debt_collector"}}
US_CREDITOR = {"debtor": NEW_YORK, "creditor": {"role": "creditor"}}
UK_PERSON = {
    "debtor": {"jurisdictions": ["GB", "GB-ENG"], "timezones": ["Europe/London"]},
    "creditor": {"role": "creditor"},
}


def steps(*books: str, channels: dict[str, str | None] | None = None) -> tuple[PlannedStep, ...]:
    """Every step of the named playbooks on its first channel, or the one given by step id."""
    channels = channels or {}
    return tuple(
        PlannedStep(name, step, channels.get(step.id, step.channels[0]))
        for name in books
        for step in PLAYBOOKS[name].steps
    )


def due(days_from_today: int, amount: str = "120.00", owing: str | None = None) -> Due:
    return Due(TODAY + timedelta(days=days_from_today), Decimal(amount), Decimal(owing or amount))


def situation(schedule=None, books=("consumer", "arrangement", "aftercare"), **facts) -> Situation:
    return Situation(
        today=facts.pop("today", TODAY),
        debt="7",
        currency=facts.pop("currency", "USD"),
        status=facts.pop("status", "current"),
        schedule=tuple(schedule or [due(10)]),
        steps=facts.pop("steps", None) or steps(*books),
        compliance=facts.pop("compliance", US_COLLECTOR),
        **facts,
    )


def contacts(items) -> list[tuple[date, str, str]]:
    return [(i.on, i.params["step"], i.params["channel"]) for i in items if i.kind == "contact"]


def kinds(items, happens=True) -> list[str]:
    return [i.kind for i in items if i.happens is happens]


def on(days: int) -> date:
    return TODAY + timedelta(days=days)


# ------------------------------------------------------------------------------- the playbook's steps


def test_the_next_reminder_comes_a_week_before_the_due_date_on_the_steps_first_channel():
    items = next_steps(situation())
    first = items[0]
    assert (first.kind, first.on) == ("contact", on(3))
    assert first.params["channel"] == "email" and first.params["relative"] == "before"
    assert (first.params["days"], first.params["due_on"], first.params["amount"]) == (
        7,
        on(10),
        Decimal("120.00"),
    )
    assert contacts(items)[:3] == [
        (on(3), "reminder-7", "email"),
        (on(10), "due-today", "sms"),
        (on(13), "follow-up-3", "email"),
    ]


def test_after_the_due_date_only_the_follow_ups_are_ahead_in_order():
    items = next_steps(situation(schedule=[due(-2)]))
    assert contacts(items) == [
        (on(1), "follow-up-3", "email"),
        (on(8), "follow-up-10", "email"),
        (on(12), "call-14", "call"),
        (on(19), "letter-21", "letter"),
        (on(28), "follow-up-30", "email"),
    ]
    assert all(i.params["relative"] == "after" for i in items if i.kind == "contact")
    assert "payment_due" not in kinds(items)  # it is already overdue: the page says so above


def test_a_step_with_no_way_to_reach_the_customer_is_left_out():
    planned = steps("consumer", channels={"call-14": None, "letter-21": None})
    assert [s for _, s, _ in contacts(next_steps(situation(schedule=[due(-2)], steps=planned)))] == [
        "follow-up-3",
        "follow-up-10",
        "follow-up-30",
    ]


def test_a_paid_instalment_has_no_steps_but_the_next_one_does():
    schedule = [due(-20, owing="0"), due(10, owing="120.00")]
    items = next_steps(situation(schedule=schedule, books=("consumer",)))
    assert {i.params["due_on"] for i in items if i.kind == "contact"} == {on(10)}


def test_closed_accounts_have_nothing_ahead():
    assert next_steps(situation(status="resolved")) == []


def test_contacts_are_capped_and_kept_within_the_horizon():
    items = next_steps(situation(schedule=[due(10)], max_contacts=3))
    assert len(contacts(items)) == 3
    items = next_steps(situation(schedule=[due(10)], horizon_days=12))
    assert [d for d, _, _ in contacts(items)] == [on(3), on(10)]


# ------------------------------------------------------------------------------- plans and promises


def test_a_plans_next_instalment_its_reminder_and_the_day_a_missed_one_counts_as_missed():
    schedule = [due(-25, "50.00", owing="0"), due(5, "50.00"), due(35, "50.00")]
    items = next_steps(situation(schedule=schedule, status="in_arrangement", plan=PlanFacts(grace_days=7)))
    dated = [(i.kind, i.on) for i in items if i.on is not None]
    assert dated == [
        ("contact", on(2)),  # the arrangement's reminder, 3 days before
        ("instalment_due", on(5)),
        ("contact", on(6)),  # the day after, if nothing reached us
        ("plan_ends", on(13)),  # after 7 days' grace the plan is broken
    ]
    instalment = next(i for i in items if i.kind == "instalment_due")
    assert instalment.params == {"amount": Decimal("50.00"), "number": 2, "count": 3}
    ends = next(i for i in items if i.kind == "plan_ends")
    assert ends.params["last_day"] == on(12) and ends.params["due_on"] == on(5)
    reminder = items[0]
    assert reminder.params["about"] == "instalment" and reminder.params["channel"] == "sms"
    # The consumer playbook is quiet while the plan runs; nothing is forecast past the plan's end.
    assert {i.params["playbook"] for i in items if i.kind == "contact"} == {"arrangement"}


def test_a_business_playbook_still_follows_a_plans_instalments():
    schedule = [due(5, "50.00"), due(35, "50.00")]
    items = next_steps(
        situation(
            schedule=schedule, books=("business",), status="in_arrangement", plan=PlanFacts(grace_days=7)
        )
    )
    assert ("due-today", on(5)) in [(i.params["step"], i.on) for i in items if i.kind == "contact"]


def test_a_promise_quiets_the_playbook_until_it_is_broken_then_the_follow_ups_resume():
    promise = PromiseFacts(Decimal("120.00"), on(4), grace_days=3)
    items = next_steps(situation(schedule=[due(-2)], promise=promise))
    dated = [(i.kind, i.on, i.params.get("step")) for i in items if i.on is not None]
    assert dated[:3] == [
        ("contact", on(1), "promise-in-3"),
        ("promise_due", on(4), None),
        ("promise_broken", on(8), None),
    ]
    broken = next(i for i in items if i.kind == "promise_broken")
    assert broken.params == {"amount": Decimal("120.00"), "last_day": on(7), "channel": "email"}
    # follow-up-3 (day 1) is stopped by the promise; follow-up-10 (day 8) comes once it is broken.
    assert [s for _, s, _ in contacts(items)] == [
        "promise-in-3",
        "follow-up-10",
        "call-14",
        "letter-21",
        "follow-up-30",
    ]


# ------------------------------------------------------------------------------- holds and the rules


def test_a_dispute_stops_every_reminder_and_payment_and_says_which_rule():
    compliance = {**US_COLLECTOR, "holds": [{"kind": "dispute", "debts": ["7"], "since": "2026-03-01"}]}
    items = next_steps(situation(status="disputed", compliance=compliance))
    assert items[0].kind == "hold" and items[0].params["hold"] == "dispute"
    assert items[0].rule == "US-REGF-DISPUTE" and items[0].happens is False
    assert contacts(items) == []
    assert "payment_due" not in kinds(items) and "dispute_stops" not in kinds(items, happens=False)


def test_an_original_creditors_dispute_hold_is_amicables_own_rule():
    compliance = {**US_CREDITOR, "holds": [{"kind": "dispute", "debts": None, "since": "2026-03-01"}]}
    items = next_steps(situation(compliance=compliance))
    assert items[0].rule == "GEN-HOLD-DISPUTE" and contacts(items) == []


def test_a_pause_blocks_the_steps_inside_it_and_names_the_day_it_lifts():
    compliance = {**US_CREDITOR, "holds": [{"kind": "paused", "since": "2026-03-09", "until": "2026-03-24"}]}
    items = next_steps(situation(schedule=[due(10)], compliance=compliance))
    hold = items[0]
    assert (hold.kind, hold.rule, hold.params["until"], hold.params["resumes"]) == (
        "hold",
        "GEN-HOLD-PAUSED",
        on(14),
        on(15),
    )
    assert [s for _, s, _ in contacts(items)][:2] == ["follow-up-10", "call-14"]  # day 20 and day 24


def test_a_hold_on_another_account_changes_nothing_here():
    compliance = {**US_CREDITOR, "holds": [{"kind": "dispute", "debts": ["8"], "since": "2026-03-01"}]}
    assert contacts(next_steps(situation(compliance=compliance))) == contacts(next_steps(situation()))


def test_a_uk_bank_holiday_moves_a_contact_to_the_next_day_and_names_the_rule():
    # 3 April 2026 is Good Friday; a letter has no hours, a call does.
    items = next_steps(situation(schedule=[due(10)], compliance=UK_PERSON, currency="GBP"))
    call = next(i for i in items if i.kind == "contact" and i.params["channel"] == "call")
    assert call.on == date(2026, 4, 4) and call.params["moved_from"] == date(2026, 4, 3)
    assert call.rule == "UK-CONC-CONTACT"


def test_a_call_is_not_forecast_inside_the_week_after_a_conversation():
    talked = {"at": "2026-03-09T15:00:00-04:00", "channel": "call", "debts": ["7"], "outcome": "conversation"}
    compliance = {**US_COLLECTOR, "history": [talked]}
    planned = steps("consumer")
    # Due 13 days ago: the call task (day 14) would be tomorrow, within the 7 days after the call.
    items = next_steps(situation(schedule=[due(-13)], steps=planned, compliance=compliance))
    assert "call-14" not in [s for _, s, _ in contacts(items)]
    items = next_steps(situation(schedule=[due(-13)], steps=planned))
    assert "call-14" in [s for _, s, _ in contacts(items)]


def test_what_will_not_happen_depends_on_the_jurisdiction_and_the_creditor():
    def limits(compliance):
        return {i.kind: i for i in next_steps(situation(compliance=compliance)) if not i.happens}

    collector = limits(US_COLLECTOR)
    assert collector["hours"].rule == "US-REGF-TIME"
    assert collector["hours"].params == {"start": time(8), "end": time(21)}
    assert collector["call_cap"].params == {"calls": 7, "days": 7}
    for kind, rule in (
        ("after_conversation", "US-REGF-CALL-AFTER-CONVERSATION"),
        ("dispute_stops", "US-REGF-DISPUTE"),
        ("opt_out", "US-REGF-MEDIUM-OPTOUT"),
        ("voicemail", "US-REGF-LCM"),
        ("envelope", "US-REGF-ENVELOPE"),
    ):
        assert collector[kind].rule == rule
    assert "rest_days" not in collector and "no_pressure" not in collector

    creditor = limits(US_CREDITOR)  # an original creditor: Regulation F does not bind it
    assert (
        creditor["hours"].rule == "GEN-QUIET-HOURS" and creditor["dispute_stops"].rule == "GEN-HOLD-DISPUTE"
    )
    assert not {"call_cap", "after_conversation", "voicemail", "envelope"} & set(creditor)

    uk = limits(UK_PERSON)
    assert uk["hours"].rule == uk["rest_days"].rule == "UK-CONC-CONTACT"
    assert uk["no_pressure"].rule == "UK-CONC-NO-PRESSURE" and "call_cap" not in uk

    massachusetts = limits(
        {"debtor": {**NEW_YORK, "jurisdictions": ["US", "US-MA"]}, "creditor": {"role": "creditor"}}
    )
    assert (
        massachusetts["state_cap"].params == {"contacts": 2}
        and massachusetts["state_cap"].rule == "US-MA-CALLS"
    )

    # Every debtor is told no interest or fees are added automatically: amicable posts none itself.
    assert all("no_charges" in found for found in (collector, creditor, uk, massachusetts))


def test_the_limits_show_the_creditors_stricter_settings_and_the_customers_own_times():
    compliance = {
        "debtor": {**NEW_YORK, "inconvenient_times": [{"from": "12:00", "to": "14:00"}]},
        "creditor": {
            "role": "debt_collector",
            "settings": {"US-REGF-CALL-7IN7": {"max_calls": 3}, "GEN-QUIET-HOURS": {"start": "09:00"}},
        },
    }
    found = {i.kind: i for i in next_steps(situation(compliance=compliance)) if not i.happens}
    assert found["call_cap"].params["calls"] == 3
    assert found["hours"].params == {"start": time(9), "end": time(21)}
    assert found["inconvenient"].params == {"start": time(12), "end": time(14)}


def test_the_validation_period_ends_on_its_day_for_regulation_f_debtors_only():
    sent = date(2026, 3, 2)  # a Monday: received the next Monday, 9 March; the period ends 8 April
    items = next_steps(situation(first_contact_on=sent))
    ends = next(i for i in items if i.kind == "validation_period_ends")
    assert (ends.on, ends.rule) == (date(2026, 4, 8), "US-REGF-VALIDATION-PERIOD")
    assert "validation_period_ends" not in kinds(
        next_steps(situation(first_contact_on=sent, compliance=US_CREDITOR))
    )


def test_a_uk_business_debt_shows_the_late_payment_figures_apart_from_the_balance():
    today = date(2025, 6, 10)  # inside the shipped Bank Rate history
    business = {
        "debtor": {"jurisdictions": ["GB"], "timezones": ["Europe/London"], "kind": "company"},
        "creditor": {"role": "creditor"},
    }
    overdue = Due(date(2025, 5, 1), Decimal("5000.00"), Decimal("5000.00"))
    base = situation(
        today=today, schedule=[overdue], books=("business",), compliance=business, currency="GBP"
    )
    late = next(i for i in next_steps(base) if i.kind == "late_payment")
    assert late.on is None and late.rule == "UK-LATE-PAYMENT"
    # 8% over the 4.75% Bank Rate on 31 December 2024; GBP 5,000 earns GBP 70 (RULES.md example 7).
    assert late.params["compensation"] == Decimal("70") and late.params["rate"] == Decimal("12.75")
    assert (late.params["daily"], late.params["so_far"]) == (Decimal("1.75"), Decimal("69.86"))  # 40 days
    upcoming = Due(date(2025, 6, 20), Decimal("850.00"), Decimal("850.00"))
    late = next(i for i in next_steps(replace(base, schedule=(upcoming,))) if i.kind == "late_payment")
    assert late.on == date(2025, 6, 21) and late.params["compensation"] == Decimal("40")
    assert late.params["so_far"] is None
    person = {**business, "debtor": {**business["debtor"], "kind": "individual"}}
    assert "late_payment" not in kinds(next_steps(replace(base, compliance=person)))


def test_after_care_says_a_thank_you_follows_each_payment():
    thanks = [i for i in next_steps(situation()) if i.kind == "thanks"]
    assert thanks[0].params == {"channel": "email"} and thanks[0].on is None


# ------------------------------------------------------------------------------- the planner's part


def test_the_planner_says_which_steps_cover_an_account_and_on_which_channel():
    snapshot = Snapshot.from_rows(
        accounts=[
            {
                "account_id": 1,
                "account_ref": "A-1",
                "creditor": "northwind",
                "customer_id": 1,
                "balance": Decimal("120"),
                "paid_total": Decimal("0"),
                "status": "current",
                "pinned_playbook": None,
                "promise_active": False,
                "plan_active": False,
                "regulation_f": False,
            }
        ],
        customers=[
            {
                "customer_id": 1,
                "kind": "person",
                "language": "en",
                "timezone": "America/New_York",
                "country": "US",
                "region": "NY",
                "channel_order": ["sms"],
            }
        ],
        schedule=[{"account_id": 1, "due_on": on(10), "amount": Decimal("120")}],
        reachable=[
            {"customer_id": 1, "channel": "email", "use": "collection", "contact_point_id": 10},
            {"customer_id": 1, "channel": "sms", "use": "collection", "contact_point_id": 11},
        ],
        creditor_playbooks=[
            {"creditor": "northwind", "playbook": p} for p in ("consumer", "business", "aftercare")
        ],
    )
    rows = {
        (r["playbook"], r["step_id"]): r["channel"]
        for r in assigned_steps(snapshot, PLAYBOOKS, TODAY).to_dicts()
    }
    assert not any(book == "business" for book, _ in rows)  # a person: not in the business segment
    assert not any(book == "arrangement" for book, _ in rows)  # not one of this creditor's playbooks
    assert rows[("consumer", "reminder-7")] == "sms"  # the customer's own order first
    assert rows[("consumer", "letter-21")] is None  # no postal address
    assert rows[("aftercare", "newsletter")] is None  # no marketing consent
