"""What happens next on one account if nothing changes: the playbook's later steps on the days the
planner would take them, the next payment, a plan's instalment and when a missed one counts as
missed, a promise and when it counts as broken, and what will not happen.

The playbook's steps are read as the planner reads them (planner/plan.py, docs/playbooks.md): a day
step fires on each due date plus its day; instalment events fire `in_days` before an instalment
(accounts with two or more schedule items) and the day after one left unpaid; promise events
`in_days` before the promised date and on the day the promise is found broken (the day after its
grace). A step is dropped when one of its stop conditions would hold on that day, and every contact
left is put to the compliance engine for its day, as the cycle will: a defer moves it (a UK Sunday),
a block drops it (a dispute, a pause). Nothing is sent because of this module: it only looks ahead.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from amicable.compliance.late_payment import LatePaymentError, fixed_compensation, statutory_interest
from amicable.compliance.validation_period import validation_period_end
from amicable.ledger.money import Money
from amicable.planner.plan import CLOSED
from amicable.playbooks.model import STOP_CONDITIONS

from .limits import holds, limits
from .model import Due, Item, PlannedStep, Situation
from .rules import Rules

# Kinds of item, in the order a day's items are listed: a promise or plan is judged before the day's
# contacts are planned (cycle/run.py), so its deadline comes first.
DAY_ORDER = (
    "validation_period_ends",
    "promise_broken",
    "plan_ends",
    "payment_due",
    "instalment_due",
    "promise_due",
    "late_payment",
    "contact",
)


def _stopped(step: PlannedStep, situation: Situation, on: date, due: Due | None) -> str | None:
    """The first of the step's stop conditions that would hold on `on` if nothing changes: the
    planner's (plan._stop_reason) read for a later day. A promise stays active through its grace
    days; a plan stays active until an instalment is missed (the outlook ends there)."""
    promise = situation.promise
    holding = {
        "instalment_paid": due is not None and due.owing <= 0,
        "account_resolved": situation.status in CLOSED,
        "promise_active": promise is not None and on <= promise.due_on + timedelta(days=promise.grace_days),
        "plan_active": situation.plan is not None,
        "disputed": situation.status == "disputed",
    }
    assert set(holding) == set(STOP_CONDITIONS)
    return next((name for name in step.step.stop_if if holding[name]), None)


def _occurrences(situation: Situation) -> list[tuple[date, PlannedStep, Due | None, str]]:
    """(day, step, the due date it is about, what it is about) for every later firing of every step."""
    found = []
    promise = situation.promise
    instalments = situation.schedule if len(situation.schedule) >= 2 else ()
    for planned in situation.steps:
        step = planned.step
        if step.day is not None:
            found += [(due.on + timedelta(days=step.day), planned, due, "due") for due in situation.schedule]
        elif step.event == "instalment_due":
            found += [
                (due.on - timedelta(days=step.in_days), planned, due, "instalment") for due in instalments
            ]
        elif step.event == "instalment_missed":
            # The planner fires it the day after an instalment that is not paid in full.
            found += [
                (due.on + timedelta(days=1), planned, due, "instalment")
                for due in instalments
                if due.owing > 0
            ]
        elif step.event == "promise_due" and promise is not None:
            found.append((promise.due_on - timedelta(days=step.in_days), planned, None, "promise"))
    return found


def _plan_ends_on(situation: Situation) -> tuple[Due, date] | None:
    """The instalment that would be missed first if nothing more is paid, and the day it counts as
    missed (arrangements/tracking.py: the day after its grace days): the plan ends that day."""
    if situation.plan is None:
        return None
    owing = [due for due in situation.schedule if due.owing > 0]
    if not owing:
        return None
    first = owing[0]
    return first, first.on + timedelta(days=situation.plan.grace_days + 1)


def _contacts(situation: Situation, rules: Rules, until: date) -> list[Item]:
    items = []
    for on, planned, due, about in sorted(_occurrences(situation), key=lambda o: (o[0], o[1].step.id)):
        if not situation.today < on <= until or planned.channel is None:
            continue
        if _stopped(planned, situation, on, due) is not None:
            continue
        goes_on, moved_by = rules.when(planned.channel, on)
        if goes_on is None:
            continue  # blocked on the day (a hold): the holds below say why
        target = _target_day(due, situation, about)
        relative = "before" if on < target else "on" if on == target else "after"
        params = {
            "channel": planned.channel,
            "playbook": planned.playbook,
            "step": planned.step.id,
            "about": about,
            "relative": relative,
            "days": abs((target - on).days),
            "due_on": target,
            "amount": _amount(due, situation, about),
            "moved_from": on if goes_on != on else None,  # a rule moved it (moved_by names the rule)
        }
        items.append(Item("contact", goes_on, params, rule=moved_by[0] if moved_by else None))
    return items[: situation.max_contacts]


def _target_day(due: Due | None, situation: Situation, about: str) -> date:
    """The day a contact is about: the due date, the instalment's, or the promised date."""
    if about == "promise":
        return situation.promise.due_on
    return due.on


def _amount(due: Due | None, situation: Situation, about: str) -> Decimal:
    """What is still owing on that day's due date (all of it, if it is paid: a later step)."""
    if about == "promise":
        return situation.promise.amount
    return due.owing if due.owing > 0 else due.amount


def _payments(situation: Situation, rules: Rules, until: date, disputed: bool) -> list[Item]:
    """The next amount due: a plan's next instalment (and when a missed one counts as missed), the
    account's next due date, and a promise (and when it counts as broken). While a dispute is open
    nothing is asked for, so no amount is shown as due."""
    items = []
    owing = [due for due in situation.schedule if due.owing > 0]
    upcoming = [due for due in owing if due.on >= situation.today]
    if situation.plan is not None:
        ends = _plan_ends_on(situation)
        if upcoming and not disputed:
            due = upcoming[0]
            number = situation.schedule.index(due) + 1
            items.append(
                Item(
                    "instalment_due",
                    due.on,
                    {"amount": due.owing, "number": number, "count": len(situation.schedule)},
                )
            )
        if ends is not None:
            due, on = ends
            items.append(
                Item(
                    "plan_ends",
                    on,
                    {"amount": due.owing, "due_on": due.on, "last_day": on - timedelta(days=1)},
                )
            )
    elif upcoming and upcoming[0].on <= until and not disputed:
        items.append(Item("payment_due", upcoming[0].on, {"amount": upcoming[0].owing}))
    promise = situation.promise
    if promise is not None:
        if promise.due_on >= situation.today:
            items.append(Item("promise_due", promise.due_on, {"amount": promise.amount}))
        last_day = promise.due_on + timedelta(days=promise.grace_days)
        broken_on = last_day + timedelta(days=1)
        # The note that the promise was not kept, if a playbook sends one and the rules let it go.
        note = next(
            (p.channel for p in situation.steps if p.step.event == "promise_broken" and p.channel), None
        )
        if note is not None and rules.when(note, broken_on)[0] is None:
            note = None
        params = {"amount": promise.amount, "last_day": last_day, "channel": note}
        items.append(Item("promise_broken", broken_on, params))
    return items


def _late_payment(situation: Situation, rules: Rules) -> list[Item]:
    """UK business debts in pounds: the fixed compensation and statutory interest the creditor may
    claim once a payment is late (UK-LATE-PAYMENT, compliance/late_payment.py), shown as the
    statement messages show them: apart from the balance, never added to it here."""
    scenario = rules.scenario
    in_uk = any(j == "GB" or j.startswith("GB-") for j in scenario.jurisdictions)
    if not in_uk or scenario.debtor_kind != "company" or situation.currency != "GBP":
        return []
    owing = [due for due in situation.schedule if due.owing > 0]
    if not owing:
        return []
    overdue = [due for due in owing if due.on < situation.today]
    late = overdue or owing[:1]
    amount = Money(sum((due.owing for due in late), Decimal(0)), "GBP")
    since = late[0].on
    try:
        interest = statutory_interest(amount, since, max(situation.today, since + timedelta(days=1)))
        compensation = fixed_compensation(amount)
    except LatePaymentError:
        return []  # the Bank Rate for that date is not in the shipped history: say nothing rather than guess
    return [
        Item(
            "late_payment",
            None if overdue else since + timedelta(days=1),
            {
                "amount": amount.amount,
                "compensation": compensation.amount,
                "rate": interest.annual_rate,
                "daily": interest.daily.amount,
                "so_far": interest.total.amount if overdue else None,
            },
            rule="UK-LATE-PAYMENT",
        )
    ]


def _validation_period(situation: Situation, rules: Rules) -> list[Item]:
    """Regulation F debtors: the last day of the validation period, counted from the first message
    about the debt as conversations/disputes.py counts it."""
    if situation.first_contact_on is None or "US-REGF" not in rules.packs():
        return []
    ends = validation_period_end(situation.first_contact_on)
    if ends < situation.today:
        return []
    return [Item("validation_period_ends", ends, rule="US-REGF-VALIDATION-PERIOD")]


def _thanks(situation: Situation, rules: Rules) -> list[Item]:
    """After-care: a thank-you for each payment (the step's event comes with every payment), unless
    the rules would stop it as they stand (a request to stop, a pause)."""
    for planned in situation.steps:
        if planned.step.event == "payment_received" and planned.channel is not None:
            if rules.when(planned.channel, situation.today + timedelta(days=1))[0] is None:
                return []
            return [Item("thanks", params={"channel": planned.channel})]
    return []


def next_steps(situation: Situation) -> list[Item]:
    """The outlook for one account, in order: holds in force, then dated items by day (contacts,
    payments due, a plan's or promise's deadlines, late-payment figures), then what follows any
    payment, then what will not happen. An account that is closed has nothing ahead."""
    if situation.status in CLOSED:
        return []
    rules = Rules(situation.compliance, situation.debt, situation.today, situation.windows)
    until = situation.today + timedelta(days=situation.horizon_days)
    ends = _plan_ends_on(situation)
    if ends is not None:
        # If nothing is paid, the plan ends on that day and the account returns to its earlier
        # schedule: what the playbooks do from then on depends on it, so the contacts stop there.
        until = min(until, ends[1] - timedelta(days=1))
    held = holds(rules)
    disputed = situation.status == "disputed" or any(item.params["hold"] == "dispute" for item in held)
    dated = (
        _validation_period(situation, rules)
        + _payments(situation, rules, until, disputed)
        + _late_payment(situation, rules)
        + _contacts(situation, rules, until)
    )
    dated.sort(key=lambda item: (item.on or situation.today, DAY_ORDER.index(item.kind)))
    return held + dated + _thanks(situation, rules) + limits(rules, disputed)
