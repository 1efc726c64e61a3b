"""The compliance engine, asked about later contacts the way the cycle will ask on the day: the same
packs, the same rules, the same decision (compliance/engine.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from amicable.compliance.decision import Effect
from amicable.compliance.engine import applicable_packs, applicable_rules, decide
from amicable.compliance.rule import Rule
from amicable.compliance.scenario import Hold, Scenario, parse_scenario
from amicable.planner.plan import Windows

# Only one of these applies to a debtor: the legal ones replace amicable's own (rule.supersedes).
TIME_RULES = ("US-REGF-TIME", "UK-CONC-CONTACT", "GEN-QUIET-HOURS")


class Rules:
    """One account's compliance facts, parsed once; each question varies the moment and the channel."""

    def __init__(self, compliance: Mapping[str, Any], debt: str, today: date, windows: Windows) -> None:
        self.debt, self.windows = debt, windows
        first = parse_scenario({**compliance, "now": "2000-01-01T12:00:00+00:00", "contact": self._contact()})
        self.zone = first.home_zone
        self.today = today
        self.scenario = replace(first, now=datetime.combine(today, time(12), tzinfo=self.zone))

    def _contact(self, channel: str = "letter") -> dict[str, Any]:
        return {"channel": channel, "debts": [self.debt], "purpose": "collection", "content": None}

    def at(self, channel: str, moment: datetime | None = None) -> Scenario:
        contact = replace(self.scenario.contact, channel=channel)
        return replace(self.scenario, contact=contact, now=moment or self.scenario.now)

    def when(self, channel: str, day: date) -> tuple[date | None, tuple[str, ...]]:
        """The day a contact the planner makes for `day` would go out, and the rules that moved or
        stopped it. The planner sends from the start of the customer's window; a rule that defers it
        (a Sunday in the UK, a time they named) moves it to the next allowed moment; a block is final,
        as the cycle records a blocked contact and does not try again. (None, rules) when blocked."""
        start = self.windows.call[0] if channel == "call" else self.windows.message[0]
        decision = decide(self.at(channel, datetime.combine(day, start, tzinfo=self.zone)))
        if decision.effect is Effect.ALLOW:
            return day, ()
        stopped = tuple(r.rule for r in decision.reasons if r.effect is decision.effect)
        if decision.effect is Effect.DEFER and decision.next_allowed_at is not None:
            return decision.next_allowed_at.astimezone(self.zone).date(), stopped
        return None, stopped

    def applicable(self, channel: str) -> dict[str, Rule]:
        """The rules that apply to a collection contact on `channel` to this debtor, by id."""
        return {rule.id: rule for rule in applicable_rules(self.at(channel))}

    def packs(self) -> set[str]:
        """The rule packs that apply to this debtor and creditor (engine.applicable_packs)."""
        return applicable_packs(self.scenario)

    def active_holds(self) -> list[Hold]:
        return [
            hold for hold in self.scenario.holds if hold.active_on(self.today) and hold.covers((self.debt,))
        ]

    def blocked_by(self, hold: Hold) -> tuple[str, ...]:
        """The rules that stop collection because of `hold` alone (none for a review that only flags)."""
        alone = replace(self.at("letter"), holds=(hold,), history=())
        return tuple(r.rule for r in decide(alone).reasons if r.effect is Effect.BLOCK)

    def param(self, rule: Rule, name: str) -> Any:
        return rule.param(self.scenario, name)
