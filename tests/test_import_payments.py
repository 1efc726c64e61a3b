"""`amicable import payments FILE.csv`: each payment_ref posted once, balances and statuses follow.

The accounts are imported first through `amicable import accounts`, as an operator would.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
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

COLUMNS = ["creditor", "account_ref", "payment_ref", "amount", "currency", "paid_on"]
LEDGER_MODELS = (Creditor, Customer, ContactPoint, Account, ScheduleItem, JournalEntry, Hold, AuditLog)

NORTHWIND = "Northwind Energy"
FAIRWAY = "Fairway Recoveries"


def today() -> date:
    return timezone.localdate()


def in_days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def to_csv(
    rows: list[dict[str, str]], columns: list[str] = COLUMNS, *, delimiter: str = ",", bom: bool = False
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def payment(**overrides: str) -> dict[str, str]:
    """A valid payment: 20.50 USD off A-1 (which owes 120.50), paid yesterday."""
    values = {
        "creditor": NORTHWIND,
        "account_ref": "A-1",
        "payment_ref": "P-1",
        "amount": "20.50",
        "currency": "USD",
        "paid_on": in_days(-1),
    }
    unknown = set(overrides) - set(values)
    assert not unknown, f"not a column: {unknown}"
    values.update(overrides)
    return values


def other(**overrides: str) -> dict[str, str]:
    """A valid payment of 30 GBP off A-3 (which owes 80), with overrides."""
    return payment(
        **{"account_ref": "A-3", "payment_ref": "P-2", "amount": "30.00", "currency": "GBP", **overrides}
    )


def accounts_csv() -> bytes:
    """A-1: 120.50 USD (150 charged, 45 paid, 10 fees, 5.50 interest), due in 30 days.
    A-2: 40 USD, overdue. A-3: 80 GBP, due in 14 days. F-1: Fairway's, 60 USD."""
    columns = [
        "creditor",
        "account_ref",
        "customer_ref",
        "first_name",
        "last_name",
        "country",
        "region",
        "currency",
        "balance",
        "due_date",
        "original_amount",
        "fees",
        "interest",
    ]
    rows = [
        [
            NORTHWIND,
            "A-1",
            "C-1",
            "Ann",
            "Lee",
            "US",
            "MA",
            "USD",
            "120.50",
            in_days(30),
            "150",
            "10",
            "5.50",
        ],
        [NORTHWIND, "A-2", "C-1", "Ann", "Lee", "US", "MA", "USD", "40.00", in_days(-10), "", "", ""],
        [NORTHWIND, "A-3", "C-2", "Bob", "Hart", "GB", "", "GBP", "80.00", in_days(14), "", "", ""],
        [FAIRWAY, "F-1", "C-1", "Ann", "Lee", "US", "MA", "USD", "60.00", in_days(20), "", "", ""],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def accounts(northwind, fairway, cli, write_csv):
    result = cli("import", "accounts", write_csv(accounts_csv(), "accounts.csv"))
    assert result.exit_code == 0, result.output
    assert Account.objects.count() == 4


@pytest.fixture
def run(cli, write_csv, accounts):
    """Write payment rows (or raw bytes) to a file and run `amicable import payments FILE ARGS...`."""

    def run_import(rows, *args: str, name: str = "payments.csv", **csv_options):
        data = rows if isinstance(rows, bytes) else to_csv(rows, **csv_options)
        return cli("import", "payments", write_csv(data, name), *args)

    return run_import


def account(ref: str, creditor: str = NORTHWIND) -> Account:
    return Account.objects.select_related("creditor", "customer").get(
        creditor__name=creditor, external_ref=ref
    )


def balance(ref: str, creditor: str = NORTHWIND) -> Decimal:
    """The balance derived from the journal, checked against the stored one."""
    acc = account(ref, creditor)
    derived = itemisation(acc).balance.amount
    assert derived == acc.balance
    return derived


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in LEDGER_MODELS}


def state() -> dict[str, object]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in LEDGER_MODELS}


def json_of(result) -> dict:
    return json.loads(result.stdout)


def payments_of(ref: str, creditor: str = NORTHWIND) -> list[JournalEntry]:
    return list(account(ref, creditor).journal.filter(kind="payment").exclude(external_ref=""))


# ----------------------------------------------------------------------------------- valid files


def test_valid_payments_are_posted(run):
    result = run([payment(), other()])

    assert result.exit_code == 0, result.output
    assert "payments.csv: 2 rows, 2 valid, 0 invalid." in result.stdout
    assert "payments posted: 2" in result.stdout
    assert "accounts updated: 2" in result.stdout
    assert balance("A-1") == Decimal("100.00")
    assert balance("A-3") == Decimal("50.00")
    assert balance("A-2") == Decimal("40.00")  # untouched


def test_payment_journal_entry(run):
    assert run([payment()]).exit_code == 0

    [entry] = payments_of("A-1")
    assert entry.external_ref == "P-1"
    assert entry.amount == Decimal("20.50")
    assert entry.effective_on == today() - timedelta(days=1)
    assert entry.source == "import:payments.csv line 2"
    assert entry.recorded_by.startswith("cli:")
    assert entry.creditor.name == NORTHWIND


def test_payment_is_allocated_and_itemised(run):
    assert run([payment(amount="10.00")]).exit_code == 0

    items = itemisation(account("A-1"))
    assert items.balance.amount == Decimal("110.50")
    assert items.total_paid.amount == Decimal("55.00")  # 45 paid before the import, 10 now
    assert (items.principal + items.interest + items.fees).amount == Decimal("110.50")


def test_payment_appears_on_the_customers_timeline(run):
    assert run([payment()]).exit_code == 0

    acc = account("A-1")
    rows = [r for r in timeline(acc.customer) if r.action == "post_payment"]
    assert len(rows) == 1
    assert rows[0].account_id == acc.pk
    assert rows[0].actor.startswith("cli:")
    assert rows[0].changes["payment_ref"] == "P-1"
    assert rows[0].changes["source"] == "import:payments.csv line 2"


def test_json_counts_of_a_valid_file(run):
    result = run([payment(), other()], "--json")
    assert result.exit_code == 0
    payload = json_of(result)
    assert payload["written"] is True
    assert payload["errors"] == []
    assert payload["counts"] == {"payments_posted": 2, "accounts_updated": 2, "payments_already_posted": 0}


def test_account_paid_in_full_is_resolved(run):
    result = run([payment(amount="120.50")])

    assert result.exit_code == 0, result.output
    acc = account("A-1")
    assert acc.status == AccountStatus.RESOLVED
    assert balance("A-1") == 0


def test_overdue_account_paid_in_full_is_resolved(run):
    assert account("A-2").status == AccountStatus.OVERDUE
    result = run([payment(account_ref="A-2", amount="40")])

    assert result.exit_code == 0, result.output
    assert account("A-2").status == AccountStatus.RESOLVED
    assert balance("A-2") == 0


def test_part_payment_keeps_the_status(run):
    result = run([payment(account_ref="A-2", amount="10.00"), payment(payment_ref="P-9", amount="1.00")])

    assert result.exit_code == 0, result.output
    assert account("A-2").status == AccountStatus.OVERDUE
    assert balance("A-2") == Decimal("30.00")
    assert account("A-1").status == AccountStatus.CURRENT


def test_several_payments_on_one_account_in_one_file(run):
    rows = [
        payment(payment_ref="P-1", amount="20.50", paid_on=in_days(-3)),
        payment(payment_ref="P-2", amount="50.00", paid_on=in_days(-2)),
        payment(payment_ref="P-3", amount="50.00", paid_on=in_days(0)),
    ]
    result = run(rows, "--json")

    assert result.exit_code == 0, result.output
    assert json_of(result)["counts"]["payments_posted"] == 3
    assert json_of(result)["counts"]["accounts_updated"] == 1
    assert balance("A-1") == 0
    assert account("A-1").status == AccountStatus.RESOLVED
    assert sorted(e.external_ref for e in payments_of("A-1")) == ["P-1", "P-2", "P-3"]


def test_payment_refs_are_unique_per_creditor_only(run):
    rows = [payment(), payment(creditor=FAIRWAY, account_ref="F-1", amount="60.00")]
    result = run(rows)

    assert result.exit_code == 0, result.output
    assert balance("A-1") == Decimal("100.00")
    assert balance("F-1", FAIRWAY) == 0
    assert account("F-1", FAIRWAY).status == AccountStatus.RESOLVED


def test_lower_case_currency_is_accepted(run):
    result = run([payment(currency="usd")])
    assert result.exit_code == 0, result.output
    assert balance("A-1") == Decimal("100.00")


# ------------------------------------------------------------------------------ posted only once


def test_re_importing_the_same_file_changes_nothing(run):
    rows = [payment(), other()]
    assert run(rows).exit_code == 0
    before = state()

    result = run(rows, "--json")

    assert result.exit_code == 0, result.output
    payload = json_of(result)
    assert payload["counts"]["payments_posted"] == 0
    assert payload["counts"]["payments_already_posted"] == 2
    assert payload["errors"] == []
    assert state() == before
    assert balance("A-1") == Decimal("100.00")


def test_re_import_is_reported_as_already_posted(run):
    assert run([payment()]).exit_code == 0
    before = counts()

    result = run([payment()])

    assert result.exit_code == 0, result.output
    assert "payments already posted: 1" in result.stdout
    assert "payments posted: 0" in result.stdout
    assert counts() == before


def test_re_import_with_new_payments_posts_only_the_new_ones(run):
    assert run([payment()]).exit_code == 0

    result = run([payment(), other()], "--json")

    assert result.exit_code == 0, result.output
    payload = json_of(result)
    assert payload["counts"]["payments_posted"] == 1
    assert payload["counts"]["payments_already_posted"] == 1
    assert len(payments_of("A-1")) == 1
    assert balance("A-1") == Decimal("100.00")
    assert balance("A-3") == Decimal("50.00")


def test_same_payment_ref_with_a_different_amount_is_an_error(run):
    assert run([payment()]).exit_code == 0
    before = state()

    result = run([payment(amount="25.00")], "--json")

    assert result.exit_code == 1
    [error] = json_of(result)["errors"]
    assert (error["line"], error["column"], error["value"]) == (2, "payment_ref", "P-1")
    assert "already posted" in error["message"]
    assert "A-1" in error["message"]
    assert state() == before


def test_same_payment_ref_on_a_different_account_is_an_error(run):
    assert run([payment()]).exit_code == 0
    before = state()

    result = run([payment(account_ref="A-2")], "--json")

    assert result.exit_code == 1
    [error] = json_of(result)["errors"]
    assert (error["line"], error["column"], error["value"]) == (2, "payment_ref", "P-1")
    assert "already posted" in error["message"]
    assert state() == before


def test_same_payment_ref_twice_in_one_file_is_an_error(run):
    before = state()
    result = run([payment(), payment(amount="1.00")], "--json")

    assert result.exit_code == 1
    assert json_of(result)["errors"] == [
        {"line": 3, "column": "payment_ref", "value": "P-1", "message": "already on line 2"}
    ]
    assert state() == before


# ------------------------------------------------------------------------------------- bad rows


BAD_ROWS = [
    # (overrides for line 3, column, value, message fragment)
    pytest.param({"amount": "0"}, "amount", "0", "more than zero", id="amount-0"),
    pytest.param({"amount": "0.00"}, "amount", "0.00", "more than zero", id="amount-0.00"),
    pytest.param({"amount": "-5.00"}, "amount", "-5.00", "must not be negative", id="negative-amount"),
    pytest.param({"amount": "ten"}, "amount", "ten", "expected a decimal number", id="bad-decimal"),
    pytest.param({"amount": "20,50"}, "amount", "20,50", "use --decimal-comma", id="comma-decimal"),
    pytest.param(
        {"amount": "20.505"}, "amount", "20.505", "USD has 2 decimal places", id="too-many-decimals"
    ),
    pytest.param({"amount": ""}, "amount", "", "required", id="missing-amount"),
    pytest.param({"account_ref": ""}, "account_ref", "", "required", id="missing-account_ref"),
    pytest.param({"payment_ref": ""}, "payment_ref", "", "required", id="missing-payment_ref"),
    pytest.param({"currency": ""}, "currency", "", "required", id="missing-currency"),
    pytest.param({"paid_on": ""}, "paid_on", "", "required", id="missing-paid_on"),
    pytest.param({"currency": "DOL"}, "currency", "DOL", "ISO 4217", id="bad-currency"),
    pytest.param(
        {"currency": "GBP"}, "currency", "GBP", "account A-1 is kept in USD", id="currency-mismatch"
    ),
    pytest.param({"paid_on": in_days(1)}, "paid_on", in_days(1), "is in the future", id="future-paid_on"),
    pytest.param({"paid_on": "01/02/2024"}, "paid_on", "01/02/2024", "expected an ISO date", id="bad-date"),
    pytest.param({"paid_on": "2024-02-30"}, "paid_on", "2024-02-30", "expected an ISO date", id="bad-day"),
    pytest.param({"account_ref": "A-404"}, "account_ref", "A-404", "no such account", id="unknown-account"),
    pytest.param(
        {"account_ref": "F-1"}, "account_ref", "F-1", "no such account", id="another-creditors-account"
    ),
    pytest.param(
        {"creditor": "Nobody Ltd"}, "creditor", "Nobody Ltd", "no such creditor", id="unknown-creditor"
    ),
    pytest.param({"creditor": ""}, "creditor", "", "required", id="missing-creditor"),
]


@pytest.mark.parametrize(("overrides", "column", "value", "message"), BAD_ROWS)
def test_bad_row_is_reported_and_nothing_is_written(run, overrides, column, value, message):
    before = state()
    rows = [other(), payment(**overrides)]

    result = run(rows, "--json")

    assert result.exit_code == 1, result.output
    payload = json_of(result)
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (2, 1, 1)
    assert payload["written"] is False
    matching = [e for e in payload["errors"] if e["column"] == column]
    assert matching, payload["errors"]
    assert (matching[0]["line"], matching[0]["value"]) == (3, value)
    assert message in matching[0]["message"]
    assert all(e["line"] == 3 for e in payload["errors"])
    assert state() == before


def test_payment_ref_longer_than_the_database_column_is_a_row_error(run):
    """payment_ref is kept in 100 characters: a longer one is a bad row, not a database error."""
    long_ref = "P" * 101
    before = counts()
    result = run([other(), payment(payment_ref=long_ref)], "--json")

    assert result.exit_code == 1, result.output
    errors = json_of(result)["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(3, "payment_ref", long_ref)]
    assert counts() == before


@pytest.mark.parametrize("value", ["1" + "0" * 15, "1" + "0" * 30])
def test_amount_too_large_for_the_ledger_is_a_row_error(run, value):
    """Amounts are kept in 19 digits with 4 decimal places: 10^15 and more is a bad row."""
    before = counts()
    result = run([other(), payment(amount=value)], "--json")

    assert result.exit_code == 1, result.output
    errors = json_of(result)["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(3, "amount", value)]
    assert counts() == before


def test_bad_row_in_the_human_summary(run):
    result = run([other(), payment(amount="0")])

    assert result.exit_code == 1
    assert "payments.csv: 2 rows, 1 valid, 1 invalid." in result.stdout
    assert "line 3, column amount: '0' a payment must be more than zero" in result.stderr
    assert "Nothing was written" in result.stdout
    assert "Traceback" not in result.output


def test_row_with_too_many_cells(run):
    data = (",".join(COLUMNS) + "\n" + ",".join(payment(amount="20,50").values()) + "\n").encode()
    before = state()
    result = run(data, "--json")

    assert result.exit_code == 1
    errors = json_of(result)["errors"]
    extra = [e for e in errors if "more cells than the 6 columns" in e["message"]]
    assert len(extra) == 1
    assert (extra[0]["line"], extra[0]["column"]) == (2, "")
    assert state() == before


# ------------------------------------------------------------------------- all or nothing, partial


def test_all_or_nothing(run):
    before = state()
    rows = [payment(), other(), payment(payment_ref="P-3", account_ref="A-404")]

    result = run(rows)

    assert result.exit_code == 1
    assert "3 rows, 2 valid, 1 invalid." in result.stdout
    assert state() == before
    assert balance("A-1") == Decimal("120.50")


def test_partial_posts_only_the_valid_rows(run):
    rows = [payment(), payment(payment_ref="P-3", amount="0"), other()]

    result = run(rows, "--partial", "--json")

    payload = json_of(result)
    assert payload["written"] is True
    assert (payload["rows"], payload["valid"], payload["invalid"]) == (3, 2, 1)
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [(3, "amount")]
    assert payload["counts"]["payments_posted"] == 2
    assert balance("A-1") == Decimal("100.00")
    assert balance("A-3") == Decimal("50.00")
    assert not JournalEntry.objects.filter(external_ref="P-3").exists()


def test_partial_with_a_repeated_payment_and_a_conflicting_one(run):
    assert run([payment()]).exit_code == 0

    rows = [payment(), other(payment_ref="P-1"), other()]
    result = run(rows, "--partial", "--json")

    payload = json_of(result)
    assert payload["counts"]["payments_already_posted"] == 1
    assert payload["counts"]["payments_posted"] == 1
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [(3, "payment_ref")]
    assert balance("A-1") == Decimal("100.00")
    assert balance("A-3") == Decimal("50.00")


def test_dry_run_writes_nothing_but_reports_counts(run):
    before = state()
    result = run([payment(), other()], "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Would write: payments posted: 2, accounts updated: 2" in result.stdout
    assert "dry run: nothing was written" in result.stdout
    assert state() == before


def test_dry_run_as_json(run):
    before = state()
    result = run([payment(), other()], "--dry-run", "--json")

    payload = json_of(result)
    assert payload["dry_run"] is True
    assert payload["written"] is False
    assert payload["counts"] == {"payments_posted": 2, "accounts_updated": 2, "payments_already_posted": 0}
    assert state() == before


# --------------------------------------------------------------------------- formats and options


def test_semicolon_file_with_bom_and_decimal_comma(run):
    rows = [payment(amount="20,50"), other(amount="30")]
    result = run(rows, "--decimal-comma", delimiter=";", bom=True)

    assert result.exit_code == 0, result.output
    assert balance("A-1") == Decimal("100.00")
    assert balance("A-3") == Decimal("50.00")


def test_semicolon_file_with_decimal_comma_needs_the_flag(run):
    result = run([payment(amount="20,50")], "--json", delimiter=";")

    assert result.exit_code == 1
    [error] = json_of(result)["errors"]
    assert (error["line"], error["column"], error["value"]) == (2, "amount", "20,50")
    assert "--decimal-comma" in error["message"]
    assert balance("A-1") == Decimal("120.50")


def test_creditor_option_without_a_creditor_column(run):
    rows = [payment(creditor="", account_ref="F-1", amount="60.00")]
    result = run(rows, "--creditor", FAIRWAY, columns=COLUMNS[1:])

    assert result.exit_code == 0, result.output
    assert balance("F-1", FAIRWAY) == 0


def test_creditor_option_conflicting_with_the_column(run):
    before = state()
    result = run([payment(creditor=NORTHWIND)], "--creditor", FAIRWAY, "--json")

    assert result.exit_code == 1
    assert json_of(result)["errors"] == [
        {
            "line": 2,
            "column": "creditor",
            "value": NORTHWIND,
            "message": f"differs from --creditor {FAIRWAY!r}",
        }
    ]
    assert state() == before


def test_ignore_unknown_columns(run):
    columns = [*COLUMNS, "channel"]
    rows = [{**payment(), "channel": "card"}]
    assert run(rows, columns=columns).exit_code != 0
    result = run(rows, "--ignore-unknown", columns=columns)
    assert result.exit_code == 0, result.output
    assert balance("A-1") == Decimal("100.00")


def test_json_output_shape(run):
    result = run([payment(), payment(payment_ref="P-3", paid_on="yesterday")], "--json")

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
    assert (payload["kind"], payload["file"]) == ("payments", "payments.csv")
    assert payload["errors"] == [
        {"line": 3, "column": "paid_on", "value": "yesterday", "message": "expected an ISO date, YYYY-MM-DD"}
    ]


def test_errors_file(run, tmp_path):
    report = tmp_path / "payment-errors.csv"
    rows = [payment(), payment(payment_ref="P-3", amount="0"), other(currency="USD")]

    result = run(rows, "--errors", report)

    assert result.exit_code == 1
    with report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["line", "column", "value", "error"],
        ["3", "amount", "0", "a payment must be more than zero"],
        ["4", "currency", "USD", "account A-3 is kept in GBP"],
    ]


# ------------------------------------------------------------------------------------- file errors


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(
            b"creditor,account_ref,payment_ref,amount,currency,paid_on,note\n", "unknown column", id="unknown"
        ),
        pytest.param(b"creditor,account_ref,payment_ref,amount,currency\n", "paid_on", id="missing-column"),
        pytest.param(
            b"creditor,account_ref,payment_ref,amount,currency,paid_on\n"
            b"Northwind Energy,A-1,P-1,1.00,USD,2024-01-01\n"
            b"Northwind Energy,A-1,P-\xe9,1.00,USD,2024-01-01\n",
            "line 3 is not valid UTF-8",
            id="not-utf8",
        ),
    ],
)
def test_file_errors(run, data, fragment):
    before = state()
    result = run(data)

    assert result.exit_code != 0
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert state() == before
