"""Benchmark `amicable import accounts` (and payments): rows per second and peak memory.

    amicable bench import --rows 100000 [--database-url URL] [--json]

Generates a realistic accounts file with the demo generator, imports it into a fresh database
(a temporary SQLite file unless --database-url names an empty PostgreSQL database), imports the same
file again to time an idempotent re-import, then imports one payment for every other account.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from itertools import pairwise
from pathlib import Path

from memory import reset_peak, status_mb


def main() -> None:
    parser = argparse.ArgumentParser(prog="amicable bench import", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="account rows to import (default 100000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="amicable-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    os.environ["AMICABLE_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from amicable.demo.load import write_csv
    from amicable.demo.portfolio import CREDITORS, generate
    from amicable.ledger.actions import create_creditor
    from amicable.ledger.importing.accounts import COLUMNS, import_accounts
    from amicable.ledger.importing.common import ImportOptions
    from amicable.ledger.importing.payments import COLUMNS as PAYMENT_COLUMNS
    from amicable.ledger.importing.payments import import_payments
    from amicable.ledger.models import Account

    call_command("migrate", verbosity=0)
    if Account.objects.exists():
        sys.exit("the benchmark needs an empty database")
    for creditor in CREDITORS:
        create_creditor(creditor.name, role=creditor.role, actor="bench")

    started = time.perf_counter()
    portfolio = generate(max(1, int(args.rows / 1.25)) + 1, args.seed, date(2026, 1, 15))
    while len(portfolio.accounts) < args.rows:  # the generator gives 1-3 accounts per customer
        portfolio = generate(len(portfolio.accounts) * 2, args.seed, date(2026, 1, 15))
    accounts = portfolio.accounts[: args.rows]
    path = write_csv(workdir / "accounts.csv", COLUMNS, accounts)
    # One payment of 10.00 against every other account: a payments file half the accounts' size.
    payment_rows = [
        {"creditor": row["creditor"], "account_ref": row["account_ref"], "payment_ref": f"BENCH-{n}",
         "amount": "10.00", "currency": row["currency"], "paid_on": "2026-01-10"}
        for n, row in enumerate(accounts[::2])
    ]  # fmt: skip
    payments_path = write_csv(workdir / "payments.csv", PAYMENT_COLUMNS, payment_rows)
    del accounts, payment_rows
    generate_seconds = time.perf_counter() - started
    del portfolio
    gc.collect()
    baseline_mb = status_mb("VmRSS")
    reset_peak()

    stages: dict[str, float] = {}
    marks: list[tuple[str, float]] = []

    def step(name: str) -> None:
        marks.append((name, time.perf_counter()))

    started = time.perf_counter()
    first = import_accounts(path, ImportOptions(actor="bench"), step)
    first_seconds = time.perf_counter() - started
    marks.append(("end", time.perf_counter()))
    for (name, at), (_, next_at) in pairwise(marks):
        stages[name] = round(next_at - at, 2)
    if first.errors:
        sys.exit(f"the generated file has errors: {first.errors[0]}")
    started = time.perf_counter()
    again = import_accounts(path, ImportOptions(actor="bench"))
    again_seconds = time.perf_counter() - started
    started = time.perf_counter()
    paid = import_payments(payments_path, ImportOptions(actor="bench"))
    payments_seconds = time.perf_counter() - started
    if paid.errors:
        sys.exit(f"the generated payments file has errors: {paid.errors[0]}")

    figures = {
        "benchmark": "import",
        "database": connection.vendor,
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "seconds": round(first_seconds, 2),
        "rows_per_second": round(args.rows / first_seconds),
        "stage_seconds": stages,
        "reimport_seconds": round(again_seconds, 2),
        "reimport_rows_per_second": round(args.rows / again_seconds),
        "reimport_unchanged": again.counts.get("accounts_unchanged", 0),
        "payments": paid.counts["payments_posted"],
        "payments_seconds": round(payments_seconds, 2),
        "payments_per_second": round(paid.counts["payments_posted"] / payments_seconds),
        "peak_rss_mb": round(status_mb("VmHWM")),
        "rss_before_import_mb": round(baseline_mb),
        "peak_rss_parse_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "generate_seconds": round(generate_seconds, 2),
        "counts": first.counts,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['rows']:,} rows on {figures['database']}: {figures['seconds']} s "
            f"({figures['rows_per_second']:,} rows/s); re-import {figures['reimport_seconds']} s; "
            f"peak memory {figures['peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    main()
