"""`amicable import accounts`: customers, contact points and accounts from a CSV file.

Every row is validated before anything is written. By default one bad row means nothing is written;
with --partial the good rows are written and the bad ones reported. Writing happens in one
transaction, so a failure half-way leaves the database as it was. Re-importing a file is idempotent:
accounts are matched on creditor + account_ref, and a changed balance is journalled as an adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..jurisdictions import AmbiguousTimezone, derive_timezone
from ..models import (
    Account,
    CustomerKind,
)
from ..money import ZERO
from ..opening import amounts_problem
from . import fields as f
from .accounts_write import CUSTOMER_FIELDS, AccountWriter
from .common import (
    CreditorResolver,
    ImportOptions,
    ImportResult,
    RowParser,
    Step,
    by_creditor,
    check_header,
    no_step,
    read_rows,
)
from .csvfile import CsvRow, read_csv
from .errors import ImportConflict, RowError
from .parallel import parse_rows

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


@dataclass(slots=True)
class AccountRow:
    line: int
    creditor_id: int
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


def parse_account_row(
    row: CsvRow, creditor_id: int | None, options: ImportOptions, errors: list[RowError]
) -> AccountRow | None:
    p = RowParser(row, errors)
    account_ref = p.get("account_ref", f.text(100), required=True, default="")
    customer_ref = p.get("customer_ref", f.text(100), required=True, default="")
    kind = p.get("customer_type", f.parse_choice, tuple(CustomerKind.values), default=CustomerKind.PERSON)
    first_name = p.get("first_name", f.text(100), default="")
    last_name = p.get("last_name", f.text(100), default="")
    company_name = p.get("company_name", f.text(200), default="")
    if kind == CustomerKind.PERSON and not (p.raw("first_name") or p.raw("last_name")):
        p.error("last_name", "a person needs a first_name or last_name")
    if kind == CustomerKind.BUSINESS and not p.raw("company_name"):
        p.error("company_name", "a business needs a company_name")
    date_of_birth = p.get("date_of_birth", f.parse_date)
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        p.error("date_of_birth", "must be in the past")
    country = p.get("country", f.parse_country, required=True)
    region = p.get("region", f.parse_region, country, default="")
    region_ok = bool(region) or not p.raw("region")
    tz = p.get("timezone", f.parse_timezone)
    # A time zone is derived only from a good country and region; a bad one is reported once, above.
    if tz is None and country and region_ok and not p.raw("timezone"):
        try:
            tz = derive_timezone(country, region)
        except AmbiguousTimezone as error:
            p.error("timezone", str(error))
    language = p.get("language", f.parse_language, default=settings.DEFAULT_LANGUAGE)
    email = p.get("email", f.parse_email, default="")
    mobile = p.get("mobile", f.parse_phone, country, default="")
    landline = p.get("landline", f.parse_phone, country, default="")
    address = None
    if any(p.raw(c) for c in ("address_line1", "address_line2", "city", "postcode")):
        if not p.raw("address_line1"):
            p.error("address_line1", "required when any other part of the address is given")
        address = {
            "line1": p.get("address_line1", f.text(200), default=""),
            "line2": p.get("address_line2", f.text(200), default=""),
            "city": p.get("city", f.text(100), default=""),
            "region": region,
            "postcode": p.get("postcode", f.text(20), default=""),
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
        problem = amounts_problem(balance, fees, interest, original)
        if problem:
            p.error(*problem)
    email_consent = p.get("email_consent", f.parse_yes_no)
    sms_consent = p.get("sms_consent", f.parse_yes_no)
    if email_consent is not None and not email and not p.raw("email"):
        p.error("email_consent", "given for a row with no email")
    if sms_consent is not None and not mobile and not p.raw("mobile"):
        p.error("sms_consent", "given for a row with no mobile")
    if p.failed or creditor_id is None or row.extra:
        return None
    return AccountRow(
        line=row.line,
        creditor_id=creditor_id,
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
        key = (row.creditor_id, row.account_ref)
        if key in first_account:
            errors.append(
                RowError(row.line, "account_ref", row.account_ref, f"already on line {first_account[key]}")
            )
            bad.add(row.line)
        else:
            first_account[key] = row.line
        ckey = (row.creditor_id, row.customer_ref)
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


def _check_against_database(
    rows: list[AccountRow], existing: dict[tuple[int, str], ExistingAccount], errors: list[RowError]
) -> list[AccountRow]:
    """An existing account must keep its customer and its currency."""
    bad: set[int] = set()
    for row in rows:
        account = existing.get((row.creditor_id, row.account_ref))
        if account is None:
            continue
        if account.customer_ref != row.customer_ref:
            errors.append(
                RowError(
                    row.line,
                    "customer_ref",
                    row.customer_ref,
                    f"account {row.account_ref} belongs to customer {account.customer_ref}",
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


@dataclass(slots=True)
class ExistingAccount:
    """What a re-import needs to know of an account already in the ledger (no model instances:
    building a hundred thousand of them costs more than the query)."""

    pk: int
    external_ref: str
    customer_id: int
    customer_ref: str
    currency: str
    balance: Decimal
    imported_balance: Decimal | None
    status: str


def _existing_accounts(rows: list[AccountRow], lock: bool = False) -> dict[tuple[int, str], ExistingAccount]:
    """The accounts the rows name that are already in the ledger; with lock, locked until commit."""
    found: dict[tuple[int, str], ExistingAccount] = {}
    columns = (
        "id",
        "external_ref",
        "customer_id",
        "customer__external_ref",
        "currency",
        "balance",
        "imported_balance",
        "status",
    )
    for creditor_id, refs in by_creditor((row.creditor_id, row.account_ref) for row in rows):
        query = Account.objects.filter(creditor_id=creditor_id, external_ref__in=refs)
        if lock:
            query = query.select_for_update(of=("self",)).order_by("pk")
        for values in query.values_list(*columns):
            found[(creditor_id, values[1])] = ExistingAccount(*values)
    return found


def import_accounts(path: Path, options: ImportOptions, step: Step = no_step) -> ImportResult:
    """Validate the whole file, then write it (or its valid rows with --partial) in one transaction.

    `step(name)` is called as each of IMPORT_STEPS stages starts, for a progress display.
    """
    step("reading")
    csv_file = read_csv(path)
    check_header(csv_file, COLUMNS, REQUIRED, options)
    resolver = CreditorResolver(options)
    result = ImportResult(kind="accounts", file=path.name, dry_run=options.dry_run)
    errors: list[RowError] = []
    pairs = []
    for row in read_rows(csv_file, errors):
        creditor = resolver.resolve(row, errors)
        pairs.append((row, creditor.pk if creditor else None))
    step("checking rows")
    parsed, parse_errors = parse_rows(parse_account_row, pairs, options)
    errors += parse_errors
    lines = {row.line for row, _ in pairs}
    del pairs, csv_file  # the raw rows are several times the size of the parsed ones
    step("checking the ledger")
    valid = _check_across_rows(parsed, errors)
    existing = _existing_accounts(valid)
    valid = _check_against_database(valid, existing, errors)
    result.record_checks(lines, errors)
    if errors and not options.partial:
        return result
    step("writing")
    try:
        with transaction.atomic():
            # Read again, locked: balances and statuses may have moved while the file was checked.
            locked = _existing_accounts(valid, lock=True)
            if locked.keys() != existing.keys() or _check_against_database(valid, locked, []) != valid:
                raise IntegrityError("accounts were added or changed during the import")
            result.counts = AccountWriter(valid, locked, path, options).run()
            result.written = not options.dry_run
            if options.dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        raise ImportConflict(path) from None
    return result
