"""United States: Regulation F (12 CFR part 1006), for debt collectors and creditors who adopt it."""

from __future__ import annotations

import re
from datetime import timedelta

from ..decision import Effect
from ..rule import Rule, days_window, start_of_day
from ..scenario import ACTS, MESSAGE_PURPOSES, Event, Scenario
from .common import active_holds, hold_lifts_at, opt_out_block, outside_hours

PACK = "US-REGF"
CALLS = frozenset({"call", "voicemail"})  # a call that reaches voicemail is a call (14(b)(3)(ii)-1)
CALL_CHANNELS = {"call", "voicemail"}
# 1006.14(b)(3): calls to the consumer's attorney or adviser do not count; every other purpose does.
CALL_PURPOSES = frozenset(
    {"collection", "opt_out_confirmation", "reply_to_debtor", "validation_notice", "required_by_law"}
)
TIMED = frozenset({"call", "sms", "email", "voicemail"})
COLLECTION = frozenset({"collection"})
NOT_CONNECTED = ("busy", "not_in_service")  # 1006.14(b)(3): calls not connected do not count
# Comment 14(b)(3)(ii)-1: a call that rang unanswered, reached voicemail or was dropped was placed.
PLACED = ("no_answer", "voicemail", "dropped", "conversation")


# ---------------------------------------------------------------------------------- call frequency


def _consented(scenario: Scenario, at) -> bool:
    return _consent_for(scenario, at) is not None


def _consent_for(scenario: Scenario, at):
    """The consent a call at `at` is made with: direct prior consent given within the last 7 days
    (1006.14(b)(3)(i); a creditor may shorten the 7). A consent covers one call: the first made from
    its `for_time` (with an hour's grace before it), or from when it was given; a later call needs
    consent of its own."""
    days = CALL_EXCLUDED.param(scenario, "consent_days")
    for consent in scenario.consents:
        if consent.channel != "call":
            continue
        opens = consent.given_at
        if consent.for_time is not None:
            opens = max(opens, consent.for_time - timedelta(hours=1))
        if not (opens <= at <= consent.given_at + timedelta(days=days)):
            continue
        used = any(
            e.channel in CALL_CHANNELS and e.direction == "outbound" and opens <= e.at < at
            for e in scenario.history
        )
        if not used:
            return consent
    return None


def check_excluded(rule: Rule, scenario: Scenario):
    """Say why the call limits do not apply to this call, when they do not."""
    if scenario.contact.purpose == "adviser_contact":
        return rule.reason(
            Effect.ALLOW, "a call to the debtor's adviser does not count toward the call limits"
        )
    consent = _consent_for(scenario, scenario.now)
    if consent is not None:
        return rule.reason(
            Effect.ALLOW,
            f"the debtor asked for this call on {consent.given_at:%d %b %Y}: it does not count toward "
            "the call limits",
        )
    return None


def _counted_calls(scenario: Scenario, debt: str, days: int) -> list[Event]:
    first, today = days_window(scenario, days)
    return [
        e
        for e in scenario.history
        if e.channel in CALL_CHANNELS
        and e.direction == "outbound"
        and debt in e.debts
        and e.at <= scenario.now
        and first <= scenario.local_day(e.at) <= today
        and (e.outcome is None or e.outcome in PLACED)
        and not _consented(scenario, e.at)
    ]


def check_seven_in_seven(rule: Rule, scenario: Scenario):
    if _consented(scenario, scenario.now):
        return None
    limit = rule.param(scenario, "max_calls")
    for debt in scenario.contact.debts:
        calls = _counted_calls(scenario, debt, rule.parameters["days"])
        if len(calls) >= limit:
            days = sorted(scenario.local_day(c.at) for c in calls)
            lifts_on = days[len(days) - limit] + timedelta(days=rule.parameters["days"])
            return rule.reason(
                Effect.BLOCK,
                f"{len(calls)} calls about debt {debt} in the last 7 days already; "
                f"one more would be presumed harassment (limit {limit})",
                until=start_of_day(lifts_on, scenario),
            )
    return None


def check_after_conversation(rule: Rule, scenario: Scenario):
    if _consented(scenario, scenario.now):
        return None
    today = scenario.local_day(scenario.now)
    for debt in scenario.contact.debts:
        days = [
            scenario.local_day(e.at)
            for e in scenario.history
            if e.channel in CALL_CHANNELS
            and e.outcome == "conversation"
            and debt in e.debts
            and e.at <= scenario.now
        ]
        if days and today < max(days) + timedelta(days=7):
            talked = max(days)
            return rule.reason(
                Effect.BLOCK,
                f"a telephone conversation about debt {debt} took place on {talked:%a %d %b}; "
                "no call about it for 7 days, that day included",
                until=start_of_day(talked + timedelta(days=7), scenario),
            )
    return None


# ------------------------------------------------------------------------------------------- time


def check_time(rule: Rule, scenario: Scenario):
    return outside_hours(rule, scenario)


# ---------------------------------------------------------------------------------- holds, opt-outs


def check_cease(rule: Rule, scenario: Scenario):
    # After a cease only notice that efforts end or that a remedy will be invoked may follow, and
    # invoking it (a claim, a report) is not a communication.
    if scenario.contact.purpose in {"opt_out_confirmation", "required_by_law", *ACTS}:
        return None
    if active_holds(scenario, {"cease"}):
        return rule.reason(Effect.BLOCK, "the debtor asked in writing that communication cease")
    return None


def check_dispute(rule: Rule, scenario: Scenario):
    for hold in active_holds(scenario, {"dispute"}):
        until = hold_lifts_at(hold, scenario)
        return rule.reason(
            Effect.BLOCK, "the debt is disputed: no collection until verification is sent", until=until
        )
    return None


def check_attorney(rule: Rule, scenario: Scenario):
    if active_holds(scenario, {"represented"}):
        return rule.reason(
            Effect.BLOCK, "the debtor is represented about this debt: contact the representative"
        )
    return None


def check_medium_opt_out(rule: Rule, scenario: Scenario):
    return opt_out_block(rule, scenario)


SMS_OPT_OUT = re.compile(r"\b(?:reply|text|send|responda|env[ií]e|escriba)\s+[\"']?stop\b", re.IGNORECASE)
# An email needs a link to opt out or a reply instruction; "call us" or "write to us" is not enough.
EMAIL_OPT_OUT = re.compile(
    r"(?:unsubscribe|opt[\s-]?out|cancel(?:ar|e)\s+la\s+suscripci[oó]n|darse\s+de\s+baja)\W[^\n]{0,80}?https?://"
    r"|https?://\S*(?:unsubscribe|opt-?out)"
    r"|\breply\s+[\"']?(?:stop|unsubscribe)\b",
    re.IGNORECASE,
)


def check_opt_out_notice(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    if content is None:
        return None
    pattern = SMS_OPT_OUT if scenario.contact.channel == "sms" else EMAIL_OPT_OUT
    if pattern.search(content):
        return None
    how = (
        '"Reply STOP to stop texts to this number"'
        if scenario.contact.channel == "sms"
        else "an unsubscribe link"
    )
    return rule.reason(Effect.BLOCK, f"the message gives no simple way to opt out; add {how}")


CALL_EXCLUDED = Rule(
    "US-REGF-CALL-EXCLUDED",
    PACK,
    "12 CFR 1006.14(b)(3)",
    "calls that do not count toward the call limits: with direct consent from the last 7 days (one call "
    "each), not connected (busy, not in service), or to the debtor's attorney or adviser",
    check_excluded,
    CALLS,
    parameters={"consent_days": 7, "not_connected": NOT_CONNECTED},
)

RULES = (
    Rule(
        "US-REGF-CALL-CONNECTED",
        PACK,
        "12 CFR 1006.14(b)(3)(ii), comment 14(b)(3)(ii)-1",
        "what counts as a placed call: rang with no answer, reached voicemail, answered then dropped; "
        "the call limits count these (a definition the limits build on)",
        None,
        CALLS,
        parameters={"placed": PLACED},
    ),
    CALL_EXCLUDED,
    Rule(
        "US-REGF-CALL-7IN7",
        PACK,
        "12 CFR 1006.14(b)(2)(i)(A)",
        "more than 7 calls within 7 consecutive days about a debt is presumed harassment",
        check_seven_in_seven,
        CALLS,
        CALL_PURPOSES,
        {"max_calls": 7, "days": 7},
    ),
    Rule(
        "US-REGF-CALL-AFTER-CONVERSATION",
        PACK,
        "12 CFR 1006.14(b)(2)(i)(B)",
        "no call within 7 days after a telephone conversation about the debt",
        check_after_conversation,
        CALLS,
        CALL_PURPOSES,
    ),
    Rule(
        "US-REGF-TIME",
        PACK,
        "12 CFR 1006.6(b)(1)(i)",
        "no contact before 08:00 or after 21:00 local time, in every time zone the consumer may be in",
        check_time,
        TIMED,
        parameters={"start": "08:00", "end": "21:00"},
        supersedes="GEN-QUIET-HOURS",
    ),
    Rule(
        "US-REGF-CEASE",
        PACK,
        "12 CFR 1006.6(c); 15 U.S.C. 1692c(c)",
        "after a written request to cease, stop all communication",
        check_cease,
        supersedes="GEN-HOLD-CEASE",
    ),
    Rule(
        "US-REGF-DISPUTE",
        PACK,
        "12 CFR 1006.38(d)(2)",
        "a dispute in the validation period stops collection of the disputed debt until verification",
        check_dispute,
        purposes=COLLECTION | ACTS,
        supersedes="GEN-HOLD-DISPUTE",
    ),
    Rule(
        "US-REGF-ATTORNEY",
        PACK,
        "12 CFR 1006.6(b)(2)",
        "no contact with a consumer known to be represented by an attorney about the debt",
        check_attorney,
        purposes=frozenset({"collection", "reply_to_debtor", "validation_notice"}),
        supersedes="GEN-HOLD-REPRESENTED",
    ),
    Rule(
        "US-REGF-MEDIUM-OPTOUT",
        PACK,
        "12 CFR 1006.14(h)",
        "honour a request not to be contacted through a medium; only a confirmation may follow",
        check_medium_opt_out,
        purposes=MESSAGE_PURPOSES,
        supersedes="GEN-OPTOUT",
    ),
    Rule(
        "US-REGF-OPTOUT-NOTICE",
        PACK,
        "12 CFR 1006.6(e)",
        "every email and text must say how to opt out of that medium",
        check_opt_out_notice,
        frozenset({"sms", "email"}),
        frozenset({"collection", "reply_to_debtor", "validation_notice"}),
    ),
)
