"""The one-contact form of the engine: which packs apply, every rule's reason, one decision."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .decision import Decision, Effect, combine
from .packs import RULES
from .rule import Rule
from .scenario import Scenario, ScenarioError

MAX_REPLAYS = 20  # how many later moments are tried when looking for the next allowed time


def applicable_packs(scenario: Scenario) -> set[str]:
    """Packs follow the debtor's jurisdictions and the creditor's role (RULES.md, "Who is covered")."""
    packs = {"GENERIC"}
    in_us = any(j == "US" or j.startswith("US-") for j in scenario.jurisdictions)
    if in_us:
        packs.add("US-TCPA")
        if scenario.role == "debt_collector" or scenario.settings.get("regulation_f") is True:
            packs.add("US-REGF")
    for state in ("US-MA", "US-WA", "US-NYC"):
        if state in scenario.jurisdictions:
            packs.add(state)
    if any(j == "GB" or j.startswith("GB-") for j in scenario.jurisdictions):
        packs.add("UK")
    return packs


# Rules that are amicable's own policy, not law: a creditor may switch these off. Everything else is
# the law or a safeguard for it and stays on whatever the settings say.
SWITCHABLE = frozenset({"GEN-QUIET-HOURS", "GEN-VULNERABILITY-REVIEW"})


def _disabled_rules(scenario: Scenario) -> set[str]:
    names = scenario.settings.get("disabled_rules") or ()
    if not isinstance(names, list | tuple):
        raise ScenarioError("creditor.settings.disabled_rules", "expected a list of rule ids")
    for i, name in enumerate(names):
        if name not in SWITCHABLE:
            raise ScenarioError(
                f"creditor.settings.disabled_rules[{i}]",
                f"{name!r} cannot be switched off; only {', '.join(sorted(SWITCHABLE))} can",
            )
    return set(names)


def applicable_rules(scenario: Scenario) -> list[Rule]:
    packs = applicable_packs(scenario)
    disabled = _disabled_rules(scenario)
    rules = [
        r
        for r in RULES
        if r.check is not None and r.pack in packs and r.id not in disabled and r.applies_to(scenario)
    ]
    superseded = {r.supersedes for r in rules if r.supersedes}
    return [r for r in rules if r.id not in superseded]


def _decide_now(scenario: Scenario) -> Decision:
    return combine(reason for rule in applicable_rules(scenario) if (reason := rule.check(rule, scenario)))


def decide(scenario: Scenario) -> Decision:
    """The decision for the contact at scenario.now, with the next moment it would be allowed.

    The next allowed moment is found by replaying the scenario later: a call blocked until midnight
    by a frequency rule is then deferred by the time rule to 08:00, and so on.
    """
    decision = _decide_now(scenario)
    if decision.allowed or decision.next_allowed_at is None:
        return decision
    moment = decision.next_allowed_at
    for _ in range(MAX_REPLAYS):
        later = _decide_now(replace(scenario, now=moment))
        if later.allowed:
            return replace(decision, next_allowed_at=moment)
        if later.next_allowed_at is None or later.next_allowed_at <= moment:
            return replace(decision, next_allowed_at=None)
        moment = later.next_allowed_at
    return replace(decision, next_allowed_at=None)


def as_json(decision: Decision) -> dict[str, Any]:
    """The scenario checker's output for one decision."""
    return {
        "decision": decision.effect.value if decision.effect is not Effect.FLAG else "allow",
        "reasons": [
            {"rule": r.rule, "citation": r.citation, "effect": r.effect.value, "message": r.message}
            for r in decision.reasons
        ],
        "next_allowed_at": decision.next_allowed_at.isoformat() if decision.next_allowed_at else None,
    }
