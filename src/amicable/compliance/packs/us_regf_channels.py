"""United States: Regulation F rules about where a message goes and what it leads to: safe harbours for
texts and emails, the workplace, envelopes, credit reporting, time-barred debts and the notice's dates."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ..decision import Effect
from ..rule import Rule, start_of_day
from ..scenario import Scenario
from ..validation_period import validation_period_end
from .common import communicated

PACK = "US-REGF"
ANY_CONTACT = frozenset({"call", "sms", "email", "letter", "voicemail"})
NOT_A_CONTACT = frozenset({"legal_action", "credit_reporting"})  # acts about the debt, not messages


def _debtor_wrote_from(scenario: Scenario, channel: str) -> datetime | None:
    """When the debtor last wrote to us on `channel`: from the recipient's record or, failing that,
    the latest inbound message on that channel in the history."""
    to = scenario.contact.to
    times = [e.at for e in scenario.history if e.direction == "inbound" and e.channel == channel]
    if to is not None and to.debtor_used_at is not None:
        times.append(to.debtor_used_at)
    times = [t for t in times if t <= scenario.now]
    return max(times, default=None)


def check_sms_safe_harbor(rule: Rule, scenario: Scenario):
    """1006.6(d)(5): a text is within the safe harbour when the debtor texted from the number or gave
    direct consent to texts there, and in the last 60 days either the debtor texted from it or it was
    checked against a reassigned-numbers database. Outside it, a person should look."""
    to = scenario.contact.to
    if to is None:
        return None
    texted = _debtor_wrote_from(scenario, "sms")
    consented = to.consented_at if to.consented_at and to.consented_at <= scenario.now else None
    origin = texted or consented
    if origin is None:
        return rule.reason(
            Effect.FLAG, "the debtor has neither texted from this number nor agreed to texts on it"
        )
    days = rule.param(scenario, "days")
    recent = [t for t in (texted, to.reassigned_checked_at) if t is not None and t <= scenario.now]
    if not recent or max(recent) < scenario.now - timedelta(days=days):
        return rule.reason(
            Effect.FLAG,
            f"in the last {days} days the debtor has not texted from this number and it has not been "
            "checked against the reassigned-numbers database",
        )
    return None


def check_email_safe_harbor(rule: Rule, scenario: Scenario):
    """1006.6(d)(4): an email address is within the safe harbour when the debtor used it to write to us,
    consented to it, or the creditor's notice-and-opt-out procedure was followed."""
    to = scenario.contact.to
    if to is None:
        return None
    consented = to.consented_at is not None and to.consented_at <= scenario.now
    if _debtor_wrote_from(scenario, "email") or consented or to.notice_and_opt_out:
        return None
    return rule.reason(
        Effect.FLAG,
        "the debtor has not written from this address nor agreed to it, and the notice-and-opt-out "
        "procedure was not followed",
    )


def check_workplace(rule: Rule, scenario: Scenario):
    to = scenario.contact.to
    if to is not None and to.workplace and to.employer_prohibits:
        return rule.reason(
            Effect.BLOCK, "this number or address is at the debtor's work, and the employer prohibits it"
        )
    return None


# What may be on an envelope: names and addresses, postage, "forwarding and address correction
# requested", a barcode. These words give the debt away.
_REVEALING = re.compile(
    r"\b(?:debts?|collect\w*|overdue|past\s+due|arrears|owe[sd]?|owing|balance|final\s+notice|"
    r"demand|payment|recover\w*|delinquent)\b",
    re.IGNORECASE,
)


def check_envelope(rule: Rule, scenario: Scenario):
    contact = scenario.contact
    if contact.postcard:
        return rule.reason(Effect.BLOCK, "no postcards: anyone handling it could read about the debt")
    found = _REVEALING.search(contact.envelope or "")
    if found:
        return rule.reason(
            Effect.BLOCK,
            f"the envelope reveals debt collection ({found.group(0)!r}); show only names, "
            "addresses and postage",
        )
    return None


_THREATENS_SUIT = re.compile(
    r"\b(?:sue|suing|lawsuit|legal\s+(?:action|proceedings)|court|judg(?:e)?ment|litigation|"
    r"garnish\w*)\b",
    re.IGNORECASE,
)


# "We will not sue you" is the disclosure several states require, not a threat.
_NEGATED = re.compile(r"\b(?:not|never|cannot|can't|won't|will\s+not|no)\W+(?:\w+\W+){0,2}$", re.IGNORECASE)


def _threat_of_suit(content: str) -> re.Match[str] | None:
    for found in _THREATENS_SUIT.finditer(content):
        if not _NEGATED.search(content[max(0, found.start() - 40) : found.start()]):
            return found
    return None


def check_time_barred(rule: Rule, scenario: Scenario):
    barred = [d for d in scenario.contact.debts if scenario.debts.get(d) and scenario.debts[d].time_barred]
    if not barred:
        return None
    which = ", ".join(barred)
    if scenario.contact.purpose == "legal_action":
        return rule.reason(Effect.BLOCK, f"debt {which} is time-barred: never sue on it")
    found = _threat_of_suit(scenario.contact.content or "")
    if found:
        return rule.reason(
            Effect.BLOCK,
            f"debt {which} is time-barred: the message may not threaten to sue ({found.group(0)!r})",
        )
    return None


def check_passive_reporting(rule: Rule, scenario: Scenario):
    """1006.30(a): before furnishing a debt to a credit bureau, speak to the consumer about it or send
    a letter or electronic message, then wait a reasonable period (14 days) with no notice that it was
    undeliverable."""
    days = rule.param(scenario, "wait_days")
    debts = set(scenario.contact.debts)
    # Speaking to the debtor counts whoever dialled (1006.30(a)(1)(i)).
    told = [
        e
        for e in scenario.history
        if (communicated(e) or e.outcome == "conversation") and e.at <= scenario.now and debts & set(e.debts)
    ]
    failures = [
        e
        for e in scenario.history
        if e.direction == "outbound"
        and e.outcome == "failed"
        and e.at <= scenario.now
        and debts & set(e.debts)
    ]
    # A message counts only if nothing sent on its channel since came back undeliverable.
    delivered = [e for e in told if not any(f.at > e.at and f.channel == e.channel for f in failures)]
    if not delivered:
        return rule.reason(
            Effect.BLOCK,
            "speak to the debtor about the debt, or write to them, and wait before reporting it to a "
            "credit bureau",
        )
    first = min(e.at for e in delivered)
    ready = scenario.local_day(first) + timedelta(days=days)
    if scenario.local_day(scenario.now) < ready:
        return rule.reason(
            Effect.DEFER,
            f"the debtor was told on {first:%d %b %Y}; wait {days} days for an undeliverable notice",
            until=start_of_day(ready, scenario),
        )
    return None


_DATE_PATTERNS = (
    "%B %-d, %Y",
    "%B %-d %Y",
    "%-d %B %Y",
    "%m/%d/%Y",
    "%-m/%-d/%Y",
    "%Y-%m-%d",
    "%b %-d, %Y",
    "%-d %b %Y",
)
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.IGNORECASE)


def _mentions(content: str, day: date) -> bool:
    lowered = _ORDINAL.sub(r"\1", content.lower())  # "April 16th, 2025" is "April 16, 2025"
    return any(day.strftime(p).lower() in lowered for p in _DATE_PATTERNS)


def check_validation_period(rule: Rule, scenario: Scenario):
    """A validation notice must give the date the validation period ends (1006.34(c)(3)): 30 days after
    the assumed receipt, 5 business days after it is sent today."""
    content = scenario.contact.content
    if content is None:
        return None
    ends = validation_period_end(scenario.local_day(scenario.now))
    if _mentions(content, ends):
        return None
    return rule.reason(
        Effect.BLOCK,
        f"sent today, the notice must give {ends:%B %-d, %Y} as the end of the validation period",
    )


RULES = (
    Rule(
        "US-REGF-SMS-SAFE-HARBOR",
        PACK,
        "12 CFR 1006.6(d)(5)",
        "texts are safest to a number the debtor texted from or agreed to, with a text from them or a "
        "reassigned-numbers check in the last 60 days",
        check_sms_safe_harbor,
        frozenset({"sms"}),
        frozenset({"collection", "reply_to_debtor", "validation_notice"}),
        {"days": 60},
    ),
    Rule(
        "US-REGF-EMAIL-SAFE-HARBOR",
        PACK,
        "12 CFR 1006.6(d)(4)",
        "emails are safest to an address the debtor used or agreed to, or after notice and opt-out",
        check_email_safe_harbor,
        frozenset({"email"}),
        frozenset({"collection", "reply_to_debtor", "validation_notice"}),
    ),
    Rule(
        "US-REGF-WORKPLACE",
        PACK,
        "12 CFR 1006.6(b)(3)",
        "no contact at work when the employer prohibits it",
        check_workplace,
        ANY_CONTACT,
        frozenset({"collection", "reply_to_debtor", "validation_notice", "required_by_law"}),
    ),
    Rule(
        "US-REGF-ENVELOPE",
        PACK,
        "12 CFR 1006.22(f)",
        "no postcards, and nothing on an envelope that reveals debt collection",
        check_envelope,
        frozenset({"letter"}),
    ),
    Rule(
        "US-REGF-TIME-BARRED",
        PACK,
        "12 CFR 1006.26(b)",
        "never sue or threaten to sue on a time-barred debt",
        check_time_barred,
    ),
    Rule(
        "US-REGF-PASSIVE-REPORTING",
        PACK,
        "12 CFR 1006.30(a)",
        "before reporting to a credit bureau, tell the debtor and wait 14 days with no undeliverable notice",
        check_passive_reporting,
        purposes=frozenset({"credit_reporting"}),
        parameters={"wait_days": 14},
        higher_is_stricter=frozenset({"wait_days"}),
    ),
    Rule(
        "US-REGF-VALIDATION-PERIOD",
        PACK,
        "12 CFR 1006.34(b)(5), (c)(3)",
        "the validation period ends 30 days after receipt, assumed 5 business days after sending; the "
        "notice gives that date",
        check_validation_period,
        frozenset({"letter", "email"}),
        frozenset({"validation_notice"}),
        {"period_days": 30, "receipt_business_days": 5},
    ),
)
