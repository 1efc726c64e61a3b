"""The outbox's web endpoints: the opt-out link in every message and signed delivery callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.test import Client

from amicable.channels.sms import signature
from amicable.ledger.models import AuditLog, ContactPoint
from amicable.outbox.models import Contact
from test_cycle import MORNING, run
from test_plan_command import DAY, import_portfolio

TOKEN = "test-auth-token-0123456789"


@pytest.fixture
def planned(db, cli, northwind, tmp_path):
    with time_machine.travel(datetime.combine(DAY, time(0, 30), tzinfo=UTC), tick=False):
        import_portfolio(cli, tmp_path)
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    return {c.account.external_ref: c for c in Contact.objects.select_related("account", "contact_point")}


def test_the_opt_out_link_asks_then_stops_messages_at_once(planned):
    email = planned["A-7"]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/u/{email.reply_token}")
    assert page.status_code == 200
    assert b"Stop emails from Northwind Energy?" in page.content
    assert b"an***@example.com" in page.content  # masked: enough to recognise, not to read out
    done = browser.post(f"/u/{email.reply_token}")
    assert done.status_code == 200 and b"no more emails" in done.content
    point = ContactPoint.objects.get(pk=email.contact_point_id)
    assert point.consent("collection") == "revoked"
    assert AuditLog.objects.filter(action="record_consent", customer=email.customer).exists()


def test_a_mail_providers_one_click_post_needs_no_form(planned):
    email = planned["A-7"]
    response = Client(enforce_csrf_checks=True).post(
        f"/u/{email.reply_token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert ContactPoint.objects.get(pk=email.contact_point_id).consent("collection") == "revoked"


def test_an_unknown_opt_out_link_is_not_found(planned):
    assert Client().get("/u/not-a-token").status_code == 404


def _callback(client: Client, settings, params: dict[str, str], signed: bool = True):
    url = settings.PUBLIC_URL + "/hooks/sms/status"
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature(url, params, TOKEN) if signed else "forged"}
    return client.post("/hooks/sms/status", data=params, **headers)


@pytest.fixture
def sent_text(planned, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    text = planned["B-7"]
    Contact.objects.filter(pk=text.pk).update(status="sent", provider="twilio", provider_id="SM0001")
    return text


def test_a_signed_delivery_callback_marks_the_text_delivered(sent_text, settings):
    response = _callback(Client(), settings, {"MessageSid": "SM0001", "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert Contact.objects.get(pk=sent_text.pk).status == "delivered"
    assert AuditLog.objects.filter(action="record_delivery", object_id=str(sent_text.pk)).exists()


def test_an_undeliverable_number_is_marked_invalid(sent_text, settings):
    params = {"MessageSid": "SM0001", "MessageStatus": "undelivered", "ErrorCode": "30006"}
    assert _callback(Client(), settings, params).status_code == 204
    assert Contact.objects.get(pk=sent_text.pk).status == "failed"
    assert ContactPoint.objects.get(pk=sent_text.contact_point_id).invalid


def test_an_unsigned_or_forged_callback_is_refused_and_changes_nothing(sent_text, settings, caplog):
    response = _callback(
        Client(), settings, {"MessageSid": "SM0001", "MessageStatus": "failed"}, signed=False
    )
    assert response.status_code == 403
    assert Contact.objects.get(pk=sent_text.pk).status == "sent"
    assert "rejected an SMS status callback" in caplog.text


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw-long-enough", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_the_admin_shows_contacts_with_reasons_texts_and_the_eml_files(
    staff, cli, planned, settings, tmp_path
):
    from amicable.channels.registry import get_channel
    from amicable.cycle.dispatch import dispatch_due
    from test_cycle import EVENING

    settings.EMAIL_BACKEND = "amicable.channels.email.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox" / "email"
    settings.OUTBOX_DIR = tmp_path / "outbox"
    get_channel.cache_clear()
    with time_machine.travel(EVENING, tick=False):
        dispatch_due()
    listing = staff.get("/admin/outbox/contact/")
    assert listing.status_code == 200 and b"reminder_upcoming" in listing.content
    email = Contact.objects.filter(channel="email").first()
    page = staff.get(f"/admin/outbox/contact/{email.pk}/change/")
    assert page.status_code == 200 and b"Decision: every rule" in page.content
    eml = staff.get(f"/admin/outbox/contact/{email.pk}/file/")
    assert eml.status_code == 200 and eml["Content-Type"] == "message/rfc822"
    assert b"List-Unsubscribe" in b"".join(eml.streaming_content)
    texts = staff.get("/admin/outbox/sandboxsms/")
    assert texts.status_code == 200 and b"Reply STOP" in texts.content
    for page in ("calltask", "printbatch", "cyclerun"):
        assert staff.get(f"/admin/outbox/{page}/").status_code == 200
    get_channel.cache_clear()
