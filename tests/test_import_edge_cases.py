"""Hostile and odd input to the importers: always a clear error, never a traceback or a half-write."""

import json

import pytest

from amicable.ledger.models import Account, AuditLog

HEADER = "creditor,account_ref,customer_ref,last_name,country,region,currency,balance,due_date"


def accounts_file(write_csv, *rows: str):
    return write_csv("\n".join([HEADER, *rows]) + "\n", "accounts.csv")


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XDR", "DEM"])
def test_codes_that_are_not_money_today_are_refused_as_currencies(northwind, write_csv, cli, code):
    path = accounts_file(write_csv, f"Northwind Energy,A-1,C-1,Lee,US,MA,{code},10.00,2026-01-01")

    result = cli("import", "accounts", path, "--json")

    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["errors"]
    assert (error["line"], error["column"], error["value"]) == (2, "currency", code)


def test_a_nul_byte_in_a_name_is_a_row_error_not_a_database_error(northwind, write_csv, cli):
    path = accounts_file(write_csv, "Northwind Energy,A-1,C-1,Le\x00e,US,MA,USD,10.00,2026-01-01")

    result = cli("import", "accounts", path, "--json")

    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["errors"]
    assert (error["line"], error["column"]) == (2, "last_name")
    assert "control character" in error["message"]
    assert not Account.objects.exists()


def test_a_cell_too_large_to_read_names_its_line_and_writes_nothing(northwind, write_csv, cli):
    huge = "x" * 200_000
    path = accounts_file(
        write_csv,
        "Northwind Energy,A-1,C-1,Lee,US,MA,USD,10.00,2026-01-01",
        f'Northwind Energy,A-2,C-2,"{huge}",US,MA,USD,10.00,2026-01-01',
    )
    audit_rows = AuditLog.objects.count()

    result = cli("import", "accounts", path)

    assert result.exit_code == 2
    assert "line 3" in result.stderr
    assert "Traceback" not in result.output
    assert not Account.objects.exists()
    assert AuditLog.objects.count() == audit_rows


def test_an_errors_report_in_a_missing_folder_is_refused_before_importing(
    northwind, write_csv, cli, tmp_path
):
    path = accounts_file(write_csv, "Northwind Energy,A-1,C-1,Lee,US,MA,USD,10.00,2026-01-01")

    result = cli("import", "accounts", path, "--errors", tmp_path / "no-such-folder" / "errors.csv")

    assert result.exit_code == 2
    assert "--errors" in result.stderr
    assert not Account.objects.exists()


@pytest.mark.parametrize(("country", "region"), [("US", "XX"), ("GB", "LDN")])
def test_a_region_that_is_not_one_of_the_country_is_a_row_error(northwind, write_csv, cli, country, region):
    row = f"Northwind Energy,A-1,C-1,Lee,{country},{region},USD,10.00,2026-01-01"
    result = cli("import", "accounts", accounts_file(write_csv, row), "--json")

    [error] = json.loads(result.stdout)["errors"]
    assert (error["line"], error["column"], error["value"]) == (2, "region", region)
    assert f"not a region of {country}" in error["message"]


def test_creditors_add_takes_a_country_and_refuses_a_bad_one(db, cli):
    assert cli("creditors", "add", "Harbour Telecom", "--country", "gb").exit_code == 0
    bad = cli("creditors", "add", "Elsewhere Ltd", "--country", "ZZ")

    assert bad.exit_code == 2
    assert "--country" in bad.stderr
    listed = json.loads(cli("creditors", "list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Harbour Telecom"]
