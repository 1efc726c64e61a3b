"""Short signed links that expire: one record per link, nothing to guess, short enough for a text.

A token is the record's id and the time it was made, in base 36, and an HMAC-SHA256 over both (keyed
from SECRET_KEY and a salt per kind of link) cut to 96 bits, which is plenty to make forging one
hopeless. Django's own signer would add 43 characters of signature."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

MAC_CHARS = 16  # 96 bits


@dataclass(frozen=True, slots=True)
class Opened:
    """What a well-signed token says: the id it was made for, and whether it is still in date."""

    id: int
    made: int
    expired: bool


def _mac(salt: str, payload: str) -> str:
    digest = salted_hmac(salt, payload, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def make(salt: str, record_id: int, now: float | None = None) -> str:
    made = int(now if now is not None else time.time())
    payload = f"{int_to_base36(record_id)}.{int_to_base36(made)}"
    return f"{payload}.{_mac(salt, payload)}"


def open_token(salt: str, token: str, valid_for: int, now: float | None = None) -> Opened | None:
    """The token's id and age, or None when it was forged, altered or cut short. An expired token
    still says whose it was, so a page can tell that person how to get a fresh one."""
    parts = token.split(".")
    if len(parts) != 3 or not constant_time_compare(_mac(salt, f"{parts[0]}.{parts[1]}"), parts[2]):
        return None
    try:
        record_id, made = base36_to_int(parts[0]), base36_to_int(parts[1])
    except ValueError:
        return None
    age = (now if now is not None else time.time()) - made
    return Opened(record_id, made, expired=age > valid_for or age < -300)
