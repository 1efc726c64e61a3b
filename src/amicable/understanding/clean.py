"""The customer's own words from a reply: quoted history, signatures and sign-offs left out.

Replies carry everything said before them. Reading that again would find our own reminder in every
answer ("...your payment is due on Friday"), so the classifier and the entity extraction only see
what the customer wrote this time.
"""

from __future__ import annotations

import re
import unicodedata

# A line that starts the quoted earlier message, in the forms mail programs write in English and Spanish.
_QUOTE_HEADERS = [
    re.compile(r"^\s*on\b.{0,200}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*el\b.{0,200}\bescribi[oó]:\s*$", re.IGNORECASE),
    re.compile(
        r"^\s*-{2,}\s*(original message|forwarded message|mensaje original|mensaje reenviado)\s*-{2,}\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted headers
]
# A quoted or forwarded header block: "From: ..." followed by "Sent: ...", "To: ..." and the like. A
# "From:" line alone is the customer's own ("From: my husband's account"), and what follows it too.
_BLOCK_FROM = re.compile(r"^\s*(from|de):\s.+$", re.IGNORECASE)
_BLOCK_NEXT = re.compile(
    r"^\s*(sent|date|to|cc|subject|enviado|enviado el|fecha|para|asunto):\s", re.IGNORECASE
)
# A line that starts a signature: the "-- " convention, or a phone's "Sent from".
_SIGNATURES = [
    re.compile(r"^\s*--\s*$"),
    re.compile(r"^\s*(sent from my|get outlook for|enviado desde mi|enviado desde)\b", re.IGNORECASE),
]


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})


def own_words(text: str) -> str:
    """The reply without quoted lines (> ...), the quoted earlier message, or the signature."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        # "On Mon, 3 Mar 2026 at 09:00, Northwind <...>" is sometimes wrapped over two lines.
        joined = line + " " + lines[index + 1] if index + 1 < len(lines) else line
        if any(p.match(line) or p.match(joined) for p in _QUOTE_HEADERS) and kept:
            break
        if (
            _BLOCK_FROM.match(line)
            and any(_BLOCK_NEXT.match(n) for n in lines[index + 1 : index + 4])
            and kept
        ):
            break
        if any(p.match(line) for p in _SIGNATURES):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def normalised(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: what the rules match against."""
    # Phones type curly apostrophes (U+2019): "don\u2019t" must read as "don't".
    text = text.translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip()
