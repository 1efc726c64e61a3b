"""United Kingdom: Breathing Space (SI 2020/1311)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from ..decision import Effect
from ..rule import Rule
from ..scenario import ACTS, Scenario
from .common import active_holds, asks_for_payment, hold_lifts_at, outside_hours

PACK = "UK"


_PERMITTED = {
    "reply_to_debtor": "a reply to the debtor",
    "adviser_contact": "contact with their debt adviser",
    "required_by_law": "contact the law requires",
    "validation_notice": "a notice the law requires",
    "opt_out_confirmation": "an opt-out confirmation",
}


def check_breathing_space(rule: Rule, scenario: Scenario):
    """Replies to the debtor, contact with their adviser and notices the law requires are allowed,
    but none of them may ask for payment (reg. 7)."""
    exempt = scenario.contact.purpose not in {"collection", *ACTS} and not asks_for_payment(scenario)
    for hold in active_holds(scenario, {"breathing_space", "mental_health_crisis"}):
        until = hold_lifts_at(hold, scenario)
        if exempt:
            return rule.reason(
                Effect.ALLOW,
                f"the debtor is in a breathing space; {_PERMITTED[scenario.contact.purpose]} is allowed "
                "as long as it asks for no payment",
            )
        if scenario.contact.purpose in ACTS:
            return rule.reason(
                Effect.BLOCK,
                "the debtor is in a breathing space: no enforcement action, court claim or report",
                until=until,
            )
        return rule.reason(
            Effect.BLOCK,
            "the debtor is in a breathing space: no contact asking for payment (replies to the debtor, "
            "contact with their adviser and contact the law requires are allowed)",
            until=until,
        )
    return None


# ISO 3166-2:GB nations to the holidays library's subdivisions (bank holidays differ by nation).
_NATIONS = {"GB-ENG": "ENG", "GB-SCT": "SCT", "GB-WLS": "WLS", "GB-NIR": "NIR"}


@cache
def _bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def _rest_day(scenario: Scenario, day: date) -> str | None:
    if day.weekday() == 6:
        return "Sunday"
    nation = next((_NATIONS[j] for j in scenario.jurisdictions if j in _NATIONS), "ENG")
    if day in _bank_holidays(nation, day.year):
        return "a bank holiday"
    return None


def check_reasonable_times(rule: Rule, scenario: Scenario):
    """Quiet hours as for everyone, and no contact on Sundays or bank holidays unless the customer
    asked for it (a reply to the debtor is allowed)."""
    hours = outside_hours(rule, scenario)
    if hours is not None:
        return hours
    if scenario.contact.purpose == "reply_to_debtor":
        return None
    today = scenario.local_day(scenario.now)
    rest = _rest_day(scenario, today)
    if rest is None:
        return None
    start = time.fromisoformat(rule.parameters["start"])
    tomorrow = datetime.combine(today + timedelta(days=1), start, tzinfo=scenario.home_zone)
    return rule.reason(Effect.DEFER, f"no contact on {rest} unless the customer asked", until=tomorrow)


_PRESSURE = re.compile(
    r"\b(?:pay\s+(?:the\s+)?(?:full\s+(?:amount|balance)|in\s+full)\s+(?:today|now|immediately))"
    r"|\bborrow\b|\b(?:loan|credit\s+card)\s+to\s+pay\b|\bsell\s+(?:your|the)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(r"moneyhelper|stepchange|national\s+debtline|citizens\s+advice", re.IGNORECASE)


def check_no_pressure(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    found = _PRESSURE.search(content) if content else None
    if found is None:
        return None
    return rule.reason(
        Effect.BLOCK, f"no pressure to pay at once, to borrow or to sell property ({found.group(0)!r})"
    )


def check_advice(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    if content is None or _ADVICE.search(content):
        return None
    return rule.reason(
        Effect.FLAG,
        "a letter about arrears should signpost free debt advice (MoneyHelper, StepChange, "
        "National Debtline, Citizens Advice)",
    )


RULES = (
    Rule(
        "UK-CONC-NO-PRESSURE",
        PACK,
        "FCA CONC 7.3.10R",
        "no pressure to pay in one go, in an unreasonably short time, or by borrowing or selling property",
        check_no_pressure,
        frozenset({"sms", "email", "letter", "voicemail"}),
        frozenset({"collection"}),
    ),
    Rule(
        "UK-CONC-ADVICE",
        PACK,
        "FCA CONC 7.3 [rule number unverified]",
        "signpost free debt advice",
        check_advice,
        frozenset({"letter"}),
        frozenset({"collection"}),
    ),
    Rule(
        "UK-CONC-CONTACT",
        PACK,
        "FCA CONC 7.9",
        "no contact at unreasonable times: 08:00-21:00 local, none on Sundays or bank holidays",
        check_reasonable_times,
        frozenset({"call", "sms", "email", "voicemail"}),
        parameters={"start": "08:00", "end": "21:00"},
        supersedes="GEN-QUIET-HOURS",
    ),
    Rule(
        "UK-BREATHING-SPACE",
        PACK,
        "SI 2020/1311 regs 7, 11, 12",
        "no contact asking for payment during a breathing space",
        check_breathing_space,
    ),
)
