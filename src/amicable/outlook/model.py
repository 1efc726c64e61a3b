"""What the outlook reads about one account, and the items it gives back. Plain data: no prose, no
Django. The words are the portal's (portal/templates/portal/_outlook.html), chosen by `kind`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from amicable.planner.plan import Windows
from amicable.playbooks.model import Step


@dataclass(frozen=True, slots=True)
class Due:
    """One schedule item of the account (a plan's instalment while a plan runs)."""

    on: date
    amount: Decimal
    owing: Decimal  # still to pay on it: payments clear the oldest first


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step of a playbook that covers the account, with the channel the planner would choose for it
    today (planner.plan.assigned_steps); None when the customer cannot be reached for it."""

    playbook: str
    step: Step
    channel: str | None


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """An active payment plan: an instalment is missed `grace_days` after its due date."""

    grace_days: int


@dataclass(frozen=True, slots=True)
class PromiseFacts:
    """An open promise to pay `amount` by `due_on`; broken once `grace_days` have passed after it."""

    amount: Decimal
    due_on: date
    grace_days: int


@dataclass(frozen=True, slots=True)
class Situation:
    """One account as it stands today, in the customer's own calendar.

    `compliance` is a scenario in the format `amicable compliance check` reads (docs/compliance.md)
    for a collection contact about this account, without `now` and `contact`: the debtor's
    jurisdictions, time zones and inconvenient times, the creditor's role and settings, holds, recent
    history and call consents. The outlook asks the compliance engine about each later contact with
    it, as the cycle will.
    """

    today: date
    debt: str  # the account as the scenario names it
    currency: str
    status: str  # the account's status: current, overdue, in_arrangement, disputed, on_hold, resolved, ...
    schedule: tuple[Due, ...]
    steps: tuple[PlannedStep, ...]
    compliance: Mapping[str, Any]
    plan: PlanFacts | None = None
    promise: PromiseFacts | None = None
    first_contact_on: date | None = None  # the first message about the debt (Regulation F's notice)
    windows: Windows = field(default_factory=Windows)  # the planner's send windows
    horizon_days: int = 60  # how far ahead contacts are shown
    max_contacts: int = 6  # and how many of them


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the timeline: what (kind), when (on; None for a standing fact or a condition),
    the facts the sentence needs (params), the rule behind it, and whether it will happen at all."""

    kind: str
    on: date | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    rule: str | None = None
    happens: bool = True
