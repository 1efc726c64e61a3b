"""Emails from customers, as the email webhook and `amicable inbound email` take them in: threaded to the
conversation they answer (reply token, In-Reply-To, References, the sender's address), read in their
own words and acted on like texts; attachments kept; bounces and spam complaints applied to the email
they are about."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mailbox
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from amicable.conversations.actions import handle_message
from amicable.conversations.email import MAX_BYTES, DeliveryReport, html_to_text, receive_email, safe_filename
from amicable.conversations.models import InboundAttachment, InboundMessage, Task
from amicable.ledger.actions import ActionError
from amicable.ledger.models import AuditLog, ContactPoint, Dispute, Hold
from amicable.outbox.models import Contact
from test_conversations import ARRIVED, portfolio  # noqa: F401 (a fixture)
from test_cycle import EVENING, MORNING, outbox_dir, run  # noqa: F401 (outbox_dir: an autouse fixture)

ANN = "ann@example.com"  # customer C-7, account A-7: email allowed; due in 7 days
SECRET = "test-email-secret"
# Replies to the evening's reminders arrive a few minutes after they went out.
REPLIED = EVENING + timedelta(minutes=5)


def mail(
    body: str | None = "Hello",
    *,
    sender: str = f"Ann Lee <{ANN}>",
    to: str = "messages@localhost",
    subject: str = "About my account",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage(policy=email_policy)
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(ARRIVED)
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def take(raw: bytes, at=ARRIVED, **kwargs) -> InboundMessage:
    with time_machine.travel(at, tick=False):
        message, created = receive_email(raw, actor="test:inbound", **kwargs)
        assert created
        return handle_message(message)


def emails_to(address: str) -> list:
    """The emails written to the test outbox (test_cycle's outbox_dir) for one address."""
    from django.conf import settings

    found = []
    for path in sorted(Path(settings.EMAIL_FILE_PATH).rglob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=email_policy)
        if [a.addr_spec for a in message["To"].addresses] == [address]:
            found.append(message)
    return found


@pytest.fixture
def sent(cli, portfolio):  # noqa: F811
    """The day's reminders planned in the morning and sent in the evening: A-7's is an email."""
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    with time_machine.travel(EVENING, tick=False):
        cli("dispatch")
    contact = Contact.objects.get(account=portfolio["A-7"], channel="email")
    assert contact.sent_at is not None
    return contact


def our_message_id(contact: Contact) -> str:
    [message] = [m for m in emails_to(ANN) if m["Subject"] == contact.subject]
    return message["Message-ID"]


# -------------------------------------------------------------------------------------- threading


def test_a_reply_to_our_reply_to_address_threads_by_its_token(sent):
    raw = mail(
        "Who is this?",
        sender="Ann at work <ann.lee@work.example>",  # not on file: only the token says who it is
        to=f"reply+{sent.reply_token}@localhost",
    )
    message = take(raw, at=REPLIED)
    assert (message.matched_by, message.customer.external_ref, message.account.external_ref) == (
        "token",
        "C-7",
        "A-7",
    )
    assert message.contact_point.value == ANN and message.sender == "ann.lee@work.example"


def test_a_token_found_only_in_a_lower_cased_delivered_to_still_threads(sent):
    raw = mail("Who is this?", sender="someone@else.example", headers={"Delivered-To": "x@localhost"})
    envelope = f"reply+{sent.reply_token.lower()}@LOCALHOST"
    message = take(raw, at=REPLIED, envelope_to=envelope)
    assert message.matched_by == "token" and message.customer.external_ref == "C-7"
    assert message.recipient == envelope


def test_a_reply_threads_by_in_reply_to_when_the_token_is_gone(sent):
    raw = mail(
        "Who is this?",
        sender="ann.lee@work.example",
        headers={"In-Reply-To": our_message_id(sent)},
    )
    message = take(raw, at=REPLIED)
    assert (message.matched_by, message.account.external_ref) == ("reply", "A-7")


def test_a_reply_threads_by_references_newest_first(sent):
    ours = our_message_id(sent)
    raw = mail(
        "Who is this?",
        sender="ann.lee@work.example",
        headers={
            "In-Reply-To": "<forward@work.example>",
            "References": f"<contact-999.0123456789abcdef@localhost> {ours} <forward@work.example>",
        },
    )
    message = take(raw, at=REPLIED)
    assert (message.matched_by, message.customer.external_ref) == ("reply", "C-7")


def test_a_message_id_sent_over_smtp_is_found_as_the_contacts_provider_id(sent):
    Contact.objects.filter(pk=sent.pk).update(provider="smtp", provider_id="<sent-by-smtp@mail.example>")
    raw = mail(
        "Who is this?", sender="ann.lee@work.example", headers={"In-Reply-To": "<sent-by-smtp@mail.example>"}
    )
    assert take(raw, at=REPLIED).matched_by == "reply"


def test_a_forged_message_id_of_ours_threads_nothing(sent):
    forged = f"<contact-{sent.pk}.0123456789abcdef@localhost>"  # the right contact, the wrong digest
    raw = mail("Who is this?", sender="ann.lee@work.example", headers={"In-Reply-To": forged})
    message = take(raw, at=REPLIED)
    assert message.customer is None and message.matched_by == ""


def test_a_new_email_threads_by_the_senders_address_in_any_case(portfolio):  # noqa: F811
    message = take(mail("Who is this?", sender="ANN@Example.COM"))
    assert (message.matched_by, message.customer.external_ref, message.account.external_ref) == (
        "address",
        "C-7",
        "A-7",
    )
    assert message.sender == ANN


def test_an_address_several_customers_share_goes_to_the_one_we_last_emailed(sent, portfolio):  # noqa: F811
    ContactPoint.objects.create(customer=portfolio["A-30"].customer, kind="email", value=ANN)
    message = take(mail("Who is this?"), at=REPLIED)
    assert (message.matched_by, message.customer.external_ref) == ("address", "C-7")


def test_an_email_from_a_stranger_lands_in_review(portfolio):  # noqa: F811
    message = take(mail("hello? who is this", sender="stranger@nowhere.example"))
    assert message.customer is None and message.status == "review" and message.matched_by == ""
    assert Task.objects.get(message=message).kind == "review_message"
    assert not Contact.objects.filter(purpose="reply").exists()


# ----------------------------------------------------------------------------------- the words


def test_an_html_only_email_is_read_as_text_without_its_quoted_history(portfolio):  # noqa: F811
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>I can pay 50 on Friday&nbsp;</p><div>Thanks,<br>Ann</div>"
        '<div class="gmail_quote">On Mon, 9 Mar 2026 at 10:15, Northwind Energy wrote:<br>'
        "<blockquote><p>Your payment is due. Reply STOP to opt out.</p><p>STOP</p></blockquote></div>"
        "</body></html>"
    )
    message = take(mail(None, html=html))
    assert message.body.startswith("I can pay 50 on Friday\n\nThanks,\nAnn")
    assert "> STOP" in message.body and "color" not in message.body
    assert message.intent == "promise_to_pay" and message.text == "I can pay 50 on Friday\n\nThanks,\nAnn"
    assert ContactPoint.objects.get(kind="email", value=ANN).consent() == "granted"


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 9 Mar 2026 at 10:15, Northwind Energy <messages@localhost> wrote:\n> Reply STOP\n> STOP",
        "-----Original Message-----\nFrom: Northwind Energy\nSent: Monday\n\nSTOP",
        "________________________________\nFrom: Northwind Energy <messages@localhost>\n"
        "Sent: Monday, March 9, 2026 10:15 AM\nTo: Ann\nSubject: Reminder\n\nTo stop emails, reply STOP",
        "El lun, 9 mar 2026 a las 10:15, Northwind Energy escribió:\n> STOP",
    ],
)
def test_a_stop_in_the_quoted_history_is_ours_not_theirs(portfolio, history):  # noqa: F811
    message = take(mail(f"I can pay 50 on Friday\n\n{history}"))
    assert message.intent == "promise_to_pay" and "opted out" not in message.outcome
    assert ContactPoint.objects.get(kind="email", value=ANN).consent() == "granted"


def test_html_to_text_keeps_lines_lists_and_quotes():
    text = html_to_text(
        "<p>One<br/>two</p><ul><li>a</li><li>b</li></ul><script>x()</script>"
        "<blockquote>q1<blockquote>q2</blockquote></blockquote><p>&lt;after&gt; &amp; done</p>"
    )
    assert text == "One\ntwo\n\n- a\n- b\n\n> q1\n\n> > q2\n\n<after> & done"


def test_a_message_with_only_a_subject_is_read_by_its_subject(portfolio):  # noqa: F811
    message = take(mail("", subject="Unsubscribe"))
    assert message.body == "Unsubscribe" and message.intent == "opt_out"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Mon, 09 Mar 2026 20:55:00 -0400", "2026-03-10T00:55:00+00:00"),  # believed, in UTC
        ("Tue, 10 Mar 2026 00:40:00 -0000", "2026-03-10T00:40:00+00:00"),  # no zone given: UTC
        ("Fri, 01 Jan 2099 00:00:00 +0000", ARRIVED.isoformat()),  # a clock in the future: now
        ("Sun, 01 Jan 2017 00:00:00 +0000", ARRIVED.isoformat()),  # years ago: now
        ("the day before yesterday", ARRIVED.isoformat()),
    ],
)
def test_the_date_header_is_used_only_when_it_is_believable(portfolio, date, expected):  # noqa: F811
    raw = mail("Who is this?").replace(
        b"Date: " + format_datetime(ARRIVED).encode(), b"Date: " + date.encode()
    )
    with time_machine.travel(ARRIVED, tick=False):
        message, _ = receive_email(raw, actor="test:inbound")
    message.refresh_from_db()
    assert message.received_at.isoformat() == expected


def test_an_answers_subject_follows_the_customers_or_says_what_it_answers():
    from amicable.conversations import replies

    assert replies.subject("en", creditor="Northwind", theirs="My bill") == "Re: My bill"
    assert replies.subject("en", creditor="Northwind", theirs="RE:  My\n bill") == "RE: My bill"
    assert replies.subject("es-US", creditor="Northwind") == "Su mensaje a Northwind"


# ------------------------------------------------------------------------------------ attachments


def test_attachments_are_kept_with_their_bytes_and_digest(portfolio):  # noqa: F811
    pdf = b"%PDF-1.4 receipt " + bytes(range(256)) * 10
    raw = mail(
        "I paid yesterday, receipt attached",
        attachments=(
            ("receipt.pdf", "application/pdf", pdf),
            ("../../etc/invoice\u202efdp.exe", "application/octet-stream", b"MZ"),
        ),
    )
    message = take(raw)
    receipt, other = message.attachments.order_by("id")
    assert (receipt.filename, receipt.content_type, receipt.size) == (
        "receipt.pdf",
        "application/pdf",
        len(pdf),
    )
    assert bytes(receipt.data) == pdf and receipt.sha256 == hashlib.sha256(pdf).hexdigest()
    assert other.filename == "invoicefdp.exe"  # no folders, no right-to-left override
    logged = AuditLog.objects.get(action="receive_message", object_id=str(message.pk))
    assert [a["sha256"] for a in logged.changes["attachments"]] == [receipt.sha256, other.sha256]


def test_unsafe_filenames_are_made_safe_to_show():
    assert safe_filename("", "image/png", 3) == "attachment-3.png"
    assert safe_filename("C:\\Users\\ann\\bank.pdf", "application/pdf", 1) == "bank.pdf"
    assert safe_filename("a\x00b\r\n<script>.txt", "text/plain", 1) == "ab_script_.txt"
    long = safe_filename("x" * 300 + ".pdf", "application/pdf", 1)
    assert len(long) == 200 and long.endswith(".pdf")


def test_a_message_over_25_mb_is_refused_and_nothing_is_stored(portfolio):  # noqa: F811
    big = mail("receipt attached", attachments=(("scan.tiff", "image/tiff", b"\0" * (19 * 1024 * 1024)),))
    assert len(big) > MAX_BYTES
    before = AuditLog.objects.count()
    with pytest.raises(
        ActionError, match=r"the message is 2\d\.\d MB \(\d+ bytes\); the most taken in is 25 MB"
    ):
        receive_email(big, actor="test:inbound")
    assert not InboundMessage.objects.exists() and not InboundAttachment.objects.exists()
    assert AuditLog.objects.count() == before


def test_a_redelivered_email_is_stored_and_acted_on_once(portfolio):  # noqa: F811
    raw = mail("I don't owe this", message_id="<same-one@mail.example.org>")
    with time_machine.travel(ARRIVED, tick=False):
        first, created = receive_email(raw, actor="test:inbound")
        handle_message(first)
        again, created_again = receive_email(raw, actor="test:inbound")
        handle_message(again)
    assert created and not created_again and again.pk == first.pk
    assert first.provider_id == "<same-one@mail.example.org>"
    assert InboundMessage.objects.count() == 1 and Dispute.objects.count() == 1


# --------------------------------------------------------------------------------------- acting


def test_an_email_opt_out_revokes_the_address_confirms_once_and_stops_emails(cli, portfolio):  # noqa: F811
    message = take(mail("Please unsubscribe me", subject="About your Northwind Energy account"))
    assert message.intent == "opt_out" and message.status == "handled"
    point = ContactPoint.objects.get(kind="email", value=ANN)
    assert point.consent("collection") == "revoked" and point.consent("marketing") == "revoked"
    assert point.consents["collection"]["source"] == f"inbound message {message.pk}"
    [confirmation] = emails_to(ANN)
    assert confirmation["Subject"] == "Re: About your Northwind Energy account"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "won't get any more emails from us at this address" in text
    # A second request changes nothing and sends nothing.
    again = take(mail("stop emailing me"))
    assert again.outcome == f"{ANN} was already opted out"
    assert len(emails_to(ANN)) == 1
    # The next cycle plans no email to the address.
    with time_machine.travel(MORNING, tick=False):
        summary = run(cli)
    assert (
        not Contact.objects.filter(account=portfolio["A-7"], channel="email")
        .exclude(purpose="reply")
        .exists()
    )
    assert summary["queued"].get("email", 0) == 1  # Z-1's, not A-7's
    with time_machine.travel(EVENING, tick=False):
        cli("dispatch")
    assert len(emails_to(ANN)) == 1


def test_an_email_dispute_places_a_hold_and_is_acknowledged_by_email(portfolio):  # noqa: F811
    message = take(mail("I don't owe this", subject=""))
    dispute = Dispute.objects.get(account=portfolio["A-7"])
    assert dispute.reason == "I don't owe this" and message.intent == "dispute"
    hold = Hold.objects.get(pk=dispute.hold_id)
    assert (hold.kind, hold.account_id) == ("dispute", portfolio["A-7"].pk)
    [acknowledgement] = emails_to(ANN)
    assert acknowledgement["Subject"] == "Your message to Northwind Energy"
    text = acknowledgement.get_body(preferencelist=("plain",)).get_content()
    assert "received your dispute about account A-7" in text
    reply = Contact.objects.get(key=f"reply:{message.pk}:dispute_acknowledgement")
    assert f"/u/{reply.reply_token}" in text and "STOP" not in text  # an email's opt-out is a link
    assert reply.status == "delivered" and reply.channel == "email"


def test_an_out_of_office_reply_is_read_but_never_answered_automatically(portfolio):  # noqa: F811
    message = take(mail("I don't owe this", headers={"Auto-Submitted": "auto-replied"}))
    assert message.auto_submitted and Dispute.objects.exists()
    assert emails_to(ANN) == []
    assert Task.objects.filter(message=message, summary__contains="sent automatically").exists()


def test_an_email_answer_to_an_address_since_opted_out_is_cancelled_with_the_reason(portfolio, monkeypatch):  # noqa: F811
    import amicable.cycle.dispatch as dispatch

    with monkeypatch.context() as patch:  # the confirmation is written, but not sent yet
        patch.setattr(dispatch, "dispatch_one", lambda *args, **kwargs: None)
        promise = take(mail("I can pay 50 on Friday"))
    take(mail("unsubscribe"))
    with time_machine.travel(ARRIVED + timedelta(minutes=10), tick=False):
        dispatch.dispatch_due()
    held = Contact.objects.get(key=f"reply:{promise.pk}:promise_confirmation")
    assert held.status == "cancelled" and "opted this address out" in held.reasons[0]["message"]


# ---------------------------------------------------------------------------------- bad messages


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (mail("STOP", sender="not an address"), "From header 'not an address' is not a valid email address"),
        (mail("STOP", sender="Ann <ann@>"), "From header 'Ann <ann@>' is not a valid email address"),
        (mail("STOP", sender=""), "the message has no From header"),
        (b"just some words\nand more\n", "not an email message (RFC 5322): no headers"),
        (b"  \r\n", "the message is empty"),
    ],
)
def test_a_message_that_cannot_be_taken_in_is_named_and_nothing_is_stored(portfolio, raw, error):  # noqa: F811
    before = AuditLog.objects.count()
    with pytest.raises(ActionError) as caught:
        receive_email(raw, actor="test:inbound")
    assert error in str(caught.value)
    assert not InboundMessage.objects.exists() and not InboundAttachment.objects.exists()
    assert AuditLog.objects.count() == before


# ---------------------------------------------------------------------------------------- webhook


def _post(client: Client, raw: bytes, signature: str | None, query: str = ""):
    headers = {"HTTP_X_AMICABLE_SIGNATURE": signature} if signature is not None else {}
    return client.post(f"/hooks/email/inbound{query}", data=raw, content_type="message/rfc822", **headers)


def sign(raw: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def test_the_webhook_takes_a_signed_email_and_refuses_unsigned_or_wrong_ones(portfolio, settings, caplog):  # noqa: F811
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    raw = mail("I can pay 50 on Friday")
    client = Client()
    with caplog.at_level(logging.WARNING):
        missing = _post(client, raw, None)
        wrong = _post(client, raw, sign(raw, "another-secret"))
        tampered = _post(client, raw + b"P.S. STOP\r\n", sign(raw))
    assert missing.status_code == wrong.status_code == tampered.status_code == 403
    assert "rejected an inbound email with a missing or wrong signature" in caplog.text
    assert not InboundMessage.objects.exists()

    with time_machine.travel(ARRIVED, tick=False):
        right = _post(client, raw, sign(raw), "?to=messages%40localhost")
    assert right.status_code == 200
    answer = right.json()
    assert answer == {
        "message_id": InboundMessage.objects.get().pk,
        "matched_by": "address",
        "intent": "promise_to_pay",
        "status": "handled",
    }
    assert InboundMessage.objects.get().recipient == "messages@localhost"


def test_the_webhook_refuses_everything_when_no_secret_is_set(portfolio, settings):  # noqa: F811
    settings.EMAIL_WEBHOOK_SECRET = ""
    raw = mail("STOP")
    assert _post(Client(), raw, sign(raw, "")).status_code == 403
    assert not InboundMessage.objects.exists()


def test_the_webhook_answers_a_bad_message_with_400_and_the_error(portfolio, settings):  # noqa: F811
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    raw = mail("STOP", sender="not an address")
    response = _post(Client(), raw, sign(raw))
    assert response.status_code == 400 and b"From header 'not an address'" in response.content
    assert not InboundMessage.objects.exists()
    big = b"Subject: x\r\n\r\n" + b"x" * (MAX_BYTES + 1)
    response = _post(Client(), big, sign(big))
    assert response.status_code == 413 and b"the most taken in is 25 MB" in response.content


# ------------------------------------------------------------------------------------ command line


def test_the_command_takes_in_an_eml_file(cli, portfolio, tmp_path):  # noqa: F811
    path = tmp_path / "reply.eml"
    path.write_bytes(mail("I don't owe this", attachments=(("letter.pdf", "application/pdf", b"%PDF"),)))
    with time_machine.travel(ARRIVED, tick=False):
        result = cli("inbound", "email", path, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["customer_ref"], answer["matched_by"], answer["intent"]) == ("C-7", "address", "dispute")
    assert [a["filename"] for a in answer["attachments"]] == ["letter.pdf"]
    assert answer["replies"][0]["channel"] == "email"


def test_a_bad_eml_file_is_named_and_nothing_is_stored(cli, portfolio, tmp_path):  # noqa: F811
    path = tmp_path / "bad.eml"
    path.write_bytes(mail("STOP", sender="nobody"))
    result = cli("inbound", "email", path)
    assert result.exit_code == 2 and "From header 'nobody' is not a valid email address" in result.output
    assert not InboundMessage.objects.exists()


def test_an_mbox_takes_in_every_good_message_and_names_the_bad_one(cli, portfolio, tmp_path):  # noqa: F811
    path = tmp_path / "replies.mbox"
    box = mailbox.mbox(path)
    for raw in (
        mail("I can pay 50 on Friday"),
        mail("STOP", sender="Nobody <nobody@>"),
        mail("who is this?", sender="stranger@nowhere.example"),
    ):
        box.add(raw)
    box.flush()
    box.close()
    with time_machine.travel(ARRIVED, tick=False):
        result = cli("inbound", "email", path, "--json")
    assert result.exit_code == 1
    assert "message 2: refused: From header 'Nobody <nobody@>'" in result.stderr
    answers = json.loads(result.stdout)
    assert [a["position"] for a in answers] == [1, 2, 3]
    assert (
        "error" in answers[1]
        and answers[0]["intent"] == "promise_to_pay"
        and answers[2]["status"] == "review"
    )
    assert InboundMessage.objects.count() == 2


# ---------------------------------------------------------------------------- bounces, complaints


def report(report_type: str, second_part: str, original_id: str) -> bytes:
    content_type = (
        "message/delivery-status" if report_type == "delivery-status" else "message/feedback-report"
    )
    return (
        "From: MAILER-DAEMON@mx.example.com\r\n"
        "To: reply@localhost\r\n"
        "Subject: report\r\n"
        "Date: Tue, 10 Mar 2026 23:40:00 +0000\r\n"
        "Message-ID: <report-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nA report about a message you sent.\r\n"
        f"--b1\r\nContent-Type: {content_type}\r\n\r\n{second_part}\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Northwind Energy <messages@localhost>\r\nTo: {ANN}\r\nMessage-ID: {original_id}\r\n\r\n"
        "--b1--\r\n"
    ).encode()


def test_a_hard_bounce_marks_the_address_invalid_and_stores_no_message(sent):
    dsn = report(
        "delivery-status",
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {ANN}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
        our_message_id(sent),
    )
    with time_machine.travel(REPLIED, tick=False):
        result, applied = receive_email(dsn, actor="test:inbound")
    assert isinstance(result, DeliveryReport) and applied and result.contact_ids == (sent.pk,)
    sent.refresh_from_db()
    assert sent.status == "failed" and "5.1.1" in sent.last_error
    point = ContactPoint.objects.get(kind="email", value=ANN)
    assert point.invalid and "User unknown" in point.invalid_reason
    assert not InboundMessage.objects.exists()


def test_a_spam_complaint_revokes_the_address_and_keeps_the_contacts_status(sent, settings):
    arf = report(
        "feedback-report",
        f"Feedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: <{ANN}>",
        our_message_id(sent),
    )
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    with time_machine.travel(REPLIED, tick=False):
        response = _post(Client(), arf, sign(arf))
        again = _post(Client(), arf, sign(arf))  # the same report delivered twice
    assert response.status_code == again.status_code == 200
    answer = response.json()
    assert (answer["message_id"], answer["status"], answer["report"]) == (None, "report", "feedback-report")
    assert answer["contacts"] == [sent.pk] and answer["events"][0]["status"] == "complained"
    sent.refresh_from_db()
    assert sent.status == "delivered" and sent.last_error.startswith("complained: feedback report (abuse)")
    point = ContactPoint.objects.get(kind="email", value=ANN)
    assert point.consent("collection") == "revoked" and point.consent("marketing") == "revoked"
    assert point.consents["collection"]["source"] == "spam complaint" and not point.invalid
    # Recorded once, though the report came twice.
    complaints = AuditLog.objects.filter(action="record_delivery", object_id=str(sent.pk))
    assert [row.changes["event"] for row in complaints] == ["complained"]
    assert not InboundMessage.objects.exists()


def test_a_report_about_a_message_that_is_not_ours_changes_nothing(portfolio):  # noqa: F811
    arf = report("feedback-report", "Feedback-Type: abuse", "<someone-elses@mail.example.org>")
    result, applied = receive_email(arf, actor="test:inbound")
    assert isinstance(result, DeliveryReport) and not applied and result.events
    assert ContactPoint.objects.get(kind="email", value=ANN).consent() == "granted"


# ------------------------------------------------------------------------------------------ admin


def test_staff_see_attachments_read_only_and_download_them(portfolio, client, django_user_model):  # noqa: F811
    message = take(
        mail("receipt", attachments=(("receipt.html", "text/html", b"<script>alert(1)</script>"),))
    )
    attachment = message.attachments.get()
    url = f"/admin/conversations/inboundmessage/{message.pk}/attachment/{attachment.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    user = django_user_model.objects.create_user("clerk", "clerk@example.com", "a-long-password-1")
    client.force_login(user)
    assert client.get(url).status_code == 302  # not staff
    staff = django_user_model.objects.create_superuser("agent", "agent@example.com", "a-long-password-1")
    client.force_login(staff)
    page = client.get(f"/admin/conversations/inboundmessage/{message.pk}/change/").content.decode()
    assert "receipt.html" in page and url in page and attachment.sha256 in page
    download = client.get(url)
    assert download.status_code == 200 and download.content == b"<script>alert(1)</script>"
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
