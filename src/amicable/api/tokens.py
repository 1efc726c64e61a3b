"""Issuing, revoking and checking API tokens. Issuing and revoking are named actions with an audit row.

A token reads `amk_<8 hex>_<43 url-safe characters>`: the first part is its prefix, shown in lists
and audit rows; the rest carries 256 bits of randomness. Only the SHA-256 of the whole token is
stored. An unsalted hash is enough for a random secret this long (nothing to guess from a dictionary),
and it lets a request's token be found by one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from amicable.ledger.actions import ActionError
from amicable.ledger.audit import audit
from amicable.ledger.models import Creditor

from .models import ApiToken

PREFIX = "amk_"
# last_used_at is written at most this often per token: on SQLite every write takes the database
# lock, and a busy integration should not queue behind its own bookkeeping.
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_api_token(creditor: Creditor, name: str, *, actor: str) -> tuple[ApiToken, str]:
    """A new token for the creditor; returns (token, secret). The secret exists only in the return value."""
    name = name.strip()
    if not name:
        raise ActionError("a token needs a name saying what uses it")
    if len(name) > 100:
        raise ActionError(f"a token's name is at most 100 characters ({len(name)})")
    while True:
        prefix = PREFIX + secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(creditor=creditor, name=name, prefix=prefix, key_hash=hash_key(secret))
    audit(
        actor,
        "issue_api_token",
        token,
        f"API token {prefix} ({name}) issued for {creditor.name}",
        changes={"creditor": creditor.name, "name": name, "prefix": prefix},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: str, reason: str = "") -> ApiToken:
    """Stops the token working from now on. The row stays, so audit rows naming it still resolve."""
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("creditor").get(pk=token.pk)
    if token.revoked_at is not None:
        raise ActionError(f"token {token.prefix} was already revoked on {token.revoked_at.isoformat()}")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(
        actor,
        "revoke_api_token",
        token,
        f"API token {token.prefix} ({token.name}) of {token.creditor.name} revoked"
        + (f": {reason}" if reason else ""),
        changes={"prefix": token.prefix, "reason": reason},
    )
    return token


class TokenRefused(Exception):
    """Why a presented token does not authenticate; the message is safe to show to its sender."""


def authenticate(key: str) -> ApiToken:
    """The live token whose secret is `key`, or TokenRefused."""
    key = key.strip()
    token = (
        ApiToken.objects.select_related("creditor").filter(key_hash=hash_key(key)).first()
        if key.startswith(PREFIX)
        else None
    )
    if token is None:
        raise TokenRefused("the bearer token is not one amicable issued")
    if token.revoked_at is not None:
        raise TokenRefused("the bearer token was revoked")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
