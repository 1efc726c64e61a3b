"""bulk.insert_rows and bulk.update_rows store exactly what the ORM would (COPY on PostgreSQL)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction

from amicable.ledger.bulk import insert_rows, update_rows
from amicable.ledger.models import Account, AuditLog, ContactPoint, Customer, JournalEntry


def make_account(creditor):
    customer = Customer.objects.create(creditor=creditor, external_ref="C-1", timezone="UTC", country="GB")
    return Account.objects.create(creditor=creditor, external_ref="A-1", customer=customer, currency="GBP")


def test_inserted_rows_read_back_as_the_orm_wrote_them(northwind):
    account = make_account(northwind)
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    with transaction.atomic():
        inserted = insert_rows(
            JournalEntry,
            [
                {
                    "creditor_id": northwind.pk,
                    "account_id": account.pk,
                    "kind": "charge",
                    "amount": Decimal("1234.5678"),
                    "effective_on": date(2026, 2, 28),
                    "source": "test",
                    "recorded_at": at,
                    "recorded_by": "test",
                }
            ],
        )
    assert inserted == 1
    entry = JournalEntry.objects.get()
    assert entry.amount == Decimal("1234.5678")
    assert entry.effective_on == date(2026, 2, 28)
    assert entry.recorded_at == at
    assert entry.external_ref == ""  # the field's default, as the ORM would store it


def test_json_and_defaults_survive_an_insert(northwind):
    account = make_account(northwind)
    consents = {
        "collection": {"state": "granted", "source": "import:a.csv line 2", "at": "2026-03-01T09:00:00"}
    }
    with transaction.atomic():
        insert_rows(
            ContactPoint,
            [
                {
                    "customer_id": account.customer_id,
                    "kind": "email",
                    "value": "a@example.com",
                    "consents": consents,
                    "address": {},
                }
            ],
        )
        insert_rows(
            AuditLog,
            [
                {
                    "at": datetime(2026, 3, 1, tzinfo=UTC),
                    "actor": "test",
                    "action": "test",
                    "customer_id": account.customer_id,
                    "account_id": None,
                    "object_type": "x",
                    "object_id": "1",
                    "summary": "s",
                    "changes": {"before": ["1", "2"]},
                }
            ],
        )
    point = ContactPoint.objects.get()
    assert point.consents == consents
    assert point.consent("collection") == "granted"
    assert point.verified is False and point.invalid is False
    assert point.created_at is not None
    assert AuditLog.objects.get(action="test").changes == {"before": ["1", "2"]}


def test_update_rows_changes_only_the_named_rows_and_columns(northwind):
    account = make_account(northwind)
    other = Account.objects.create(
        creditor=northwind, external_ref="A-2", customer=account.customer, currency="GBP"
    )
    with transaction.atomic():
        updated = update_rows(
            Account,
            ["balance", "status"],
            [{"pk": account.pk, "balance": Decimal("10.50"), "status": "overdue"}],
        )
    assert updated == 1
    account.refresh_from_db()
    other.refresh_from_db()
    assert (account.balance, account.status) == (Decimal("10.50"), "overdue")
    assert (other.balance, other.status) == (Decimal(0), "current")
