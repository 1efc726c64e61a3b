"""The signed, expiring link to the portal in every message: one customer per link (web/signed.py).

The link only says who it was sent to; the identity check (access.py) decides who may see anything."""

from __future__ import annotations

from django.conf import settings

from amicable.web import signed

SALT = "amicable.portal"
VALID_FOR = 60 * 60 * 24 * 60  # 60 days: a reminder cycle and a letter's round trip, with room to spare
PAGES = ("pay", "plans", "preferences", "help", "dispute")


def portal_token(customer_id: int, now: float | None = None) -> str:
    return signed.make(SALT, customer_id, now)


def portal_url(customer_id: int, page: str = "", now: float | None = None) -> str:
    if page and page not in PAGES:
        raise ValueError(f"no portal page {page!r}; one of {', '.join(PAGES)}")
    suffix = f"/{page}" if page else ""
    return f"{settings.PUBLIC_URL}/p/{portal_token(customer_id, now)}{suffix}"


def open_link(token: str, now: float | None = None) -> signed.Opened | None:
    return signed.open_token(SALT, token, VALID_FOR, now)
