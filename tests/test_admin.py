"""The admin is how the demo is browsed: every list and detail page renders, and edits are audited."""

from datetime import date
from decimal import Decimal

import pytest

from amicable.ledger import actions
from amicable.ledger.models import Account, AuditLog, Customer


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("agent", "agent@example.com", "a-long-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def debtor(northwind):
    """A customer with one overdue account, a fee, a part payment and a hold."""
    customer = Customer.objects.create(
        creditor=northwind, external_ref="C-1", first_name="Ana", last_name="García",
        timezone="America/New_York", country="US", region="MA",
    )  # fmt: skip
    account = Account.objects.create(
        creditor=northwind, external_ref="A-1", customer=customer, currency="USD"
    )
    actions.post_entry(account, "charge", Decimal("200.00"), date(2026, 1, 1), source="test", actor="test")
    actions.post_entry(account, "fee", Decimal("25.00"), date(2026, 2, 1), source="test", actor="test")
    actions.record_payment(
        account,
        Decimal("50.00"),
        date(2026, 3, 1),
        currency="USD",
        payment_ref="P-1",
        source="test",
        actor="test",
    )
    actions.place_hold(customer, "vulnerability_review", source="call", actor="test")
    return customer


@pytest.mark.parametrize(
    "page", ["creditor", "customer", "account", "journalentry", "hold", "contactpoint", "auditlog"]
)
def test_every_ledger_list_page_renders(staff_client, debtor, page):
    response = staff_client.get(f"/admin/ledger/{page}/")
    assert response.status_code == 200


def test_customer_page_shows_the_timeline(staff_client, debtor):
    response = staff_client.get(f"/admin/ledger/customer/{debtor.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Payment of USD 50.00" in body
    assert "Vulnerability review hold placed" in body


def test_account_page_shows_the_balance_itemised_from_the_journal(staff_client, debtor):
    account = debtor.accounts.get()
    body = staff_client.get(f"/admin/ledger/account/{account.pk}/change/").content.decode()
    # 200 charged + 25 fee - 50 paid (oldest first: the charge) = 150 principal + 25 fees.
    assert "USD 150.00" in body
    assert "USD 25.00" in body
    assert "USD 175.00" in body


def test_changing_a_status_in_the_admin_goes_through_the_named_action(staff_client, debtor):
    account = debtor.accounts.get()
    form = {
        "product_type": "utility", "opened_on": "", "charged_off_on": "", "statute_of_limitations_on": "",
        "status": "on_hold",
        "schedule-TOTAL_FORMS": "0", "schedule-INITIAL_FORMS": "0",
        "journal-TOTAL_FORMS": "0", "journal-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(f"/admin/ledger/account/{account.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.status == "on_hold"
    assert account.product_type == "utility"
    actions_logged = set(
        AuditLog.objects.filter(account=account, actor="user:agent").values_list("action", flat=True)
    )
    assert actions_logged == {"set_account_status", "admin_change_account"}


def test_journal_and_audit_log_cannot_be_edited_in_the_admin(staff_client, debtor):
    entry = debtor.accounts.get().journal.first()
    response = staff_client.post(f"/admin/ledger/journalentry/{entry.pk}/change/", {"amount": "1.00"})
    assert response.status_code == 403
    assert staff_client.get("/admin/ledger/auditlog/add/").status_code == 403
