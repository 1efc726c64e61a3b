"""The signed, expiring link to the feedback form: one account per link (web/signed.py)."""

from __future__ import annotations

from django.conf import settings

from amicable.web import signed

SALT = "amicable.aftercare.feedback"
VALID_FOR = 60 * 60 * 24 * 90  # 90 days: long enough to answer a letter


def feedback_token(account_id: int, now: float | None = None) -> str:
    return signed.make(SALT, account_id, now)


def feedback_url(account_id: int) -> str:
    return f"{settings.PUBLIC_URL}/f/{feedback_token(account_id)}"


def account_id_from(token: str, now: float | None = None) -> int | None:
    """The account a token was made for, or None when it is forged, altered or expired."""
    opened = signed.open_token(SALT, token, VALID_FOR, now)
    return opened.id if opened and not opened.expired else None
