"""Paying from the portal: the sandbox end to end, the amount form's errors, who may see a receipt,
and Stripe Checkout against a loopback server that speaks its API, with its signed webhook."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amicable.ledger.audit import timeline as audit_timeline
from amicable.ledger.models import Account, AuditLog, JournalEntry
from amicable.ledger.upserts import AccountDetails, upsert_account
from amicable.payments.amounts import AmountProblem, read_amount, stripe_minor_amount
from amicable.payments.models import Checkout, CheckoutStatus
from amicable.portal.links import portal_token
from web.loopback_stripe import FakeStripe, stripe_signature
from web.people import debtor

pytestmark = pytest.mark.django_db


def sign_in(client, account):
    answered = client.post(
        f"/p/{portal_token(account.customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert answered.status_code == 302
    return client


def payments(account) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(account=account, kind="payment"))


def timeline(account) -> list[str]:
    """What the customer's timeline shows since they signed in, newest first."""
    rows = audit_timeline(account.customer).exclude(actor="test:fixture").exclude(action="portal_sign_in")
    return list(rows.values_list("action", flat=True))


def balance(account) -> Decimal:
    return Account.objects.get(pk=account.pk).balance


def pay_in_sandbox(client, account, **form) -> Checkout:
    started = client.post(f"/portal/a/{account.pk}/pay", form)
    assert started.status_code == 303, started.text
    checkout = Checkout.objects.get(account=account, status=CheckoutStatus.STARTED)
    assert started["Location"] == f"/portal/a/{account.pk}/pay/sandbox/{checkout.reference}"
    paid = client.post(started["Location"])
    assert (
        paid.status_code == 302 and paid["Location"] == f"/portal/a/{account.pk}/receipt/{checkout.reference}"
    )
    return Checkout.objects.get(pk=checkout.pk)


# ----------------------------------------------------------------------------------------- sandbox


def test_the_sandbox_posts_a_payment_to_the_ledger_and_shows_a_receipt(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/pay")
    assert page.status_code == 200
    assert "$600.00" in page.text and "How much would you like to pay?" in page.text
    assert "no real money is taken" in page.text

    started = client.post(f"/portal/a/{account.pk}/pay", {"choice": "other", "amount": "150"})
    assert started.status_code == 303
    sandbox = client.get(started["Location"])
    assert sandbox.status_code == 200
    assert "This is a sandbox" in sandbox.text and "Pay $150.00 (sandbox)" in sandbox.text
    assert payments(account) == []  # looking at the payment page pays nothing

    paid = client.post(started["Location"])
    receipt = client.get(paid["Location"])
    checkout = Checkout.objects.get(account=account)
    assert receipt.status_code == 200
    for shown in ("Thank you for your payment", "$150.00", "$450.00", checkout.reference, "Northwind Energy"):
        assert shown in receipt.text, shown
    assert "paid in full" not in receipt.text

    [entry] = payments(account)
    assert entry.amount == Decimal("150.00") and entry.external_ref == f"sandbox_{checkout.reference}"
    assert balance(account) == Decimal("450.00")
    assert checkout.status == CheckoutStatus.PAID and checkout.payment == entry
    assert checkout.balance_after == Decimal("450.00") and checkout.completed_at is not None
    assert timeline(account) == ["confirm_checkout", "post_payment", "start_checkout"]
    started_row = AuditLog.objects.get(action="start_checkout")
    assert (
        started_row.actor == f"customer:portal:{account.customer_id}" and started_row.account_id == account.pk
    )


def test_pressing_pay_twice_in_the_sandbox_posts_once(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    checkout = pay_in_sandbox(client, account, choice="other", amount="100.00")
    again = client.post(f"/portal/a/{account.pk}/pay/sandbox/{checkout.reference}")
    assert again.status_code == 302 and "/receipt/" in again["Location"]
    assert len(payments(account)) == 1 and balance(account) == Decimal("500.00")


def test_paying_the_full_balance_says_the_account_is_paid_in_full(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    checkout = pay_in_sandbox(client, account, choice="full")
    receipt = client.get(f"/portal/a/{account.pk}/receipt/{checkout.reference}")
    assert "$600.00" in receipt.text and "paid in full" in receipt.text
    assert balance(account) == 0
    assert "nothing more to pay" in client.get(f"/portal/a/{account.pk}/pay").text


def test_the_amount_due_next_is_offered_when_it_is_less_than_the_balance(client, northwind):
    account = debtor(northwind)
    today = timezone.localdate()
    instalments, _ = upsert_account(
        account.customer,
        "A-C-1-PLAN",
        AccountDetails(
            currency="USD",
            balance=Decimal("300.00"),
            instalments=tuple((today + timedelta(days=30 * n + 5), Decimal("100.00")) for n in range(3)),
        ),
        source="test",
        actor="test:fixture",
    )
    sign_in(client, account)
    assert "The amount due next" not in client.get(f"/portal/a/{account.pk}/pay").text  # all due at once
    page = client.get(f"/portal/a/{instalments.pk}/pay")
    assert "The amount due next" in page.text and "$100.00" in page.text
    pay_in_sandbox(client, instalments, choice="next")
    assert balance(instalments) == Decimal("200.00")


def test_a_typed_amount_without_a_choice_is_taken_as_another_amount(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    pay_in_sandbox(client, account, amount="$10.50")
    assert balance(account) == Decimal("589.50")


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({}, "How much to pay: Choose how much you would like to pay."),
        (
            {"choice": "other", "amount": ""},
            "Amount: Enter the amount you would like to pay, for example 50.00.",
        ),
        ({"choice": "other", "amount": "fifty"}, "“fifty” is not an amount we can read"),
        ({"choice": "other", "amount": "0"}, "The amount must be more than zero. You entered 0."),
        ({"choice": "other", "amount": "-20"}, "The amount must be more than zero. You entered -20."),
        ({"choice": "other", "amount": "10.005"}, "10.005 has too many digits after the decimal point"),
        (
            {"choice": "other", "amount": "700"},
            "$700.00 is more than your balance of $600.00. Enter $600.00 or less.",
        ),
        ({"choice": "next"}, "Nothing is due next on its own"),
        ({"choice": "everything"}, "Choose how much you would like to pay."),
    ],
)
def test_a_bad_amount_is_explained_and_nothing_is_written(client, northwind, form, problem):
    account = debtor(northwind)
    sign_in(client, account)
    before = AuditLog.objects.count()
    page = client.post(f"/portal/a/{account.pk}/pay", form)
    assert page.status_code == 400
    assert problem in page.text
    assert 'role="alert"' in page.text and "There is a problem" in page.text
    if form.get("amount"):
        assert 'aria-invalid="true"' in page.text and f'value="{form["amount"]}"' in page.text
    assert not Checkout.objects.exists() and payments(account) == []
    assert AuditLog.objects.count() == before


def test_a_currency_without_minor_units_takes_whole_amounts_only(client, northwind):
    account = debtor(northwind, currency="JPY", balance="60000", fees="2500", interest="1500")
    sign_in(client, account)
    page = client.post(f"/portal/a/{account.pk}/pay", {"choice": "other", "amount": "100.5"})
    assert page.status_code == 400 and "100.5 is not a whole amount" in page.text
    assert not Checkout.objects.exists()
    pay_in_sandbox(client, account, choice="other", amount="5000")
    assert balance(account) == Decimal("55000")


def test_amounts_are_read_the_way_people_write_them():
    assert read_amount("1,234.50", "USD", Decimal(5000), "en") == Decimal("1234.50")
    assert read_amount("1.234,50", "EUR", Decimal(5000), "es") == Decimal("1234.50")
    assert read_amount("50,5", "USD", Decimal(5000), "en") == Decimal("50.50")
    assert read_amount(" $ 20 ", "USD", Decimal(5000), "en") == Decimal("20.00")
    for typed in ("1e3", "12abc", "1.2.3"):
        with pytest.raises(AmountProblem):
            read_amount(typed, "USD", Decimal(5000), "en")
    # Stripe's minor units: cents, whole yen, and krónur that its API still counts in hundredths.
    assert stripe_minor_amount(Decimal("600.00"), "USD") == 60000
    assert stripe_minor_amount(Decimal("5000"), "JPY") == 5000
    assert stripe_minor_amount(Decimal("5"), "ISK") == 500


# ------------------------------------------------------------------------------------- who may see


def test_another_customers_account_checkout_and_receipt_are_not_found(client, northwind, fairway):
    mine = debtor(northwind, "C-1")
    theirs = debtor(fairway, "C-2", first_name="John")
    other = sign_in(client.__class__(), theirs)
    their_checkout = pay_in_sandbox(other, theirs, choice="other", amount="25")
    other.post(f"/portal/a/{theirs.pk}/pay", {"choice": "other", "amount": "30"})
    open_checkout = Checkout.objects.get(account=theirs, status=CheckoutStatus.STARTED)

    sign_in(client, mine)
    before = (JournalEntry.objects.count(), AuditLog.objects.count(), Checkout.objects.count())
    for url in (
        f"/portal/a/{theirs.pk}/pay",
        f"/portal/a/{theirs.pk}/receipt/{their_checkout.reference}",
        f"/portal/a/{mine.pk}/receipt/{their_checkout.reference}",  # my account, their reference
        f"/portal/a/{theirs.pk}/pay/sandbox/{open_checkout.reference}",
        f"/portal/a/{mine.pk}/pay/sandbox/{open_checkout.reference}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/portal/a/{theirs.pk}/pay", {"choice": "full"}).status_code == 404
    assert client.post(f"/portal/a/{mine.pk}/pay/sandbox/{open_checkout.reference}").status_code == 404
    assert (JournalEntry.objects.count(), AuditLog.objects.count(), Checkout.objects.count()) == before
    assert Checkout.objects.get(pk=open_checkout.pk).status == CheckoutStatus.STARTED


def test_a_signed_out_visitor_cannot_see_a_receipt(client, northwind):
    account = debtor(northwind)
    checkout = pay_in_sandbox(sign_in(client.__class__(), account), account, choice="full")
    page = client.get(f"/portal/a/{account.pk}/receipt/{checkout.reference}")
    assert page.status_code == 302 and page["Location"] == "/portal/signed-out"


def test_the_sandbox_page_is_gone_when_a_real_provider_is_in_use(client, northwind, settings):
    account = debtor(northwind)
    sign_in(client, account)
    client.post(f"/portal/a/{account.pk}/pay", {"choice": "full"})
    checkout = Checkout.objects.get(account=account)
    settings.PAYMENT_PROVIDER = "stripe"
    assert client.post(f"/portal/a/{account.pk}/pay/sandbox/{checkout.reference}").status_code == 404
    assert payments(account) == []


# ------------------------------------------------------------------------------------------ stripe


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe().start()
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = fake.secret_key
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    settings.STRIPE_API_URL = fake.url
    settings.STRIPE_CHECKOUT_ORIGIN = fake.checkout_origin
    settings.PUBLIC_URL = "https://pay.example.test"
    yield fake
    fake.stop()


def start_stripe(client, fake: FakeStripe, account, **form) -> tuple[Checkout, dict]:
    """Choose an amount and be sent to Stripe's page for the session the fake made."""
    started = client.post(f"/portal/a/{account.pk}/pay", form)
    assert started.status_code == 303, started.text
    checkout = Checkout.objects.get(account=account, status=CheckoutStatus.STARTED)
    session = fake.sessions[checkout.provider_ref]
    assert started["Location"] == session["url"]
    return checkout, session


def webhook(client, body: bytes, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post("/hooks/stripe", body, content_type="application/json", **headers)


def test_stripe_checkout_is_created_with_the_amount_in_minor_units(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/pay")
    assert "secure page" in page.text and "sandbox" not in page.text
    checkout, session = start_stripe(client, fake_stripe, account, choice="other", amount="125.50")

    [create] = fake_stripe.creates
    assert create.headers["Authorization"] == f"Bearer {fake_stripe.secret_key}"
    assert create.headers["Idempotency-Key"] == f"amicable-checkout-{checkout.reference}"
    assert create.headers["Content-Type"] == "application/x-www-form-urlencoded"
    sent = create.form
    assert sent["mode"] == "payment"
    [item] = sent["line_items"]
    assert item["quantity"] == "1"
    assert item["price_data"]["currency"] == "usd"
    assert item["price_data"]["unit_amount"] == "12550"
    assert "Northwind Energy" in item["price_data"]["product_data"]["name"]
    assert sent["client_reference_id"] == checkout.reference
    assert sent["metadata"] == {"checkout": checkout.reference, "account": str(account.pk)}
    assert sent["success_url"] == (
        f"https://pay.example.test/portal/a/{account.pk}/pay/return/{checkout.reference}"
        "?session_id={CHECKOUT_SESSION_ID}"
    )
    assert (
        sent["cancel_url"]
        == f"https://pay.example.test/portal/a/{account.pk}/pay?cancelled={checkout.reference}"
    )
    assert session["amount_total"] == 12550
    assert checkout.provider == "stripe" and checkout.provider_ref == session["id"]
    assert checkout.amount == Decimal("125.50") and payments(account) == []
    assert timeline(account) == ["start_checkout"]


def test_stripe_return_posts_once_and_the_webhook_for_it_changes_nothing(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    checkout, session = start_stripe(client, fake_stripe, account, choice="full")
    back = f"/portal/a/{account.pk}/pay/return/{checkout.reference}?session_id={session['id']}"

    # Back before paying (or before Stripe has settled): nothing is posted, the page says we wait.
    waiting = client.get(back, follow=True)
    assert "Waiting for your payment" in waiting.text and payments(account) == []

    fake_stripe.pay(session["id"])
    returned = client.get(back)
    assert (
        returned.status_code == 302
        and returned["Location"] == f"/portal/a/{account.pk}/receipt/{checkout.reference}"
    )
    receipt = client.get(returned["Location"])
    assert "Thank you for your payment" in receipt.text and "paid in full" in receipt.text
    [entry] = payments(account)
    assert entry.external_ref == session["id"] and entry.amount == Decimal("600.00")
    assert balance(account) == 0
    assert [r.method for r in fake_stripe.requests] == ["POST", "GET", "GET"]

    rows = AuditLog.objects.count()
    body, signature = fake_stripe.event(session["id"])
    answered = webhook(client.__class__(), body, signature)
    assert answered.status_code == 200 and answered.text == "already posted"
    client.get(back)  # and coming back again
    assert len(payments(account)) == 1 and AuditLog.objects.count() == rows
    assert timeline(account) == ["confirm_checkout", "post_payment", "start_checkout"]


def test_the_stripe_webhook_posts_when_the_customer_never_comes_back(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    checkout, session = start_stripe(client, fake_stripe, account, choice="other", amount="200")
    fake_stripe.pay(session["id"])
    body, signature = fake_stripe.event(session["id"])
    answered = webhook(client.__class__(), body, signature)
    assert answered.status_code == 200 and answered.text == "posted"
    assert balance(account) == Decimal("400.00")
    row = AuditLog.objects.get(action="confirm_checkout")
    assert row.actor == "system:stripe-webhook" and row.customer_id == account.customer_id
    assert webhook(client.__class__(), body, signature).text == "already posted"  # Stripe retries
    receipt = client.get(
        f"/portal/a/{account.pk}/pay/return/{checkout.reference}?session_id={session['id']}", follow=True
    )
    assert "$400.00" in receipt.text
    assert len(payments(account)) == 1


def test_a_webhook_with_a_bad_signature_is_refused_and_posts_nothing(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    checkout, session = start_stripe(client, fake_stripe, account, choice="full")
    fake_stripe.pay(session["id"])
    body, signature = fake_stripe.event(session["id"])
    rows = AuditLog.objects.count()
    stranger = client.__class__()
    assert webhook(stranger, body, stripe_signature(body.decode(), "whsec_somebody_else")).status_code == 400
    assert webhook(stranger, body, None).status_code == 400
    assert webhook(stranger, body, "t=1,v1=deadbeef").status_code == 400
    tampered = body.replace(b'"amount_total": 60000', b'"amount_total": 1')
    assert tampered != body and webhook(stranger, tampered, signature).status_code == 400
    stale = stripe_signature(
        body.decode(), fake_stripe.webhook_secret, timestamp=int(timezone.now().timestamp()) - 3600
    )
    assert webhook(stranger, body, stale).status_code == 400
    assert payments(account) == [] and AuditLog.objects.count() == rows
    assert Checkout.objects.get(pk=checkout.pk).status == CheckoutStatus.STARTED


def test_an_expired_stripe_session_is_closed_on_the_timeline(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    checkout, session = start_stripe(client, fake_stripe, account, choice="full")
    body, signature = fake_stripe.event(session["id"], "checkout.session.expired")
    assert webhook(client.__class__(), body, signature).text == "expired"
    assert Checkout.objects.get(pk=checkout.pk).status == CheckoutStatus.EXPIRED
    assert "did not go through" in client.get(f"/portal/a/{account.pk}/receipt/{checkout.reference}").text
    assert payments(account) == [] and timeline(account) == ["expire_checkout", "start_checkout"]


def test_when_stripe_refuses_the_customer_is_told_nothing_was_taken(client, northwind, fake_stripe, settings):
    account = debtor(northwind)
    sign_in(client, account)
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    page = client.post(f"/portal/a/{account.pk}/pay", {"choice": "full"})
    assert page.status_code == 502 and "Nothing has been taken" in page.text
    checkout = Checkout.objects.get(account=account)
    assert checkout.status == CheckoutStatus.FAILED and "401" in checkout.error
    assert payments(account) == [] and timeline(account) == ["fail_checkout", "start_checkout"]


def test_a_paid_session_for_another_amount_is_not_posted(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    checkout, session = start_stripe(client, fake_stripe, account, choice="other", amount="50")
    fake_stripe.pay(session["id"])
    fake_stripe.sessions[session["id"]]["amount_total"] = 500  # $5.00, not the $50.00 we asked for
    body, signature = fake_stripe.event(session["id"])
    answered = webhook(client.__class__(), body, signature)
    assert answered.status_code == 422 and "was for USD 50.00" in answered.text
    assert payments(account) == [] and Checkout.objects.get(pk=checkout.pk).status == CheckoutStatus.STARTED


def test_leaving_stripes_page_says_nothing_was_taken(client, northwind, fake_stripe):
    account = debtor(northwind)
    sign_in(client, account)
    _, session = start_stripe(client, fake_stripe, account, choice="full")
    back = session["cancel_url"].removeprefix("https://pay.example.test")
    assert "Nothing has been taken" in client.get(back).text
    assert payments(account) == []


def test_the_pay_page_shows_amounts_the_spanish_way(client, northwind):
    account = debtor(northwind, language="es")
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/pay")
    assert page.status_code == 200 and '<html lang="es">' in page.text and "50,00" in page.text
    pay_in_sandbox(client, account, choice="other", amount="20,50")
    assert balance(account) == Decimal("579.50")


def test_a_public_site_takes_no_sandbox_payments_unless_told_to(monkeypatch):
    import importlib

    import amicable.settings as settings_module

    monkeypatch.setenv("PUBLIC_URL", "https://pay.example.com")
    monkeypatch.delenv("PAYMENT_PROVIDER", raising=False)
    try:
        assert importlib.reload(settings_module).PAYMENT_PROVIDER == "none"
        monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:8000")
        assert importlib.reload(settings_module).PAYMENT_PROVIDER == "sandbox"
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_the_sandbox_on_a_public_site_is_a_system_check_warning(settings):
    from amicable.payments.checks import sandbox_on_a_public_site

    settings.PAYMENT_PROVIDER, settings.DEBUG, settings.LOOPBACK_SITE = "sandbox", False, False
    assert [w.id for w in sandbox_on_a_public_site(None)] == ["amicable.W001"]
    settings.PAYMENT_PROVIDER = "none"
    assert sandbox_on_a_public_site(None) == []


def test_without_a_provider_the_pay_page_says_how_else_to_pay_and_takes_nothing(client, settings, northwind):
    settings.PAYMENT_PROVIDER = "none"
    account = debtor(northwind)
    sign_in(client, account)
    page = client.get(f"/portal/a/{account.pk}/pay")
    assert (
        "Paying online isn't available yet" in page.text
        and "csrfmiddlewaretoken" not in page.text.split("<main", 1)[1].split("</main>")[0]
    )
    posted = client.post(f"/portal/a/{account.pk}/pay", {"choice": "full"})
    assert posted.status_code == 200 and not Checkout.objects.exists()
