"""What every channel takes and gives back, and the errors dispatch acts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One rendered message, ready for a channel."""

    contact_id: int
    idempotency_key: str  # the same for every attempt at this contact
    to: str  # an email address, an E.164 number, or a one-line postal address
    subject: str
    body: str
    html: str = ""
    sender_name: str = ""
    reply_to: str = ""
    unsubscribe_url: str = ""
    language: str = "en"
    address: dict[str, str] = field(default_factory=dict)  # postal: line1, line2, city, region, postcode
    return_address: str = ""  # printed on the envelope: an address and nothing about the debt
    day: str = ""  # ISO date of the send, for file layouts


@dataclass(frozen=True, slots=True)
class Sent:
    provider: str
    provider_id: str  # the Message-ID, the provider's message id, or the file written
    delivered: bool = False  # the channel knows it arrived (a file written, a sandbox text)


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """A provider's later news about a message."""

    provider_id: str
    status: str  # delivered, failed, bounced, complained
    at: datetime
    detail: str = ""
    permanent: bool = False  # the address or number is no good: mark it invalid


class TransientFailure(Exception):
    """Try again later (a timeout, a 4xx SMTP reply, a provider's 429 or 5xx)."""


class PermanentFailure(Exception):
    """This message will never go. With invalid_recipient, the address or number is no good."""

    def __init__(self, message: str, *, invalid_recipient: bool = False) -> None:
        super().__init__(message)
        self.invalid_recipient = invalid_recipient


class Channel(Protocol):
    name: str
    automatic: bool  # False: a person acts on it (call tasks); dispatch leaves it queued

    def send(self, message: Outgoing) -> Sent: ...

    def parse_events(self, payload: Any) -> list[DeliveryEvent]: ...
