"""`amicable import payments`: payments against existing accounts, once per payment_ref.

A payment_ref is unique per creditor. Re-importing a payment that is already posted (same account,
same amount) changes nothing; the same ref with a different account or amount is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..audit import audit_row
from ..balance import Entry, EntryKind, itemise
from ..bulk import insert_rows, update_rows
from ..models import Account, AuditLog, Creditor, JournalEntry, ScheduleItem
from ..money import Money
from ..status import derive_status
from . import fields as f
from .common import (
    CreditorResolver,
    ImportOptions,
    ImportResult,
    RowParser,
    Step,
    by_creditor,
    check_header,
    chunks,
    no_step,
    read_rows,
    source_label,
)
from .csvfile import CsvRow, read_csv
from .errors import ImportConflict, RowError

COLUMNS = ("creditor", "account_ref", "payment_ref", "amount", "currency", "paid_on")
REQUIRED = ("account_ref", "payment_ref", "amount", "currency", "paid_on")


@dataclass(slots=True)
class PaymentRow:
    line: int
    creditor: Creditor
    account_ref: str
    payment_ref: str
    amount: Decimal
    currency: str
    paid_on: date


def parse_payment_row(
    row: CsvRow, creditor: Creditor | None, options: ImportOptions, errors: list[RowError]
) -> PaymentRow | None:
    p = RowParser(row, errors)
    account_ref = p.get("account_ref", f.text(100), required=True, default="")
    payment_ref = p.get("payment_ref", f.text(100), required=True, default="")
    currency = p.get("currency", f.parse_currency, required=True)
    amount = p.get("amount", f.parse_amount, currency, required=True, decimal_comma=options.decimal_comma)
    if amount is not None and amount == 0:
        p.error("amount", "a payment must be more than zero")
    paid_on = p.get("paid_on", f.parse_date, required=True)
    if paid_on is not None and paid_on > timezone.localdate():
        p.error("paid_on", "is in the future")
    if p.failed or creditor is None or row.extra:
        return None
    return PaymentRow(row.line, creditor, account_ref, payment_ref, amount, currency, paid_on)


def import_payments(path: Path, options: ImportOptions, step: Step = no_step) -> ImportResult:
    """Validate every payment, then post them (or the valid ones with --partial) in one transaction."""
    step("reading")
    csv_file = read_csv(path)
    check_header(csv_file, COLUMNS, REQUIRED, options)
    resolver = CreditorResolver(options)
    result = ImportResult(kind="payments", file=path.name, dry_run=options.dry_run)
    errors: list[RowError] = []
    parsed: list[PaymentRow] = []
    lines: set[int] = set()
    step("checking rows")
    for row in read_rows(csv_file, errors):
        lines.add(row.line)
        payment = parse_payment_row(row, resolver.resolve(row, errors), options, errors)
        if payment is not None:
            parsed.append(payment)
    lines |= {e.line for e in errors}
    step("checking the ledger")
    accounts = _accounts_for(parsed)
    already = _posted_refs(parsed)
    new: list[PaymentRow] = []
    repeats = 0
    first_line: dict[tuple[int, str], int] = {}
    for payment in parsed:
        account = accounts.get((payment.creditor.pk, payment.account_ref))
        key = (payment.creditor.pk, payment.payment_ref)
        if key in first_line:
            errors.append(
                RowError(
                    payment.line, "payment_ref", payment.payment_ref, f"already on line {first_line[key]}"
                )
            )
            continue
        first_line[key] = payment.line
        if account is None:
            errors.append(
                RowError(
                    payment.line,
                    "account_ref",
                    payment.account_ref,
                    f"no such account for {payment.creditor.name}",
                )
            )
            continue
        if payment.currency != account.currency:
            errors.append(
                RowError(
                    payment.line,
                    "currency",
                    payment.currency,
                    f"account {account.external_ref} is kept in {account.currency}",
                )
            )
            continue
        posted = already.get(key)
        if posted is not None:
            if posted.account_id != account.pk or posted.amount != payment.amount:
                errors.append(
                    RowError(
                        payment.line,
                        "payment_ref",
                        payment.payment_ref,
                        f"already posted as {posted.amount} to account {posted.account.external_ref}",
                    )
                )
            else:
                repeats += 1
            continue
        new.append(payment)
    result.record_checks(lines, errors)
    if errors and not options.partial:
        return result
    step("writing")
    try:
        with transaction.atomic():
            result.counts = _write(new, accounts, path, options)
            result.counts["payments_already_posted"] = repeats
            result.written = not options.dry_run
            if options.dry_run:
                transaction.set_rollback(True)
    except IntegrityError:  # the same payment_ref posted by someone else meanwhile
        raise ImportConflict(path) from None
    return result


def _accounts_for(payments: list[PaymentRow]) -> dict[tuple[int, str], Account]:
    found: dict[tuple[int, str], Account] = {}
    for creditor_id, refs in by_creditor((p.creditor.pk, p.account_ref) for p in payments):
        query = Account.objects.filter(creditor_id=creditor_id, external_ref__in=refs).select_related(
            "creditor"
        )
        for account in query:
            found[(creditor_id, account.external_ref)] = account
    return found


def _posted_refs(payments: list[PaymentRow]) -> dict[tuple[int, str], JournalEntry]:
    found: dict[tuple[int, str], JournalEntry] = {}
    for creditor_id, refs in by_creditor((p.creditor.pk, p.payment_ref) for p in payments):
        query = JournalEntry.objects.filter(creditor_id=creditor_id, external_ref__in=refs)
        for entry in query.select_related("account"):
            found[(creditor_id, entry.external_ref)] = entry
    return found


def _write(payments: list[PaymentRow], accounts, path: Path, options: ImportOptions) -> dict[str, int]:
    """Append the payments to the journals, then re-derive each touched account's balance and status."""
    now = timezone.now()
    today = timezone.localdate()
    rows = [
        {
            "creditor_id": payment.creditor.pk,
            "account_id": accounts[(payment.creditor.pk, payment.account_ref)].pk,
            "kind": EntryKind.PAYMENT,
            "amount": payment.amount,
            "effective_on": payment.paid_on,
            "source": source_label(path, payment.line),
            "external_ref": payment.payment_ref,
            "recorded_at": now,
            "recorded_by": options.actor,
        }
        for payment in payments
    ]
    touched = sorted({row["account_id"] for row in rows})
    by_id = {a.pk: a for a in accounts.values()}
    for chunk in chunks(touched):  # lock, and take statuses set while the file was being checked
        query = Account.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        for pk, status in query.values_list("pk", "status"):
            by_id[pk].status = status
    insert_rows(JournalEntry, rows)
    journals: dict[int, list[Entry]] = {}
    schedules: dict[int, list] = {}
    entry_ids: dict[tuple[int, str], int] = {}
    for chunk in chunks(touched):
        query = JournalEntry.objects.filter(account_id__in=chunk).values_list(
            "id", "account_id", "kind", "amount", "effective_on", "creditor_id", "external_ref"
        )
        for pk, account_id, kind, amount, effective_on, creditor_id, external_ref in query:
            journals.setdefault(account_id, []).append(Entry(EntryKind(kind), amount, effective_on, pk))
            if external_ref:
                entry_ids[(creditor_id, external_ref)] = pk
        for account_id, due_on, amount in ScheduleItem.objects.filter(account_id__in=chunk).values_list(
            "account_id", "due_on", "amount"
        ):
            schedules.setdefault(account_id, []).append((due_on, amount))
    for pk in touched:
        account = by_id[pk]
        account.balance = itemise(
            journals[pk], account.currency, account.creditor.allocation_order
        ).balance.amount
        account.status = derive_status(account.status, account.balance, schedules.get(pk, []), today)
    update_rows(
        Account,
        ["balance", "status", "updated_at"],
        (
            {"pk": pk, "balance": by_id[pk].balance, "status": by_id[pk].status, "updated_at": now}
            for pk in touched
        ),
    )
    insert_rows(
        AuditLog,
        (
            audit_row(
                options.actor,
                "post_payment",
                "ledger.journalentry",
                entry_ids[(payment.creditor.pk, payment.payment_ref)],
                f"Payment of {Money(payment.amount, payment.currency)} received on {payment.paid_on} "
                f"for {payment.account_ref}",
                at=now,
                customer_id=accounts[(payment.creditor.pk, payment.account_ref)].customer_id,
                account_id=accounts[(payment.creditor.pk, payment.account_ref)].pk,
                changes={
                    "payment_ref": payment.payment_ref,
                    "source": source_label(path, payment.line),
                    "balance_after_import": str(accounts[(payment.creditor.pk, payment.account_ref)].balance),
                },
            )
            for payment in payments
        ),
    )
    return {"payments_posted": len(rows), "accounts_updated": len(touched)}
