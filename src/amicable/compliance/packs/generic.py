"""Rules amicable applies everywhere, whatever the jurisdiction: holds that stop collection."""

from __future__ import annotations

from ..decision import Effect
from ..rule import Rule
from ..scenario import ACTS, MESSAGE_PURPOSES, Scenario
from .common import active_holds, asks_for_payment, opt_out_block, outside_hours

PACK = "GENERIC"


def _hold_rule(kinds: set[str], effect: Effect, message: str, exempt: frozenset[str] = frozenset()):
    """A check for holds of `kinds`; contacts for an `exempt` purpose pass unless they ask for payment."""

    def check(rule: Rule, scenario: Scenario):
        if not active_holds(scenario, kinds):
            return None
        if scenario.contact.purpose in exempt and not asks_for_payment(scenario):
            return None
        return rule.reason(effect, message)

    return check


EXEMPT_FROM_STAYS = frozenset(
    {"reply_to_debtor", "adviser_contact", "required_by_law", "opt_out_confirmation"}
)


RULES = (
    Rule(
        "GEN-QUIET-HOURS",
        PACK,
        "amicable policy; creditor setting",
        "no contact outside 08:00-21:00 in the debtor's time zones, or at times they named",
        lambda rule, scenario: outside_hours(rule, scenario),
        frozenset({"call", "sms", "email", "voicemail"}),
        parameters={"start": "08:00", "end": "21:00"},
    ),
    Rule(
        "GEN-OPTOUT",
        PACK,
        "amicable policy; 47 CFR 64.1200(a)(10); 12 CFR 1006.14(h)",
        "after an opt-out from a medium, only one confirmation with no other content",
        opt_out_block,
        purposes=MESSAGE_PURPOSES,
    ),
    Rule(
        "GEN-HOLD-CEASE",
        PACK,
        "amicable policy",
        "no contact after a request to cease",
        _hold_rule(
            {"cease"},
            Effect.BLOCK,
            "the debtor asked us to stop contacting them",
            frozenset({"opt_out_confirmation", "required_by_law", *ACTS}),
        ),
    ),
    Rule(
        "GEN-HOLD-REPRESENTED",
        PACK,
        "amicable policy",
        "contact the debtor's representative, not the debtor",
        _hold_rule(
            {"represented"},
            Effect.BLOCK,
            "the debtor is represented: contact the representative",
            frozenset({"adviser_contact", "required_by_law"}),
        ),
    ),
    Rule(
        "GEN-HOLD-BANKRUPTCY",
        PACK,
        "amicable policy (bankruptcy stays collection)",
        "no collection from a debtor in bankruptcy",
        _hold_rule(
            {"bankruptcy"},
            Effect.BLOCK,
            "the debtor is in bankruptcy: collection is stayed",
            EXEMPT_FROM_STAYS,
        ),
    ),
    Rule(
        "GEN-HOLD-DISPUTE",
        PACK,
        "amicable policy",
        "no collection of a disputed debt until a person has checked it and sent verification",
        _hold_rule(
            {"dispute"}, Effect.BLOCK, "the debt is disputed: no collection until verification is sent"
        ),
        purposes=frozenset({"collection"}),
    ),
    Rule(
        "GEN-HOLD-DECEASED",
        PACK,
        "amicable policy",
        "no collection contact addressed to a deceased debtor",
        _hold_rule({"deceased"}, Effect.BLOCK, "the debtor has died: contact the estate through a person"),
        purposes=frozenset({"collection", "reply_to_debtor"}),
    ),
    Rule(
        "GEN-HOLD-PAUSED",
        PACK,
        "amicable policy; FCA FG21/1; CONC 7.3.4R (forbearance)",
        "no collection while a customer's hardship or difficult situation is being looked at",
        _hold_rule(
            {"paused"},
            Effect.BLOCK,
            "collection is paused: the customer told us of hardship or a difficult situation",
        ),
        purposes=frozenset({"collection"}),
    ),
    Rule(
        "GEN-VULNERABILITY-REVIEW",
        PACK,
        "FCA FG21/1 (fair treatment of vulnerable customers)",
        "a person reviews a possibly vulnerable debtor's contacts",
        _hold_rule(
            {"vulnerability_review"}, Effect.FLAG, "a vulnerability review is open: a person should look"
        ),
        purposes=frozenset({"collection"}),
    ),
)
