"""SMS: a sandbox for the embedded default, and an adapter for Twilio's REST API (and providers that
speak the same API). Both send one text per contact, keyed by the contact's idempotency key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime

from amicable.messages.checks import sms_size

from .base import DeliveryEvent, Outgoing, PermanentFailure, Sent, TransientFailure

# Twilio error codes that mean the number itself is no good: invalid, not a mobile, unknown, a landline.
# (30003, a handset switched off or out of signal, is usually temporary and is not among them.)
INVALID_NUMBER_CODES = {"21211", "21614", "30005", "30006"}
TIMEOUT = 15  # seconds


class SandboxSms:
    """Records texts in the database (the admin's "Sandbox SMS") instead of sending them."""

    name = "sms"
    automatic = True

    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, message: Outgoing) -> Sent:
        from amicable.outbox.models import SandboxSms as Row

        size = sms_size(message.body)
        row, _ = Row.objects.get_or_create(
            idempotency_key=message.idempotency_key,
            defaults={
                "sid": "SB" + secrets.token_hex(16),
                "to": message.to,
                "sender": self.sender,
                "body": message.body,
                "segments": size.segments,
                "encoding": size.encoding,
            },
        )
        return Sent("sandbox", row.sid, delivered=True)

    def parse_events(self, payload: Mapping[str, str]) -> list[DeliveryEvent]:
        return parse_status_callback(payload)


class TwilioSms:
    """Message create (POST .../Accounts/{sid}/Messages.json) with a status callback."""

    name = "sms"
    automatic = True

    def __init__(
        self, *, account_sid: str, auth_token: str, sender: str, api_url: str, status_callback: str
    ) -> None:
        if not (account_sid and auth_token):
            raise ValueError("SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        self.account_sid, self.auth_token, self.sender = account_sid, auth_token, sender
        self.api_url, self.status_callback = api_url.rstrip("/"), status_callback

    def send(self, message: Outgoing) -> Sent:
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": message.to, "From": self.sender, "Body": message.body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                # The provider answers a repeated key with the message it already made.
                "I-Twilio-Idempotency-Token": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise _http_failure(error) from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise TransientFailure(f"SMS provider unreachable: {error}") from error
        sid = body.get("sid")
        if not sid:
            raise TransientFailure(f"SMS provider answered without a message sid: {body!r}"[:300])
        return Sent("twilio", sid)

    def parse_events(self, payload: Mapping[str, str]) -> list[DeliveryEvent]:
        return parse_status_callback(payload)


def _http_failure(error: urllib.error.HTTPError) -> Exception:
    try:
        detail = json.loads(error.read() or b"{}")
    except ValueError:
        detail = {}
    code, text = str(detail.get("code", "")), detail.get("message", error.reason)
    message = f"SMS provider {error.code}" + (f" (error {code})" if code else "") + f": {text}"
    if error.code == 429 or error.code >= 500:
        return TransientFailure(message)
    return PermanentFailure(message, invalid_recipient=code in INVALID_NUMBER_CODES)


def parse_status_callback(form: Mapping[str, str]) -> list[DeliveryEvent]:
    """A status callback's form (MessageSid, MessageStatus, ErrorCode) as delivery events. Interim
    states (queued, sending, sent) are not news."""
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if not sid or status not in ("delivered", "undelivered", "failed"):
        return []
    code = form.get("ErrorCode", "") or ""
    return [
        DeliveryEvent(
            provider_id=sid,
            status="delivered" if status == "delivered" else "failed",
            at=datetime.now(UTC),
            detail=f"error {code}" if code else status,
            permanent=code in INVALID_NUMBER_CODES,
        )
    ]


def signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """X-Twilio-Signature: HMAC-SHA1 of the URL followed by each parameter's name and value, sorted."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_ok(url: str, params: Mapping[str, str], auth_token: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(signature(url, params, auth_token), given)
