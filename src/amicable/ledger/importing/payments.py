"""`amicable import payments`: payments against existing accounts, once per payment_ref.

A payment_ref is unique per creditor. Re-importing a payment that is already posted (same account,
same amount) changes nothing; the same ref with a different account or amount is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..actions import automatic_status
from ..audit import audit
from ..balance import EntryKind, itemise, oldest_unpaid_due
from ..models import Account, Creditor, JournalEntry, ScheduleItem
from ..money import Money
from . import fields as f
from .common import (
    BATCH,
    CreditorResolver,
    ImportOptions,
    ImportResult,
    RowParser,
    Step,
    check_header,
    chunks,
    no_step,
    read_rows,
    source_label,
)
from .csvfile import CsvRow, read_csv
from .errors import RowError

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
    result.errors = errors
    result.rows = len(lines)
    result.invalid = len({e.line for e in errors})
    result.valid = result.rows - result.invalid
    if errors and not options.partial:
        return result
    step("writing")
    with transaction.atomic():
        result.counts = _write(new, accounts, path, options)
        result.counts["payments_already_posted"] = repeats
        result.written = not options.dry_run
        if options.dry_run:
            transaction.set_rollback(True)
    return result


def _accounts_for(payments: list[PaymentRow]) -> dict[tuple[int, str], Account]:
    found: dict[tuple[int, str], Account] = {}
    by_creditor: dict[int, list[str]] = {}
    for payment in payments:
        by_creditor.setdefault(payment.creditor.pk, []).append(payment.account_ref)
    for creditor_id, refs in by_creditor.items():
        for chunk in chunks(sorted(set(refs))):
            query = Account.objects.filter(creditor_id=creditor_id, external_ref__in=chunk).select_related(
                "customer", "creditor"
            )
            for account in query:
                found[(creditor_id, account.external_ref)] = account
    return found


def _posted_refs(payments: list[PaymentRow]) -> dict[tuple[int, str], JournalEntry]:
    found: dict[tuple[int, str], JournalEntry] = {}
    by_creditor: dict[int, list[str]] = {}
    for payment in payments:
        by_creditor.setdefault(payment.creditor.pk, []).append(payment.payment_ref)
    for creditor_id, refs in by_creditor.items():
        for chunk in chunks(refs):
            query = JournalEntry.objects.filter(
                creditor_id=creditor_id, external_ref__in=chunk
            ).select_related("account")
            for entry in query:
                found[(creditor_id, entry.external_ref)] = entry
    return found


def _write(payments: list[PaymentRow], accounts, path: Path, options: ImportOptions) -> dict[str, int]:
    now = timezone.now()
    today = timezone.localdate()
    entries = []
    for payment in payments:
        account = accounts[(payment.creditor.pk, payment.account_ref)]
        entries.append(
            JournalEntry(
                creditor=payment.creditor,
                account=account,
                kind=EntryKind.PAYMENT,
                amount=payment.amount,
                effective_on=payment.paid_on,
                source=source_label(path, payment.line),
                external_ref=payment.payment_ref,
                recorded_at=now,
                recorded_by=options.actor,
            )
        )
    JournalEntry.objects.bulk_create(entries, batch_size=BATCH)
    touched = sorted({e.account_id for e in entries})
    journals: dict[int, list] = {}
    schedules: dict[int, list] = {}
    for chunk in chunks(touched):
        for entry in JournalEntry.objects.filter(account_id__in=chunk):
            journals.setdefault(entry.account_id, []).append(entry.as_entry())
        for item in ScheduleItem.objects.filter(account_id__in=chunk):
            schedules.setdefault(item.account_id, []).append((item.due_on, item.amount))
    by_id = {a.pk: a for a in accounts.values()}
    changed = []
    for pk in touched:
        account = by_id[pk]
        account.balance = itemise(
            journals[pk], account.currency, account.creditor.allocation_order
        ).balance.amount
        account.status = automatic_status(
            account.status, account.balance, oldest_unpaid_due(schedules.get(pk, []), account.balance), today
        )
        account.updated_at = now
        changed.append(account)
    Account.objects.bulk_update(changed, ["balance", "status", "updated_at"], batch_size=BATCH)
    from ..models import AuditLog

    AuditLog.objects.bulk_create(
        [
            audit(
                options.actor,
                "post_payment",
                entry,
                f"Payment of {Money(entry.amount, entry.account.currency)} received on {entry.effective_on} "
                f"for {entry.account.external_ref}",
                customer=entry.account.customer,
                account=entry.account,
                at=now,
                save=False,
                changes={
                    "payment_ref": entry.external_ref,
                    "source": entry.source,
                    "balance_after_import": str(by_id[entry.account_id].balance),
                },
            )
            for entry in entries
        ],
        batch_size=BATCH,
    )
    return {"payments_posted": len(entries), "accounts_updated": len(changed)}
