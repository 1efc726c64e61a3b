"""The portal's self-service: preferences (channels, times, language, stopping messages, the
newsletter), "I don't owe this" with a file, asking for help, and the PDF statement. Each change
lands on the customer's timeline; bad input names the field and writes nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from amicable.arrangements.plans import accept_plan
from amicable.conversations.models import Task
from amicable.ledger.actions import ActionError, record_payment, set_contact_preferences
from amicable.ledger.models import (
    Account,
    AuditLog,
    ContactPoint,
    Customer,
    Dispute,
    Hold,
    SensitiveNote,
)
from amicable.portal.links import portal_token
from amicable.portal.models import DisputeEvidence, HelpRequest
from web.people import debtor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sign_in(client, account):
    answered = client.post(
        f"/p/{portal_token(account.customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert answered.status_code == 302


@pytest.fixture
def maria(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    return account


def audit_rows():
    return AuditLog.objects.count()


def portal_row(account, action):
    """The one audit row of `action` the customer's own portal visit wrote."""
    return AuditLog.objects.get(
        customer=account.customer, action=action, actor__startswith="customer:portal:"
    )


def point(account, kind):
    return ContactPoint.objects.get(customer=account.customer, kind=kind)


CONTACT = {
    "form": "contact",
    "choice_1": "",
    "choice_2": "",
    "choice_3": "",
    "choice_4": "",
    "language": "en",
}


# ------------------------------------------------------------------------------------ preferences


def test_preferences_show_the_ways_we_contact_the_customer(client, maria):
    page = client.get("/portal/preferences")
    assert page.status_code == 200
    for shown in (
        "First choice",
        "Times not to contact you",
        "Language for our messages",
        "Texts and calls to ***0123",
        "ma***@example.com",
        "Would you like our newsletter?",
    ):
        assert shown in page.text, shown


def test_channels_in_order_and_quiet_times_are_saved_and_confirmed(client, maria):
    answer = client.post(
        "/portal/preferences",
        CONTACT
        | {
            "choice_1": "sms",
            "choice_2": "email",
            "from_1": "18:00",
            "to_1": "21:00",
            "from_2": "7:30",
            "to_2": "09:00",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/portal/preferences"
    customer = Customer.objects.get(pk=maria.customer_id)
    assert customer.channel_order == ["sms", "email"]
    assert customer.inconvenient_times == [{"from": "18:00", "to": "21:00"}, {"from": "07:30", "to": "09:00"}]
    row = portal_row(maria, "set_contact_preferences")
    assert row.actor == f"customer:portal:{customer.pk}"
    page = client.get("/portal/preferences")
    assert "We will contact you by text message, email, in that order" in page.text
    assert "We will not contact you between 18:00 and 21:00." in page.text
    assert 'value="18:00"' in page.text  # the form shows what is saved


def test_choosing_spanish_changes_the_customers_language_and_the_portals(client, maria):
    answer = client.post("/portal/preferences", CONTACT | {"language": "es"})
    assert answer.status_code == 302
    assert Customer.objects.get(pk=maria.customer_id).language == "es"
    assert answer.cookies["django_language"].value == "es"
    row = portal_row(maria, "set_contact_preferences")
    assert row.changes["after"]["language"] == "es" and row.changes["before"]["language"] == "en"


def test_the_ledger_refuses_a_language_that_is_not_one(maria):
    before = audit_rows()
    with pytest.raises(ActionError) as refused:
        set_contact_preferences(
            maria.customer,
            channel_order=[],
            inconvenient_times=[],
            language="not a language",
            source="t",
            actor="t:x",
        )
    assert refused.value.field == "language"
    assert Customer.objects.get(pk=maria.customer_id).language == "en" and audit_rows() == before


def test_saving_nothing_new_writes_nothing(client, maria):
    before = audit_rows()
    page = client.post("/portal/preferences", CONTACT, follow=True)
    assert "Nothing changed." in page.text
    assert audit_rows() == before


def test_a_channel_chosen_twice_is_refused_naming_the_choice(client, maria):
    before = audit_rows()
    page = client.post("/portal/preferences", CONTACT | {"choice_1": "email", "choice_2": "email"})
    assert page.status_code == 400
    assert "Second choice: you chose Email already. Choose each way once." in page.text
    assert 'id="choice_2" name="choice_2" aria-invalid="true"' in page.text
    assert 'role="alert"' in page.text and 'href="#choice_2"' in page.text
    assert Customer.objects.get(pk=maria.customer_id).channel_order == []
    assert audit_rows() == before


@pytest.mark.parametrize(
    ("times", "field", "words"),
    [
        ({"from_1": "25:00", "to_1": "21:00"}, "from_1", "Time 1: “25:00” is not a time"),
        ({"from_1": "18:00", "to_1": "6pm"}, "to_1", "Time 1: “6pm” is not a time"),
        ({"from_1": "18:00"}, "to_1", "Time 1: enter when it ends"),
        ({"from_2": "18:00", "to_2": "18:00"}, "to_2", "Time 2: the end must be different from the start"),
    ],
)
def test_a_bad_time_is_refused_naming_the_field(client, maria, times, field, words):
    before = audit_rows()
    page = client.post("/portal/preferences", CONTACT | {"choice_1": "sms"} | times)
    assert page.status_code == 400
    assert words in page.text
    assert f'id="{field}" name="{field}"' in page.text and f'aria-describedby="{field}-error"' in page.text
    customer = Customer.objects.get(pk=maria.customer_id)
    assert customer.channel_order == [] and customer.inconvenient_times == []
    assert audit_rows() == before


def test_stopping_texts_takes_effect_at_once_and_says_so(client, maria):
    mobile = point(maria, "mobile")
    assert mobile.consent("collection") == "granted"
    answer = client.post("/portal/preferences", {"form": "messages", "point": mobile.pk, "do": "stop"})
    assert answer.status_code == 302
    mobile.refresh_from_db()
    assert mobile.consent("collection") == "revoked"
    assert mobile.consents["collection"]["source"] == "portal preferences"
    assert point(maria, "email").consent("collection") == "granted"  # only the one asked for
    row = portal_row(maria, "record_consent")
    assert row.changes["state"] == ["granted", "revoked"]
    page = client.get("/portal/preferences")
    assert "We will not text or call ***0123 any more about this debt." in page.text
    assert "Start again: Texts and calls to ***0123" in page.text
    # Asking again changes nothing.
    before = audit_rows()
    client.post("/portal/preferences", {"form": "messages", "point": mobile.pk, "do": "stop"})
    assert audit_rows() == before


def test_messages_can_start_again(client, maria):
    email = point(maria, "email")
    client.post("/portal/preferences", {"form": "messages", "point": email.pk, "do": "stop"})
    client.post("/portal/preferences", {"form": "messages", "point": email.pk, "do": "start"})
    email.refresh_from_db()
    assert email.consent("collection") == "granted"
    assert "We may email ma***@example.com about this debt again." in client.get("/portal/preferences").text


def test_another_customers_address_cannot_be_stopped(client, maria, fairway):
    theirs = debtor(fairway, "C-2", first_name="John")
    their_email = point(theirs, "email")
    answer = client.post("/portal/preferences", {"form": "messages", "point": their_email.pk, "do": "stop"})
    assert answer.status_code == 404
    their_email.refresh_from_db()
    assert their_email.consent("collection") == "granted"


def test_the_newsletter_is_the_customers_own_tick_and_can_be_unticked(client, maria):
    email = point(maria, "email")
    assert email.consent("marketing") == "unknown"
    page = client.post(
        "/portal/preferences", {"form": "newsletter", "newsletter": str(email.pk)}, follow=True
    )
    assert "You will get our newsletter at ma***@example.com." in page.text
    email.refresh_from_db()
    assert email.consent("marketing") == "granted"
    row = portal_row(maria, "record_consent")
    assert row.actor.startswith("customer:") and row.changes["use"] == "marketing"
    page = client.post("/portal/preferences", {"form": "newsletter"}, follow=True)
    assert "We will not send our newsletter to ma***@example.com any more." in page.text
    email.refresh_from_db()
    assert email.consent("marketing") == "revoked"


# ---------------------------------------------------------------------------------------- dispute


def test_a_dispute_with_a_file_pauses_collection_and_says_what_happens_next(client, maria):
    page = client.get(f"/portal/a/{maria.pk}/dispute")
    assert page.status_code == 200 and "I have already paid this" in page.text
    answer = client.post(
        f"/portal/a/{maria.pk}/dispute",
        {
            "reason": "paid",
            "details": "I paid it in May at the shop",
            "evidence": SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/portal/a/{maria.pk}/dispute"
    dispute = Dispute.objects.get(account=maria)
    assert dispute.reason == "I have already paid this: I paid it in May at the shop"
    assert dispute.source == "portal" and dispute.hold.kind == "dispute" and dispute.hold.ends_at is None
    assert Account.objects.get(pk=maria.pk).status == "disputed"
    evidence = DisputeEvidence.objects.get(dispute=dispute)
    assert (evidence.name, evidence.content_type, bytes(evidence.data)) == (
        "receipt.pdf",
        "application/pdf",
        PDF,
    )
    assert Task.objects.get(kind="dispute", account=maria).due_at > timezone.now() + timedelta(days=4)
    actions = set(AuditLog.objects.filter(customer=maria.customer).values_list("action", flat=True))
    assert {"open_dispute", "place_hold", "add_dispute_evidence", "create_task"} <= actions
    page = client.get(answer["Location"])
    assert "Collection on this debt is paused while we check it" in page.text
    assert "What happens next" in page.text and "receipt.pdf" in page.text
    # A second dispute while this one is open is not opened.
    again = client.post(f"/portal/a/{maria.pk}/dispute", {"reason": "amount"}, follow=True)
    assert "You have already told us you dispute this debt" in again.text
    assert Dispute.objects.filter(account=maria).count() == 1


def test_a_dispute_without_a_file_is_fine(client, maria):
    answer = client.post(f"/portal/a/{maria.pk}/dispute", {"reason": "not_mine", "details": ""})
    assert answer.status_code == 302
    assert Dispute.objects.get(account=maria).reason == "This is not my debt"
    assert not DisputeEvidence.objects.exists()


def _nothing_written(account, before):
    assert audit_rows() == before
    assert not Dispute.objects.exists() and not Hold.objects.exists() and not Task.objects.exists()
    assert not DisputeEvidence.objects.exists()
    assert Account.objects.get(pk=account.pk).status != "disputed"


@pytest.mark.parametrize(
    ("post", "field", "words"),
    [
        ({"details": "no"}, "reason", "Choose why you think you don&#x27;t owe this."),
        ({"reason": "other"}, "details", "Tell us why you think you don&#x27;t owe this."),
        ({"reason": "made-up"}, "reason", "Choose why you think you don&#x27;t owe this."),
        (
            {"reason": "paid", "evidence": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)},
            "evidence",
            "setup.exe is not a PDF, JPEG or PNG file.",
        ),
        (
            {"reason": "paid", "evidence": ("receipt.pdf", b"MZ\x90\x00 not really a pdf")},
            "evidence",
            "receipt.pdf is not a PDF, JPEG or PNG file.",
        ),
        (
            {"reason": "paid", "evidence": ("scan.png", PNG + b"\x00" * (10 * 1024 * 1024))},
            "evidence",
            "scan.png is 10.0 MB. The largest file we can take is 10 MB.",
        ),
    ],
    ids=["no-reason", "other-without-words", "unknown-reason", "exe", "exe-named-pdf", "too-big"],
)
def test_a_bad_dispute_names_the_field_and_writes_nothing(client, maria, post, field, words):
    before = audit_rows()
    if "evidence" in post:
        name, data = post["evidence"]
        post = post | {"evidence": SimpleUploadedFile(name, data)}
    page = client.post(f"/portal/a/{maria.pk}/dispute", post)
    assert page.status_code == 400
    assert words in page.text
    assert f'id="{field}-error"' in page.text and 'role="alert"' in page.text
    _nothing_written(maria, before)


def test_a_missing_reason_and_a_bad_file_are_both_named(client, maria):
    before = audit_rows()
    page = client.post(
        f"/portal/a/{maria.pk}/dispute", {"evidence": SimpleUploadedFile("virus.exe", b"MZ" * 40)}
    )
    assert page.status_code == 400
    assert "Choose why you think" in page.text and "virus.exe is not a PDF, JPEG or PNG file." in page.text
    _nothing_written(maria, before)


def test_another_customers_account_is_not_found(client, maria, fairway):
    theirs = debtor(fairway, "C-2", first_name="John")
    assert client.get(f"/portal/a/{theirs.pk}/dispute").status_code == 404
    assert client.post(f"/portal/a/{theirs.pk}/dispute", {"reason": "paid"}).status_code == 404
    assert client.get(f"/portal/a/{theirs.pk}/statement.pdf").status_code == 404
    assert not Dispute.objects.exists()
    assert not AuditLog.objects.filter(action="download_statement").exists()


# ------------------------------------------------------------------------------------------- help


def test_hardship_pauses_collection_routes_to_an_agent_and_shows_free_advice(client, maria):
    page = client.get("/portal/help")
    assert page.status_code == 200 and "nfcc.org" in page.text  # US: the NFCC
    answer = client.post("/portal/help", {"kind": "hardship", "message": "I lost my job last month"})
    assert answer.status_code == 302
    request = HelpRequest.objects.get(customer=maria.customer)
    assert request.kind == "hardship" and request.message == "I lost my job last month"
    hold = Hold.objects.get(account=maria, kind="paused")
    assert hold.ends_at > timezone.now() + timedelta(days=20) and hold.note.startswith("hardship")
    assert request.paused_until is not None
    task = Task.objects.get(customer=maria.customer)
    assert task.kind == "review_message" and "Hardship on A-C-1" in task.summary
    row = portal_row(maria, "ask_for_help")
    assert "lost my job" not in row.summary
    page = client.get(answer["Location"])
    assert "Thank you for telling us" in page.text and "We have paused collection until" in page.text
    assert "nfcc.org" in page.text


def test_a_difficult_situation_goes_to_a_specialist_and_its_words_stay_restricted(client, maria):
    words = "I have been in hospital with depression since March"
    answer = client.post(
        "/portal/help", {"kind": "situation", "situation": "mental_health", "message": words}
    )
    assert answer.status_code == 302
    assert {h.kind for h in Hold.objects.filter(customer=maria.customer, account=None)} == {
        "vulnerability_review",
        "paused",
    }
    note = SensitiveNote.objects.get(customer=maria.customer)
    assert note.category == "mental_health" and note.detail == words
    task = Task.objects.get(customer=maria.customer)
    assert task.kind == "vulnerability" and task.role == "specialist"
    request = HelpRequest.objects.get(customer=maria.customer)
    assert request.message == "" and request.sensitive_note == note
    for row in AuditLog.objects.filter(customer=maria.customer):
        assert "hospital" not in row.summary and "hospital" not in str(row.changes)
    assert "hospital" not in task.summary
    page = client.get(answer["Location"])
    assert "A member of our team trained to help" in page.text and "hospital" not in page.text


def test_a_difficult_situation_without_words_is_still_recorded(client, maria):
    assert client.post("/portal/help", {"kind": "situation", "situation": "bereavement"}).status_code == 302
    assert SensitiveNote.objects.get(customer=maria.customer).category == "bereavement"


@pytest.mark.parametrize(
    ("post", "field", "words"),
    [
        ({"message": "help"}, "kind", "Choose what kind of help you need."),
        ({"kind": "situation"}, "situation", "Choose what is happening, or “Something else”."),
        ({"kind": "hardship", "message": "x" * 2001}, "message", "Please keep it to 2000 characters"),
    ],
)
def test_a_bad_request_for_help_names_the_field_and_writes_nothing(client, maria, post, field, words):
    before = audit_rows()
    page = client.post("/portal/help", post)
    assert page.status_code == 400
    assert words in page.text and f'id="{field}-error"' in page.text
    assert audit_rows() == before
    assert not HelpRequest.objects.exists() and not Hold.objects.exists() and not Task.objects.exists()


def test_a_uk_customer_is_shown_uk_debt_advice(client, northwind):
    account = debtor(
        northwind,
        "C-9",
        country="GB",
        region="ENG",
        zone="Europe/London",
        postcode="SW1A 1AA",
        currency="GBP",
    )
    sign_in(client, account)
    page = client.get("/portal/help")
    assert "MoneyHelper" in page.text and "stepchange.org" in page.text and "nfcc.org" not in page.text


def test_someone_elses_help_request_is_not_shown(client, maria, fairway):
    theirs = debtor(fairway, "C-2", first_name="John")
    other = HelpRequest.objects.create(customer=theirs.customer, kind="hardship", received_at=timezone.now())
    assert client.get(f"/portal/help?sent={other.pk}").status_code == 404


# -------------------------------------------------------------------------------------- statement


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_statement_is_a_pdf_with_the_itemised_balance_and_every_entry(client, maria):
    record_payment(
        maria,
        Decimal("100.00"),
        timezone.localdate(),
        currency="USD",
        payment_ref="P-1",
        source="test",
        actor="test:x",
    )
    response = client.get(f"/portal/a/{maria.pk}/statement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    today = timezone.now().astimezone(timezone.get_current_timezone()).date()
    assert response["Content-Disposition"].startswith('attachment; filename="statement-A-C-1-')
    assert response["Content-Disposition"].endswith('.pdf"')
    text = pdf_text(response)
    for shown in (
        "Statement of account A-C-1",
        "Northwind Energy",
        "Maria Lopez",
        "12 Elm Street",
        "Principal",
        "$460.00",  # principal left after the payment
        "Interest",
        "$15.00",
        "Fees",
        "$25.00",
        "Payments received",
        "$100.00",
        "Payment received",
        "$500.00",  # the balance after the payment
    ):
        assert shown in text, shown
    assert str(today.year) in text
    assert AuditLog.objects.filter(customer=maria.customer, action="download_statement").count() == 1


def test_the_statement_lists_the_plans_schedule(client, maria):
    accept_plan(maria, "monthly", channel="portal", source="test", actor="customer:test")
    text = pdf_text(client.get(f"/portal/a/{maria.pk}/statement.pdf"))
    assert "Your payment plan" in text and "Instalment" in text and "Upcoming" in text


# --------------------------------------------------------------------------------------- feedback


def test_a_settled_account_links_to_the_feedback_form(client, maria):
    record_payment(
        maria,
        Decimal("600.00"),
        timezone.localdate(),
        currency="USD",
        payment_ref="P-2",
        source="test",
        actor="test:x",
    )
    page = client.get("/portal/")
    assert "Tell us how we did" in page.text and "/f/" in page.text


def test_the_admin_lists_dispute_files_and_help_requests_read_only(client, northwind):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", password="x" * 20))
    for model in ("disputeevidence", "helprequest"):
        listing = client.get(f"/admin/portal/{model}/")
        assert listing.status_code == 200, model
        assert client.get(f"/admin/portal/{model}/add/").status_code == 403, model
