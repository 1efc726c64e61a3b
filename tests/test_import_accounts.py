"""`amicable import accounts FILE.csv`: validation, all-or-nothing, --partial, idempotent re-import.

Every test drives the command line, the way an operator would, and then looks at the ledger.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amicable.ledger.actions import itemisation
from amicable.ledger.audit import timeline
from amicable.ledger.models import (
    Account,
    AccountStatus,
    AuditLog,
    ContactPoint,
    Creditor,
    Customer,
    Hold,
    JournalEntry,
    ScheduleItem,
)

COLUMNS = [
    "creditor",
    "account_ref",
    "customer_ref",
    "customer_type",
    "first_name",
    "last_name",
    "company_name",
    "date_of_birth",
    "email",
    "mobile",
    "landline",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
    "timezone",
    "language",
    "currency",
    "balance",
    "due_date",
    "original_amount",
    "fees",
    "interest",
    "email_consent",
    "sms_consent",
]

LEDGER_MODELS = (Creditor, Customer, ContactPoint, Account, ScheduleItem, JournalEntry, Hold, AuditLog)

NORTHWIND = "Northwind Energy"
FAIRWAY = "Fairway Recoveries"


# ----------------------------------------------------------------------------------------- helpers


def today() -> date:
    return timezone.localdate()


def in_days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def other(**overrides: str) -> dict[str, str]:
    """A valid row for another account of another customer, with overrides."""
    return row(**{"account_ref": "A-2", "customer_ref": "C-2", **overrides})


def row(**overrides: str) -> dict[str, str]:
    """A valid row: a person in Boston owing 120.50 USD (105 principal, 10 fees, 5.50 interest)."""
    values = {
        "creditor": NORTHWIND,
        "account_ref": "A-1",
        "customer_ref": "C-1",
        "customer_type": "person",
        "first_name": "Ann",
        "last_name": "Lee",
        "company_name": "",
        "date_of_birth": "1980-04-02",
        "email": "ann.lee@example.com",
        "mobile": "(617) 555-0123",
        "landline": "",
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Boston",
        "region": "MA",
        "postcode": "02108",
        "country": "US",
        "timezone": "",
        "language": "en",
        "currency": "USD",
        "balance": "120.50",
        "due_date": in_days(30),
        "original_amount": "150.00",
        "fees": "10.00",
        "interest": "5.50",
        "email_consent": "yes",
        "sms_consent": "no",
    }
    unknown = set(overrides) - set(values)
    assert not unknown, f"not a column: {unknown}"
    values.update(overrides)
    return values


def second_account(**overrides: str) -> dict[str, str]:
    """Another account of customer C-1, overdue, with no itemisation or consents."""
    values = {
        "account_ref": "A-2",
        "balance": "40.00",
        "due_date": in_days(-10),
        "original_amount": "",
        "fees": "",
        "interest": "",
        "email_consent": "",
        "sms_consent": "",
    }
    values.update(overrides)
    return row(**values)


def business(**overrides: str) -> dict[str, str]:
    """A business in London owing 80 GBP."""
    values = {
        "account_ref": "A-3",
        "customer_ref": "C-2",
        "customer_type": "business",
        "first_name": "",
        "last_name": "",
        "company_name": "Acme Ltd",
        "date_of_birth": "",
        "email": "accounts@acme.co.uk",
        "mobile": "07911 123456",
        "landline": "020 7946 0958",
        "address_line1": "10 High St",
        "city": "London",
        "region": "",
        "postcode": "SW1A 1AA",
        "country": "GB",
        "currency": "GBP",
        "balance": "80.00",
        "due_date": in_days(14),
        "original_amount": "",
        "fees": "",
        "interest": "",
        "email_consent": "",
        "sms_consent": "yes",
    }
    values.update(overrides)
    return row(**values)


def valid_rows() -> list[dict[str, str]]:
    return [row(), second_account(), business()]


def to_csv(
    rows: list[dict[str, str]],
    columns: list[str] = COLUMNS,
    *,
    delimiter: str = ",",
    bom: bool = False,
    newline: str = "\n",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in LEDGER_MODELS}


def state() -> dict[str, object]:
    """Every row of every ledger table, so 'nothing changed' means nothing at all."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in LEDGER_MODELS}


def json_of(result) -> dict:
    return json.loads(result.stdout)


@pytest.fixture
def creditors(northwind, fairway):
    return {NORTHWIND: northwind, FAIRWAY: fairway}


@pytest.fixture
def run(cli, write_csv, creditors):
    """Write rows (or raw bytes) to a file and run `amicable import accounts FILE ARGS...`."""

    def run_import(rows, *args: str, name: str = "accounts.csv", **csv_options):
        data = rows if isinstance(rows, bytes) else to_csv(rows, **csv_options)
        path = write_csv(data, name)
        return cli("import", "accounts", path, *args)

    return run_import


@pytest.fixture
def imported(run):
    """The three valid rows, already imported."""
    result = run(valid_rows())
    assert result.exit_code == 0, result.output
    return result


def account(ref: str, creditor: str = NORTHWIND) -> Account:
    return Account.objects.select_related("creditor", "customer").get(
        creditor__name=creditor, external_ref=ref
    )


def customer(ref: str, creditor: str = NORTHWIND) -> Customer:
    return Customer.objects.get(creditor__name=creditor, external_ref=ref)


def point(customer_ref: str, kind: str) -> ContactPoint:
    return ContactPoint.objects.get(customer=customer(customer_ref), kind=kind)


# ------------------------------------------------------------------------------------- a valid file


EXPECTED_COUNTS = {
    "customers_created": 2,
    "customers_updated": 0,
    "contact_points_created": 7,
    "consents_recorded": 3,
    "accounts_created": 3,
    "accounts_adjusted": 0,
    "accounts_rescheduled": 0,
    "accounts_unchanged": 0,
}


def test_valid_file_is_imported_and_summarised(run):
    result = run(valid_rows())

    assert result.exit_code == 0, result.output
    assert "accounts.csv: 3 rows, 3 valid, 0 invalid." in result.stdout
    assert (
        "Wrote: customers created: 2, customers updated: 0, contact points created: 7, "
        "consents recorded: 3, accounts created: 3, accounts adjusted: 0, accounts rescheduled: 0, "
        "accounts unchanged: 0."
    ) in result.stdout
    assert Customer.objects.count() == 2
    assert Account.objects.count() == 3


def test_valid_file_creates_customers(imported):
    ann = customer("C-1")
    assert (ann.kind, ann.first_name, ann.last_name, ann.company_name) == ("person", "Ann", "Lee", "")
    assert ann.date_of_birth == date(1980, 4, 2)
    assert (ann.country, ann.region, ann.language) == ("US", "MA", "en")
    assert ann.timezone == "America/New_York"  # derived from US-MA
    assert ann.accounts.count() == 2  # rows sharing a customer_ref are one customer

    acme = customer("C-2")
    assert (acme.kind, acme.company_name, acme.first_name, acme.last_name) == ("business", "Acme Ltd", "", "")
    assert acme.date_of_birth is None
    assert (acme.country, acme.timezone) == ("GB", "Europe/London")


def test_valid_file_normalises_contact_points(imported):
    ann_points = {(p.kind, p.value) for p in customer("C-1").contact_points.all()}
    assert ann_points == {
        ("email", "ann.lee@example.com"),
        ("mobile", "+16175550123"),
        ("postal", "1 Main St, Boston, MA, 02108, US"),
    }
    assert point("C-1", "postal").address == {
        "line1": "1 Main St",
        "line2": "",
        "city": "Boston",
        "region": "MA",
        "postcode": "02108",
        "country": "US",
    }
    acme_points = {(p.kind, p.value) for p in customer("C-2").contact_points.all()}
    assert acme_points == {
        ("email", "accounts@acme.co.uk"),
        ("mobile", "+447911123456"),  # national number read in the row's country, GB
        ("landline", "+442079460958"),
        ("postal", "10 High St, London, SW1A 1AA, GB"),
    }


def test_valid_file_records_consents_with_source_and_time(run):
    before = timezone.now()
    assert run(valid_rows()).exit_code == 0
    after = timezone.now()

    email = point("C-1", "email")
    assert email.consent() == "granted"
    record = email.consents["collection"]
    assert record["state"] == "granted"
    assert record["source"] == "import:accounts.csv line 2"
    assert before <= datetime.fromisoformat(record["at"]) <= after

    mobile = point("C-1", "mobile")
    assert mobile.consent() == "revoked"
    assert mobile.consents["collection"]["source"] == "import:accounts.csv line 2"
    assert before <= datetime.fromisoformat(mobile.consents["collection"]["at"]) <= after

    assert point("C-2", "mobile").consent() == "granted"
    assert point("C-2", "mobile").consents["collection"]["source"] == "import:accounts.csv line 4"
    # No consent column given: nothing is recorded, the state stays unknown.
    assert point("C-2", "email").consents == {}
    assert point("C-2", "email").consent() == "unknown"
    assert point("C-1", "postal").consents == {}


def test_valid_file_creates_accounts_with_status_and_balance(imported):
    a1, a2, a3 = account("A-1"), account("A-2"), account("A-3")
    assert (a1.currency, a1.balance, a1.status) == ("USD", Decimal("120.50"), AccountStatus.CURRENT)
    assert (a2.currency, a2.balance, a2.status) == ("USD", Decimal("40.00"), AccountStatus.OVERDUE)
    assert (a3.currency, a3.balance, a3.status) == ("GBP", Decimal("80.00"), AccountStatus.CURRENT)
    assert a1.customer == a2.customer == customer("C-1")
    assert a3.customer == customer("C-2")


def test_journal_reproduces_balance_and_itemisation(imported):
    a1 = account("A-1")
    items = itemisation(a1)
    assert items.balance.amount == Decimal("120.50")
    assert items.principal.amount == Decimal("105.00")  # 120.50 - 10.00 fees - 5.50 interest
    assert items.fees.amount == Decimal("10.00")
    assert items.interest.amount == Decimal("5.50")
    assert items.total_charged.amount == Decimal("150.00")  # the original amount
    assert items.total_paid.amount == Decimal("45.00")  # paid off it before the import
    assert items.total_fees.amount == Decimal("10.00")
    assert items.total_interest.amount == Decimal("5.50")
    assert items.unallocated_credit.amount == 0

    kinds = sorted((e.kind, e.amount) for e in a1.journal.all())
    assert kinds == [
        ("charge", Decimal("150.00")),
        ("fee", Decimal("10.00")),
        ("interest", Decimal("5.50")),
        ("payment", Decimal("45.00")),
    ]
    for entry in a1.journal.all():
        assert entry.source.startswith("import:accounts.csv line 2")
        assert entry.recorded_by.startswith("cli:")

    # Without an itemisation the whole balance is principal.
    a2 = itemisation(account("A-2"))
    assert a2.balance.amount == a2.principal.amount == a2.total_charged.amount == Decimal("40.00")
    assert a2.fees.amount == a2.interest.amount == a2.total_paid.amount == 0
    assert itemisation(account("A-3")).balance.amount == Decimal("80.00")
    for ref in ("A-1", "A-2", "A-3"):
        acc = account(ref)
        assert itemisation(acc).balance.amount == acc.balance


def test_schedule_item_on_due_date(imported):
    assert [(i.due_on, i.amount) for i in account("A-1").schedule.all()] == [
        (today() + timedelta(days=30), Decimal("120.50"))
    ]
    assert [(i.due_on, i.amount) for i in account("A-2").schedule.all()] == [
        (today() - timedelta(days=10), Decimal("40.00"))
    ]
    assert [(i.due_on, i.amount) for i in account("A-3").schedule.all()] == [
        (today() + timedelta(days=14), Decimal("80.00"))
    ]


def test_audit_rows_name_the_customer_and_appear_on_the_timeline(imported):
    ann = customer("C-1")
    rows = list(timeline(ann))
    assert rows
    assert all(r.customer_id == ann.pk for r in rows)
    assert all(r.actor.startswith("cli:") for r in rows)
    imports = [r for r in rows if r.action == "import_account"]
    assert sorted(r.account.external_ref for r in imports) == ["A-1", "A-2"]
    a1_row = next(r for r in imports if r.account.external_ref == "A-1")
    assert a1_row.changes["source"] == "import:accounts.csv line 2"
    assert a1_row.changes["balance"] == "120.50"
    # The consents taken from the file are on the timeline too.
    for value in ("ann.lee@example.com", "+16175550123"):
        assert any(
            (r.action == "record_consent" and value in json.dumps(r.changes)) or value in r.summary
            for r in rows
        ), value

    acme_rows = list(timeline(customer("C-2")))
    assert [r.account.external_ref for r in acme_rows if r.action == "import_account"] == ["A-3"]


def test_timezone_given_where_it_cannot_be_derived(run):
    result = run([row(region="TX", timezone="America/Chicago"), business(region="", timezone="")])
    assert result.exit_code == 0, result.output
    assert customer("C-1").timezone == "America/Chicago"
    assert customer("C-2").timezone == "Europe/London"


def test_defaults_for_customer_type_and_language(run):
    result = run([row(customer_type="", language="")])
    assert result.exit_code == 0, result.output
    assert (customer("C-1").kind, customer("C-1").language) == ("person", "en")


def test_accounts_of_several_creditors_in_one_file(run):
    rows = [row(), row(creditor=FAIRWAY)]  # same account_ref and customer_ref, different creditors
    result = run(rows)
    assert result.exit_code == 0, result.output
    assert account("A-1", NORTHWIND).customer != account("A-1", FAIRWAY).customer
    assert Customer.objects.count() == 2


def test_balance_of_zero_is_resolved_and_has_no_schedule(run):
    result = run([row(balance="0", fees="", interest="", original_amount="150.00")])
    assert result.exit_code == 0, result.output
    a1 = account("A-1")
    assert a1.status == AccountStatus.RESOLVED
    assert itemisation(a1).balance.amount == 0
    assert itemisation(a1).total_paid.amount == Decimal("150.00")
    assert not a1.schedule.exists()


# ------------------------------------------------------------------------------------- bad rows


LONG = "x" * 101

BAD_ROWS = [
    # (overrides for line 3, column, value, message fragment)
    pytest.param({"account_ref": ""}, "account_ref", "", "required", id="missing-account_ref"),
    pytest.param({"customer_ref": ""}, "customer_ref", "", "required", id="missing-customer_ref"),
    pytest.param({"country": ""}, "country", "", "required", id="missing-country"),
    pytest.param({"currency": ""}, "currency", "", "required", id="missing-currency"),
    pytest.param({"balance": ""}, "balance", "", "required", id="missing-balance"),
    pytest.param({"due_date": ""}, "due_date", "", "required", id="missing-due_date"),
    pytest.param(
        {"first_name": "", "last_name": ""},
        "last_name",
        "",
        "a person needs a first_name or last_name",
        id="person-without-name",
    ),
    pytest.param(
        {"customer_type": "business", "company_name": ""},
        "company_name",
        "",
        "a business needs a company_name",
        id="business-without-company_name",
    ),
    pytest.param(
        {"customer_type": "robot"}, "customer_type", "robot", "expected one of", id="bad-customer_type"
    ),
    pytest.param(
        {"due_date": "31/01/2025"}, "due_date", "31/01/2025", "expected an ISO date", id="bad-date-format"
    ),
    pytest.param(
        {"due_date": "2025-02-30"}, "due_date", "2025-02-30", "expected an ISO date", id="bad-date-day"
    ),
    pytest.param(
        {"due_date": "2025-1-31"}, "due_date", "2025-1-31", "expected an ISO date", id="date-without-zeros"
    ),
    pytest.param(
        {"date_of_birth": "1980-13-01"},
        "date_of_birth",
        "1980-13-01",
        "expected an ISO date",
        id="bad-date_of_birth",
    ),
    pytest.param(
        {"date_of_birth": "2999-01-01"},
        "date_of_birth",
        "2999-01-01",
        "must be in the past",
        id="date_of_birth-in-future",
    ),
    pytest.param({"balance": "12.3.4"}, "balance", "12.3.4", "expected a decimal number", id="bad-decimal"),
    pytest.param({"balance": "abc"}, "balance", "abc", "expected a decimal number", id="not-a-number"),
    pytest.param({"balance": "1e3"}, "balance", "1e3", "expected a decimal number", id="exponent"),
    pytest.param(
        {"balance": "120,50"},
        "balance",
        "120,50",
        "use --decimal-comma",
        id="comma-decimal-without-flag",
    ),
    pytest.param(
        {"fees": "1,00"}, "fees", "1,00", "use --decimal-comma", id="comma-decimal-in-fees-without-flag"
    ),
    pytest.param({"balance": "-5.00"}, "balance", "-5.00", "must not be negative", id="negative-balance"),
    pytest.param({"fees": "-1"}, "fees", "-1", "must not be negative", id="negative-fees"),
    pytest.param(
        {"balance": "10.005"}, "balance", "10.005", "USD has 2 decimal places", id="too-many-decimals"
    ),
    pytest.param(
        {"balance": "10.00", "fees": "8.00", "interest": "5.00", "original_amount": ""},
        "fees",
        "8.00",
        "exceed the balance",
        id="fees-plus-interest-exceed-balance",
    ),
    pytest.param(
        {"original_amount": "100.00"},
        "original_amount",
        "100.00",
        "less than the principal still owed",
        id="original-less-than-principal",
    ),
    pytest.param(
        {"currency": "ZZZ"}, "currency", "ZZZ", "expected an ISO 4217 currency code", id="bad-currency"
    ),
    pytest.param(
        {"currency": "US$"}, "currency", "US$", "expected an ISO 4217 currency code", id="currency-symbol"
    ),
    pytest.param(
        {"country": "USA", "mobile": "+1 617 555 0123"},
        "country",
        "USA",
        "expected an ISO 3166-1 alpha-2 country code",
        id="alpha-3-country",
    ),
    pytest.param(
        {"country": "XX", "mobile": "+1 617 555 0123"},
        "country",
        "XX",
        "expected an ISO 3166-1 alpha-2 country code",
        id="unknown-country",
    ),
    pytest.param(
        {"timezone": "America/Boston"},
        "timezone",
        "America/Boston",
        "expected an IANA time zone",
        id="bad-timezone",
    ),
    pytest.param(
        {"region": "TX"},
        "timezone",
        "",
        "US-TX is not wholly in one time zone",
        id="ambiguous-timezone-split-state",
    ),
    pytest.param(
        {"region": ""},
        "timezone",
        "",
        "US spans",
        id="ambiguous-timezone-no-region",
    ),
    pytest.param(
        {"country": "AU", "region": "", "mobile": "", "sms_consent": "", "address_line1": "", "city": ""},
        "timezone",
        "",
        "AU spans",
        id="ambiguous-timezone-other-country",
    ),
    pytest.param({"email": "ann@"}, "email", "ann@", "not a valid email address", id="bad-email"),
    pytest.param(
        {"email": "ann.lee.example.com"},
        "email",
        "ann.lee.example.com",
        "not a valid email address",
        id="email-without-at",
    ),
    pytest.param({"mobile": "12345"}, "mobile", "12345", "not a valid phone number in US", id="bad-mobile"),
    pytest.param({"landline": "call me"}, "landline", "call me", "not a phone number", id="bad-landline"),
    pytest.param(
        {"mobile": "+44 12"}, "mobile", "+44 12", "not a valid phone number", id="bad-international-mobile"
    ),
    pytest.param(
        {"email_consent": "maybe"}, "email_consent", "maybe", "expected yes, no or blank", id="bad-yes-no"
    ),
    pytest.param(
        {"sms_consent": "sometimes"},
        "sms_consent",
        "sometimes",
        "expected yes, no or blank",
        id="bad-yes-no-sms",
    ),
    pytest.param(
        {"email": "", "email_consent": "yes"},
        "email_consent",
        "yes",
        "given for a row with no email",
        id="consent-without-email",
    ),
    pytest.param(
        {"mobile": "", "sms_consent": "no"},
        "sms_consent",
        "no",
        "given for a row with no mobile",
        id="consent-without-mobile",
    ),
    pytest.param(
        {"address_line1": ""},
        "address_line1",
        "",
        "required when any other part of the address is given",
        id="address-without-line1",
    ),
    pytest.param(
        {"creditor": "Nobody Ltd"}, "creditor", "Nobody Ltd", "no such creditor", id="unknown-creditor"
    ),
    pytest.param(
        {"creditor": ""}, "creditor", "", "required (or pass --creditor NAME)", id="missing-creditor"
    ),
]


@pytest.mark.parametrize(("overrides", "column", "value", "message"), BAD_ROWS)
def test_bad_row_is_reported_and_nothing_is_written(run, overrides, column, value, message):
    rows = [row(), other(**overrides)]
    before = state()

    result = run(rows, "--json")

    assert result.exit_code == 1, result.output
    payload = json_of(result)
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (2, 1, 1)
    assert payload["written"] is False
    assert payload["counts"] == {}
    matching = [e for e in payload["errors"] if e["column"] == column]
    assert matching, payload["errors"]
    error = matching[0]
    assert (error["line"], error["value"]) == (3, value)
    assert message in error["message"]
    assert all(e["line"] == 3 for e in payload["errors"])  # line 2 is fine
    assert state() == before


def test_bad_row_in_the_human_summary(run):
    result = run([row(), row(account_ref="A-2", balance="-5")])

    assert result.exit_code == 1
    assert "accounts.csv: 2 rows, 1 valid, 1 invalid." in result.stdout
    assert "line 3, column balance: '-5' must not be negative" in result.stderr
    assert "errors by column: balance 1" in result.stderr
    assert "Nothing was written" in result.stdout
    assert "Traceback" not in result.output


def test_every_error_of_a_row_is_reported_at_once(run):
    bad = row(account_ref="A-2", due_date="soon", email="nope", balance="x", sms_consent="perhaps")
    result = run([row(), bad], "--json")

    assert result.exit_code == 1
    payload = json_of(result)
    assert {(e["line"], e["column"], e["value"]) for e in payload["errors"]} == {
        (3, "due_date", "soon"),
        (3, "email", "nope"),
        (3, "balance", "x"),
        (3, "sms_consent", "perhaps"),
    }
    assert payload["invalid"] == 1


@pytest.mark.parametrize("code", ["ZZ", "QO", "XA", "EU"])
def test_codes_that_are_not_iso_3166_1_countries_are_refused(run, code):
    """ZZ (unknown region), QO, XA (private use) and EU are not ISO 3166-1 alpha-2 country codes."""
    bad = row(
        account_ref="A-2",
        customer_ref="C-2",
        country=code,
        timezone="UTC",
        mobile="+1 617 555 0123",
    )
    result = run([row(), bad], "--json")

    assert result.exit_code == 1, result.output
    errors = json_of(result)["errors"]
    assert {"line": 3, "column": "country", "value": code} in [
        {k: e[k] for k in ("line", "column", "value")} for e in errors
    ]
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        pytest.param({"account_ref": LONG}, "account_ref", id="account_ref"),
        pytest.param({"customer_ref": LONG}, "customer_ref", id="customer_ref"),
        pytest.param({"last_name": LONG}, "last_name", id="last_name"),
    ],
)
def test_value_longer_than_the_database_column_is_a_row_error(run, overrides, column):
    """account_ref, customer_ref and names hold at most 100 characters: a longer one is a bad row,
    not a database error (PostgreSQL) or a silently stored over-long value (SQLite)."""
    before = counts()
    result = run([row(), other(**overrides)], "--json")

    assert result.exit_code == 1, result.output
    errors = json_of(result)["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(3, column, LONG)]
    assert counts() == before


@pytest.mark.parametrize("value", ["1" + "0" * 15, "1" + "0" * 30])
def test_balance_too_large_for_the_ledger_is_a_row_error(run, value):
    """Amounts are kept in 19 digits with 4 decimal places, so 10^15 and more cannot be stored:
    such a balance is a bad row, not a traceback (or, on SQLite, a value stored beyond precision)."""
    before = counts()
    bad = other(balance=value, fees="", interest="", original_amount="")
    result = run([row(), bad], "--json")

    assert result.exit_code == 1, result.output
    errors = json_of(result)["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(3, "balance", value)]
    assert counts() == before


def test_duplicate_account_ref_in_the_file(run):
    rows = [row(), business(account_ref="A-1")]
    result = run(rows, "--json")

    assert result.exit_code == 1
    payload = json_of(result)
    assert payload["errors"] == [
        {"line": 3, "column": "account_ref", "value": "A-1", "message": "already on line 2"}
    ]
    assert payload["invalid"] == 1
    assert not Account.objects.exists()


def test_same_customer_ref_with_conflicting_names(run):
    rows = [row(), second_account(first_name="Anne")]
    result = run(rows, "--json")

    assert result.exit_code == 1
    errors = json_of(result)["errors"]
    assert len(errors) == 1
    error = errors[0]
    assert (error["line"], error["column"], error["value"]) == (3, "first_name", "Anne")
    assert "customer_ref C-1" in error["message"]
    assert "Ann" in error["message"] and "line 2" in error["message"]
    assert not Customer.objects.exists()


def test_same_customer_ref_with_conflicting_customer_type(run):
    rows = [row(), second_account(customer_type="business", company_name="Lee Ltd")]
    result = run(rows, "--json")

    assert result.exit_code == 1
    errors = json_of(result)["errors"]
    assert (3, "customer_type", "business") in [(e["line"], e["column"], e["value"]) for e in errors]
    assert not Customer.objects.exists()


def test_row_with_too_many_cells(run):
    header = ",".join(COLUMNS)
    good = ",".join(row().values())
    # An unquoted decimal comma pushes every later cell one column to the right.
    shifted = ",".join(row(account_ref="A-2", customer_ref="C-2", balance="120,50").values())
    result = run(f"{header}\n{good}\n{shifted}\n".encode(), "--json")

    assert result.exit_code == 1
    errors = json_of(result)["errors"]
    extra = [e for e in errors if "more cells than the 27 columns" in e["message"]]
    assert len(extra) == 1
    assert (extra[0]["line"], extra[0]["column"], extra[0]["value"]) == (3, "", "no")
    assert all(e["line"] == 3 for e in errors)
    assert not Account.objects.exists()


def test_line_numbers_count_blank_lines(run):
    data = to_csv([row()]) + b"\n\n" + to_csv([other(balance="oops")]).split(b"\n", 1)[1]
    result = run(data, "--json")

    assert result.exit_code == 1
    payload = json_of(result)
    assert [(e["line"], e["column"], e["value"]) for e in payload["errors"]] == [(5, "balance", "oops")]
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (2, 1, 1)


def test_existing_account_with_a_different_customer_ref(run, imported):
    before = state()
    result = run([row(customer_ref="C-9")], "--json")

    assert result.exit_code == 1
    assert json_of(result)["errors"] == [
        {
            "line": 2,
            "column": "customer_ref",
            "value": "C-9",
            "message": "account A-1 belongs to customer C-1",
        }
    ]
    assert state() == before


def test_existing_account_with_a_different_currency(run, imported):
    before = state()
    result = run([row(currency="EUR")], "--json")

    assert result.exit_code == 1
    assert json_of(result)["errors"] == [
        {"line": 2, "column": "currency", "value": "EUR", "message": "account A-1 is kept in USD"}
    ]
    assert state() == before


# ------------------------------------------------------------------------------------- file errors


def _assert_file_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_unknown_column_is_a_file_error(run):
    before = state()
    result = run([row()], columns=[*COLUMNS, "notes"])
    _assert_file_error(result, "unknown column(s) 'notes'", "--ignore-unknown")
    assert state() == before


def test_missing_required_column_is_a_file_error(run):
    before = state()
    result = run([row()], columns=[c for c in COLUMNS if c != "balance"])
    _assert_file_error(result, "lacks required column(s) balance")
    assert state() == before


def test_missing_creditor_column_without_creditor_option(run):
    result = run([row()], columns=COLUMNS[1:])
    _assert_file_error(result, "lacks required column(s) creditor", "--creditor")
    assert not Account.objects.exists()


def test_empty_file_is_a_file_error(run):
    before = state()
    result = run(b"")
    _assert_file_error(result, "accounts.csv", "empty")
    assert state() == before


def test_non_utf8_bytes_name_the_line(run):
    before = state()
    data = to_csv([row(), row(account_ref="A-2", customer_ref="C-2", first_name="RENEE")])
    data = data.replace(b"RENEE", "Renée".encode("latin-1"))
    result = run(data)
    _assert_file_error(result, "line 3 is not valid UTF-8", "0xe9")
    assert state() == before


def test_header_naming_a_column_twice_is_a_file_error(run):
    result = run([row()], columns=[*COLUMNS, "email"])
    _assert_file_error(result, "names column 'email' twice")
    assert not Account.objects.exists()


def test_unknown_creditor_option_is_a_file_error(run):
    result = run([row()], "--creditor", "Nobody Ltd")
    _assert_file_error(result, "--creditor 'Nobody Ltd': no such creditor")
    assert not Account.objects.exists()


def test_file_error_as_json(run):
    result = run(b"", "--json")
    assert result.exit_code != 0
    payload = json_of(result)
    assert payload["kind"] == "accounts"
    assert payload["file"] == "accounts.csv"
    assert payload["written"] is False
    assert "empty" in payload["error"]


# ------------------------------------------------------------------------------ all or nothing


def test_one_bad_row_leaves_the_database_untouched(run):
    before = counts()
    rows = [*valid_rows(), row(account_ref="A-4", customer_ref="C-3", email="bad@")]

    result = run(rows)

    assert result.exit_code == 1
    assert "4 rows, 3 valid, 1 invalid." in result.stdout
    assert counts() == before


def test_bad_row_on_re_import_leaves_existing_data_untouched(run, imported):
    before = state()
    rows = [
        row(balance="200.00", first_name="Annie", email_consent="no"),
        second_account(first_name="Annie", balance="1.00"),
        business(balance="5.00", due_date="2001-02-29"),  # not a date
    ]
    result = run(rows)

    assert result.exit_code == 1
    assert state() == before
    assert itemisation(account("A-1")).balance.amount == Decimal("120.50")


def test_partial_writes_only_the_valid_rows(run):
    rows = [row(), row(account_ref="A-2", customer_ref="C-3", balance="-1"), business()]
    result = run(rows, "--partial", "--json")

    payload = json_of(result)
    assert payload["written"] is True
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (3, 2, 1)
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [(3, "balance")]
    assert payload["counts"]["accounts_created"] == 2
    assert payload["counts"]["customers_created"] == 2
    assert set(Account.objects.values_list("external_ref", flat=True)) == {"A-1", "A-3"}
    assert not Customer.objects.filter(external_ref="C-3").exists()
    assert itemisation(account("A-1")).balance.amount == Decimal("120.50")


def test_partial_keeps_the_first_of_duplicate_account_refs(run):
    rows = [row(), business(account_ref="A-1")]
    result = run(rows, "--partial", "--json")

    payload = json_of(result)
    assert payload["written"] is True
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [(3, "account_ref")]
    assert account("A-1").customer.external_ref == "C-1"
    assert not Customer.objects.filter(external_ref="C-2").exists()


def test_partial_reports_in_the_summary(run):
    rows = [row(), row(account_ref="A-2", customer_ref="C-3", due_date="tomorrow")]
    result = run(rows, "--partial")

    assert "2 rows, 1 valid, 1 invalid." in result.stdout
    assert "line 3, column due_date: 'tomorrow' expected an ISO date" in result.stderr
    assert "Wrote: " in result.stdout and "accounts created: 1" in result.stdout
    assert Account.objects.count() == 1


def test_dry_run_writes_nothing_but_reports_counts(run):
    before = state()
    result = run(valid_rows(), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "3 rows, 3 valid, 0 invalid." in result.stdout
    assert "Would write: customers created: 2," in result.stdout
    assert "accounts created: 3" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert state() == before


def test_dry_run_as_json(run):
    before = state()
    result = run(valid_rows(), "--dry-run", "--json")

    assert result.exit_code == 0
    payload = json_of(result)
    assert payload["dry_run"] is True
    assert payload["written"] is False
    assert payload["counts"] == EXPECTED_COUNTS
    assert state() == before


def test_dry_run_of_a_re_import_reports_the_adjustment(run, imported):
    before = state()
    result = run([row(balance="150.50"), second_account(), business()], "--dry-run", "--json")

    payload = json_of(result)
    assert payload["counts"]["accounts_adjusted"] == 1
    assert payload["counts"]["accounts_unchanged"] == 2
    assert state() == before


def test_dry_run_with_a_bad_row(run):
    before = state()
    result = run([row(), row(account_ref="A-2", currency="dollars")], "--dry-run")
    assert result.exit_code == 1
    assert "2 rows, 1 valid, 1 invalid." in result.stdout
    assert state() == before


# ------------------------------------------------------------------------------------- re-import


def test_re_importing_the_same_file_changes_nothing(run, imported):
    before = state()
    result = run(valid_rows(), "--json")

    assert result.exit_code == 0, result.output
    assert json_of(result)["counts"] == {
        "customers_created": 0,
        "customers_updated": 0,
        "contact_points_created": 0,
        "consents_recorded": 0,
        "accounts_created": 0,
        "accounts_adjusted": 0,
        "accounts_rescheduled": 0,
        "accounts_unchanged": 3,
    }
    assert state() == before


def test_re_import_reports_unchanged_accounts_in_the_summary(run, imported):
    before = counts()
    result = run(valid_rows())
    assert result.exit_code == 0
    assert "accounts created: 0" in result.stdout
    assert "accounts unchanged: 3" in result.stdout
    assert counts() == before


@pytest.mark.parametrize(("new_balance", "difference"), [("150.50", "30.00"), ("100.00", "-20.50")])
def test_changed_balance_is_journalled_as_one_adjustment(run, imported, new_balance, difference):
    a1 = account("A-1")
    journal_before = set(JournalEntry.objects.values_list("pk", flat=True))
    a1_journal_before = set(a1.journal.values_list("pk", flat=True))
    counts_before = counts()

    result = run([row(balance=new_balance), second_account(), business()], "--json")

    assert result.exit_code == 0, result.output
    payload = json_of(result)
    assert payload["counts"]["accounts_adjusted"] == 1
    assert payload["counts"]["accounts_unchanged"] == 2
    assert payload["counts"]["accounts_created"] == 0
    new_entries = list(JournalEntry.objects.exclude(pk__in=journal_before))
    assert len(new_entries) == 1
    entry = new_entries[0]
    assert (entry.account_id, entry.kind, entry.amount) == (a1.pk, "adjustment", Decimal(difference))
    assert entry.effective_on == today()
    assert entry.source == "import:accounts.csv line 2"
    # The earlier entries are kept: the balance is journalled, not overwritten.
    assert set(a1.journal.values_list("pk", flat=True)) == a1_journal_before | {entry.pk}

    a1 = account("A-1")
    assert itemisation(a1).balance.amount == Decimal(new_balance)
    assert a1.balance == Decimal(new_balance)
    assert [(i.due_on, i.amount) for i in a1.schedule.all()] == [
        (today() + timedelta(days=30), Decimal(new_balance))
    ]
    after = counts()
    assert after["JournalEntry"] == counts_before["JournalEntry"] + 1
    assert after["Account"] == counts_before["Account"]
    assert after["Customer"] == counts_before["Customer"]
    assert after["ContactPoint"] == counts_before["ContactPoint"]

    adjust = [r for r in timeline(a1.customer) if r.action == "import_update_account"]
    assert len(adjust) == 1
    assert adjust[0].account_id == a1.pk
    assert adjust[0].changes["balance"][1] == new_balance


def test_re_import_to_a_zero_balance_resolves_the_account(run, imported):
    result = run([row(balance="0", fees="", interest="", original_amount="")])
    assert result.exit_code == 0, result.output
    a1 = account("A-1")
    assert a1.status == AccountStatus.RESOLVED
    assert itemisation(a1).balance.amount == 0
    assert a1.journal.filter(kind="adjustment").get().amount == Decimal("-120.50")
    assert not a1.schedule.exists()


def test_re_import_with_changed_customer_details_updates_the_customer(run, imported):
    result = run([row(last_name="Lee-Smith"), second_account(last_name="Lee-Smith"), business()], "--json")

    assert result.exit_code == 0, result.output
    assert json_of(result)["counts"]["customers_updated"] == 1
    ann = customer("C-1")
    assert ann.last_name == "Lee-Smith"
    updates = [r for r in timeline(ann) if r.action == "import_update_customer"]
    assert len(updates) == 1
    assert updates[0].changes["fields"] == {"last_name": ["Lee", "Lee-Smith"]}


def test_re_import_with_a_changed_consent_records_it(run, imported):
    def revocations():
        return [
            r
            for r in timeline(customer("C-1"))
            if r.action == "record_consent" and r.changes.get("state") == "revoked"
        ]

    before = {r.pk for r in revocations()}
    result = run([row(email_consent="no"), second_account(), business()], "--json")

    assert result.exit_code == 0, result.output
    assert json_of(result)["counts"]["consents_recorded"] == 1
    email = point("C-1", "email")
    assert email.consent() == "revoked"
    assert email.consents["collection"]["source"] == "import:accounts.csv line 2"
    assert point("C-1", "mobile").consent() == "revoked"  # unchanged
    new = [r for r in revocations() if r.pk not in before]
    assert len(new) == 1
    assert new[0].changes["source"] == "import:accounts.csv line 2"


# --------------------------------------------------------------------------- encodings and formats


def test_utf8_with_bom(run):
    result = run(valid_rows(), bom=True)
    assert result.exit_code == 0, result.output
    assert Account.objects.count() == 3
    assert account("A-1").creditor.name == NORTHWIND


def test_bom_crlf_and_non_ascii_names(run):
    rows = [row(first_name="Zoë", last_name="Ó Briain", city="Bogotá")]
    result = run(rows, bom=True, newline="\r\n")
    assert result.exit_code == 0, result.output
    ann = customer("C-1")
    assert (ann.first_name, ann.last_name) == ("Zoë", "Ó Briain")


def test_semicolon_delimited_file(run):
    result = run(valid_rows(), delimiter=";")
    assert result.exit_code == 0, result.output
    assert account("A-1").balance == Decimal("120.50")
    assert customer("C-1").first_name == "Ann"


def test_semicolon_file_with_bom_and_decimal_comma(run):
    rows = [
        row(balance="1.120,50", original_amount="1.150,00", fees="10,00", interest="5,50"),
        business(balance="80"),
    ]
    result = run(rows, "--decimal-comma", delimiter=";", bom=True)

    assert result.exit_code == 0, result.output
    a1 = account("A-1")
    assert a1.balance == Decimal("1120.50")
    items = itemisation(a1)
    assert items.balance.amount == Decimal("1120.50")
    assert items.total_charged.amount == Decimal("1150.00")
    assert (items.fees.amount, items.interest.amount) == (Decimal("10.00"), Decimal("5.50"))
    assert account("A-3").balance == Decimal("80")


def test_semicolon_file_with_decimal_comma_needs_the_flag(run):
    result = run([row(balance="120,50", fees="10,00", interest="5,50")], "--json", delimiter=";")

    assert result.exit_code == 1
    errors = {e["column"]: e for e in json_of(result)["errors"]}
    assert errors["balance"]["value"] == "120,50"
    assert "--decimal-comma" in errors["balance"]["message"]
    assert not Account.objects.exists()


def test_decimal_comma_in_a_comma_delimited_file(run):
    rows = [row(balance="1.234,56", original_amount="1.300", fees="0,06", interest="")]
    result = run(rows, "--decimal-comma")

    assert result.exit_code == 0, result.output
    items = itemisation(account("A-1"))
    assert items.balance.amount == Decimal("1234.56")
    assert items.total_charged.amount == Decimal("1300")
    assert items.fees.amount == Decimal("0.06")


def test_decimal_comma_refuses_a_decimal_point(run):
    result = run(
        [row(balance="120.50", fees="", interest="", original_amount="")], "--decimal-comma", "--json"
    )

    assert result.exit_code == 1
    errors = json_of(result)["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(2, "balance", "120.50")]
    assert not Account.objects.exists()


def test_ignore_unknown_columns(run):
    columns = [*COLUMNS, "notes", "agent"]
    rows = [{**row(), "notes": "called twice", "agent": "bob"}]
    result = run(rows, "--ignore-unknown", columns=columns)
    assert result.exit_code == 0, result.output
    assert account("A-1").balance == Decimal("120.50")


def test_columns_in_any_order_and_optional_columns_left_out(run):
    columns = ["due_date", "balance", "currency", "country", "region", "last_name", "customer_ref"]
    columns += ["account_ref", "creditor"]
    result = run([row()], columns=columns)

    assert result.exit_code == 0, result.output
    a1 = account("A-1")
    assert a1.balance == Decimal("120.50")
    assert itemisation(a1).principal.amount == Decimal("120.50")
    assert a1.customer.timezone == "America/New_York"
    assert not a1.customer.contact_points.exists()


# ------------------------------------------------------------------------------------- --creditor


def test_creditor_option_without_a_creditor_column(run):
    result = run([row()], "--creditor", FAIRWAY, columns=COLUMNS[1:])
    assert result.exit_code == 0, result.output
    assert account("A-1", FAIRWAY).customer.external_ref == "C-1"
    assert not Account.objects.filter(creditor__name=NORTHWIND).exists()


def test_creditor_option_fills_blank_cells(run):
    result = run([row(creditor=""), business(creditor="")], "--creditor", FAIRWAY)
    assert result.exit_code == 0, result.output
    assert Account.objects.filter(creditor__name=FAIRWAY).count() == 2


def test_creditor_option_agreeing_with_the_column(run):
    result = run([row(creditor=FAIRWAY), business(creditor="")], "--creditor", FAIRWAY)
    assert result.exit_code == 0, result.output
    assert Account.objects.filter(creditor__name=FAIRWAY).count() == 2


def test_creditor_option_conflicting_with_the_column(run):
    before = state()
    result = run([row(creditor=FAIRWAY), business(creditor=NORTHWIND)], "--creditor", FAIRWAY, "--json")

    assert result.exit_code == 1
    assert json_of(result)["errors"] == [
        {
            "line": 3,
            "column": "creditor",
            "value": NORTHWIND,
            "message": f"differs from --creditor {FAIRWAY!r}",
        }
    ]
    assert state() == before


# ------------------------------------------------------------------------------- --json, --errors


def test_json_output_shape(run):
    result = run([*valid_rows(), row(account_ref="A-4", customer_ref="C-4", country="")], "--json")

    assert result.exit_code == 1
    payload = json_of(result)
    assert set(payload) == {
        "kind",
        "file",
        "rows",
        "valid",
        "invalid",
        "written",
        "dry_run",
        "counts",
        "errors",
    }
    assert payload["kind"] == "accounts"
    assert payload["file"] == "accounts.csv"
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (4, 3, 1)
    assert payload["written"] is False
    assert payload["dry_run"] is False
    for error in payload["errors"]:
        assert set(error) == {"line", "column", "value", "message"}
        assert isinstance(error["line"], int)
    assert {"line": 5, "column": "country", "value": "", "message": "required"} in payload["errors"]


def test_json_output_of_a_successful_import(run):
    result = run(valid_rows(), "--json")
    assert result.exit_code == 0
    payload = json_of(result)
    assert payload["written"] is True
    assert payload["errors"] == []
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (3, 3, 0)
    assert payload["counts"] == EXPECTED_COUNTS


def test_errors_file_lists_every_error(run, tmp_path):
    report = tmp_path / "errors.csv"
    rows = [
        row(),
        row(account_ref="A-2", customer_ref="C-2", email="x@", balance="-1"),
        row(account_ref="A-3", customer_ref="C-3", due_date="2024-02-30"),
    ]
    result = run(rows, "--errors", report)

    assert result.exit_code == 1
    assert str(report) in result.stderr
    with report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["line", "column", "value", "error"]
    body = lines[1:]
    assert [(line, column, value) for line, column, value, _ in body] == [
        ("3", "balance", "-1"),
        ("3", "email", "x@"),
        ("4", "due_date", "2024-02-30"),
    ]
    assert body[0][3] == "must not be negative"
    assert body[1][3].startswith("not a valid email address")
    assert body[2][3] == "expected an ISO date, YYYY-MM-DD"
    assert not Account.objects.exists()


def test_errors_file_with_partial(run, tmp_path):
    report = tmp_path / "errors.csv"
    rows = [row(), row(account_ref="A-2", customer_ref="C-2", currency="ZZZ")]
    run(rows, "--partial", "--errors", report)

    with report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert [line[:3] for line in lines[1:]] == [["3", "currency", "ZZZ"]]
    assert Account.objects.count() == 1


# ------------------------------------------------------------------------------------- file names


def test_long_file_name_is_imported(run):
    """File systems allow 255-byte names; the journal's source label must not overflow its column."""
    name = "portfolio-" + "x" * 180 + ".csv"
    result = run(valid_rows(), name=name)
    assert result.exit_code == 0, result.output
    assert itemisation(account("A-1")).balance.amount == Decimal("120.50")


def pay_twenty_on_a1(write_csv, cli) -> None:
    """A payment of 20.00 on A-1 today, through the payments importer."""
    payments = write_csv(
        "creditor,account_ref,payment_ref,amount,currency,paid_on\n"
        f"Northwind Energy,A-1,PAY-1,20.00,USD,{today().isoformat()}\n",
        "payments.csv",
    )
    assert cli("import", "payments", payments).exit_code == 0


def test_re_importing_a_file_after_payments_does_not_undo_them(run, imported, write_csv, cli):
    """The file still says 120.50, but a payment of 20.00 has been posted since: nothing to adjust."""
    a1 = account("A-1")
    pay_twenty_on_a1(write_csv, cli)
    paid_balance = account("A-1").balance
    assert paid_balance == a1.balance - Decimal("20.00")

    result = run(valid_rows(), "--json")

    assert result.exit_code == 0, result.output
    assert json_of(result)["counts"]["accounts_adjusted"] == 0
    assert account("A-1").balance == paid_balance
    assert not account("A-1").journal.filter(kind="adjustment").exists()


def test_a_new_balance_after_payments_sets_the_ledger_to_the_file(run, imported, write_csv, cli):
    """The creditor's next file reflects the payment and a new fee: the ledger follows the file."""
    pay_twenty_on_a1(write_csv, cli)
    paid_balance = account("A-1").balance

    result = run([row(balance=str(paid_balance + Decimal("15.00"))), second_account(), business()], "--json")

    assert json_of(result)["counts"]["accounts_adjusted"] == 1
    assert account("A-1").balance == paid_balance + Decimal("15.00")
    assert account("A-1").journal.get(kind="adjustment").amount == Decimal("15.00")


def test_consent_on_a_new_email_for_a_known_account_is_on_the_timeline(run, imported):
    result = run([row(email="new.address@example.com", email_consent="yes"), second_account(), business()])

    assert result.exit_code == 0, result.output
    customer = account("A-1").customer
    consent_rows = [r for r in timeline(customer) if r.action == "record_consent"]
    assert len(consent_rows) == 1
    assert "new.address@example.com" in consent_rows[0].summary
    assert "granted" in consent_rows[0].summary


def test_an_account_created_by_someone_else_during_the_import_stops_it_cleanly(
    northwind, write_csv, monkeypatch
):
    """Checking a large file takes a while; if the ledger changes meanwhile nothing half-written is left."""
    from amicable.ledger.importing import accounts as importer
    from amicable.ledger.importing.common import ImportOptions
    from amicable.ledger.importing.errors import ImportConflict

    real_check = importer._check_against_database
    calls = []

    def check_then_someone_else_imports(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        if not calls:  # after the first check, before the write
            customer = Customer.objects.create(
                creditor=northwind, external_ref="C-OTHER", timezone="UTC", country="US", last_name="Other"
            )
            Account.objects.create(creditor=northwind, external_ref="A-1", customer=customer, currency="USD")
        calls.append(1)
        return checked

    monkeypatch.setattr(importer, "_check_against_database", check_then_someone_else_imports)
    path = write_csv(to_csv(valid_rows()), "accounts.csv")

    with pytest.raises(ImportConflict, match="nothing was written"):
        importer.import_accounts(path, ImportOptions())

    assert Account.objects.count() == 1  # only the other one
    assert not JournalEntry.objects.exists()
