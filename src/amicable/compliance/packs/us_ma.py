"""Massachusetts: 940 CMR 7.04(1)(f), which binds creditors too."""

from __future__ import annotations

from datetime import timedelta

from ..decision import Effect
from ..rule import Rule, days_window, start_of_day
from ..scenario import Scenario

PACK = "US-MA"


def weekly_cap(rule: Rule, scenario: Scenario, limit: int | None, channels: set[str], what: str):
    """Block when `limit` outbound contacts on `channels` about a debt already fall in the last 7 days."""
    if limit is None:
        return None
    first, today = days_window(scenario, 7)
    for debt in scenario.contact.debts:
        initiated = sorted(
            scenario.local_day(e.at)
            for e in scenario.history
            if e.direction == "outbound"
            and e.channel in channels
            and debt in e.debts
            and first <= scenario.local_day(e.at) <= today
            and e.at <= scenario.now
        )
        if len(initiated) >= limit:
            lifts_on = initiated[len(initiated) - limit] + timedelta(days=7)
            return rule.reason(
                Effect.BLOCK,
                f"{len(initiated)} {what} about debt {debt} in 7 days (limit {limit})",
                until=start_of_day(lifts_on, scenario),
            )
    return None


def check_calls(rule: Rule, scenario: Scenario):
    limit = rule.param(scenario, "max_contacts")
    return weekly_cap(
        rule, scenario, limit, {"call", "sms", "voicemail"}, "calls, texts or recorded messages"
    )


RULES = (
    Rule(
        "US-MA-CALLS",
        PACK,
        "940 CMR 7.04(1)(f)",
        "at most 2 calls, texts or recorded messages per 7 days to a residence or mobile, per debt",
        check_calls,
        frozenset({"call", "sms", "voicemail"}),
        frozenset({"collection"}),
        {"max_contacts": 2},
    ),
)
