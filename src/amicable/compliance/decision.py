"""How the reasons of many rules combine into one decision about one contact.

Any block blocks; otherwise the latest defer wins; flags are kept alongside. Every reason is
returned, not only the first, so a person can see all that stood in the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Effect(StrEnum):
    ALLOW = "allow"
    BLOCK = "block"
    DEFER = "defer"  # not now; allowed from `until`
    FLAG = "flag"  # allowed, but a person should look


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # stable id from RULES.md, e.g. US-REGF-CALL-7IN7
    citation: str  # e.g. 12 CFR 1006.14(b)(2)(i)(A)
    effect: Effect
    message: str  # one plain sentence
    until: datetime | None = None  # for a defer, or a block that lifts at a known time

    def __post_init__(self) -> None:
        if self.effect is Effect.DEFER and self.until is None:
            raise ValueError(f"{self.rule}: a defer needs the time it ends")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError(f"{self.rule}: until must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect  # allow, block or defer; flags show in the reasons
    reasons: tuple[Reason, ...]
    next_allowed_at: datetime | None  # when the contact could lawfully happen; None if never/unknown

    @property
    def allowed(self) -> bool:
        return self.effect is Effect.ALLOW


def combine(reasons: Iterable[Reason]) -> Decision:
    """One decision from every rule's reason (rules that have nothing to say give no reason)."""
    reasons = tuple(reasons)
    blocks = [r for r in reasons if r.effect is Effect.BLOCK]
    defers = [r for r in reasons if r.effect is Effect.DEFER]
    if blocks:
        # A block lifts only if every block says when; then the contact waits for the last of them
        # and for any defer.
        if all(r.until is not None for r in blocks):
            latest = max(r.until for r in [*blocks, *defers] if r.until is not None)
            return Decision(Effect.BLOCK, reasons, latest)
        return Decision(Effect.BLOCK, reasons, None)
    if defers:
        return Decision(Effect.DEFER, reasons, max(r.until for r in defers if r.until is not None))
    return Decision(Effect.ALLOW, reasons, None)
