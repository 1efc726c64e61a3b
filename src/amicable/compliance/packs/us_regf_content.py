"""United States: Regulation F rules about what a message says (checked when `content` is given)."""

from __future__ import annotations

import re

from ..decision import Effect
from ..rule import Rule
from ..scenario import Scenario
from ..validation_period import validation_period_end
from .common import communicated

PACK = "US-REGF"
WRITTEN = frozenset({"sms", "email", "letter"})

ATTEMPTING = re.compile(
    r"attempt(?:ing)?\s+to\s+collect\s+a\s+debt|intento\s+de\s+cobrar\s+una\s+deuda", re.IGNORECASE
)
USED_FOR = re.compile(
    r"information\s+(?:obtained\s+)?(?:will|may)\s+be\s+used\s+for\s+that\s+purpose"
    r"|informaci[oó]n\s+(?:obtenida\s+)?se\s+(?:usar[aá]|utilizar[aá])\s+(?:con\s+ese\s+fin|para\s+ese\s+prop[oó]sito)",
    re.IGNORECASE,
)
FROM_COLLECTOR = re.compile(
    r"(?:from|by)\s+a\s+debt\s+collector|de\s+un\s+cobrador\s+de\s+deudas", re.IGNORECASE
)

# Words that make a voicemail more than a limited-content message: anything that reveals a debt.
_DEBT_WORDS = re.compile(
    r"\b(?:debts?|collect\w*|recover\w*|owe[sd]?|owing|overdue|arrears|balance|payments?|past\s+due|account)\b"
    r"|[$£€]\s?\d",
    re.IGNORECASE,
)
# Demands that, during the validation period, would overshadow the right to dispute.
_OVERSHADOWING = re.compile(
    r"\b(?:within|in)\s+\d+\s+(?:days?|hours?)\b|\bimmediately\b|\bto\s+avoid\s+(?:legal|further)\s+action\b"
    r"|\bfinal\s+(?:notice|demand|warning)\b|\bact\s+now\b|\btoday\s+only\b",
    re.IGNORECASE,
)


def first_communication(scenario: Scenario) -> bool:
    """Nothing has been communicated about any of the contact's debts before now."""
    return not any(
        communicated(e) and e.at < scenario.now and set(e.debts) & set(scenario.contact.debts)
        for e in scenario.history
    )


def check_mini_miranda(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    if content is None:
        return None
    if first_communication(scenario):
        if ATTEMPTING.search(content) and USED_FOR.search(content):
            return None
        return rule.reason(
            Effect.BLOCK,
            "a first communication must say that this is an attempt to collect a debt and that any "
            "information obtained will be used for that purpose",
        )
    if FROM_COLLECTOR.search(content) or ATTEMPTING.search(content):
        return None
    return rule.reason(Effect.BLOCK, "every later communication must say that it is from a debt collector")


def check_limited_content(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    if content is None or not _DEBT_WORDS.search(content):
        return None
    word = _DEBT_WORDS.search(content).group(0)
    return rule.reason(
        Effect.BLOCK,
        f"a voicemail may be heard by others: say only a business name, a person to ask for, a callback "
        f"number and a request to call back (found {word!r})",
    )


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind(".", 0, at), text.rfind("\n", 0, at)) + 1
    ends = [i for i in (text.find(".", at), text.find("\n", at)) if i != -1]
    return text[start : min(ends) if ends else len(text)]


def check_overshadowing(rule: Rule, scenario: Scenario):
    content = scenario.contact.content
    sent = [n.sent_at for n in scenario.notices if n.kind == "validation"]
    if content is None or not sent:
        return None
    ends = validation_period_end(max(sent))
    if scenario.local_day(scenario.now) > ends:
        return None
    # A deadline in the sentence that explains the right to dispute is that right, not a threat to it.
    found = next(
        (
            m
            for m in _OVERSHADOWING.finditer(content)
            if "disput" not in _sentence(content, m.start()).lower()
        ),
        None,
    )
    if found is None:
        return None
    return rule.reason(
        Effect.BLOCK,
        f"until {ends:%d %b %Y} the debtor may dispute; {found.group(0)!r} would overshadow that right",
    )


RULES = (
    Rule(
        "US-REGF-MINI-MIRANDA",
        PACK,
        "12 CFR 1006.18(e)",
        "first communication: attempting to collect a debt, information used for that purpose; "
        "later ones: from a debt collector",
        check_mini_miranda,
        WRITTEN,
        frozenset({"collection", "reply_to_debtor"}),
    ),
    Rule(
        "US-REGF-LCM",
        PACK,
        "12 CFR 1006.2(j)",
        "a voicemail must be a limited-content message",
        check_limited_content,
        frozenset({"voicemail"}),
    ),
    Rule(
        "US-REGF-OVERSHADOWING",
        PACK,
        "12 CFR 1006.38(b)",
        "during the validation period nothing may overshadow the right to dispute",
        check_overshadowing,
        WRITTEN | {"voicemail", "call"},
        frozenset({"collection"}),
    ),
)
