"""Attempt limits: after too many failures in a window, a key is locked out for a while.

A key is what is limited ("customer:12", "address:203.0.113.9", "user:alice"); one request may be
limited by several at once, so guessing many customers' dates of birth from one address is stopped
as surely as guessing one customer's from many addresses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max

from .models import Attempt


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str
    failures: int  # this many failures within `window` lock the key
    window: timedelta
    lockout: timedelta


def locked_until(limit: Limit, keys: Iterable[str], now: datetime) -> datetime | None:
    """When the latest lock on any of the keys ends, or None when none of them is locked."""
    since = now - limit.window - limit.lockout
    rows = (
        Attempt.objects.filter(scope=limit.scope, key__in=list(keys), at__gte=since)
        .values("key")
        .annotate(n=Count("id"), last=Max("at"))
    )
    ends = []
    for row in rows:
        recent = Attempt.objects.filter(
            scope=limit.scope, key=row["key"], at__gte=row["last"] - limit.window, at__lte=row["last"]
        ).count()
        if recent >= limit.failures and row["last"] + limit.lockout > now:
            ends.append(row["last"] + limit.lockout)
    return max(ends, default=None)


def failures_left(limit: Limit, key: str, now: datetime) -> int:
    recent = Attempt.objects.filter(scope=limit.scope, key=key, at__gte=now - limit.window).count()
    return max(limit.failures - recent, 0)


def record_failure(limit: Limit, keys: Iterable[str], now: datetime) -> None:
    Attempt.objects.bulk_create([Attempt(scope=limit.scope, key=key, at=now) for key in keys])


def forget(limit: Limit, keys: Iterable[str]) -> None:
    """A success clears the count, so a customer who mistypes once is not held to it later."""
    Attempt.objects.filter(scope=limit.scope, key__in=list(keys)).delete()


def client_address(request) -> str:
    """The address the request came from. Behind TRUSTED_PROXIES proxies (a load balancer, say), each
    appends the address it was reached from to X-Forwarded-For, so the client's is that many places
    from the end; anything further left was written by the client and is not believed. Without
    proxies, REMOTE_ADDR: a header the client can write would let anyone choose their own key."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
