"""A rule: a stable id from RULES.md, the pack it belongs to, where it applies, and its check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .decision import Reason
from .scenario import CHANNELS, PURPOSES, Scenario, ScenarioError

ALL_CHANNELS = frozenset(CHANNELS)
ALL_PURPOSES = frozenset(PURPOSES)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pack: str
    citation: str
    summary: str
    # None for a definition other rules build on (what counts as a call): listed, never checked.
    check: Callable[[Rule, Scenario], Reason | None] | None = field(repr=False)
    channels: frozenset[str] = ALL_CHANNELS
    purposes: frozenset[str] = ALL_PURPOSES
    parameters: Mapping[str, Any] = field(default_factory=dict)
    supersedes: str | None = None  # a general rule this one replaces where both apply
    higher_is_stricter: frozenset[str] = frozenset()  # parameters where a bigger number is stricter

    def applies_to(self, scenario: Scenario) -> bool:
        return scenario.contact.channel in self.channels and scenario.contact.purpose in self.purposes

    def param(self, scenario: Scenario, name: str) -> Any:
        """A parameter, as the creditor set it where that is stricter (a lower cap, a longer wait),
        else the rule's.

        Creditor settings are keyed by rule id: {"US-REGF-CALL-7IN7": {"max_calls": 5}}.
        """
        default = self.parameters[name]
        chosen = (scenario.settings.get(self.id) or {}).get(name, default)
        if type(chosen) is not type(default) and default is not None:
            raise ScenarioError(
                f"creditor.settings.{self.id}.{name}",
                f"{chosen!r} should be a {type(default).__name__} like the rule's own {default!r}",
            )
        if isinstance(default, int | float) and not isinstance(default, bool):
            return max(default, chosen) if name in self.higher_is_stricter else min(default, chosen)
        return chosen

    def reason(self, effect, message: str, until: datetime | None = None) -> Reason:
        return Reason(self.id, self.citation, effect, message, until)


def start_of_day(day: date, scenario: Scenario) -> datetime:
    """Midnight at the start of `day` in the debtor's home zone."""
    return datetime.combine(day, time(0), tzinfo=scenario.home_zone)


def days_window(scenario: Scenario, days: int) -> tuple[date, date]:
    """The `days` consecutive local days ending today, as (first day, today)."""
    today = scenario.local_day(scenario.now)
    return today - timedelta(days=days - 1), today
