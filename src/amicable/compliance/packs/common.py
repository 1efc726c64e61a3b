"""What several packs look at in a scenario's history and holds."""

from __future__ import annotations

from datetime import datetime, time

from ..decision import Effect, Reason
from ..optout import recognise_opt_out
from ..rule import Rule
from ..scenario import Event, Hold, Scenario
from ..time_window import DailyWindow, is_convenient, next_convenient

# Which contact channels an opt-out covers, by the medium it named (None: the medium it came in on).
_MEDIUM_CHANNELS = {"sms": {"sms"}, "call": {"call", "voicemail"}, "email": {"email"}}


def active_holds(scenario: Scenario, kinds: set[str]) -> list[Hold]:
    today = scenario.local_day(scenario.now)
    return [
        h
        for h in scenario.holds
        if h.kind in kinds and h.active_on(today) and h.covers(scenario.contact.debts)
    ]


def opt_out_of_channel(scenario: Scenario) -> Event | None:
    """The debtor's latest inbound opt-out that covers the proposed contact's channel, if any."""
    channel = scenario.contact.channel
    found = None
    for event in scenario.history:
        if event.direction != "inbound" or event.at > scenario.now or not event.content:
            continue
        opt_out = recognise_opt_out(event.content)
        if opt_out is None:
            continue
        if opt_out.medium == "any":
            covered = {"sms", "call", "voicemail", "email", "letter"}
        else:
            covered = _MEDIUM_CHANNELS.get(opt_out.medium or event.channel, {event.channel})
        if channel in covered:
            found = event
    return found


def confirmations_since(scenario: Scenario, since: datetime) -> int:
    """Outbound messages on the contact's channel after `since` (an opt-out allows one: its confirmation)."""
    return sum(
        1
        for e in scenario.history
        if e.direction == "outbound"
        and e.channel == scenario.contact.channel
        and since < e.at <= scenario.now
    )


def outside_hours(rule: Rule, scenario: Scenario) -> Reason | None:
    """Defer a contact outside the rule's daily window (08:00-21:00, or narrower if the creditor set
    it) or inside a time the debtor named as inconvenient, in any of the debtor's time zones."""
    window = DailyWindow(
        max(time.fromisoformat(rule.param(scenario, "start")), time.fromisoformat(rule.parameters["start"])),
        min(time.fromisoformat(rule.param(scenario, "end")), time.fromisoformat(rule.parameters["end"])),
    )
    if is_convenient(scenario.now, scenario.timezones, window, scenario.inconvenient_times):
        return None
    zones = ", ".join(scenario.timezones)
    later = next_convenient(scenario.now, scenario.timezones, window, scenario.inconvenient_times)
    if later is None:
        return rule.reason(Effect.BLOCK, f"no time in the next 14 days is convenient in {zones}")
    return rule.reason(
        Effect.DEFER,
        f"outside {window.start:%H:%M}-{window.end:%H:%M}, or a time the debtor said is inconvenient, "
        f"in {zones}",
        until=later,
    )
