"""Email from customers, as an inbound-parse webhook or `amicable inbound email` delivers it: a raw
RFC 5322 message, stored as it arrived (with its attachments), threaded to the conversation it
answers, then read and acted on by handle_message like a text.

Threading, first match wins:
  token    the Reply-To of every email we send is reply+TOKEN@REPLY_DOMAIN (the contact's reply_token);
           looked for in the envelope recipient, To, Cc, Delivered-To and X-Original-To;
  reply    In-Reply-To, then References (newest first), naming the Message-ID of an email we sent;
  address  the sender's address on an email contact point; an address several customers share goes
           to the one we last wrote to on it.
No match: the message is stored with no customer and goes to review.

Bounces (RFC 3464) and spam complaints (ARF, RFC 5965) arrive at the same address: they are not a
customer's words, so they are applied to the email they are about instead of being stored.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from email_validator import EmailNotValidError, validate_email

from amicable.channels.base import DeliveryEvent
from amicable.channels.email import EmailChannel, contact_id_in, contact_message_id, report_type
from amicable.conversations.actions import _account_for, _sender_point, email_points
from amicable.conversations.models import InboundAttachment, InboundMessage
from amicable.cycle.dispatch import apply_delivery_event
from amicable.ledger.actions import ActionError
from amicable.ledger.audit import audit
from amicable.ledger.models import ContactPoint
from amicable.outbox.models import Contact

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024  # what the big mail providers accept; larger is refused whole
# A Date header is believed only inside this window: a sender's clock set to another year must not
# file a message (and the deadlines counted from it) in the past or the future.
DATE_PAST = timedelta(days=30)
DATE_FUTURE = timedelta(minutes=5)
THREAD_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
_TOKEN = re.compile(r"reply\+([A-Za-z0-9_-]{1,32})@([^@\s]+)", re.IGNORECASE)
_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class DeliveryReport:
    """What receive_email returns for a bounce or a spam complaint instead of a stored message."""

    report_type: str  # delivery-status (a bounce), feedback-report (a complaint), or another kind
    events: tuple[DeliveryEvent, ...]  # what the report says, about our Message-IDs
    contact_ids: tuple[int, ...]  # the emails of ours it was applied to; reports about others are ignored

    def as_json(self) -> dict:
        """In the shape of a stored message's result (webhook and command line): no message was stored."""
        return {
            "message_id": None,
            "matched_by": None,
            "intent": None,
            "status": "report",
            "report": self.report_type,
            "events": [
                {"status": event.status, "detail": event.detail, "about": event.provider_id}
                for event in self.events
            ],
            "contacts": list(self.contact_ids),
        }


def receive_email(
    raw: bytes, *, actor: str, envelope_to: str = ""
) -> tuple[InboundMessage | DeliveryReport, bool]:
    """Store an email as it arrived, threaded to a customer; the caller then runs handle_message.

    Returns (message, True) when stored, (existing, False) for a re-delivery of the same Message-ID.
    A bounce or a spam complaint is applied to the email it is about and nothing is stored: it returns
    (DeliveryReport, applied) where applied says whether any email of ours was found for it.
    Raises ActionError, naming the header and value, for a message that cannot be taken in; then
    nothing is stored.
    """
    check_size(len(raw))
    message = _parse(raw)
    kind = report_type(message)
    if kind:
        report = _apply_report(raw, kind)
        return report, bool(report.contact_ids)
    sender = _sender(message)
    provider_id = _provider_id(message, raw)
    existing = InboundMessage.objects.filter(channel="email", provider_id=provider_id).first()
    if existing:
        return existing, False
    subject = _clean(_header(message, "Subject"))[:300]
    body_parts = _body_parts(message)
    body = _body(body_parts)
    attachments = _attachments(message, body_parts)
    if not body.strip():
        # Some people write only a subject ("Unsubscribe"): that is their message.
        body = subject
    if not body.strip() and not attachments:
        raise ActionError("the message has no text, no subject and no attachment: nothing to read")
    thread = _thread(message, sender, envelope_to)
    recipient = envelope_to.strip() or _first_address(message, "To")
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                channel="email",
                sender=sender,
                recipient=recipient[:320],
                subject=subject,
                body=body,
                received_at=_received_at(message),
                provider_id=provider_id,
                customer=thread.customer,
                account=thread.account,
                contact_point=thread.point,
                matched_by=thread.matched_by,
                auto_submitted=_automatic(message),
            )
            InboundAttachment.objects.bulk_create(
                InboundAttachment(message=stored, **attachment) for attachment in attachments
            )
            audit(
                actor,
                "receive_message",
                stored,
                f"Email received from {sender} ({thread.who})",
                customer=stored.customer,
                account=stored.account,
                changes={
                    "channel": "email",
                    "provider_id": provider_id,
                    "matched_by": thread.matched_by,
                    "attachments": [
                        {"filename": a["filename"], "size": a["size"], "sha256": a["sha256"]}
                        for a in attachments
                    ],
                },
            )
    except IntegrityError:  # the same Message-ID, stored by a concurrent delivery
        return InboundMessage.objects.get(channel="email", provider_id=provider_id), False
    return stored, True


def check_size(size: int) -> None:
    """A message over MAX_BYTES is refused whole: nothing of it is stored."""
    if size > MAX_BYTES:
        raise ActionError(
            f"the message is {size / 1024 / 1024:.1f} MB ({size} bytes); "
            f"the most taken in is {MAX_BYTES // 1024 // 1024} MB"
        )


# ---------------------------------------------------------------------------------------- reading


def _parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise ActionError("the message is empty")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; anything it still cannot read is not mail
        raise ActionError(f"not an email message (RFC 5322): {error}") from None
    if not message.keys():
        first = raw.lstrip()[:60].decode(errors="replace")
        raise ActionError(f"not an email message (RFC 5322): no headers at the start ({first!r})")
    return message


def _header(message: EmailMessage, name: str) -> str:
    """A header decoded ("=?utf-8?...?=" words), or as written when the parser cannot decode it."""
    try:
        value = message.get(name)
    except Exception:  # the stdlib's header parser fails on some malformed values ("a@")
        return _raw(message, name)
    return "" if value is None else str(value)


def _raw(message: EmailMessage, name: str) -> str:
    return next(iter(_raw_all(message, name)), "")


def _raw_all(message: EmailMessage, name: str) -> list[str]:
    """A header's values as written in the message, unfolded: for addresses, which the legacy parser
    (email.utils.getaddresses) reads more forgivingly than the header registry."""
    values = []
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            values.append(" ".join(text.split()))
    return values


def _clean(text: str) -> str:
    """One line, no NULs (PostgreSQL refuses them in text)."""
    return " ".join(text.replace("\x00", "").split())


def _sender(message: EmailMessage) -> str:
    value = _raw(message, "From")
    if not value.strip():
        raise ActionError("the message has no From header: the sender is unknown")
    addresses = [address for _, address in email.utils.getaddresses([value]) if address]
    address = addresses[0] if addresses else ""
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ActionError(f"From header {value!r} is not a valid email address: {error}") from None


def _provider_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID, so a re-delivery is stored once. Without one (or one too long to keep), a
    digest stands in for it: of the raw message, which a provider's retry repeats byte for byte."""
    value = "".join(_raw(message, "Message-ID").split())
    if value and len(value) <= 200:
        return value
    return "sha256:" + hashlib.sha256(value.encode() if value else raw).hexdigest()


def _received_at(message: EmailMessage) -> datetime:
    """The Date header when it is believable, else now; always timezone-aware."""
    now = timezone.now()
    try:
        header = message.get("Date")
        moment = getattr(header, "datetime", None)
    except Exception:  # an unreadable date is no date
        moment = None
    if moment is None:
        return now
    if moment.tzinfo is None:  # "-0000": UTC, with the sender's zone unknown (RFC 5322 3.3)
        moment = moment.replace(tzinfo=UTC)
    if not now - DATE_PAST <= moment <= now + DATE_FUTURE:
        return now
    return moment.astimezone(UTC)


def _automatic(message: EmailMessage) -> bool:
    """An out-of-office reply or another program's message (RFC 3834): never answered automatically,
    or two programs would answer each other for ever."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (
        (auto not in ("", "no")) or precedence in ("bulk", "junk", "auto_reply") or "X-Autoreply" in message
    )


def _body_parts(message: EmailMessage) -> list:
    """The parts that are the message's text: the plain one, and the HTML one (used only without a
    plain one); neither is kept again as an attachment."""
    parts = []
    for kind in ("plain", "html"):
        try:
            part = message.get_body(preferencelist=(kind,))
        except Exception:
            part = None
        if part is not None:
            parts.append(part)
    return parts


def _body(parts: list) -> str:
    for part in parts:
        text = _text_of(part)
        if part.get_content_subtype() == "html":
            text = html_to_text(text)
        return text.replace("\x00", "").replace("\r\n", "\n").strip()
    return ""


def _text_of(part) -> str:
    payload = part.get_payload(decode=True) or b""
    if (part.get_content_charset() or "us-ascii") in ("us-ascii", "ascii"):
        # Mail programs that send 8-bit text without naming its charset send UTF-8.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):  # an unknown or wrong charset: read what can be read
        return payload.decode("utf-8", errors="replace")


def _attachments(message: EmailMessage, body_parts: list) -> list[dict]:
    """Every other part, kept whole: files, inline images (a photo of a receipt), forwarded messages."""
    kept = []
    for index, part in enumerate(_leaves(message), start=1):
        if any(part is body for body in body_parts):
            continue
        data = _data_of(part)
        content_type = part.get_content_type()[:255]
        kept.append(
            {
                "filename": safe_filename(_filename(part), content_type, index),
                "content_type": content_type,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "data": data,
            }
        )
    return kept


MAX_DEPTH = 40  # parts inside parts: real mail nests a handful; more is built to exhaust the reader


def _leaves(message: EmailMessage) -> list:
    """Every part that is not a container, in order; an attached message is one part, not opened up."""
    leaves, stack = [], [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ActionError(f"the message's parts are nested more than {MAX_DEPTH} deep: not read")
        if part.get_content_maintype() == "multipart":
            stack.extend((sub, depth + 1) for sub in reversed(list(part.iter_parts())))
        else:
            leaves.append(part)
    return leaves


def _data_of(part) -> bytes:
    if part.get_content_maintype() != "message":
        return part.get_payload(decode=True) or b""
    inner = part.get_payload()
    try:
        return inner[0].as_bytes() if isinstance(inner, list) and inner else part.as_bytes()
    except Exception:  # a broken forwarded message is still kept, as the text it arrived as
        return str(inner[0] if isinstance(inner, list) and inner else inner).encode(
            "utf-8", "surrogateescape"
        )


def _filename(part) -> str:
    try:
        return part.get_filename() or ""
    except Exception:
        return ""


_UNSAFE = re.compile(r'[<>:"/\\|?*]')


def safe_filename(name: str, content_type: str, index: int) -> str:
    """A name safe to show and to offer as a download: no folders, control characters or
    right-to-left tricks ("invoice\u202efdp.exe"), at most 200 characters, its extension kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co"))
    name = " ".join(_UNSAFE.sub("_", name).split()).strip(" .")
    if not name:
        extension = ".eml" if content_type == "message/rfc822" else mimetypes.guess_extension(content_type)
        return f"attachment-{index}{extension or '.bin'}"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:200]
    return name


def html_to_text(html: str) -> str:
    """Plain text from an HTML email: paragraphs and line breaks kept, quoted history (blockquote)
    marked with "> " as a mail program would, so own_words leaves it out; scripts and styles dropped."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


class _HtmlText(HTMLParser):
    PARAGRAPHS = frozenset(
        {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr", "dl", "address"}
    )
    LINES = frozenset({"div", "li", "tr", "section", "article", "header", "footer", "dt", "dd", "center"})
    SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self.line: list[str] = []
        self.line_depth = 0
        self.depth = 0  # blockquotes open
        self.skipping = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self._end_line(force=True)
        elif tag == "blockquote":
            self._paragraph()
            self.depth += 1
        elif tag in self.PARAGRAPHS:
            self._paragraph()
            self.pre += tag == "pre"
        elif tag in self.LINES:
            self._end_line()
            if tag == "li":
                self._data("- ")
        elif tag in ("td", "th"):
            self._data(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag == "blockquote":
            self._paragraph()
            self.depth = max(self.depth - 1, 0)
        elif tag in self.PARAGRAPHS:
            self._paragraph()
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
        elif tag in self.LINES:
            self._end_line()

    def handle_data(self, data):
        if self.skipping:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self._data(first, keep=True)
            for line in rest:
                self._end_line(force=True)
                self._data(line, keep=True)
            return
        self._data(data)

    def _data(self, data: str, keep: bool = False) -> None:
        if not keep:
            data = re.sub(r"\s+", " ", data)
        if not self.line:
            if not data.strip():
                return
            self.line_depth = self.depth
        self.line.append(data)

    def _end_line(self, force: bool = False) -> None:
        if self.line or force:
            self.lines.append((self.line_depth if self.line else self.depth, "".join(self.line).strip()))
        self.line = []

    def _paragraph(self) -> None:
        self._end_line()
        if self.lines and self.lines[-1][1]:
            self.lines.append((self.depth, ""))

    def text(self) -> str:
        self._end_line()
        out: list[str] = []
        for depth, line in self.lines:
            if not line and (not out or not out[-1]):
                continue  # one blank line between paragraphs is enough
            out.append(("> " * depth + line) if line else "")
        return "\n".join(out).strip()


# -------------------------------------------------------------------------------------- threading


@dataclass(frozen=True)
class _Thread:
    customer: object = None
    account: object = None
    point: ContactPoint | None = None
    matched_by: str = ""
    who: str = "no customer"


def _thread(message: EmailMessage, sender: str, envelope_to: str) -> _Thread:
    contact, matched_by = _by_token(message, envelope_to), "token"
    if contact is None:
        contact, matched_by = _by_reply(message), "reply"
    if contact is not None:
        point = contact.contact_point
        if point is None or point.kind != "email":
            # The conversation is theirs; the address is the one they wrote from, if it is on file.
            point = next((p for p in email_points({sender}) if p.customer_id == contact.customer_id), None)
        return _Thread(contact.customer, contact.account, point, matched_by, str(contact.customer))
    points = email_points({sender})
    point = _sender_point(points)
    if point is None:
        return _Thread(who="no customer" if not points else "several customers")
    return _Thread(point.customer, _account_for(point), point, "address", str(point.customer))


def _by_token(message: EmailMessage, envelope_to: str) -> Contact | None:
    values = [envelope_to]
    for name in THREAD_HEADERS:
        values += _raw_all(message, name)
    domain = settings.REPLY_DOMAIN.lower()
    tokens = []
    for _, address in email.utils.getaddresses([v for v in values if v]):
        match = _TOKEN.fullmatch(address.strip())
        if match and match.group(2).lower() == domain and match.group(1) not in tokens:
            tokens.append(match.group(1))
    for token in tokens:
        contact = Contact.objects.select_related("customer", "account", "contact_point").filter(
            reply_token=token
        )
        found = contact.first()
        if found is None:
            # Some mail servers lower-case the addresses they record (Delivered-To): the token is
            # random enough that its letters in any case still name one contact.
            candidates = list(
                Contact.objects.select_related("customer", "account", "contact_point").filter(
                    reply_token__iexact=token
                )[:2]
            )
            found = candidates[0] if len(candidates) == 1 else None
        if found is not None:
            return found
    return None


def _by_reply(message: EmailMessage) -> Contact | None:
    ids: list[str] = []
    in_reply_to = _MESSAGE_IDS.findall(_raw(message, "In-Reply-To"))
    references = _MESSAGE_IDS.findall(_raw(message, "References"))
    for value in [*in_reply_to, *reversed(references)]:  # References lists the newest last
        if value not in ids:
            ids.append(value)
    for value in ids:
        contact = sent_contact(value)
        if contact is not None:
            return contact
    return None


def sent_contact(message_id: str) -> Contact | None:
    """The email of ours that went out with this Message-ID. Sent over SMTP, the contact's provider_id
    is that Message-ID; written to a .eml file, it is the file, so the id's own form names the contact
    and its digest (of the contact's key) proves it."""
    query = Contact.objects.select_related("customer", "account", "contact_point").filter(channel="email")
    contact = query.filter(provider_id=message_id).first()
    if contact is not None:
        return contact
    contact_id = contact_id_in(message_id)
    contact = query.filter(pk=contact_id).first() if contact_id is not None else None
    if contact is None or contact_message_id(contact.pk, contact.key).lower() != message_id.strip().lower():
        return None
    return contact


def _first_address(message: EmailMessage, name: str) -> str:
    addresses = [address for _, address in email.utils.getaddresses(_raw_all(message, name)) if address]
    return addresses[0] if addresses else ""


# ---------------------------------------------------------------------------- bounces, complaints


def _apply_report(raw: bytes, kind: str) -> DeliveryReport:
    """A bounce or spam complaint, applied to the email of ours it quotes (dispatch's
    apply_delivery_event: each in its own transaction, audited). Reports about messages that are not
    ours are logged and dropped: they are not a customer's words and there is nothing to act on."""
    events = tuple(EmailChannel().parse_events(raw))
    applied = []
    for event in events:
        contact = sent_contact(event.provider_id)
        if contact is None or not contact.provider_id:
            log.warning("a %s report about %s, which is not an email of ours", kind, event.provider_id)
            continue
        # Dispatch finds the contact by what the channel returned when sending (a file, for .eml).
        if apply_delivery_event(replace(event, provider_id=contact.provider_id)) is not None:
            applied.append(contact.pk)
    if not events:
        log.info("a %s report with nothing to act on (a delay, a read receipt, or not about us)", kind)
    return DeliveryReport(kind, events, tuple(applied))
