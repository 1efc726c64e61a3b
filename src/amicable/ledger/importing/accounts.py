"""`amicable import accounts`: customers, contact points and accounts from a CSV file.

Every row is validated before anything is written. By default one bad row means nothing is written;
with --partial the good rows are written and the bad ones reported. Writing happens in one
transaction, so a failure half-way leaves the database as it was. Re-importing a file is idempotent:
accounts are matched on creditor + account_ref, and a changed balance is journalled as an adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..actions import automatic_status
from ..audit import audit
from ..balance import EntryKind
from ..jurisdictions import AmbiguousTimezone, derive_timezone
from ..models import (
    Account,
    AccountStatus,
    ConsentState,
    ContactKind,
    ContactPoint,
    ContactUse,
    Creditor,
    Customer,
    CustomerKind,
    JournalEntry,
    ScheduleItem,
)
from ..money import ZERO, Money
from . import fields as f
from .common import (
    BATCH,
    CreditorResolver,
    ImportOptions,
    ImportResult,
    check_header,
    chunks,
    read_rows,
    source_label,
)
from .csvfile import CsvRow, read_csv
from .errors import RowError

COLUMNS = (
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
)
REQUIRED = ("account_ref", "customer_ref", "country", "currency", "balance", "due_date")

# Customer facts that rows sharing a customer_ref must agree on.
CUSTOMER_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "date_of_birth",
    "country",
    "region",
    "timezone",
    "language",
)


@dataclass(slots=True)
class AccountRow:
    line: int
    creditor: Creditor
    account_ref: str
    customer_ref: str
    kind: str
    first_name: str
    last_name: str
    company_name: str
    date_of_birth: date | None
    email: str
    mobile: str
    landline: str
    address: dict[str, str] | None
    country: str
    region: str
    timezone: str
    language: str
    currency: str
    balance: Decimal
    due_date: date
    original_amount: Decimal | None
    fees: Decimal
    interest: Decimal
    email_consent: bool | None
    sms_consent: bool | None

    @property
    def principal_owed(self) -> Decimal:
        return self.balance - self.fees - self.interest


class _RowParser:
    """Parses one CSV row into an AccountRow, collecting every error rather than stopping at the first."""

    def __init__(self, row: CsvRow, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, column: str) -> str:
        return self.row.values.get(column, "")

    def error(self, column: str, message: str, value: str | None = None) -> None:
        self.errors.append(
            RowError(self.row.line, column, self.raw(column) if value is None else value, message)
        )
        self.failed = True

    def get(self, column, parse, *args, required=False, default=None, **kwargs):
        value = self.raw(column)
        if value == "":
            if required:
                self.error(column, "required")
            return default
        try:
            return parse(value, *args, **kwargs)
        except f.FieldError as error:
            self.error(column, str(error))
            return default


def _text(value: str) -> str:
    return value


def parse_account_row(
    row: CsvRow, creditor: Creditor | None, options: ImportOptions, errors: list[RowError]
) -> AccountRow | None:
    p = _RowParser(row, errors)
    account_ref = p.get("account_ref", _text, required=True, default="")
    customer_ref = p.get("customer_ref", _text, required=True, default="")
    kind = p.get("customer_type", f.parse_choice, tuple(CustomerKind.values), default=CustomerKind.PERSON)
    first_name, last_name = p.raw("first_name"), p.raw("last_name")
    company_name = p.raw("company_name")
    if kind == CustomerKind.PERSON and not (first_name or last_name):
        p.error("last_name", "a person needs a first_name or last_name")
    if kind == CustomerKind.BUSINESS and not company_name:
        p.error("company_name", "a business needs a company_name")
    date_of_birth = p.get("date_of_birth", f.parse_date)
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        p.error("date_of_birth", "must be in the past")
    country = p.get("country", f.parse_country, required=True)
    region = p.raw("region").upper()
    tz = p.get("timezone", f.parse_timezone)
    if tz is None and country and not p.raw("timezone"):
        try:
            tz = derive_timezone(country, region)
        except AmbiguousTimezone as error:
            p.error("timezone", str(error))
    language = p.get("language", f.parse_language, default="en")
    email = p.get("email", f.parse_email, default="")
    mobile = p.get("mobile", f.parse_phone, country, default="")
    landline = p.get("landline", f.parse_phone, country, default="")
    address = None
    if any(p.raw(c) for c in ("address_line1", "address_line2", "city", "postcode")):
        if not p.raw("address_line1"):
            p.error("address_line1", "required when any other part of the address is given")
        address = {
            "line1": p.raw("address_line1"),
            "line2": p.raw("address_line2"),
            "city": p.raw("city"),
            "region": region,
            "postcode": p.raw("postcode"),
            "country": country or "",
        }
    currency = p.get("currency", f.parse_currency, required=True)
    amount_options = {"decimal_comma": options.decimal_comma}
    balance = p.get("balance", f.parse_amount, currency, required=True, **amount_options)
    due_date = p.get("due_date", f.parse_date, required=True)
    original = p.get("original_amount", f.parse_amount, currency, **amount_options)
    fees = p.get("fees", f.parse_amount, currency, default=ZERO, **amount_options)
    interest = p.get("interest", f.parse_amount, currency, default=ZERO, **amount_options)
    if balance is not None and fees is not None and interest is not None:
        if fees + interest > balance:
            p.error("fees", f"fees {fees} + interest {interest} exceed the balance {balance}")
        elif original is not None and original < balance - fees - interest:
            p.error(
                "original_amount",
                "less than the principal still owed "
                f"(balance - fees - interest = {balance - fees - interest})",
            )
    email_consent = p.get("email_consent", f.parse_yes_no)
    sms_consent = p.get("sms_consent", f.parse_yes_no)
    if email_consent is not None and not email and not p.raw("email"):
        p.error("email_consent", "given for a row with no email")
    if sms_consent is not None and not mobile and not p.raw("mobile"):
        p.error("sms_consent", "given for a row with no mobile")
    if p.failed or creditor is None or row.extra:
        return None
    return AccountRow(
        line=row.line,
        creditor=creditor,
        account_ref=account_ref,
        customer_ref=customer_ref,
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        date_of_birth=date_of_birth,
        email=email,
        mobile=mobile,
        landline=landline,
        address=address,
        country=country,
        region=region,
        timezone=tz,
        language=language,
        currency=currency,
        balance=balance,
        due_date=due_date,
        original_amount=original,
        fees=fees,
        interest=interest,
        email_consent=email_consent,
        sms_consent=sms_consent,
    )


def _check_across_rows(rows: list[AccountRow], errors: list[RowError]) -> list[AccountRow]:
    """Duplicate account refs and customers described two ways; returns the rows still valid."""
    first_account: dict[tuple[int, str], int] = {}
    first_customer: dict[tuple[int, str], AccountRow] = {}
    bad: set[int] = set()
    for row in rows:
        key = (row.creditor.pk, row.account_ref)
        if key in first_account:
            errors.append(
                RowError(row.line, "account_ref", row.account_ref, f"already on line {first_account[key]}")
            )
            bad.add(row.line)
        else:
            first_account[key] = row.line
        ckey = (row.creditor.pk, row.customer_ref)
        first = first_customer.setdefault(ckey, row)
        for name in CUSTOMER_FIELDS:
            if getattr(row, name) != getattr(first, name):
                column = "customer_type" if name == "kind" else name
                errors.append(
                    RowError(
                        row.line,
                        column,
                        str(getattr(row, name) or ""),
                        f"customer_ref {row.customer_ref} has {getattr(first, name) or 'blank'!s} "
                        f"on line {first.line}",
                    )
                )
                bad.add(row.line)
    return [row for row in rows if row.line not in bad]


def _check_against_database(rows: list[AccountRow], errors: list[RowError]) -> list[AccountRow]:
    """An existing account must keep its customer and its currency."""
    existing = _existing_accounts(rows)
    bad: set[int] = set()
    for row in rows:
        account = existing.get((row.creditor.pk, row.account_ref))
        if account is None:
            continue
        if account.customer.external_ref != row.customer_ref:
            errors.append(
                RowError(
                    row.line,
                    "customer_ref",
                    row.customer_ref,
                    f"account {row.account_ref} belongs to customer {account.customer.external_ref}",
                )
            )
            bad.add(row.line)
        if account.currency != row.currency:
            errors.append(
                RowError(
                    row.line,
                    "currency",
                    row.currency,
                    f"account {row.account_ref} is kept in {account.currency}",
                )
            )
            bad.add(row.line)
    return [row for row in rows if row.line not in bad]


def _existing_accounts(rows: list[AccountRow]) -> dict[tuple[int, str], Account]:
    found: dict[tuple[int, str], Account] = {}
    by_creditor: dict[int, list[str]] = {}
    for row in rows:
        by_creditor.setdefault(row.creditor.pk, []).append(row.account_ref)
    for creditor_id, refs in by_creditor.items():
        for chunk in chunks(refs):
            query = Account.objects.filter(creditor_id=creditor_id, external_ref__in=chunk).select_related(
                "customer"
            )
            for account in query:
                found[(creditor_id, account.external_ref)] = account
    return found


def import_accounts(path: Path, options: ImportOptions) -> ImportResult:
    """Validate the whole file, then write it (or its valid rows with --partial) in one transaction."""
    csv_file = read_csv(path)
    check_header(csv_file, COLUMNS, REQUIRED, options)
    resolver = CreditorResolver(options)
    result = ImportResult(kind="accounts", file=path.name, dry_run=options.dry_run)
    errors: list[RowError] = []
    parsed: list[AccountRow] = []
    lines: set[int] = set()
    for row in read_rows(csv_file, errors):
        lines.add(row.line)
        creditor = resolver.resolve(row, errors)
        account_row = parse_account_row(row, creditor, options, errors)
        if account_row is not None:
            parsed.append(account_row)
    lines |= {e.line for e in errors}
    valid = _check_across_rows(parsed, errors)
    valid = _check_against_database(valid, errors)
    result.errors = errors
    result.rows = len(lines)
    result.invalid = len({e.line for e in errors})
    result.valid = result.rows - result.invalid
    if errors and not options.partial:
        return result
    with transaction.atomic():
        result.counts = _write(valid, path, options)
        result.written = not options.dry_run
        if options.dry_run:
            transaction.set_rollback(True)
    return result


def _write(rows: list[AccountRow], path: Path, options: ImportOptions) -> dict[str, int]:
    now = timezone.now()
    today = timezone.localdate()
    counts = dict.fromkeys(
        [
            "customers_created",
            "customers_updated",
            "contact_points_created",
            "consents_recorded",
            "accounts_created",
            "accounts_adjusted",
            "accounts_unchanged",
        ],
        0,
    )
    audits = []
    customers = _write_customers(rows, path, options, now, counts, audits)
    _write_contact_points(rows, customers, path, options, now, counts, audits)
    _write_accounts(rows, customers, path, options, now, today, counts, audits)
    from ..models import AuditLog

    AuditLog.objects.bulk_create(audits, batch_size=BATCH)
    return counts


def _customer_values(row: AccountRow) -> dict[str, object]:
    return {
        "kind": row.kind,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "company_name": row.company_name,
        "date_of_birth": row.date_of_birth,
        "country": row.country,
        "region": row.region,
        "timezone": row.timezone,
        "language": row.language,
    }


def _write_customers(rows, path, options, now, counts, audits) -> dict[tuple[int, str], Customer]:
    first_rows: dict[tuple[int, str], AccountRow] = {}
    for row in rows:
        first_rows.setdefault((row.creditor.pk, row.customer_ref), row)
    customers: dict[tuple[int, str], Customer] = {}
    by_creditor: dict[int, list[str]] = {}
    for creditor_id, ref in first_rows:
        by_creditor.setdefault(creditor_id, []).append(ref)
    for creditor_id, refs in by_creditor.items():
        for chunk in chunks(refs):
            for customer in Customer.objects.filter(creditor_id=creditor_id, external_ref__in=chunk):
                customers[(creditor_id, customer.external_ref)] = customer
    new, changed = [], []
    for key, row in first_rows.items():
        values = _customer_values(row)
        customer = customers.get(key)
        if customer is None:
            customer = Customer(creditor=row.creditor, external_ref=row.customer_ref, **values)
            customers[key] = customer
            new.append(customer)
            continue
        diff = {
            k: [str(getattr(customer, k) or ""), str(v or "")]
            for k, v in values.items()
            if getattr(customer, k) != v
        }
        if diff:
            for name, value in values.items():
                setattr(customer, name, value)
            changed.append(customer)
            audits.append(
                audit(
                    options.actor,
                    "import_update_customer",
                    customer,
                    f"Customer details updated from {path.name} ({', '.join(diff)})",
                    customer=customer,
                    changes={"fields": diff, "source": source_label(path, row.line)},
                    at=now,
                    save=False,
                )
            )
    Customer.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        Customer.objects.bulk_update(changed, [*_customer_values(rows[0]), "updated_at"], batch_size=BATCH)
    counts["customers_created"] = len(new)
    counts["customers_updated"] = len(changed)
    return customers


def _contact_points_of(row: AccountRow) -> list[tuple[str, str, dict, bool | None]]:
    points = []
    if row.email:
        points.append((ContactKind.EMAIL, row.email, {}, row.email_consent))
    if row.mobile:
        points.append((ContactKind.MOBILE, row.mobile, {}, row.sms_consent))
    if row.landline:
        points.append((ContactKind.LANDLINE, row.landline, {}, None))
    if row.address:
        one_line = ", ".join(v for k, v in row.address.items() if v and k != "country")
        points.append((ContactKind.POSTAL, f"{one_line}, {row.address['country']}"[:320], row.address, None))
    return points


def _write_contact_points(rows, customers, path, options, now, counts, audits) -> None:
    customer_ids = [c.pk for c in customers.values()]
    existing: dict[tuple[int, str, str], ContactPoint] = {}
    for chunk in chunks(customer_ids):
        for point in ContactPoint.objects.filter(customer_id__in=chunk):
            existing[(point.customer_id, point.kind, point.value)] = point
    new: list[ContactPoint] = []
    consent_changed: list[ContactPoint] = []
    for row in rows:
        customer = customers[(row.creditor.pk, row.customer_ref)]
        for kind, value, address, consent in _contact_points_of(row):
            key = (customer.pk, kind, value)
            point = existing.get(key)
            if point is None:
                point = ContactPoint(customer=customer, kind=kind, value=value, address=address, consents={})
                existing[key] = point
                new.append(point)
            if consent is None:
                continue
            state = ConsentState.GRANTED if consent else ConsentState.REVOKED
            if point.consent(ContactUse.COLLECTION) == state:
                continue
            point.consents = {
                **point.consents,
                ContactUse.COLLECTION: {
                    "state": state,
                    "source": source_label(path, row.line),
                    "at": now.isoformat(),
                },
            }
            counts["consents_recorded"] += 1
            if point.pk is not None and point not in consent_changed:
                consent_changed.append(point)
            audits.append(
                audit(
                    options.actor,
                    "record_consent",
                    customer,
                    f"Consent to collection messages by {ContactKind(kind).label.lower()} "
                    f"{state} ({path.name})",
                    customer=customer,
                    changes={
                        "contact_point": value,
                        "use": ContactUse.COLLECTION,
                        "state": state,
                        "source": source_label(path, row.line),
                    },
                    at=now,
                    save=False,
                )
            )
    ContactPoint.objects.bulk_create(new, batch_size=BATCH)
    if consent_changed:
        ContactPoint.objects.bulk_update(consent_changed, ["consents"], batch_size=BATCH)
    counts["contact_points_created"] = len(new)


def _opening_entries(row: AccountRow, account: Account, path: Path, options, now) -> list[JournalEntry]:
    """The journal that reproduces the file's balance and itemisation.

    The principal is charged (the original amount when given) and anything already paid off it is
    posted the same day, before interest and fees exist, so it can only have reduced principal,
    whatever allocation order the creditor uses.
    """
    on = min(row.due_date, timezone.localdate())
    charged = row.original_amount if row.original_amount is not None else row.principal_owed
    paid_before = charged - row.principal_owed
    source = source_label(path, row.line)
    plan = [
        (EntryKind.CHARGE, charged, on - timedelta(days=1)),
        (EntryKind.PAYMENT, paid_before, on - timedelta(days=1)),
        (EntryKind.INTEREST, row.interest, on),
        (EntryKind.FEE, row.fees, on),
    ]
    return [
        JournalEntry(
            creditor=row.creditor,
            account=account,
            kind=kind,
            amount=amount,
            effective_on=effective,
            source=source if kind is not EntryKind.PAYMENT else f"{source}: paid before import",
            recorded_at=now,
            recorded_by=options.actor,
        )
        for kind, amount, effective in plan
        if amount > 0
    ]


def _write_accounts(rows, customers, path, options, now, today, counts, audits) -> None:
    existing = _existing_accounts(rows)
    schedules: dict[int, list[ScheduleItem]] = {}
    for chunk in chunks([a.pk for a in existing.values()]):
        for item in ScheduleItem.objects.filter(account_id__in=chunk):
            schedules.setdefault(item.account_id, []).append(item)
    new_accounts: list[tuple[AccountRow, Account]] = []
    journal: list[JournalEntry] = []
    schedule: list[ScheduleItem] = []
    adjusted: list[Account] = []
    replace_schedule: list[Account] = []
    for row in rows:
        account = existing.get((row.creditor.pk, row.account_ref))
        customer = customers[(row.creditor.pk, row.customer_ref)]
        if account is None:
            status = automatic_status(AccountStatus.CURRENT, row.balance, row.due_date, today)
            account = Account(
                creditor=row.creditor,
                external_ref=row.account_ref,
                customer=customer,
                currency=row.currency,
                status=status,
                balance=row.balance,
            )
            new_accounts.append((row, account))
            continue
        change = row.balance - account.balance
        # The file carries one due date; an instalment plan agreed since is not overwritten by it.
        current = schedules.get(account.pk, [])
        due_changed = len(current) <= 1 and (
            [(i.due_on, i.amount) for i in current]
            != ([(row.due_date, row.balance)] if row.balance > 0 else [])
        )
        if change == 0 and not due_changed:
            counts["accounts_unchanged"] += 1
            continue
        if change:
            journal.append(
                JournalEntry(
                    creditor=row.creditor,
                    account=account,
                    kind=EntryKind.ADJUSTMENT,
                    amount=change,
                    effective_on=today,
                    source=source_label(path, row.line),
                    recorded_at=now,
                    recorded_by=options.actor,
                )
            )
        before = account.balance
        account.balance = row.balance
        account.status = automatic_status(account.status, row.balance, row.due_date, today)
        adjusted.append(account)
        if due_changed:
            replace_schedule.append(account)
            if row.balance > 0:
                schedule.append(ScheduleItem(account=account, due_on=row.due_date, amount=row.balance))
        audits.append(
            audit(
                options.actor,
                "import_adjust_account",
                account,
                f"Balance of {account.external_ref} "
                + (f"adjusted by {Money(change, account.currency)}" if change else "unchanged")
                + f", due {row.due_date} ({path.name})",
                customer=customer,
                account=account,
                at=now,
                save=False,
                changes={
                    "balance": [str(before), str(row.balance)],
                    "due_date": str(row.due_date),
                    "source": source_label(path, row.line),
                },
            )
        )
    Account.objects.bulk_create([a for _, a in new_accounts], batch_size=BATCH)
    for row, account in new_accounts:
        journal.extend(_opening_entries(row, account, path, options, now))
        if row.balance > 0:
            schedule.append(ScheduleItem(account=account, due_on=row.due_date, amount=row.balance))
        audits.append(
            audit(
                options.actor,
                "import_account",
                account,
                f"Account {account.external_ref} imported from {path.name}: "
                f"{Money(row.balance, row.currency)} due {row.due_date}",
                customer=account.customer,
                account=account,
                at=now,
                save=False,
                changes={
                    "balance": str(row.balance),
                    "due_date": str(row.due_date),
                    "source": source_label(path, row.line),
                },
            )
        )
    if adjusted:
        for account in adjusted:
            account.updated_at = now
        Account.objects.bulk_update(adjusted, ["balance", "status", "updated_at"], batch_size=BATCH)
    for chunk in chunks([a.pk for a in replace_schedule]):
        ScheduleItem.objects.filter(account_id__in=chunk).delete()
    JournalEntry.objects.bulk_create(journal, batch_size=BATCH)
    ScheduleItem.objects.bulk_create(schedule, batch_size=BATCH)
    counts["accounts_created"] = len(new_accounts)
    counts["accounts_adjusted"] = len(adjusted)
