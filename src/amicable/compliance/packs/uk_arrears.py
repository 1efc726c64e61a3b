"""United Kingdom: how a firm treats customers in arrears (CONC 7), before court (the Pre-Action Protocol)
and business debts (the Late Payment Act)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from ..decision import Effect
from ..rule import Rule, start_of_day
from ..scenario import Proposal, Scenario

PACK = "UK"
COLLECTION = frozenset({"collection"})


def check_policies(rule: Rule, scenario: Scenario):
    """The firm must have written arrears and vulnerability policies. Judged when the creditor's
    settings carry its policy record (amicable's cycle always passes it; a scenario may leave it out)."""
    if "UK-CONC-POLICY" not in scenario.settings:
        return None
    record = scenario.settings["UK-CONC-POLICY"] or {}
    missing = [
        name.replace("_", " ") for name in ("arrears_policy", "vulnerability_policy") if not record.get(name)
    ]
    if not missing:
        return None
    return rule.reason(
        Effect.FLAG,
        f"the creditor has no written {' or '.join(missing)} on record (CONC 7.2; consider FG21/1)",
    )


def _reasonable(rule: Rule, scenario: Scenario, proposal: Proposal) -> bool:
    """An offer is reasonable when marked affordable, or when the debtor's financial statement shows
    they can afford it; a token payment is reasonable when nothing is left over."""
    if proposal.affordable is not None:
        return proposal.affordable
    statement, amount = scenario.financial_statement, proposal.monthly_amount
    if statement is None or amount is None or amount <= 0:
        return False
    token = Decimal(str(rule.parameters["token_payment"]))
    return amount <= max(statement.surplus, token)


def check_forbearance(rule: Rule, scenario: Scenario):
    """Refusing a reasonable, affordable proposal puts forbearance at risk: flag collection until an
    offer is accepted."""
    settled = [p for p in scenario.proposals if p.status == "accepted" and p.made_at <= scenario.now]
    last_accepted = max((p.made_at for p in settled), default=None)
    refused = [
        p
        for p in scenario.proposals
        if p.status == "refused"
        and p.made_at <= scenario.now
        and (last_accepted is None or p.made_at > last_accepted)
        and _reasonable(rule, scenario, p)
    ]
    if not refused:
        return None
    offer = refused[-1]
    amount = f" of {offer.monthly_amount} a month" if offer.monthly_amount is not None else ""
    return rule.reason(
        Effect.FLAG,
        f"an affordable offer{amount} made on {offer.made_at:%d %b %Y} was refused: a person should "
        "review forbearance (reduced or frozen interest, token payments) before collection goes on",
    )


def check_financial_statement(rule: Rule, scenario: Scenario):
    statement = scenario.financial_statement
    if statement is None or statement.surplus > 0:
        return None
    return rule.reason(
        Effect.FLAG,
        f"the debtor's financial statement leaves nothing over (surplus {statement.surplus}): offer "
        "breathing room or a token payment and signpost free debt advice rather than ask for payment",
    )


def check_pre_action(rule: Rule, scenario: Scenario):
    """No claim against an individual or sole trader until a letter of claim has had 30 days, and, when
    the debtor says they are getting advice, 30 days after their Reply Form or the documents they asked
    for, whichever is later."""
    if scenario.debtor_kind == "company":
        return None
    days = rule.param(scenario, "reply_days")
    today = scenario.local_day(scenario.now)
    letters = [n.sent_at for n in scenario.notices if n.kind == "letter_of_claim" and n.sent_at <= today]
    if not letters:
        return rule.reason(
            Effect.BLOCK,
            "send a letter of claim first, with a statement of account, the Information Sheet, the Reply "
            "Form and a Financial Statement",
        )
    letter = max(letters)
    ready, why = letter + timedelta(days=days), f"the letter of claim of {letter:%d %b %Y}"
    advice = [
        n.sent_at
        for n in scenario.notices
        if n.kind == "reply_form" and n.seeking_advice and n.sent_at >= letter
    ]
    if advice:
        documents = [
            n.sent_at for n in scenario.notices if n.kind == "documents" and n.sent_at >= min(advice)
        ]
        latest = max(advice + documents)
        if latest + timedelta(days=days) > ready:
            ready, why = latest + timedelta(days=days), f"the debtor is getting advice ({latest:%d %b %Y})"
    if today < ready:
        return rule.reason(
            Effect.DEFER, f"no claim until {days} days after {why}", until=start_of_day(ready, scenario)
        )
    return None


_STATUTORY_CLAIM = re.compile(
    r"late\s+payment\s+of\s+commercial\s+debts|statutory\s+(?:interest|compensation)|"
    r"late\s+payment\s+compensation",
    re.IGNORECASE,
)


def check_late_payment(rule: Rule, scenario: Scenario):
    """Statutory interest and compensation are for business debts only: a consumer may not be charged
    them. (The figures themselves come from compliance.late_payment.)"""
    if scenario.debtor_kind != "individual":
        return None
    found = _STATUTORY_CLAIM.search(scenario.contact.content or "")
    if found is None:
        return None
    return rule.reason(
        Effect.BLOCK,
        f"the Late Payment Act covers business debts only; this debtor is a consumer ({found.group(0)!r})",
    )


RULES = (
    Rule(
        "UK-CONC-POLICY",
        PACK,
        "FCA CONC 7.2",
        "written arrears and vulnerability policies (consider FG21/1)",
        check_policies,
        purposes=COLLECTION,
    ),
    Rule(
        "UK-CONC-FORBEARANCE",
        PACK,
        "FCA CONC 7.3.4R [older wording]",
        "forbearance for customers in arrears; flag when a reasonable, affordable proposal is refused",
        check_forbearance,
        purposes=COLLECTION,
        parameters={"token_payment": "1.00"},
    ),
    Rule(
        "UK-SFS",
        PACK,
        "Standard Financial Statement",
        "affordability from the Standard Financial Statement; flag asking for payment when nothing is left "
        "over (guideline figures are licensed: set them per creditor)",
        check_financial_statement,
        purposes=COLLECTION,
    ),
    Rule(
        "UK-PAP-DEBT",
        PACK,
        "Pre-Action Protocol for Debt Claims",
        "before suing an individual or sole trader: a letter of claim and 30 days; 30 more after a Reply "
        "Form saying they are getting advice, or the documents they asked for",
        check_pre_action,
        purposes=frozenset({"legal_action"}),
        parameters={"reply_days": 30},
        higher_is_stricter=frozenset({"reply_days"}),
    ),
    Rule(
        "UK-LATE-PAYMENT",
        PACK,
        "Late Payment of Commercial Debts (Interest) Act 1998, s.5A; SI 2002/1675",
        "business debts: statutory interest at 8% over Bank Rate and fixed compensation of 40, 70 or 100 "
        "pounds per invoice; never charged to consumers",
        check_late_payment,
        frozenset({"sms", "email", "letter"}),
        parameters={
            "margin_percent": 8,
            "compensation_gbp": {"under_1000": 40, "under_10000": 70, "more": 100},
        },
    ),
)
