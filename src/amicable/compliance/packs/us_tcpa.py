"""United States: the Telephone Consumer Protection Act, for every creditor contacting US consumers."""

from __future__ import annotations

from ..decision import Effect
from ..rule import Rule
from ..scenario import Scenario
from .common import confirmations_since, opt_out_of_channel

PACK = "US-TCPA"


def check_revoked(rule: Rule, scenario: Scenario):
    event = opt_out_of_channel(scenario)
    if event is None:
        return None
    if scenario.contact.purpose == "opt_out_confirmation" and confirmations_since(scenario, event.at) == 0:
        return None
    return rule.reason(
        Effect.BLOCK,
        f"consent to {scenario.contact.channel} was revoked on {event.at:%d %b %Y} ({event.content!r}); "
        "honoured at once",
    )


RULES = (
    Rule(
        "US-TCPA-REVOKE",
        PACK,
        "47 CFR 64.1200(a)(10)",
        "consent can be revoked by any reasonable means and is honoured at once",
        check_revoked,
        frozenset({"call", "sms", "voicemail"}),
    ),
)
