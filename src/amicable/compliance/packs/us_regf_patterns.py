"""United States: Regulation F duties that follow from the pattern of contact over time."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from ..decision import Effect
from ..rule import Rule, days_window
from ..scenario import Scenario
from .common import communicated

PACK = "US-REGF"
VALIDATION_DAYS = 5


def check_validation_notice(rule: Rule, scenario: Scenario):
    """The validation notice goes with the first communication or within 5 days of it (1006.34(a)).

    Only judged when the scenario lists its notices: a scenario that says nothing about them is not
    taken to have sent none.
    """
    if not scenario.notices_known or any(n.kind == "validation" for n in scenario.notices):
        return None
    earlier = [
        e.at
        for e in scenario.history
        if communicated(e) and e.at < scenario.now and set(e.debts) & set(scenario.contact.debts)
    ]
    if not earlier:
        return rule.reason(
            Effect.FLAG,
            "this is the first communication: the validation notice must go with it or within 5 days",
        )
    first_day = scenario.local_day(min(earlier))
    due = first_day + timedelta(days=VALIDATION_DAYS)
    if scenario.local_day(scenario.now) > due:
        return rule.reason(
            Effect.BLOCK,
            f"the validation notice was due by {due:%d %b %Y} (first communication {first_day:%d %b}); "
            "send it before any other collection contact",
        )
    return None


def check_harassment(rule: Rule, scenario: Scenario):
    """Flag a run of unanswered messages: several a day for several days with no reply (1006.14(a))."""
    days = rule.param(scenario, "days")
    per_day = rule.param(scenario, "per_day")
    first, today = days_window(scenario, days)
    sent = Counter(
        scenario.local_day(e.at)
        for e in scenario.history
        if e.direction == "outbound"
        and e.channel in {"sms", "email"}
        and e.at <= scenario.now
        and first <= scenario.local_day(e.at) <= today
    )
    replied = any(
        e.direction == "inbound" and first <= scenario.local_day(e.at) <= today and e.at <= scenario.now
        for e in scenario.history
    )
    busy_days = sum(1 for count in sent.values() if count >= per_day)
    if busy_days >= days and not replied:
        return rule.reason(
            Effect.FLAG,
            f"{per_day} or more messages a day for {days} days with no reply: a person should decide "
            "whether another one would be harassment",
        )
    return None


RULES = (
    Rule(
        "US-REGF-VALIDATION",
        PACK,
        "12 CFR 1006.34(a)",
        "send a validation notice with the first communication or within 5 days after it",
        check_validation_notice,
        purposes=frozenset({"collection"}),
    ),
    Rule(
        "US-REGF-HARASSMENT",
        PACK,
        "12 CFR 1006.14(a)",
        "repeated unanswered texts and emails can be harassment; flag the pattern",
        check_harassment,
        frozenset({"sms", "email"}),
        frozenset({"collection"}),
        {"days": 3, "per_day": 3},
    ),
)
