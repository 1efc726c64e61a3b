"""Composing a one-off message in the console: a preview with the customer's real data, the checks and
the compliance decision for sending it now; sending only when that decision allows it, through the
outbox and dispatch, on the customer's timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from amicable.conversations.disputes import open_dispute
from amicable.ledger.models import AuditLog
from amicable.outbox.models import Contact, SandboxSms
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db

# 11:00 on Tuesday 10 March 2026 in Boston (EDT): inside every contact window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def maria(northwind):
    return debtor(northwind)


@pytest.fixture
def sam(client, northwind):
    staff("sam", "agent", northwind)
    assert client.login(username="sam", password=PASSWORD)
    return client


def url(account, tail=""):
    return f"/console/customers/{account.customer_id}/compose{tail}"


def choose(account, **changes):
    return {"account": account.pk, "channel": "email", "template": "follow_up_gentle"} | changes


def test_the_preview_shows_the_customers_own_message_its_checks_and_the_decision(sam, maria):
    page = sam.get(url(maria))
    assert page.status_code == 200
    text = page.text
    assert "A quick check-in from Northwind Energy" in text
    assert "Hi Maria," in text and "Your balance with Northwind Energy is $600.00." in text
    assert "maria.c-1@example.com" in text  # where it would go
    assert "Checks" in text and "Tone and reading level" in text
    assert "Allowed" in text and "The rules allow sending this message now." in text
    assert 'name="action" value="send"' in text
    # The live preview: htmx posts the form on change and puts the answer in a polite live region.
    assert 'hx-post="/console/customers/' in text and 'hx-trigger="change"' in text
    assert '<section id="preview" aria-live="polite"' in text
    assert 'value="preview"' in text  # and without JavaScript, a Preview button


def test_the_htmx_preview_answers_with_the_preview_alone(sam, maria):
    page = sam.post(url(maria, "/preview"), choose(maria, channel="sms"), headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and "Your balance is $600.00." in page.text
    assert "Text length: 2 segments (GSM-7" in page.text or "Text length: 1 segment (GSM-7" in page.text
    assert "Reply STOP to stop texts to this number." in page.text  # what every text must carry, added


def test_a_variant_and_another_language_are_previewed(sam, maria):
    page = sam.post(url(maria), choose(maria, template="reminder_upcoming", variant="warm", language="es"))
    assert page.status_code == 200
    assert "email/reminder_upcoming.warm.es.j2" in page.text and "600,00" in page.text


def test_a_disputed_debt_is_blocked_and_cannot_be_sent(sam, maria):
    open_dispute(maria, "I never had this account", source="letter", actor="test")
    page = sam.get(url(maria))
    assert "Blocked" in page.text and "GEN-HOLD-DISPUTE" in page.text
    assert 'value="send"' not in page.text
    contacts, audits = Contact.objects.count(), AuditLog.objects.count()
    refused = sam.post(url(maria), choose(maria, action="send"))
    assert refused.status_code == 400
    assert (
        'role="alert"' in refused.text and "Sending it now: this message may not be sent now" in refused.text
    )
    assert (Contact.objects.count(), AuditLog.objects.count()) == (contacts, audits)


def test_outside_the_customers_hours_it_can_wait_but_not_be_sent(sam, maria):
    with time_machine.travel(datetime(2026, 3, 10, 11, 30, tzinfo=UTC), tick=False):  # 07:30 in Boston
        page = sam.get(url(maria))
        assert "Not now" in page.text and "10 Mar 2026 08:00 (America/New_York" in page.text
        assert "GEN-QUIET-HOURS" in page.text or "US-REGF-TIME" in page.text
        assert sam.post(url(maria), choose(maria, action="send")).status_code == 400
    assert not Contact.objects.exists()


def test_an_allowed_text_is_queued_once_sent_by_dispatch_and_on_the_timeline(
    sam, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = sam.post(url(maria), choose(maria, channel="sms", action="send"))
    assert done.status_code == 302 and done["Location"] == f"/console/customers/{maria.customer_id}"
    contact = Contact.objects.get()
    assert (contact.channel, contact.template, contact.playbook) == ("sms", "follow_up_gentle", "one_off")
    assert contact.status in ("sent", "delivered") and "Your balance is $600.00." in contact.body
    assert SandboxSms.objects.get().body == contact.body
    actions = list(
        AuditLog.objects.filter(
            customer=maria.customer, object_type="outbox.contact", object_id=str(contact.pk)
        )
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [("plan_contact", "user:sam"), ("send_contact", "system:dispatch")]
    page = sam.get(done["Location"])
    assert "The text message is on its way" in page.text
    assert "follow_up_gentle" in page.text.split("Timeline", 1)[1]


def test_a_one_off_in_another_language_is_sent_in_that_language(
    sam, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sam.post(url(maria), choose(maria, channel="sms", language="es", action="send"))
    contact = Contact.objects.get()
    assert contact.language == "es" and "600,00" in contact.body and "Responda STOP" in contact.body


def test_bad_choices_name_the_field_and_nothing_is_written(sam, maria, northwind):
    page = sam.post(url(maria), choose(maria, channel="letter", template="due_today", action="send"))
    assert page.status_code == 400 and "Template: there is no letter template" in page.text
    other = debtor(northwind, "C-2")
    stranger = other.customer.contact_points.get(kind="email")
    page = sam.post(url(maria), choose(maria, point=stranger.pk, action="send"))
    assert page.status_code == 400 and "Send to:" in page.text
    assert not Contact.objects.exists()


def test_an_agent_of_another_creditor_gets_404(client, maria, fairway):
    staff("fay", "agent", fairway)
    client.login(username="fay", password=PASSWORD)
    assert client.get(url(maria)).status_code == 404
    assert client.post(url(maria, "/preview"), choose(maria)).status_code == 404
    assert client.post(url(maria), choose(maria, action="send")).status_code == 404
    assert not Contact.objects.exists()


def test_a_template_saved_in_the_console_can_be_composed_at_once(sam, maria):
    from amicable.authoring.library import save_template

    save_template(
        "sms",
        "winter_check_in.en",
        "{% block body %}Hi {{ customer.first_name }}, {{ creditor.name }} here: how are you getting on? "
        "Call {{ creditor.phone }} if we can help.{% endblock %}",
        actor="user:sam",
    )
    page = sam.post(url(maria), choose(maria, channel="sms", template="winter_check_in"))
    assert page.status_code == 200
    assert "Hi Maria, Northwind Energy here: how are you getting on?" in page.text


def test_staff_see_where_a_personal_link_goes_never_a_link_that_works(sam, maria):
    from amicable.portal.links import portal_token

    page = sam.post(url(maria), choose(maria, channel="sms", template="reminder_upcoming"))
    assert page.status_code == 200
    assert "/p/[personal link]/pay" in page.text
    assert "/p/" + portal_token(maria.customer_id) not in page.text
