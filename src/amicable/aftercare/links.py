"""The signed, expiring link to the feedback form: one account per link, nothing to guess.

Short enough for a text message: the account id and the time it was made, in base 36, and an
HMAC-SHA256 over both (keyed from SECRET_KEY) cut to 96 bits, which is plenty to make forging one
hopeless. Django's own signer would add 43 characters of signature."""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

SALT = "amicable.aftercare.feedback"
VALID_FOR = 60 * 60 * 24 * 90  # 90 days: long enough to answer a letter
MAC_CHARS = 16  # 96 bits


def _mac(payload: str) -> str:
    digest = salted_hmac(SALT, payload, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def feedback_token(account_id: int, now: float | None = None) -> str:
    payload = f"{int_to_base36(account_id)}.{int_to_base36(int(now if now is not None else time.time()))}"
    return f"{payload}.{_mac(payload)}"


def feedback_url(account_id: int) -> str:
    return f"{settings.PUBLIC_URL}/f/{feedback_token(account_id)}"


def account_id_from(token: str, now: float | None = None) -> int | None:
    """The account a token was made for, or None when it is forged, altered or expired."""
    parts = token.split(".")
    if len(parts) != 3 or not constant_time_compare(_mac(f"{parts[0]}.{parts[1]}"), parts[2]):
        return None
    try:
        account_id, made = base36_to_int(parts[0]), base36_to_int(parts[1])
    except ValueError:
        return None
    if (now if now is not None else time.time()) - made > VALID_FOR:
        return None
    return account_id
