"""A compliance scenario (the `amicable compliance check` format) for one contact, from the ledger.

The scenario is stored on the contact with its decision, so `amicable explain` can show exactly the
facts a decision was made on, and `amicable compliance check` can replay them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from amicable.compliance.scenario import CALL_OUTCOMES
from amicable.ledger.models import ContactKind, ContactPoint, CreditorRole

from .facts import AccountFacts

# A text from a platform counts as automated under the TCPA; a call task is dialled by a person.
AUTOMATED = {"sms": True, "call": False}
LINE_TYPES = {ContactKind.MOBILE: "mobile", ContactKind.LANDLINE: "landline"}
MESSAGE_OUTCOMES = {"delivered": "delivered", "failed": "failed"}


def debt_id(account_id: int) -> str:
    return str(account_id)


def _recipient(channel: str, point: ContactPoint | None, use: str) -> dict[str, Any] | None:
    if point is None or channel == "letter":
        return None
    to: dict[str, Any] = {}
    if point.kind in LINE_TYPES:
        to["line_type"] = LINE_TYPES[point.kind]
    if channel in AUTOMATED:
        to["automated"] = AUTOMATED[channel]
    record = (point.consents or {}).get(use) or {}
    if record.get("state") == "granted" and record.get("at"):
        to["consented_at"] = record["at"]
    return to


def _history(facts: AccountFacts, now: datetime) -> list[dict[str, Any]]:
    events = []
    for contact in facts.history:
        if contact.sent_at is None or contact.sent_at > now:
            continue
        event = {
            "at": contact.sent_at.isoformat(),
            "channel": contact.channel,
            "direction": "outbound",
            "debts": [debt_id(contact.account_id)],
        }
        if contact.channel == "call":
            if contact.outcome in CALL_OUTCOMES:
                event["outcome"] = contact.outcome
        else:
            event["outcome"] = MESSAGE_OUTCOMES.get(contact.status, "sent")
        events.append(event)
    return events


def _holds(facts: AccountFacts, zone: ZoneInfo) -> list[dict[str, Any]]:
    holds = []
    for hold in facts.holds:
        last_day = None
        if hold.ends_at is not None:
            # ends_at is the moment it ends; the scenario wants the last day it is in force.
            last_day = (hold.ends_at - timedelta(microseconds=1)).astimezone(zone).date().isoformat()
        holds.append(
            {
                "kind": hold.kind,
                "debts": None if hold.account_id is None else [debt_id(hold.account_id)],
                "since": hold.starts_at.astimezone(zone).date().isoformat(),
                "until": last_day,
            }
        )
    return holds


def scenario_for(
    facts: AccountFacts,
    *,
    now: datetime,
    channel: str,
    content: str | None,
    point: ContactPoint | None,
    use: str = "collection",
    purpose: str = "collection",
    envelope: str | None = None,
) -> dict[str, Any]:
    account, customer, creditor = facts.account, facts.account.customer, facts.account.creditor
    zone = ZoneInfo(customer.timezone)
    jurisdictions = [customer.country] + ([customer.jurisdiction] if customer.region else [])
    settings: dict[str, Any] = {}
    if creditor.applies_regulation_f and creditor.role == CreditorRole.CREDITOR:
        settings["regulation_f"] = True
    contact: dict[str, Any] = {
        "channel": channel,
        "debts": [debt_id(account.pk)],
        "purpose": purpose,
        "content": content,
    }
    to = _recipient(channel, point, use)
    if to:
        contact["to"] = to
    if envelope is not None:
        contact["envelope"] = envelope
    return {
        "now": now.astimezone(zone).isoformat(),
        "debtor": {
            "jurisdictions": jurisdictions,
            "timezones": [customer.timezone],
            "inconvenient_times": list(customer.inconvenient_times or []),
            "kind": "company" if customer.kind == "business" else "individual",
        },
        "creditor": {"role": creditor.role, "settings": settings},
        "contact": contact,
        "history": _history(facts, now),
        "holds": _holds(facts, zone),
        "consents": [
            {
                "channel": "call",
                "given_at": consent.given_at.isoformat(),
                "for_time": consent.for_time.isoformat() if consent.for_time else None,
            }
            for consent in facts.call_consents
            if consent.given_at <= now
        ],
    }
