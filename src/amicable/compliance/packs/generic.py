"""Rules amicable applies everywhere, whatever the jurisdiction: holds that stop collection."""

from __future__ import annotations

from ..decision import Effect
from ..rule import Rule
from ..scenario import Scenario
from .common import active_holds, outside_hours

PACK = "GENERIC"


def _hold_rule(kinds: set[str], effect: Effect, message: str):
    def check(rule: Rule, scenario: Scenario):
        if active_holds(scenario, kinds):
            return rule.reason(effect, message)
        return None

    return check


RULES = (
    Rule(
        "GEN-QUIET-HOURS",
        PACK,
        "amicable policy; creditor setting",
        "no contact outside 08:00-21:00 in the debtor's time zones, or at times they named",
        lambda rule, scenario: outside_hours(rule, scenario),
        frozenset({"call", "sms", "email", "voicemail"}),
        parameters={"start": "08:00", "end": "21:00"},
    ),
    Rule(
        "GEN-HOLD-BANKRUPTCY",
        PACK,
        "amicable policy (bankruptcy stays collection)",
        "no collection from a debtor in bankruptcy",
        _hold_rule({"bankruptcy"}, Effect.BLOCK, "the debtor is in bankruptcy: collection is stayed"),
        purposes=frozenset({"collection"}),
    ),
    Rule(
        "GEN-HOLD-DECEASED",
        PACK,
        "amicable policy",
        "no collection contact addressed to a deceased debtor",
        _hold_rule({"deceased"}, Effect.BLOCK, "the debtor has died: contact the estate through a person"),
        purposes=frozenset({"collection", "reply_to_debtor"}),
    ),
    Rule(
        "GEN-VULNERABILITY-REVIEW",
        PACK,
        "FCA FG21/1 (fair treatment of vulnerable customers)",
        "a person reviews a possibly vulnerable debtor's contacts",
        _hold_rule(
            {"vulnerability_review"}, Effect.FLAG, "a vulnerability review is open: a person should look"
        ),
        purposes=frozenset({"collection"}),
    ),
)
