"""United States: the Telephone Consumer Protection Act, for every creditor contacting US consumers."""

from __future__ import annotations

from ..decision import Effect
from ..rule import Rule
from ..scenario import MESSAGE_PURPOSES, Scenario
from .common import opt_out_block

PACK = "US-TCPA"
# Texts are sent from platforms, voicemails dropped by machine: both are automated unless said otherwise.
_NAMES = {"sms": "text", "call": "call", "voicemail": "prerecorded voicemail"}
AUTOMATED_BY_DEFAULT = {"sms": True, "voicemail": True, "call": False}


def check_revoked(rule: Rule, scenario: Scenario):
    return opt_out_block(rule, scenario)


def check_consent(rule: Rule, scenario: Scenario):
    """Autodialled or prerecorded calls and texts to a mobile number need prior express consent; the
    debtor giving the number for the debt is consent (FCC 07-232). A number of unknown type is treated
    as a mobile. Only judged when the scenario says what the number is."""
    to = scenario.contact.to
    if to is None or to.line_type is None or to.line_type == "landline":
        return None
    automated = AUTOMATED_BY_DEFAULT[scenario.contact.channel] if to.automated is None else to.automated
    consented = to.consented_at is not None and to.consented_at <= scenario.now
    if not automated or to.debtor_provided or consented:
        return None
    kind = "a mobile" if to.line_type == "mobile" else "a number that may be a mobile"
    return rule.reason(
        Effect.BLOCK,
        f"an automated {_NAMES[scenario.contact.channel]} to {kind} needs prior express consent: the debtor "
        "did not give this number nor agree to it (dial by hand, or ask first)",
    )


RULES = (
    Rule(
        "US-TCPA-CONSENT",
        PACK,
        "47 U.S.C. 227(b)(1)(A)(iii); FCC 07-232",
        "autodialled or prerecorded calls and texts to mobiles need prior express consent",
        check_consent,
        frozenset({"call", "sms", "voicemail"}),
        MESSAGE_PURPOSES,
    ),
    Rule(
        "US-TCPA-REVOKE",
        PACK,
        "47 CFR 64.1200(a)(10)",
        "consent can be revoked by any reasonable means and is honoured at once",
        check_revoked,
        frozenset({"call", "sms", "voicemail"}),
        MESSAGE_PURPOSES,
    ),
)
