"""United States: the Telephone Consumer Protection Act, for every creditor contacting US consumers."""

from __future__ import annotations

from ..rule import Rule
from ..scenario import Scenario
from .common import opt_out_block

PACK = "US-TCPA"


def check_revoked(rule: Rule, scenario: Scenario):
    return opt_out_block(rule, scenario)


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
