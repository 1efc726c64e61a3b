"""Checks on a rendered message: tone, reading grade, SMS encoding and length (docs/messages.md).

A finding is an error (the template may not be used) or a warning (a person should look).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    level: str
    check: str
    message: str


# Phrases that threaten, shame, rush or sound like a court: none belongs in a message from amicable.
_TONE = {
    "threatening": r"\b(?:we\s+will\s+(?:take|pursue|seize|report)|legal\s+action|take\s+you\s+to\s+court|"
    r"sue|lawsuit|garnish\w*|bailiffs?|seize|arrest|demandar|acci[oó]n\s+legal|embargo)\b",
    "shaming": r"\b(?:irresponsible|deadbeat|ashamed|shame(?:ful)?|disgrace\w*|your\s+employer\s+will|"
    r"everyone\s+will\s+know|verg[uü]enza|irresponsable)\b",
    "false urgency": r"\b(?:final\s+(?:notice|demand|warning)|act\s+now|immediately|urgent(?:ly)?|"
    r"last\s+chance|today\s+only|within\s+\d+\s+(?:hours?|days?)|inmediatamente|[uú]ltimo\s+aviso|urgente)\b",
    "legal-sounding": r"\b(?:failure\s+to\s+pay|you\s+are\s+(?:hereby\s+)?(?:required|obliged)|hereby|"
    r"pursuant\s+to|notwithstanding|you\s+must|in\s+default\s+of|usted\s+debe)\b",
}
_TONE_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _TONE.items()}
# Acronyms and words that are capitals by nature.
_CAPITALS_ALLOWED = {
    "STOP",
    "HELP",
    "USD",
    "GBP",
    "EUR",
    "PDF",
    "FAQ",
    "HMRC",
    "LLC",
    "LTD",
    "PLC",
    "IBAN",
    "SMS",
}
_SHOUT = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{4,}\b")


_LINKS = re.compile(r"https?://\S+|\S+@\S+")


def tone(text: str) -> list[Finding]:
    # Links and addresses are not words: a token such as /u/xQ-SUE-ABCDE is neither a threat nor shouting.
    text = _LINKS.sub(" ", text)
    findings = [
        Finding(ERROR, "tone", f"{name} phrase: {found.group(0)!r}")
        for name, pattern in _TONE_PATTERNS.items()
        for found in [pattern.search(text)]
        if found
    ]
    shouted = [w for w in _SHOUT.findall(text) if w not in _CAPITALS_ALLOWED]
    if shouted:
        findings.append(Finding(ERROR, "tone", f"shouting in capitals: {', '.join(sorted(set(shouted)))}"))
    return findings


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade of English text (links and numbers left out)."""
    text = re.sub(r"https?://\S+", "", text)
    sentences = max(len(re.findall(r"[.!?]+(?:\s|$)", text)), 1)
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    if not words:
        return 0.0
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def readability(text: str, language: str, limit: float = 8.0) -> list[Finding]:
    if language.split("-")[0] != "en":
        return []  # the grade formula is for English
    grade = reading_grade(text)
    if grade <= limit:
        return []
    return [
        Finding(WARNING, "reading grade", f"grade {grade:.1f}; consumer messages aim at {limit:g} or below")
    ]


_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each takes two septets


@dataclass(frozen=True, slots=True)
class SmsSize:
    encoding: str  # GSM-7 or UCS-2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def sms_size(text: str) -> SmsSize:
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in text):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        return SmsSize("GSM-7", units, 1 if units <= 160 else math.ceil(units / 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsSize("UCS-2", units, 1 if units <= 70 else math.ceil(units / 67))


def sms(text: str, max_segments: int = 3) -> list[Finding]:
    size = sms_size(text)
    if size.segments > max_segments:
        return [
            Finding(
                ERROR,
                "sms length",
                f"{size.segments} segments ({size.encoding}, {size.units} units); the cap is {max_segments}",
            )
        ]
    return []


def check_message(
    channel: str, text: str, language: str, *, consumer: bool = True, max_segments: int = 3
) -> list[Finding]:
    """Every check for one rendered message (its subject and body together)."""
    findings = tone(text)
    if consumer:
        findings += readability(text, language)
    if channel == "sms":
        findings += sms(text, max_segments)
    return findings
