"""What will not happen: holds in force now, and the limits the rules that apply to this debtor set.
Each item names the rule behind it; a limit is listed only where its rule applies (jurisdiction,
the creditor's role), with the rule's own parameters, as the creditor may have narrowed them."""

from __future__ import annotations

from datetime import time, timedelta

from amicable.compliance.scenario import Hold

from .model import Item
from .rules import TIME_RULES, Rules

# Holds that stop collection for a while; a vulnerability review only asks a person to look.
HOLD_KINDS = {
    "dispute": "dispute",
    "paused": "paused",
    "breathing_space": "breathing_space",
    "mental_health_crisis": "breathing_space",
    "cease": "cease",
    "represented": "represented",
    "bankruptcy": "bankruptcy",
}


def holds(rules: Rules) -> list[Item]:
    """One item per hold in force today that stops collection on this account, with its last day."""
    items = []
    for hold in sorted(rules.active_holds(), key=lambda h: (h.since, h.kind)):
        blocked = rules.blocked_by(hold)
        if hold.kind not in HOLD_KINDS or not blocked:
            continue
        items.append(
            Item(
                "hold",
                params={
                    "hold": HOLD_KINDS[hold.kind],
                    "until": hold.last_day,
                    "resumes": hold.last_day + timedelta(days=1) if hold.last_day else None,
                },
                rule=blocked[0],
                happens=False,
            )
        )
    return items


def _window(rules: Rules, rule_id: str) -> tuple[time, time]:
    """The daily window as compliance.packs.common.outside_hours reads it: the rule's hours, narrowed
    by the creditor's settings for it and for GEN-QUIET-HOURS."""
    rule = rules.applicable("sms")[rule_id]
    quiet = rules.scenario.settings.get("GEN-QUIET-HOURS") or {}
    starts = [rules.param(rule, "start"), rule.parameters["start"], quiet.get("start", "00:00")]
    ends = [rules.param(rule, "end"), rule.parameters["end"], quiet.get("end", "23:59:59")]
    return max(map(time.fromisoformat, starts)), min(map(time.fromisoformat, ends))


def limits(rules: Rules, disputed: bool) -> list[Item]:
    """The standing limits for this debtor. `disputed`: a dispute is already open (then the dispute
    is a hold above, not a limit to explain)."""
    messages, calls, letters = rules.applicable("sms"), rules.applicable("call"), rules.applicable("letter")
    items = []
    time_rule = next((r for r in TIME_RULES if r in messages), None)
    if time_rule is not None:
        start, end = _window(rules, time_rule)
        items.append(Item("hours", params={"start": start, "end": end}, rule=time_rule, happens=False))
        if time_rule == "UK-CONC-CONTACT":
            items.append(Item("rest_days", rule=time_rule, happens=False))
        for interval in rules.scenario.inconvenient_times:
            items.append(
                Item(
                    "inconvenient",
                    params={"start": interval.start, "end": interval.end},
                    rule=time_rule,
                    happens=False,
                )
            )
    if "US-REGF-CALL-7IN7" in calls:
        rule = calls["US-REGF-CALL-7IN7"]
        items.append(
            Item(
                "call_cap",
                params={"calls": rules.param(rule, "max_calls"), "days": rules.param(rule, "days")},
                rule=rule.id,
                happens=False,
            )
        )
    if "US-REGF-CALL-AFTER-CONVERSATION" in calls:
        items.append(Item("after_conversation", rule="US-REGF-CALL-AFTER-CONVERSATION", happens=False))
    if "US-MA-CALLS" in calls:
        rule = calls["US-MA-CALLS"]
        items.append(
            Item(
                "state_cap",
                params={"contacts": rules.param(rule, "max_contacts")},
                rule=rule.id,
                happens=False,
            )
        )
    if "US-WA-CONTACTS" in letters and rules.scenario.role == "debt_collector":
        rule = letters["US-WA-CONTACTS"]
        items.append(
            Item(
                "weekly_cap",
                params={"contacts": rules.param(rule, "max_contacts")},
                rule=rule.id,
                happens=False,
            )
        )
    if not disputed:
        dispute = rules.blocked_by(Hold("dispute", (rules.debt,), rules.today, None))
        if dispute:
            items.append(Item("dispute_stops", rule=dispute[0], happens=False))
    opt_out = next((r for r in ("US-REGF-MEDIUM-OPTOUT", "GEN-OPTOUT") if r in messages), None)
    if opt_out is not None:
        items.append(Item("opt_out", rule=opt_out, happens=False))
    if "UK-CONC-NO-PRESSURE" in letters:
        items.append(Item("no_pressure", rule="UK-CONC-NO-PRESSURE", happens=False))
    if "US-REGF-LCM" in rules.applicable("voicemail"):
        items.append(Item("voicemail", rule="US-REGF-LCM", happens=False))
    if "US-REGF-ENVELOPE" in letters:
        items.append(Item("envelope", rule="US-REGF-ENVELOPE", happens=False))
    # amicable posts no interest or fee of its own: a balance changes by payments, credits and
    # write-offs, or when the creditor restates the account (an import or the API), never by a rule.
    items.append(Item("no_charges", happens=False))
    return items
