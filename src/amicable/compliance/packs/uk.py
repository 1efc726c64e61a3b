"""United Kingdom: Breathing Space (SI 2020/1311)."""

from __future__ import annotations

from datetime import timedelta

from ..decision import Effect
from ..rule import Rule, start_of_day
from ..scenario import Scenario
from .common import active_holds

PACK = "UK"


def check_breathing_space(rule: Rule, scenario: Scenario):
    for hold in active_holds(scenario, {"breathing_space", "mental_health_crisis"}):
        until = start_of_day(hold.until + timedelta(days=1), scenario) if hold.until else None
        return rule.reason(
            Effect.BLOCK,
            "the debtor is in a breathing space: no contact asking for payment (replies to the debtor, "
            "contact with their adviser and contact the law requires are allowed)",
            until=until,
        )
    return None


RULES = (
    Rule(
        "UK-BREATHING-SPACE",
        PACK,
        "SI 2020/1311 regs 7, 11, 12",
        "no contact asking for payment during a breathing space",
        check_breathing_space,
        purposes=frozenset({"collection"}),
    ),
)
