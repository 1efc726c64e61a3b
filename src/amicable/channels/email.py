"""Email over SMTP through Django's email backends; by default, .eml files under var/outbox/email.

Every message has plain-text and HTML parts, a Message-ID that is the same on every attempt, a
Reply-To carrying the contact's token (so a reply threads to what it answers), and List-Unsubscribe
with one-click List-Unsubscribe-Post (RFC 8058). Bounces come back as delivery status notifications
(RFC 3464) and spam complaints as feedback reports (ARF, RFC 5965), which parse_events reads.
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
    return contact_message_id(message.contact_id, message.idempotency_key)


def contact_message_id(contact_id: int, key: str) -> str:
    """The Message-ID of every attempt at one contact: its id, and a digest of its key so the id
    cannot be guessed from a contact number alone."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<contact-{contact_id}.{digest}@{settings.REPLY_DOMAIN}>"


_OUR_MESSAGE_ID = re.compile(r"<contact-([0-9]{1,18})\.[0-9a-f]{16}@([^<>\s]+)>", re.I)


def contact_id_in(value: str) -> int | None:
    """The contact a Message-ID of ours names (to be checked against contact_message_id, which also
    needs the contact's key), or None for anyone else's."""
    match = _OUR_MESSAGE_ID.fullmatch(value.strip())
    if match is None or match.group(2).lower() != settings.REPLY_DOMAIN.lower():
        return None
    return int(match.group(1))


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
        recipient, for the message whose Message-ID the report quotes. Feedback reports (ARF, RFC
        5965: a recipient pressed "this is spam"): one "complained" event for the quoted message."""
        raw = payload.encode() if isinstance(payload, str) else payload
        report = email.message_from_bytes(raw, policy=email.policy.default)
        if report.get_content_type() != "multipart/report":
            return []
        original_id = _original_message_id(report)
        if not original_id:
            return []
        if report_type(report) == "feedback-report":
            return _complaints(report, original_id)
        events = []
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
        return events


def report_type(message: email.message.Message) -> str:
    """ "delivery-status" (a bounce), "feedback-report" (a spam complaint), another report type
    ("disposition-notification": a read receipt), or "" when the message is not a report at all."""
    if message.get_content_type() != "multipart/report":
        return ""
    declared = (message.get_param("report-type") or "").lower()
    if declared:
        return declared
    # Some mail systems leave the parameter out; the report's own part says what it is.
    types = {part.get_content_type() for part in message.walk()}
    if "message/feedback-report" in types:
        return "feedback-report"
    return "delivery-status" if "message/delivery-status" in types else "unknown"


def _original_message_id(report: email.message.Message) -> str:
    """The Message-ID of our message that a report is about, from the copy (or headers) it quotes,
    never the report's own."""
    original_id = ""
    for part in report.walk():
        if part.get_content_type() in ("text/rfc822-headers", "message/rfc822"):
            text = part.get_payload(decode=True) or b""
            if isinstance(part.get_payload(), list):
                text = part.get_payload()[0].as_bytes()
            match = re.search(rb"^Message-ID:\s*(<[^>]+>)", text, re.I | re.M)
            original_id = match.group(1).decode() if match else original_id
    return original_id


# Feedback types (RFC 5965, RFC 6650) that are not a complaint about the message.
_NOT_A_COMPLAINT = {"not-spam"}


def _complaints(report: email.message.Message, original_id: str) -> list[DeliveryEvent]:
    for part in report.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        fields: dict[str, str] = {}
        for block in _status_blocks(part):
            for key, value in block.items():
                fields.setdefault(key, value)
        kind = fields.get("feedback-type", "abuse").strip().lower() or "abuse"
        if kind in _NOT_A_COMPLAINT:
            return []
        who = fields.get("original-rcpt-to", "").strip()
        detail = f"feedback report ({kind})" + (f" from {who}" if who else "")
        # Not `permanent`: the address works; its owner has told us to stop, which is consent.
        return [
            DeliveryEvent(provider_id=original_id, status="complained", at=datetime.now(UTC), detail=detail)
        ]
    return []


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
