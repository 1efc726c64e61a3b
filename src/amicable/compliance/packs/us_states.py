"""United States: Washington and New York City caps. Both are marked unverified in RULES.md [U]:
kept configurable, and New York City's has no default number."""

from __future__ import annotations

from ..rule import Rule
from ..scenario import Scenario
from .us_ma import weekly_cap

ALL_MEDIA = {"call", "sms", "email", "voicemail", "letter"}


def check_washington(rule: Rule, scenario: Scenario):
    if scenario.role != "debt_collector":  # RCW 19.16 binds licensed collection agencies
        return None
    return weekly_cap(rule, scenario, rule.param(scenario, "max_contacts"), ALL_MEDIA, "communications")


def check_new_york_city(rule: Rule, scenario: Scenario):
    limit = (scenario.settings.get(rule.id) or {}).get("max_contacts")
    return weekly_cap(rule, scenario, limit, ALL_MEDIA, "contacts")


RULES = (
    Rule(
        "US-WA-CONTACTS",
        "US-WA",
        "RCW 19.16.250 [unverified]",
        "a licensed agency makes at most 3 communications a week to the debtor",
        check_washington,
        purposes=frozenset({"collection"}),
        parameters={"max_contacts": 3},
    ),
    Rule(
        "US-NYC-CAPS",
        "US-NYC",
        "6 RCNY 5-77 [unverified]",
        "a per-account contact cap the creditor sets; the city's number and effective date are unsettled",
        check_new_york_city,
        purposes=frozenset({"collection"}),
        parameters={"max_contacts": None},
    ),
)
