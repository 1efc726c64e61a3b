"""The call guide: what to check, say, ask and offer on a call about one debt, and what voicemail may be
left, decided from the rule packs that apply and the account's facts.

Each point carries a `key` (the console's words for the agent are keyed by it), the rule it follows
and that rule's citation, from the compliance registry. Words to say to the customer (`says`) are in
the customer's language, like a message template; the disclosures are the ones the rule packs' own
patterns accept (tests/test_guide.py checks them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from amicable.arrangements.options import Option
from amicable.compliance.packs import RULES

CITATIONS = {rule.id: rule.citation for rule in RULES}
# Who else may answer: the debt stays between us and the customer until they have shown it is them.
THIRD_PARTIES = {"US-REGF": "12 CFR 1006.6(d); 15 U.S.C. 1692b", "UK": CITATIONS["UK-CONC-CONTACT"]}
PLAN_KINDS = ("full", "settlement", "weekly", "fortnightly", "monthly")

# Holds that stop a call asking for payment, with the rule that says so (in the order shown).
HOLD_RULES = (
    ("cease", "GEN-HOLD-CEASE"),
    ("represented", "GEN-HOLD-REPRESENTED"),
    ("bankruptcy", "GEN-HOLD-BANKRUPTCY"),
    ("deceased", "GEN-HOLD-DECEASED"),
    ("breathing_space", "UK-BREATHING-SPACE"),
    ("mental_health_crisis", "UK-BREATHING-SPACE"),
    ("dispute", "GEN-HOLD-DISPUTE"),
    ("vulnerability_review", "GEN-VULNERABILITY-REVIEW"),
    ("paused", "GEN-HOLD-PAUSED"),
)
# Where Regulation F applies, its own rule for the same hold (the stricter, legal source).
REGF_HOLD_RULES = {"cease": "US-REGF-CEASE", "represented": "US-REGF-ATTORNEY", "dispute": "US-REGF-DISPUTE"}
# Holds after which no voicemail is left either: the customer asked for no contact, or is not there.
NO_VOICEMAIL = frozenset({"cease", "represented", "deceased", "bankruptcy"})

# 12 CFR 1006.2(j): what a limited-content message may say, and nothing else.
VOICEMAIL_REQUIRED = ("business_name", "request_reply", "person", "phone")
VOICEMAIL_OPTIONAL = ("salutation", "date_time", "suggested_times", "any_representative")

# Words to say, in the customer's language (the console shows them as written).
SAY = {
    "en": {
        "mini_miranda_first": "This is {agent} from {creditor}. This is an attempt to collect a debt by a "
        "debt collector, and any information obtained will be used for that purpose.",
        "mini_miranda": "This call is from a debt collector.",
        "who_we_are": "My name is {agent}, and I am calling from {creditor} about your account with us.",
        "who_we_are_collector": "My name is {agent}, and I am calling from {creditor}, a debt collection "
        "agency, about an account we are handling.",
    },
    "es": {
        "mini_miranda_first": "Le habla {agent}, de {creditor}. Este es un intento de cobrar una deuda por "
        "parte de un cobrador de deudas. Cualquier información obtenida se utilizará con ese fin.",
        "mini_miranda": "Esta llamada es de un cobrador de deudas.",
        "who_we_are": "Me llamo {agent} y le llamo de {creditor} por su cuenta con nosotros.",
        "who_we_are_collector": "Me llamo {agent} y le llamo de {creditor}, una agencia de cobro de deudas, "
        "por una cuenta que gestionamos.",
    },
}


@dataclass(frozen=True, slots=True)
class CallFacts:
    packs: frozenset[str]  # the rule packs that apply to a call about this debt (compliance engine)
    first_communication: bool  # nothing has been communicated about this debt before
    debt_collector: bool  # the creditor collects for others (or bought the debt)
    language: str  # the customer's: en, en-GB, es
    creditor: str  # the name the customer knows
    agent: str  # the name the customer can ask for
    phone: str  # our number, as the customer dials it
    is_business: bool = False
    holds: frozenset[str] = frozenset()  # kinds of hold in force now
    identity_on_file: tuple[str, ...] = ()  # what we can check them against: date_of_birth, postcode
    options: tuple[Option, ...] = ()  # from the arrangements engine
    advice: tuple[tuple[str, str], ...] = ()  # free debt advice in their country: (name, website)
    hardship_pause_days: int = 30
    voicemail: str = ""  # the limited-content message for this creditor, in the customer's language
    voicemail_problems: tuple[str, ...] = ()  # what the voicemail rules found in it


@dataclass(frozen=True, slots=True)
class Point:
    key: str  # what it is; the console's words for it are keyed by this
    rule: str = ""  # the rule it follows (RULES.md id), if any
    citation: str = ""
    says: str = ""  # words to say to the customer, in their language
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # full, settlement, weekly, fortnightly, monthly
    currency: str
    instalment: Decimal
    payments: int
    total: Decimal
    first_due: date
    last_due: date
    fits: bool | None  # None: no income and expenditure to judge by


@dataclass(frozen=True, slots=True)
class Voicemail:
    rule: str  # US-REGF-LCM where Regulation F applies, UK-CONC-CONTACT in the UK, else none
    citation: str
    script: str
    required: tuple[str, ...] = VOICEMAIL_REQUIRED
    optional: tuple[str, ...] = VOICEMAIL_OPTIONAL
    leave: bool = True  # False: hang up without a message
    why_not: tuple[Point, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallGuide:
    identity: tuple[Point, ...]  # ask first
    not_before_identity: tuple[Point, ...]  # never say before the identity check passes
    disclosures: tuple[Point, ...]  # say once it has passed
    cautions: tuple[Point, ...]  # what this call must not do
    questions: tuple[Point, ...]
    listening: tuple[Point, ...]
    offers: tuple[Offer, ...]
    help: tuple[Point, ...]
    texas: tuple[Point, ...]  # when someone tells of a vulnerability
    voicemail: Voicemail
    may_ask_for_payment: bool


def _rule(rule: str, key: str, **extra) -> Point:
    return Point(key, rule, CITATIONS.get(rule, ""), **extra)


def _say(language: str, key: str, facts: CallFacts) -> str:
    words = SAY.get(language.split("-")[0], SAY["en"])[key]
    return words.format(agent=facts.agent, creditor=facts.creditor)


def identity(facts: CallFacts) -> tuple[Point, ...]:
    """Who they are, before anything about the debt (UK-CONC-CONTACT: confirm identity before
    disclosing; 12 CFR 1006.6(d): nothing about the debt to anyone else)."""
    points = [Point("ask_for_customer_business" if facts.is_business else "ask_for_customer")]
    points += [Point(f"confirm_{item}") for item in facts.identity_on_file]
    if not facts.identity_on_file:
        points.append(Point("confirm_address"))
    points.append(Point("someone_else"))
    return tuple(points)


def not_before_identity(facts: CallFacts) -> tuple[Point, ...]:
    regf = "US-REGF" in facts.packs
    citation = THIRD_PARTIES["US-REGF"] if regf else THIRD_PARTIES["UK"] if "UK" in facts.packs else ""
    rule = "UK-CONC-CONTACT" if "UK" in facts.packs and not regf else ""
    points = [Point("hide_debt", rule, citation), Point("hide_amount", rule, citation)]
    if facts.debt_collector:
        points.append(Point("hide_collector", rule, citation))
    return tuple(points)


def disclosures(facts: CallFacts) -> tuple[Point, ...]:
    """Regulation F (a debt collector, or a creditor that applies it): the mini-Miranda, in full on
    the first communication about the debt, then that the call is from a debt collector
    (12 CFR 1006.18(e)); a validation notice within five days of a first one (1006.34(a)).
    Elsewhere: who we are and why we call."""
    language = facts.language
    if "US-REGF" in facts.packs:
        if facts.first_communication:
            return (
                _rule(
                    "US-REGF-MINI-MIRANDA",
                    "mini_miranda_first",
                    says=_say(language, "mini_miranda_first", facts),
                ),
                _rule("US-REGF-VALIDATION", "validation_notice"),
            )
        return (
            _rule("US-REGF-MINI-MIRANDA", "who_we_are", says=_say(language, "who_we_are", facts)),
            _rule("US-REGF-MINI-MIRANDA", "mini_miranda", says=_say(language, "mini_miranda", facts)),
        )
    said = _say(language, "who_we_are_collector" if facts.debt_collector else "who_we_are", facts)
    if "UK" in facts.packs:
        return (_rule("UK-CONC-CONTACT", "who_we_are", says=said),)
    return (Point("who_we_are", says=said),)


def cautions(facts: CallFacts) -> tuple[Point, ...]:
    points = []
    for kind, rule in HOLD_RULES:
        if kind in facts.holds:
            if "US-REGF" in facts.packs and kind in REGF_HOLD_RULES:
                rule = REGF_HOLD_RULES[kind]
            points.append(_rule(rule, f"hold_{kind}"))
    if "US-REGF" in facts.packs:
        points.append(_rule("US-REGF-OVERSHADOWING", "no_overshadowing"))
    if "UK" in facts.packs:
        points.append(_rule("UK-CONC-NO-PRESSURE", "no_pressure"))
    return tuple(points)


def may_ask_for_payment(facts: CallFacts) -> bool:
    return not any(kind in facts.holds for kind, _ in HOLD_RULES)


QUESTIONS = ("challenges", "how_are_things", "manageable", "what_would_help", "anything_else")
LISTENING = ("let_them_finish", "say_back", "validate", "pauses", "no_judgement")
TEXAS = ("thank", "explain", "consent", "ask", "signpost")


def questions(facts: CallFacts) -> tuple[Point, ...]:
    asked = (("business_hold_up",) if facts.is_business else ()) + QUESTIONS
    return tuple(Point(key) for key in asked)


def offers(facts: CallFacts) -> tuple[Offer, ...]:
    return tuple(
        Offer(
            kind=option.kind,
            currency=option.currency,
            instalment=option.instalment,
            payments=len(option.schedule),
            total=option.total,
            first_due=option.schedule[0][0],
            last_due=option.end_date,
            fits=option.fits,
        )
        for option in facts.options
        if option.kind in PLAN_KINDS
    )


def help_available(facts: CallFacts) -> tuple[Point, ...]:
    """Free debt advice in their country (UK-CONC-ADVICE in the UK), a pause in hardship, and in the
    UK the Breathing Space scheme an adviser can start."""
    advice_rule = "UK-CONC-ADVICE" if "UK" in facts.packs else ""
    points = [
        Point("advice", advice_rule, CITATIONS.get(advice_rule, ""), params={"name": name, "site": site})
        for name, site in facts.advice
    ]
    if not facts.is_business:
        points.append(
            Point(
                "hardship_pause",
                "GEN-HOLD-PAUSED",
                CITATIONS["GEN-HOLD-PAUSED"],
                params={"days": facts.hardship_pause_days},
            )
        )
    if "UK" in facts.packs and not facts.is_business:
        points.append(_rule("UK-BREATHING-SPACE", "breathing_space"))
    return tuple(points)


def voicemail(facts: CallFacts) -> Voicemail:
    """A limited-content message (12 CFR 1006.2(j)): a business name that does not reveal debt
    collection, a request to call back, a person to ask for and a number; nothing else. Outside
    Regulation F the same message keeps the debt from whoever else hears it."""
    if "US-REGF" in facts.packs:
        rule = "US-REGF-LCM"
    elif "UK" in facts.packs:
        rule = "UK-CONC-CONTACT"
    else:
        rule = ""
    why_not = tuple(_rule(r, f"hold_{kind}") for kind, r in HOLD_RULES if kind in facts.holds & NO_VOICEMAIL)
    if not facts.phone:  # a number to call back is one of the elements a voicemail must have
        why_not += (Point("no_phone", rule, CITATIONS.get(rule, "")),)
    return Voicemail(
        rule=rule,
        citation=CITATIONS.get(rule, ""),
        script=facts.voicemail,
        leave=bool(facts.voicemail) and not facts.voicemail_problems and not why_not,
        why_not=why_not,
        problems=facts.voicemail_problems,
    )


def call_guide(facts: CallFacts) -> CallGuide:
    return CallGuide(
        identity=identity(facts),
        not_before_identity=not_before_identity(facts),
        disclosures=disclosures(facts),
        cautions=cautions(facts),
        questions=questions(facts),
        listening=tuple(Point(key) for key in LISTENING),
        offers=offers(facts),
        help=help_available(facts),
        texas=tuple(Point(key) for key in TEXAS),
        voicemail=voicemail(facts),
        may_ask_for_payment=may_ask_for_payment(facts),
    )
