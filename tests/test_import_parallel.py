"""Large files are parsed in worker processes; the outcome must be exactly the serial one."""

import pytest

from amicable.ledger.importing import parallel
from amicable.ledger.importing.accounts import import_accounts
from amicable.ledger.importing.common import ImportOptions
from amicable.ledger.models import Account, ContactPoint

HEADER = (
    "creditor,account_ref,customer_ref,first_name,last_name,mobile,country,region,currency,balance,due_date\n"
)


def portfolio_file(write_csv, bad_lines=()):
    rows = []
    for n in range(2, 42):  # file lines 2..41
        balance = "not-money" if n in bad_lines else f"{n}.50"
        customer = f"C-{n // 2},Pat,Lee{n // 2}"
        due = f"2026-01-{n % 28 + 1:02d}"
        rows.append(f"Northwind Energy,A-{n},{customer},(617) 555-01{n:02d},US,MA,USD,{balance},{due}\n")
    return write_csv(HEADER + "".join(rows))


@pytest.fixture
def in_workers(monkeypatch):
    if parallel.workers() < 2:
        pytest.skip("parsing in workers needs Linux and two or more CPUs")
    monkeypatch.setattr(parallel, "PARALLEL_FROM_ROWS", 5)
    monkeypatch.setattr(parallel, "CHUNK_ROWS", 7)


def test_rows_parsed_in_workers_are_imported_in_file_order(northwind, write_csv, in_workers):
    result = import_accounts(portfolio_file(write_csv), ImportOptions())

    assert result.errors == []
    assert result.counts["accounts_created"] == 40
    assert result.counts["customers_created"] == 20  # lines 2-41 pair up as C-1 .. C-20
    assert Account.objects.get(external_ref="A-17").balance == pytest.approx(17.5)
    assert ContactPoint.objects.filter(value="+16175550117").exists()


def test_errors_found_in_workers_name_their_lines_and_nothing_is_written(northwind, write_csv, in_workers):
    result = import_accounts(portfolio_file(write_csv, bad_lines=(3, 29)), ImportOptions())

    assert [(e.line, e.column, e.value) for e in result.errors] == [
        (3, "balance", "not-money"),
        (29, "balance", "not-money"),
    ]
    assert result.invalid == 2
    assert not Account.objects.exists()
