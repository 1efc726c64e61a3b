"""What several packs look at in a scenario's history and holds."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from ..decision import Effect, Reason
from ..optout import recognise_opt_out
from ..rule import Rule, start_of_day
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


def hold_lifts_at(hold: Hold, scenario: Scenario) -> datetime | None:
    """Midnight after the hold's last day in the debtor's home zone; None for a hold with no end."""
    last = hold.last_day
    return None if last is None else start_of_day(last + timedelta(days=1), scenario)


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


def outbound_since(scenario: Scenario, since: datetime) -> int:
    """Outbound messages on the contact's channel after `since` (after an opt-out, one: the confirmation)."""
    return sum(
        1
        for e in scenario.history
        if e.direction == "outbound"
        and e.channel == scenario.contact.channel
        and since < e.at <= scenario.now
    )


def _first_reply(scenario: Scenario) -> bool:
    """Whether the contact is the one reply, in the same medium, to a message the debtor started
    (comment 6(b)(1)(i)-1): their latest inbound message on this channel has had no answer yet."""
    contact = scenario.contact
    if contact.purpose != "reply_to_debtor":
        return False
    inbound = [
        e.at
        for e in scenario.history
        if e.direction == "inbound" and e.channel == contact.channel and e.at <= scenario.now
    ]
    if not inbound:
        return False
    return outbound_since(scenario, max(inbound)) == 0


def outside_hours(rule: Rule, scenario: Scenario) -> Reason | None:
    """Defer a contact outside the rule's daily window (08:00-21:00, or narrower if the creditor set
    it) or inside a time the debtor named as inconvenient, in any of the debtor's time zones."""
    # The rule's own hours, narrowed by the creditor's settings for it and for GEN-QUIET-HOURS (a
    # creditor's quiet hours still win where a legal rule replaces the generic one).
    quiet = scenario.settings.get("GEN-QUIET-HOURS") or {}
    starts = [rule.param(scenario, "start"), rule.parameters["start"], quiet.get("start", "00:00")]
    ends = [rule.param(scenario, "end"), rule.parameters["end"], quiet.get("end", "23:59:59")]
    window = DailyWindow(max(map(time.fromisoformat, starts)), min(map(time.fromisoformat, ends)))
    if is_convenient(scenario.now, scenario.timezones, window, scenario.inconvenient_times):
        return None
    if is_convenient(scenario.now, scenario.timezones, window, ()) and _first_reply(scenario):
        return rule.reason(
            Effect.ALLOW,
            "the debtor said this time is inconvenient, but one reply in the same medium to a message "
            "they started is allowed",
        )
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


_DEBT_OR_PAYMENT = re.compile(
    r"\b(?:debts?|owe[sd]?|balance|pay(?:ment)?s?|due|overdue|arrears|collect\w*)\b|[$£€]\s?\d|https?://",
    re.IGNORECASE,
)
_ASKS_FOR_PAYMENT = re.compile(
    r"\bplease\s+pay\b|\bpay\s+(?:the|your|it|now|today|us)\b|\bmake\s+a\s+payment\b|\bpayment\s+is\s+due\b",
    re.IGNORECASE,
)


def opt_out_block(rule: Rule, scenario: Scenario) -> Reason | None:
    """After an opt-out from a medium, only one confirmation, with no other content, may follow."""
    event = opt_out_of_channel(scenario)
    if event is None:
        return None
    contact = scenario.contact
    if contact.purpose == "opt_out_confirmation" and outbound_since(scenario, event.at) == 0:
        extra = _DEBT_OR_PAYMENT.search(contact.content or "")
        if extra is None:
            return None
        return rule.reason(
            Effect.BLOCK, f"an opt-out confirmation may say nothing else (found {extra.group(0)!r})"
        )
    return rule.reason(
        Effect.BLOCK, f"the debtor opted out of {contact.channel} on {event.at:%d %b %Y} ({event.content!r})"
    )


def asks_for_payment(scenario: Scenario) -> bool:
    return bool(scenario.contact.content and _ASKS_FOR_PAYMENT.search(scenario.contact.content))


def communicated(event: Event) -> bool:
    """Whether an outbound event conveyed information (Regulation F's "communication"): a letter,
    email or text that did not fail, or a call that became a conversation. Unanswered calls, busy
    lines and limited-content voicemails are attempts, not communications."""
    if event.direction != "outbound":
        return False
    if event.channel in {"call", "voicemail"}:
        return event.outcome == "conversation"
    return event.outcome != "failed"
