"""The planner's snapshot read from the database: exact money, consents, holds and history, and the
same frames whether the rows come as Arrow columns (ADBC) or through Django's cursor."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from amicable.cycle import frames
from amicable.cycle.frames import _placeholders, arrow_reads
from amicable.cycle.snapshot_db import build_snapshot
from amicable.ledger.actions import place_hold, record_consent, record_payment
from amicable.ledger.models import Account, ContactPoint
from amicable.outbox.models import Contact
from test_import_accounts import COLUMNS, row, second_account, to_csv

DAY = date(2026, 3, 10)
UTC = ZoneInfo("UTC")


def import_rows(cli, tmp_path: Path, rows: list[dict]) -> dict[str, Account]:
    path = tmp_path / "accounts.csv"
    path.write_bytes(to_csv(rows, COLUMNS))
    result = cli("import", "accounts", path)
    assert result.exit_code == 0, result.output
    return {a.external_ref: a for a in Account.objects.select_related("customer")}


def portfolio(cli, tmp_path: Path) -> dict[str, Account]:
    """Two customers: one with two accounts, a payment, a hold on everything and a history of calls;
    one in the UK with an odd balance, a revoked SMS consent and no channel preferences."""
    accounts = import_rows(
        cli,
        tmp_path,
        [
            row(balance="9876543.21", original_amount="9876543.21", fees="", interest=""),
            second_account(),
            row(
                account_ref="U-1",
                customer_ref="C-UK",
                first_name="Ula",
                email="ula@example.co.uk",
                mobile="07911 123456",
                address_line1="1 High St",
                city="Leeds",
                region="",
                postcode="LS1 1AA",
                country="GB",
                currency="GBP",
                balance="0.01",
                original_amount="0.01",
                fees="",
                interest="",
                sms_consent="yes",
            ),
        ],
    )
    first = accounts["A-1"]
    record_payment(
        first,
        Decimal("0.10"),
        DAY,
        currency="USD",
        payment_ref="P-1",
        source="test",
        actor="test",
    )
    place_hold(
        first.customer,
        "bankruptcy",
        source="test",
        actor="test",
        starts_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    uk = accounts["U-1"]
    mobile = ContactPoint.objects.get(customer=uk.customer, kind="mobile")
    record_consent(mobile, "collection", "revoked", source="test", actor="test")
    for hour in (9, 15):
        Contact.objects.create(
            key=f"A-1:call:{hour}",
            cycle_date=DAY,
            creditor=first.creditor,
            customer=first.customer,
            account=first,
            playbook="consumer",
            step="call",
            trigger_on=DAY,
            channel="call",
            purpose="collection",
            template="call",
            status="sent",
            scheduled_at=datetime(2026, 3, 9, hour, tzinfo=UTC),
            sent_at=datetime(2026, 3, 9, hour, 30, 0, 123456, tzinfo=UTC),
            outcome="no_answer" if hour == 9 else "",
            reply_token=f"t{hour}",
        )
    return accounts


def test_the_snapshot_reads_exact_money_consents_holds_and_history(db, cli, northwind, tmp_path):
    accounts = portfolio(cli, tmp_path)
    snapshot = build_snapshot(DAY)
    snapshot.check()

    by_ref = {r["account_ref"]: r for r in snapshot.accounts.to_dicts()}
    assert by_ref["A-1"]["balance"] == Decimal("9876543.11")  # 9876543.21 less the 0.10 paid
    assert by_ref["A-1"]["paid_total"] == Decimal("0.1000")
    assert by_ref["A-2"]["paid_total"] == Decimal("0")
    assert by_ref["U-1"]["balance"] == Decimal("0.01")
    assert by_ref["A-1"]["pinned_playbook"] is None

    customers = {r["customer_id"]: r for r in snapshot.customers.to_dicts()}
    uk = customers[accounts["U-1"].customer_id]
    assert uk["region"] is None and uk["channel_order"] == [] and uk["timezone"] == "Europe/London"

    # The UK mobile's SMS consent was given, its collection consent then revoked: no SMS, no call.
    reach = snapshot.reachable.filter(pl.col("customer_id") == uk["customer_id"])
    assert sorted(reach.filter(pl.col("use") == "collection")["channel"]) == ["email", "letter"]

    hold = snapshot.holds.to_dicts()
    assert hold == [{"customer_id": accounts["A-1"].customer_id, "account_id": None, "kind": "bankruptcy"}]
    assert snapshot.events.to_dicts() == [
        {"account_id": accounts["A-1"].pk, "event": "payment_received", "on": DAY}
    ]
    history = snapshot.history.sort("at").to_dicts()
    assert [h["outcome"] for h in history] == ["no_answer", "sent"]
    assert history[0]["at"] == datetime(2026, 3, 9, 9, 30, 0, 123456, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_arrow_reads_give_the_same_frames_as_the_cursor(cli, tmp_path):
    from amicable.ledger.actions import create_creditor

    create_creditor("Northwind Energy", role="creditor", actor="test:fixture")
    portfolio(cli, tmp_path)
    if not arrow_reads():
        pytest.skip("an in-memory SQLite test database is visible to Django's connection only")
    through_arrow = build_snapshot(DAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frames, "arrow_reads", lambda: False)
        through_cursor = build_snapshot(DAY)
    for name in ("accounts", "schedule", "customers", "reachable", "holds", "events", "history"):
        arrow, cursor = getattr(through_arrow, name), getattr(through_cursor, name)
        assert arrow.height > 0, name
        assert_frame_equal(arrow.sort(pl.all()), cursor.sort(pl.all()), check_exact=True)


def test_inside_a_transaction_the_snapshot_sees_what_is_not_yet_committed(db, cli, northwind, tmp_path):
    assert not arrow_reads()
    portfolio(cli, tmp_path)
    assert build_snapshot(DAY).accounts.height == 3


def test_parameter_markers_follow_the_database():
    sql = "SELECT 1 FROM t WHERE a = %s AND b LIKE 'x%%' AND c IN (%s, %s)"
    assert _placeholders(sql, "sqlite") == "SELECT 1 FROM t WHERE a = ? AND b LIKE 'x%' AND c IN (?, ?)"
    assert (
        _placeholders(sql, "postgresql") == "SELECT 1 FROM t WHERE a = $1 AND b LIKE 'x%' AND c IN ($2, $3)"
    )


def test_the_orm_loop_benchmark_agrees_with_the_planner():
    """The benchmark on a small portfolio in a SQLite file: both sides decide the same contacts."""
    result = subprocess.run(
        [Path(sys.executable).parent / "amicable", "bench", "orm_loop", "--accounts", "300", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["agree"] is True
    assert figures["snapshot_read"] == "arrow"
    assert figures["planner_contacts"] == figures["orm_loop_contacts"] > 0


@pytest.mark.django_db(transaction=True)
def test_arrow_reads_a_column_that_starts_with_more_than_a_batch_of_nulls(cli, tmp_path, monkeypatch):
    """The SQLite driver guesses a column's type from its first 1,024 rows; a column of NULLs there
    followed by values must still read (every column is selected as non-null text)."""
    from django.db import connection

    from amicable.cycle.frames import reading
    from amicable.ledger.actions import create_creditor
    from amicable.ledger.models import Hold

    create_creditor("Northwind Energy", role="creditor", actor="test:fixture")
    accounts = portfolio(cli, tmp_path)
    customer, account = accounts["A-1"].customer, accounts["A-1"]
    starts = datetime(2026, 3, 1, tzinfo=UTC)
    Hold.objects.bulk_create(
        [Hold(customer=customer, kind="cease", starts_at=starts, source="test") for _ in range(1100)]
        + [Hold(customer=customer, account=account, kind="dispute", starts_at=starts, source="test")]
    )
    if connection.vendor == "sqlite":  # the test database is in memory: read a copy of it from a file
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        monkeypatch.setitem(connection.settings_dict, "NAME", str(copy))
        monkeypatch.setattr(connection, "is_in_memory_db", lambda: False)
    assert arrow_reads()
    with reading() as read:
        frame = read(Hold.objects.all(), account_id=("account_id", pl.Int64), kind=("kind", pl.String))
    assert frame.height == 1101 + 1  # and the bankruptcy hold from the portfolio
    assert frame["account_id"].drop_nulls().to_list() == [account.pk]
