"""Recognising a request to stop: opt-out keywords and plain-language requests, English and Spanish.

US-TCPA-REVOKE (47 CFR 64.1200(a)(10)): consent can be revoked by any reasonable means, including
"stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe" and replies in words.
US-REGF-MEDIUM-OPTOUT (12 CFR 1006.14(h)): a request not to be contacted through a medium is honoured.

A message that is only a keyword is an opt-out. In a longer message a keyword alone is not ("I'll pay
at the end of the month"), but a request is ("please stop texting me", "no me escriban más"). When in
doubt the words lean towards stopping: a missed opt-out breaks the law, an extra one costs a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Whole-message keywords (after removing punctuation and accents, case-insensitive).
KEYWORDS = frozenset(
    {
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "revoke",
        "opt out",
        "optout",
        "opt-out",
        "stop please",
        "please stop",
        # Spanish
        "alto",
        "parar",
        "para",
        "baja",
        "darse de baja",
        "cancelar",
        "detener",
        "basta",
        "no mas",
    }
)

_CONTACT_VERBS = {
    "sms": r"text(?:ing|s)?|messag(?:e|es|ing)|sms",
    "call": r"call(?:ing|s)?|phon(?:e|ing)|ring(?:ing)?",
    "email": r"e-?mail(?:ing|s)?",
    "any": r"contact(?:ing)?|bother(?:ing)?|harass(?:ing)?",
    None: r"writ(?:e|ing)|send(?:ing)?(?: me)?",  # the medium the message came in on
}
_SPANISH_VERBS = {
    "sms": r"mensajes?|textos?|sms|escrib\w*|mand\w* mensajes?",
    "call": r"llam\w*",
    "email": r"correos?|e-?mails?",
    "any": r"contact\w*|molest\w*",
}

_PATTERNS: list[tuple[re.Pattern[str], str | None]] = []
for _medium, _verbs in _CONTACT_VERBS.items():
    _PATTERNS += [
        (re.compile(rf"\b(?:stop|quit|cease)\s+(?:{_verbs})\b"), _medium),
        (re.compile(rf"\b(?:do\s*n[o']?t|never|no more)\s+(?:\w+\s+)?(?:{_verbs})\b"), _medium),
    ]
for _medium, _verbs in _SPANISH_VERBS.items():
    _PATTERNS += [
        # deje de llamarme / pare de escribir
        (re.compile(rf"\b(?:dej\w*|par\w*)\s+de\s+(?:{_verbs})\b"), _medium),
        # no me llamen / no más mensajes / no me manden más mensajes / no me escriban más
        (re.compile(rf"\bno\s+(?:me\s+)?(?:\w+\s+)?(?:mas\s+)?(?:{_verbs})\b"), _medium),
    ]
_PATTERNS += [
    (re.compile(r"\b(?:unsubscribe|opt[\s-]?out)\b"), None),
    (re.compile(r"\b(?:remove|take)\s+me\s+(?:from|off)\b"), None),
    (re.compile(r"\b(?:leave me alone|stop all|cease and desist)\b"), None),
    (re.compile(r"\brevok\w*\b"), None),
    (re.compile(r"\b(?:darme de baja|dar de baja|no quiero (?:recibir|mas))\b"), None),
]


@dataclass(frozen=True, slots=True)
class OptOut:
    """What was recognised: the words that matched and the medium named, if any (None: the medium
    the message came in on; "any": every medium)."""

    matched: str
    medium: str | None


# A message that starts with one of these is an opt-out ("STOP STOP", "Stop!! I told you already").
LEADING_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "quit", "revoke", "optout"})


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # phones type curly apostrophes
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def recognise_opt_out(text: str) -> OptOut | None:
    """The opt-out in a reply, or None if there is none."""
    normal = _normalise(text)
    if normal.replace("-", " ") in KEYWORDS or normal in KEYWORDS:
        return OptOut(normal, None)
    for pattern, medium in _PATTERNS:  # a request that names a medium says more than a bare keyword
        match = pattern.search(normal)
        if match:
            return OptOut(match.group(0), medium)
    first_word = normal.split(" ", 1)[0]
    if first_word in LEADING_KEYWORDS:
        return OptOut(first_word, None)
    return None
