"""The channels (amicable.channels) against real protocols on loopback.

Email goes over real SMTP to an aiosmtpd server, or into .eml files; bounces are RFC 3464 reports.
SMS goes over HTTP to a fake of Twilio's Messages API (tests/loopback_twilio.py), whose signed status
callbacks are caught by a second loopback server; the sandbox records texts in the database.
Letters are rendered to PDF and read back with pypdf, down to where each line sits on the page.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from pypdf import PdfReader

from amicable.channels import registry
from amicable.channels.base import Outgoing, PermanentFailure, Sent, TransientFailure
from amicable.channels.call import CallTasks
from amicable.channels.email import EmailChannel, message_id
from amicable.channels.letter import LetterChannel
from amicable.channels.sms import SandboxSms, TwilioSms, signature, signature_ok
from loopback_twilio import INVALID_NUMBER, CallbackCatcher, FakeTwilio

# --------------------------------------------------------------------------------------------------
# Shared helpers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def closed_port():
    """A loopback port that is bound but not listening: every connection to it is refused."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


def parse_mail(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


# --------------------------------------------------------------------------------------------------
# Email over SMTP


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or answers RCPT or DATA with a set reply."""

    def __init__(self) -> None:
        self.envelopes = []
        self.rcpt_reply = ""  # e.g. "550 5.1.1 no such user"
        self.data_reply = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> list:
        return [parse_mail(envelope.original_content or envelope.content) for envelope in self.envelopes]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@contextmanager
def smtp_settings(port: int):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=10,
        DEFAULT_FROM_EMAIL="amicable <messages@mail.example>",
        REPLY_DOMAIN="mail.example",
    ):
        yield


def email_outgoing(**changes) -> Outgoing:
    values = dict(
        contact_id=41,
        idempotency_key="contact-41:2026-03-10:email",
        to="dana.reyes@example.org",
        subject="About your Northwind Energy account",
        body="Hello Dana,\n\nYour balance is $120.00. You can pay or set up a plan at any time.\n\nThanks.",
        html="<p>Hello Dana,</p><p>Your balance is <b>$120.00</b>. You can pay or set up a plan.</p>",
        sender_name="Northwind Energy",
        reply_to="reply+tok41abc@mail.example",
        unsubscribe_url="http://127.0.0.1:8000/u/tok41abc",
        language="en",
    )
    return Outgoing(**(values | changes))


def test_email_over_smtp_arrives_with_sender_reply_to_message_id_and_unsubscribe(smtp):
    message = email_outgoing()
    with smtp_settings(smtp.port):
        sent = EmailChannel().send(message)
        expected_id = message_id(message)

    assert sent == Sent("smtp", expected_id, delivered=False)
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["dana.reyes@example.org"]
    assert envelope.mail_from == "messages@mail.example"
    [mail] = smtp.received()
    assert [a.addr_spec for a in mail["To"].addresses] == ["dana.reyes@example.org"]
    [sender] = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Northwind Energy", "messages@mail.example")
    assert [a.addr_spec for a in mail["Reply-To"].addresses] == ["reply+tok41abc@mail.example"]
    assert mail["Message-ID"] == expected_id
    assert re.fullmatch(r"<contact-41\.[0-9a-f]{16}@mail\.example>", expected_id)
    assert mail["Subject"] == "About your Northwind Energy account"
    assert mail["List-Unsubscribe"] == "<http://127.0.0.1:8000/u/tok41abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Content-Language"] == "en"
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain.get_content_type() == "text/plain"
    assert "Your balance is $120.00. You can pay or set up a plan at any time." in plain.get_content()
    assert html.get_content_type() == "text/html"
    assert "Your balance is <b>$120.00</b>" in html.get_content()


def test_message_id_is_the_same_on_every_attempt_and_differs_between_contacts(smtp):
    with smtp_settings(smtp.port):
        first, again = email_outgoing(), email_outgoing()
        assert message_id(first) == message_id(again)
        other_contact = email_outgoing(contact_id=42, idempotency_key="contact-42:2026-03-10:email")
        assert message_id(other_contact) != message_id(first)

        EmailChannel().send(first)
        EmailChannel().send(again)  # a retry after, say, a timeout that hid a delivery
        expected_id = message_id(first)

    # The mail client that gets both copies sees one message, not two.
    assert [mail["Message-ID"] for mail in smtp.received()] == [expected_id] * 2


def test_email_with_accented_sender_and_subject_reads_back_intact(smtp):
    message = email_outgoing(
        sender_name="Société Générale, Agence Lyon",
        subject="Votre compte — résumé",
        body="Bonjour Dana,\n\nVoici le résumé de votre compte : 120,00 €.",
        html="<p>Bonjour Dana,</p><p>Voici le résumé de votre compte : 120,00 €.</p>",
        language="fr",
    )
    with smtp_settings(smtp.port):
        EmailChannel().send(message)

    [mail] = smtp.received()
    [sender] = mail["From"].addresses
    assert sender.display_name == "Société Générale, Agence Lyon"
    assert mail["Subject"] == "Votre compte — résumé"
    assert mail["Content-Language"] == "fr"
    assert "120,00 €" in mail.get_body(preferencelist=("plain",)).get_content()
    assert "120,00 €" in mail.get_body(preferencelist=("html",)).get_content()


def test_recipient_refused_with_550_is_a_permanent_failure_that_marks_the_address_invalid(smtp):
    smtp.rcpt_reply = "550 5.1.1 no such user"
    with smtp_settings(smtp.port), pytest.raises(PermanentFailure) as failure:
        EmailChannel().send(email_outgoing())

    assert failure.value.invalid_recipient is True
    assert "550" in str(failure.value)
    assert "no such user" in str(failure.value)
    assert smtp.envelopes == []


def test_recipient_deferred_with_451_is_a_transient_failure(smtp):
    smtp.rcpt_reply = "451 4.3.0 Mailbox temporarily unavailable, try again later"
    with smtp_settings(smtp.port), pytest.raises(TransientFailure) as failure:
        EmailChannel().send(email_outgoing())

    assert "451" in str(failure.value)
    assert smtp.envelopes == []


def test_message_refused_at_data_is_permanent_but_says_nothing_against_the_address(smtp):
    smtp.data_reply = "554 5.6.0 Message content rejected"
    with smtp_settings(smtp.port), pytest.raises(PermanentFailure) as failure:
        EmailChannel().send(email_outgoing())

    assert failure.value.invalid_recipient is False
    assert "554" in str(failure.value)


def test_smtp_server_not_listening_is_a_transient_failure(closed_port):
    with smtp_settings(closed_port), pytest.raises(TransientFailure):
        EmailChannel().send(email_outgoing())


# --------------------------------------------------------------------------------------------------
# Email into .eml files (the embedded default)


@contextmanager
def eml_settings(folder: Path):
    with override_settings(
        EMAIL_BACKEND="amicable.channels.email.EmlFileBackend",
        EMAIL_FILE_PATH=folder,
        DEFAULT_FROM_EMAIL="amicable <messages@mail.example>",
        REPLY_DOMAIN="mail.example",
    ):
        yield


def test_eml_backend_writes_one_file_per_message_that_parses_back_with_the_headers(tmp_path):
    message = email_outgoing()
    with eml_settings(tmp_path):
        sent = EmailChannel().send(message)
        expected_id = message_id(message)

    files = sorted(tmp_path.rglob("*"))
    emls = [path for path in files if path.is_file()]
    assert [path.suffix for path in emls] == [".eml"]  # and no temporary file left behind
    assert sent.provider == "eml"
    assert sent.delivered is True
    assert Path(sent.provider_id) == emls[0]

    mail = parse_mail(emls[0].read_bytes())
    assert mail["Message-ID"] == expected_id
    assert [a.addr_spec for a in mail["To"].addresses] == ["dana.reyes@example.org"]
    assert mail["From"].addresses[0].display_name == "Northwind Energy"
    assert [a.addr_spec for a in mail["Reply-To"].addresses] == ["reply+tok41abc@mail.example"]
    assert mail["List-Unsubscribe"] == "<http://127.0.0.1:8000/u/tok41abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Your balance is $120.00." in mail.get_body(preferencelist=("plain",)).get_content()
    assert "<b>$120.00</b>" in mail.get_body(preferencelist=("html",)).get_content()


def test_eml_backend_keeps_one_file_per_contact_across_retries(tmp_path):
    with eml_settings(tmp_path):
        first = EmailChannel().send(email_outgoing())
        retry = EmailChannel().send(email_outgoing())
        other = EmailChannel().send(email_outgoing(contact_id=42, idempotency_key="contact-42:x"))

    assert first.provider_id == retry.provider_id != other.provider_id
    assert len(list(tmp_path.rglob("*.eml"))) == 2


# --------------------------------------------------------------------------------------------------
# Bounces: RFC 3464 delivery status notifications

ORIGINAL_ID = "<contact-41.0123456789abcdef@mail.example>"


def dsn(
    action: str,
    status: str,
    diagnostic: str,
    *,
    original_headers: str | None = None,
    quote_as: str = "text/rfc822-headers",
) -> bytes:
    """A bounce as Postfix writes one: a note for people, the delivery status, the original's headers."""
    original_headers = original_headers or (
        "Return-Path: <messages@mail.example>\r\n"
        "From: Northwind Energy <messages@mail.example>\r\n"
        "To: dana.reyes@example.org\r\n"
        "Subject: About your Northwind Energy account\r\n"
        f"Message-ID: {ORIGINAL_ID}\r\n"
        "Date: Tue, 10 Mar 2026 09:15:00 +0000\r\n"
    )
    quoted = original_headers + ("\r\nHello Dana,\r\n" if quote_as == "message/rfc822" else "")
    boundary = "3F1A2B.1773134102/mx.mail.example"
    return (
        "Return-Path: <>\r\n"
        "Date: Tue, 10 Mar 2026 09:15:02 +0000 (UTC)\r\n"
        "From: MAILER-DAEMON@mx.mail.example (Mail Delivery System)\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "To: messages@mail.example\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f'\tboundary="{boundary}"\r\n'
        "Message-Id: <20260310091502.3F1A2B@mx.mail.example>\r\n"
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "This is the mail system at host mx.mail.example.\r\n"
        "\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n"
        "\r\n"
        f"<dana.reyes@example.org>: {diagnostic}\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.mail.example\r\n"
        "X-Postfix-Queue-ID: 3F1A2B\r\n"
        "X-Postfix-Sender: rfc822; messages@mail.example\r\n"
        "Arrival-Date: Tue, 10 Mar 2026 09:15:01 +0000 (UTC)\r\n"
        "\r\n"
        "Final-Recipient: rfc822; dana.reyes@example.org\r\n"
        "Original-Recipient: rfc822;dana.reyes@example.org\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; mx.example.org\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Undelivered Message Headers\r\n"
        f"Content-Type: {quote_as}\r\n"
        "\r\n"
        f"{quoted}"
        "\r\n"
        f"--{boundary}--\r\n"
    ).encode()


@pytest.mark.parametrize("quote_as", ["text/rfc822-headers", "message/rfc822"])
def test_hard_bounce_gives_one_permanent_bounced_event_for_the_original_message(quote_as):
    report = dsn("failed", "5.1.1", "550 5.1.1 <dana.reyes@example.org>: User unknown", quote_as=quote_as)

    [event] = EmailChannel().parse_events(report)

    assert event.provider_id == ORIGINAL_ID  # not the report's own Message-Id
    assert event.status == "bounced"
    assert event.permanent is True
    assert "5.1.1" in event.detail
    assert "User unknown" in event.detail


def test_bounce_given_as_text_is_read_the_same():
    report = dsn("failed", "5.1.1", "550 5.1.1 User unknown").decode()

    events = EmailChannel().parse_events(report)

    assert [(e.provider_id, e.status, e.permanent) for e in events] == [(ORIGINAL_ID, "bounced", True)]


def test_giving_up_after_temporary_errors_is_a_bounce_that_keeps_the_address():
    report = dsn("failed", "4.4.7", "421 4.4.7 Message expired: mailbox full, retried for 5 days")

    [event] = EmailChannel().parse_events(report)

    assert (event.provider_id, event.status) == (ORIGINAL_ID, "bounced")
    assert event.permanent is False
    assert "4.4.7" in event.detail


def test_delayed_report_is_not_a_failure():
    report = dsn("delayed", "4.4.7", "421 4.4.7 Connection timed out; will retry until 15 Mar 2026")

    assert EmailChannel().parse_events(report) == []


def test_a_plain_email_is_not_a_bounce():
    ordinary = email_outgoing()
    with override_settings(REPLY_DOMAIN="mail.example"):
        raw = EmailChannel().build(ordinary).message().as_bytes()

    assert EmailChannel().parse_events(raw) == []


def test_bounce_of_a_message_sent_over_smtp_maps_back_to_what_was_sent(smtp):
    with smtp_settings(smtp.port):
        sent = EmailChannel().send(email_outgoing())
    arrived = smtp.envelopes[0].original_content
    headers = arrived.split(b"\r\n\r\n", 1)[0].decode() + "\r\n"

    report = dsn("failed", "5.1.1", "550 5.1.1 User unknown", original_headers=headers)
    [event] = EmailChannel().parse_events(report)

    assert event.provider_id == sent.provider_id
    assert event.permanent is True


# --------------------------------------------------------------------------------------------------
# SMS through a Twilio-compatible API on loopback


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def catcher():
    server = CallbackCatcher().start()
    yield server
    server.stop()


def sms_outgoing(**changes) -> Outgoing:
    values = dict(
        contact_id=77,
        idempotency_key="contact-77:2026-03-10:sms",
        to="+14155550123",
        subject="",
        body="Hola Dana, ¿qué tal? Tu saldo es 120,00 USD. Responde STOP para no recibir más.",
    )
    return Outgoing(**(values | changes))


def twilio_channel(fake: FakeTwilio, *, status_callback: str = "", auth_token: str = "") -> TwilioSms:
    return TwilioSms(
        account_sid=fake.account_sid,
        auth_token=auth_token or fake.auth_token,
        sender="+15005550006",
        api_url=fake.url,
        status_callback=status_callback,
    )


def test_twilio_send_posts_the_message_and_returns_its_sid(twilio, catcher):
    callback = f"{catcher.url}/hooks/sms/status"
    message = sms_outgoing()

    sent = twilio_channel(twilio, status_callback=callback).send(message)

    [created] = twilio.messages
    assert sent == Sent("twilio", created["sid"], delivered=False)
    assert re.fullmatch(r"SM[0-9a-f]{32}", sent.provider_id)
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request.form == {
        "To": "+14155550123",
        "From": "+15005550006",
        "Body": message.body,
        "StatusCallback": callback,
    }
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["I-Twilio-Idempotency-Token"] == message.idempotency_key


def test_twilio_send_with_a_wrong_auth_token_fails_without_blaming_the_number(twilio):
    with pytest.raises(PermanentFailure) as failure:
        twilio_channel(twilio, auth_token="not-the-token").send(sms_outgoing())

    assert failure.value.invalid_recipient is False
    assert "401" in str(failure.value)
    assert twilio.messages == []


def test_twilio_send_repeated_with_the_same_key_makes_one_message(twilio):
    channel = twilio_channel(twilio)

    first = channel.send(sms_outgoing())
    again = channel.send(sms_outgoing())
    other = channel.send(sms_outgoing(contact_id=78, idempotency_key="contact-78:2026-03-10:sms"))

    assert first == again
    assert other.provider_id != first.provider_id
    assert [m["sid"] for m in twilio.messages] == [first.provider_id, other.provider_id]


def test_twilio_invalid_number_is_a_permanent_failure_that_marks_the_number_invalid(twilio):
    with pytest.raises(PermanentFailure) as failure:
        twilio_channel(twilio).send(sms_outgoing(to=INVALID_NUMBER))

    assert failure.value.invalid_recipient is True
    assert "21211" in str(failure.value)
    assert twilio.messages == []


@pytest.mark.parametrize("status", [503, 429])
def test_twilio_outage_or_rate_limit_is_transient_and_a_retry_sends_once(twilio, status):
    twilio.outage = status
    channel = twilio_channel(twilio)
    with pytest.raises(TransientFailure) as failure:
        channel.send(sms_outgoing())
    assert str(status) in str(failure.value)
    assert twilio.messages == []

    twilio.outage = None
    sent = channel.send(sms_outgoing())

    assert [m["sid"] for m in twilio.messages] == [sent.provider_id]


def test_twilio_not_listening_is_a_transient_failure(twilio, closed_port):
    channel = TwilioSms(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        sender="+15005550006",
        api_url=f"http://127.0.0.1:{closed_port}",
        status_callback="",
    )
    with pytest.raises(TransientFailure):
        channel.send(sms_outgoing())


def send_and_catch_status(twilio: FakeTwilio, catcher: CallbackCatcher, reported: str, error_code: str):
    """Send a text, let the fake report its fate to the catcher, and return (sent, channel, callback)."""
    twilio.callback_status, twilio.callback_error = reported, error_code
    callback_url = f"{catcher.url}/hooks/sms/status"
    channel = twilio_channel(twilio, status_callback=callback_url)
    sent = channel.send(sms_outgoing())
    callback = catcher.next(timeout=5)
    assert callback.path == "/hooks/sms/status"
    assert signature_ok(
        callback_url, callback.form, twilio.auth_token, callback.headers["X-Twilio-Signature"]
    )
    return sent, channel, callback


@pytest.mark.parametrize(
    ("reported", "error_code", "status", "permanent"),
    [
        ("delivered", "", "delivered", False),
        ("undelivered", "30005", "failed", True),  # unknown handset: the number does not exist
        ("undelivered", "30006", "failed", True),  # a landline: it will never take a text
        ("undelivered", "30008", "failed", False),  # unknown error: try the number again another day
    ],
)
def test_twilio_status_callback_becomes_a_delivery_event(
    twilio, catcher, reported, error_code, status, permanent
):
    sent, channel, callback = send_and_catch_status(twilio, catcher, reported, error_code)

    [event] = channel.parse_events(callback.form)

    assert event.provider_id == sent.provider_id
    assert event.status == status
    assert event.permanent is permanent
    assert (error_code or reported) in event.detail


def test_twilio_handset_switched_off_does_not_mark_the_number_invalid(twilio, catcher):
    sent, channel, callback = send_and_catch_status(twilio, catcher, "undelivered", "30003")

    [event] = channel.parse_events(callback.form)

    assert (event.provider_id, event.status) == (sent.provider_id, "failed")
    assert event.permanent is False


def test_interim_status_callbacks_are_not_news(twilio):
    channel = twilio_channel(twilio)
    for interim in ("queued", "sending", "sent", "accepted"):
        form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": interim}
        assert channel.parse_events(form) == []


# Twilio's published signature examples (https://www.twilio.com/docs/usage/security and its libraries'
# tests): the same URL, token and call parameters, with two different caller numbers.
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "To": "+18005551212"}


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),  # docs page
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  # twilio-python, -php, -csharp tests
    ],
)
def test_signature_matches_twilios_published_examples(caller, expected):
    params = TWILIO_PARAMS | {"Caller": caller, "From": caller}

    assert signature(TWILIO_URL, params, "12345") == expected
    assert signature_ok(TWILIO_URL, params, "12345", expected)


def test_signature_ok_rejects_a_wrong_empty_or_misapplied_signature():
    params = TWILIO_PARAMS | {"Caller": "+14158675309", "From": "+14158675309"}
    good = "RSOYDt4T1cUTdK1PDd93/VVr8B8="

    assert signature_ok(TWILIO_URL, params, "12345", good)
    assert not signature_ok(TWILIO_URL, params, "12345", "")
    assert not signature_ok(TWILIO_URL, params, "12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8")
    assert not signature_ok(TWILIO_URL, params, "12345", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not signature_ok(TWILIO_URL, params | {"Digits": "9999"}, "12345", good)
    assert not signature_ok(TWILIO_URL + "&baz=3", params, "12345", good)
    assert not signature_ok(TWILIO_URL, params, "54321", good)


# --------------------------------------------------------------------------------------------------
# SMS sandbox (the embedded default): texts recorded in the database


def sandbox_rows():
    from amicable.outbox.models import SandboxSms as Row

    return list(Row.objects.order_by("id"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("Hola Dana, tu saldo en España es 120 €. ¿Hablamos mañana?", "GSM-7", 1),  # ñ, ¿, € are GSM-7
        ("Dzień dobry Łukasz, saldo: 120 zł.", "UCS-2", 1),  # ł is not
        ("Thanks for your payment 🙂", "UCS-2", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("ł" * 71, "UCS-2", 2),
    ],
)
def test_sandbox_records_the_text_with_its_encoding_and_segments(body, encoding, segments):
    sent = SandboxSms(sender="+15005550006").send(sms_outgoing(body=body))

    [row] = sandbox_rows()
    assert sent == Sent("sandbox", row.sid, delivered=True)
    assert (row.to, row.sender, row.body) == ("+14155550123", "+15005550006", body)
    assert (row.encoding, row.segments) == (encoding, segments)


@pytest.mark.django_db
def test_sandbox_records_one_row_per_idempotency_key():
    channel = SandboxSms(sender="+15005550006")

    first = channel.send(sms_outgoing())
    again = channel.send(sms_outgoing())
    other = channel.send(sms_outgoing(contact_id=78, idempotency_key="contact-78:2026-03-10:sms"))

    assert first == again
    assert [row.sid for row in sandbox_rows()] == [first.provider_id, other.provider_id]


# --------------------------------------------------------------------------------------------------
# Letters

MM_PER_POINT = 25.4 / 72
# Where the address shows through a DL window envelope (DIN 5008 form B): 20 mm from the left,
# 45 mm to 90 mm from the top of the A4 sheet.
WINDOW = {"left": 20, "right": 110, "top": 45, "bottom": 90}
DEBT_WORDS = re.compile(r"\b(debts?|collect\w*|owed?|owes|owing|arrears)\b", re.IGNORECASE)


def letter_outgoing(contact_id: int = 5, paragraphs: int = 3, **changes) -> Outgoing:
    paragraph = (
        "Paragraph {n}: you owe 120.00 GBP on your arrears account with Fairway Recoveries. "
        "You can pay, ask for a plan, or tell us if something is wrong."
    )
    body = "\n\n".join(paragraph.format(n=n) for n in range(1, paragraphs + 1))
    body += "\n\nQuestions? Call 0113 496 0000 (Mon-Fri) & ask for <Sam>."
    values = dict(
        contact_id=contact_id,
        idempotency_key=f"contact-{contact_id}:2026-03-10:letter",
        to="",
        subject=f"Your account ending {1000 + contact_id}",
        body=body,
        sender_name="Fairway Recoveries",
        address={"line1": f"Flat {contact_id}, 14 Park Row", "city": "Leeds", "postcode": "LS1 5HD"},
        return_address="PO Box 12, Leeds LS1 1AA",
        day="2026-03-10",
    )
    return Outgoing(**(values | changes))


def placed_text(page) -> list[tuple[float, float, str]]:
    """Each run of text on a PDF page as (mm from the left, mm from the top, text)."""
    height = float(page.mediabox.height)
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x * MM_PER_POINT, (height - y) * MM_PER_POINT, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def window_text(page, slack: float = 0.5) -> str:
    """The text that shows through the window (slack: mm allowed for rounding at the edges)."""
    return "\n".join(
        text
        for x, y, text in placed_text(page)
        if WINDOW["left"] - slack <= x <= WINDOW["right"] and WINDOW["top"] <= y <= WINDOW["bottom"]
    )


def page_texts(path: str | Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_letter_is_a_pdf_with_the_address_subject_and_body(tmp_path):
    message = letter_outgoing()

    sent = LetterChannel(tmp_path).send(message)

    path = Path(sent.provider_id)
    assert sent.provider == "print"
    assert path == tmp_path / "2026-03-10" / "contact-5.pdf"
    assert path.read_bytes().startswith(b"%PDF-")
    text = "\n".join(page_texts(path))
    for expected in ("Flat 5, 14 Park Row", "Leeds", "LS1 5HD", "Your account ending 1005"):
        assert expected in text
    words = " ".join(text.split())
    assert "Paragraph 3: you owe 120.00 GBP on your arrears account with Fairway Recoveries." in words
    assert "Questions? Call 0113 496 0000 (Mon-Fri) & ask for <Sam>." in words  # printed as written


def test_letter_window_shows_the_addresses_and_nothing_about_the_debt(tmp_path):
    sent = LetterChannel(tmp_path).send(letter_outgoing())
    first_page = PdfReader(sent.provider_id).pages[0]

    window = window_text(first_page)
    page = first_page.extract_text()

    assert window.splitlines() == ["PO Box 12, Leeds LS1 1AA", "Flat 5, 14 Park Row", "Leeds", "LS1 5HD"]
    # The letter itself names the creditor and the debt; only the window must not.
    assert "Fairway Recoveries" in page and DEBT_WORDS.search(page)
    assert "Fairway Recoveries" not in window
    assert not DEBT_WORDS.search(window)
    assert "Your account" not in window


def test_letter_with_a_one_line_address_breaks_it_into_lines(tmp_path):
    message = letter_outgoing(address={}, to="Flat 9, 14 Park Row, Leeds, LS1 5HD")

    sent = LetterChannel(tmp_path).send(message)

    window = window_text(PdfReader(sent.provider_id).pages[0])
    assert window.splitlines() == ["PO Box 12, Leeds LS1 1AA", "Flat 9", "14 Park Row", "Leeds", "LS1 5HD"]


def test_letter_without_any_address_is_refused_as_an_invalid_recipient(tmp_path):
    with pytest.raises(PermanentFailure) as failure:
        LetterChannel(tmp_path).send(letter_outgoing(address={}, to=""))

    assert failure.value.invalid_recipient is True
    assert list(tmp_path.rglob("*.pdf")) == []


def test_print_batch_holds_every_letter_of_the_day_once(tmp_path):
    channel = LetterChannel(tmp_path)
    letters = [letter_outgoing(3, paragraphs=2), letter_outgoing(12, paragraphs=40), letter_outgoing(7)]
    pages = {}
    for message in letters:
        sent = channel.send(message)
        pages[message.contact_id] = len(PdfReader(sent.provider_id).pages)
    channel.send(letters[0])  # a retry replaces the letter: it is not printed twice
    channel.send(letter_outgoing(4, day="2026-03-11"))  # another day's letter stays out

    path, count = channel.build_batch(date(2026, 3, 10))

    assert pages[12] > 1  # the long letter really runs over several pages
    assert count == 3
    assert path == tmp_path / "2026-03-10" / "batch-2026-03-10.pdf"
    batch = PdfReader(path)
    assert len(batch.pages) == sum(pages.values())
    text = "\n".join(page.extract_text() for page in batch.pages)
    for message in letters:
        assert text.count(message.subject) == 1
    assert "Your account ending 1004" not in text
    # Each letter starts on a page of its own, in contact order, with its own address in the window.
    first_pages = [0, pages[3], pages[3] + pages[7]]
    for index, contact_id in zip(first_pages, (3, 7, 12), strict=True):
        assert window_text(batch.pages[index]).splitlines() == [
            "PO Box 12, Leeds LS1 1AA",
            f"Flat {contact_id}, 14 Park Row",
            "Leeds",
            "LS1 5HD",
        ]


def test_print_batch_numbers_each_letters_pages_on_their_own(tmp_path):
    channel = LetterChannel(tmp_path)
    for message in (letter_outgoing(1), letter_outgoing(2, paragraphs=40), letter_outgoing(3)):
        channel.send(message)
    single = page_texts(tmp_path / "2026-03-10" / "contact-2.pdf")

    path, _ = channel.build_batch(date(2026, 3, 10))

    footers = [re.findall(r"Page \d+ of \d+", text)[-1] for text in page_texts(path)]
    expected = (
        ["Page 1 of 1"] + [f"Page {n} of {len(single)}" for n in range(1, len(single) + 1)] + ["Page 1 of 1"]
    )
    assert footers == expected


def test_print_batch_of_a_day_without_letters_is_nothing(tmp_path):
    assert LetterChannel(tmp_path).build_batch(date(2026, 3, 10)) == (None, 0)


# --------------------------------------------------------------------------------------------------
# Calls and the registry


def test_call_tasks_are_not_automatic_and_cannot_be_sent():
    calls = CallTasks()

    assert calls.automatic is False
    with pytest.raises(RuntimeError):
        calls.send(sms_outgoing())
    assert calls.parse_events({"anything": "at all"}) == []


def test_registry_sends_automatically_on_every_channel_but_calls():
    automatic = registry.automatic_channels()

    assert "call" not in automatic
    assert automatic == ["email", "sms", "letter"]
    assert registry.get_channel("call").automatic is False
    with pytest.raises(KeyError):
        registry.get_channel("fax")
