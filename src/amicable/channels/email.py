"""Email over SMTP through Django's email backends; by default, .eml files under var/outbox/email.

Every message has plain-text and HTML parts, a Message-ID that is the same on every attempt, a
Reply-To carrying the contact's token (so a reply threads to what it answers), and List-Unsubscribe
with one-click List-Unsubscribe-Post (RFC 8058). Bounces come back as delivery status notifications
(RFC 3464), which parse_events reads.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import os
import re
import smtplib
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from .base import DeliveryEvent, Outgoing, PermanentFailure, Sent, TransientFailure


def message_id(message: Outgoing) -> str:
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<contact-{message.contact_id}.{digest}@{settings.REPLY_DOMAIN}>"


class EmailChannel:
    name = "email"
    automatic = True

    def build(self, message: Outgoing) -> EmailMultiAlternatives:
        sender = settings.DEFAULT_FROM_EMAIL
        if message.sender_name:
            address = email.utils.parseaddr(sender)[1]
            sender = email.utils.formataddr((message.sender_name, address))
        headers = {"Message-ID": message_id(message), "Content-Language": message.language}
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers=headers,
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        return mail

    def send(self, message: Outgoing) -> Sent:
        mail = self.build(message)
        try:
            with get_connection(fail_silently=False) as connection:
                connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise _failure(code, reply, recipient=True) from error
        except smtplib.SMTPResponseException as error:
            raise _failure(error.smtp_code, error.smtp_error, recipient=False) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientFailure(f"SMTP: {error}") from error
        written = getattr(mail, "eml_path", "")
        return Sent("eml" if written else "smtp", written or message_id(message), delivered=bool(written))

    def parse_events(self, payload: bytes | str) -> list[DeliveryEvent]:
        """Delivery status notifications (RFC 3464): one event per failed or delayed-then-failed
        recipient, for the message whose Message-ID the report quotes."""
        raw = payload.encode() if isinstance(payload, str) else payload
        report = email.message_from_bytes(raw, policy=email.policy.default)
        if report.get_content_type() != "multipart/report":
            return []
        original_id, events = "", []
        for part in report.walk():
            if part.get_content_type() in ("text/rfc822-headers", "message/rfc822"):
                text = part.get_payload(decode=True) or b""
                if isinstance(part.get_payload(), list):
                    text = part.get_payload()[0].as_bytes()
                match = re.search(rb"^Message-ID:\s*(<[^>]+>)", text, re.I | re.M)
                original_id = match.group(1).decode() if match else original_id
        for part in report.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _status_blocks(part):
                action = block.get("action", "").lower()
                status = block.get("status", "")
                if action != "failed":
                    continue
                events.append(
                    DeliveryEvent(
                        provider_id=original_id,
                        status="bounced",
                        at=datetime.now(UTC),
                        detail=f"{status} {block.get('diagnostic-code', '')}".strip(),
                        permanent=status.startswith("5"),
                    )
                )
        return [e for e in events if e.provider_id]


def _status_blocks(part) -> list[dict[str, str]]:
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    found = []
    for block in blocks:
        found.append({k.lower(): str(v) for k, v in block.items()})
    if not found:  # some parsers leave the fields as text
        text = part.get_payload(decode=True) or b""
        for chunk in text.decode(errors="replace").split("\n\n"):
            fields = dict(
                (k.strip().lower(), v.strip())
                for k, _, v in (line.partition(":") for line in chunk.splitlines())
                if v
            )
            found.append(fields)
    return found


def _failure(code: int, reply: bytes | str, *, recipient: bool) -> Exception:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if 500 <= code < 600:
        # A 5xx about a recipient is a hard bounce: the address does not exist or will never accept.
        return PermanentFailure(f"SMTP {code}: {text}", invalid_recipient=recipient)
    return TransientFailure(f"SMTP {code}: {text}")


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to EMAIL_FILE_PATH/YYYY-MM-DD/<message id>.eml, atomically."""

    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH) / datetime.now(UTC).date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for mail in email_messages:
            raw = mail.message()
            name = re.sub(r"[^A-Za-z0-9._-]", "_", str(raw["Message-ID"]).strip("<>")) or "message"
            path = folder / f"{name}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(raw.as_bytes(linesep="\r\n"))
            os.replace(temporary, path)
            mail.eml_path = str(path)
        return len(email_messages)
