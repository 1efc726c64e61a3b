"""Write a generated portfolio through amicable's own importers and actions."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from amicable.ledger import actions
from amicable.ledger.importing.accounts import COLUMNS as ACCOUNT_COLUMNS
from amicable.ledger.importing.accounts import import_accounts
from amicable.ledger.importing.common import ImportOptions
from amicable.ledger.importing.payments import COLUMNS as PAYMENT_COLUMNS
from amicable.ledger.importing.payments import import_payments
from amicable.ledger.models import Account, Creditor, Customer

from .portfolio import Portfolio

ACTOR = "system:demo"


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


class DemoLoadError(RuntimeError):
    pass


def load(portfolio: Portfolio, folder: Path, step: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Create the creditors, import the files, then apply what the files cannot carry.

    The CSV files stay in `folder`, as examples of the import formats.
    """
    with transaction.atomic():
        step("creditors")
        for demo in portfolio.creditors:
            if not Creditor.objects.filter(name=demo.name).exists():
                actions.create_creditor(
                    demo.name,
                    role=demo.role,
                    actor=ACTOR,
                    brand_name=demo.brand_name,
                    email=demo.email,
                    phone=demo.phone,
                )
        step("accounts")
        accounts_csv = write_csv(folder / "accounts.csv", ACCOUNT_COLUMNS, portfolio.accounts)
        result = import_accounts(accounts_csv, ImportOptions(actor=ACTOR))
        if result.errors:
            raise DemoLoadError(f"the generated accounts file has errors, first: {result.errors[0]}")
        step("payments")
        payments_csv = write_csv(folder / "payments.csv", PAYMENT_COLUMNS, portfolio.payments)
        paid = import_payments(payments_csv, ImportOptions(actor=ACTOR))
        if paid.errors:
            raise DemoLoadError(f"the generated payments file has errors, first: {paid.errors[0]}")
        step("product types")
        for demo in portfolio.creditors:
            Account.objects.filter(creditor__name=demo.name, product_type="").update(
                product_type=demo.product_type
            )
        accounts = {
            (a.creditor.name, a.external_ref): a
            for a in Account.objects.select_related("creditor", "customer")
        }
        customers = {
            (c.creditor.name, c.external_ref): c for c in Customer.objects.select_related("creditor")
        }
        step("instalment plans")
        for key, plan in portfolio.instalments.items():
            actions.set_schedule(accounts[key], plan, reason="loan repayment schedule", actor=ACTOR)
        step("holds")
        for hold in portfolio.holds:
            customer = customers[(hold["creditor"], hold["customer_ref"])]
            zone = ZoneInfo(customer.timezone)
            account = accounts.get((hold["creditor"], hold["account_ref"])) if hold["account_ref"] else None
            actions.place_hold(
                customer,
                hold["kind"],
                account=account,
                source="demo: letter received",
                starts_at=hold["starts"].replace(tzinfo=zone),
                ends_at=hold["ends"].replace(tzinfo=zone) if hold["ends"] else None,
                note="Synthetic hold for the demo portfolio.",
                actor=ACTOR,
            )
        step("preferences")
        for key, preference in portfolio.preferences.items():
            actions.set_contact_preferences(
                customers[key], source="demo: told us on a call", actor=ACTOR, **preference
            )
    return {
        "creditors": len(portfolio.creditors),
        "customers": result.counts["customers_created"],
        "accounts": result.counts["accounts_created"],
        "payments": paid.counts["payments_posted"],
        "instalment_plans": len(portfolio.instalments),
        "holds": len(portfolio.holds),
        "preferences": len(portfolio.preferences),
    }
