"""Named actions that bring one customer, or one account, to what the creditor's own system says:
`upsert_customer` and `upsert_account`, used by the REST API.

They do for one record what a row of an accounts import does for many (importing/accounts_write.py),
with the same rules, so a record looks the same whichever way it arrived:

- customers and accounts are identified per creditor by the creditor's reference;
- customer details are replaced by the ones given, each change audited; contact points are added
  when new and never removed (they carry the consent history); a consent is recorded only when it
  changes;
- a new account's journal reproduces its itemisation (principal charged, paid before, interest, fees);
- a balance is news only when it differs from the last one the creditor stated: then one adjustment
  entry brings the ledger to it, never an overwrite, so payments posted meanwhile are not undone;
- a changed due date replaces a single-date schedule; an instalment plan agreed since is kept.

Each runs in one transaction and writes one audit row when it changes something (none when it
changes nothing, so a nightly sync that re-sends everything leaves the timeline readable). Values are
parsed and checked by the caller (amicable.ledger.importing.fields); these check what needs the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .actions import ActionError, itemisation, record_consent
from .audit import audit
from .balance import EntryKind
from .importing.accounts_write import CUSTOMER_FIELDS, _contact_points_of
from .models import (
    Account,
    AccountStatus,
    ConsentState,
    ContactKind,
    ContactPoint,
    ContactUse,
    Creditor,
    Customer,
    JournalEntry,
    ScheduleItem,
)
from .money import ZERO, Money, round_amount
from .opening import opening_entries
from .status import CURRENT, derive_status


class UpsertError(ActionError):
    """What the ledger refuses, naming the field at fault; nothing was changed."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """A customer as the creditor describes them: the import's customer columns, parsed."""

    kind: str
    first_name: str
    last_name: str
    company_name: str
    date_of_birth: date | None
    country: str
    region: str
    timezone: str
    language: str
    email: str = ""
    mobile: str = ""
    landline: str = ""
    address: dict[str, str] | None = None  # line1, line2, city, region, postcode, country
    email_consent: bool | None = None  # None: leave what is recorded alone
    sms_consent: bool | None = None


@dataclass(frozen=True, slots=True)
class AccountDetails:
    """An account as the creditor describes it: the import's account columns, parsed.

    Either `due_date` (the whole balance falls due that day) or `instalments` is given.
    """

    currency: str
    balance: Decimal
    due_date: date | None = None
    instalments: tuple[tuple[date, Decimal], ...] | None = None
    original_amount: Decimal | None = None
    fees: Decimal = ZERO
    interest: Decimal = ZERO
    product_type: str = ""
    opened_on: date | None = None
    charged_off_on: date | None = None
    statute_of_limitations_on: date | None = None

    @property
    def principal_owed(self) -> Decimal:
        return self.balance - self.fees - self.interest

    def wanted_schedule(self) -> list[tuple[date, Decimal]]:
        if self.instalments is not None:
            return sorted(self.instalments)
        return [(self.due_date, self.balance)] if self.balance > 0 else []

    @property
    def first_due(self) -> date:
        schedule = self.wanted_schedule()
        return schedule[0][0] if schedule else self.due_date


ACCOUNT_FIELDS = ("product_type", "opened_on", "charged_off_on", "statute_of_limitations_on")


@transaction.atomic
def upsert_customer(
    creditor: Creditor, customer_ref: str, details: CustomerDetails, *, source: str, actor: str
) -> tuple[Customer, bool]:
    """Create or update the creditor's customer `customer_ref`; returns (customer, created)."""
    if not customer_ref:
        raise UpsertError("customer_ref", "required")
    values = {name: getattr(details, name) for name in CUSTOMER_FIELDS}
    customer = (
        Customer.objects.select_for_update().filter(creditor=creditor, external_ref=customer_ref).first()
    )
    created = customer is None
    diff: dict[str, list[str]] = {}
    if customer is None:
        customer = Customer.objects.create(creditor=creditor, external_ref=customer_ref, **values)
    else:
        diff = {
            name: [str(getattr(customer, name) or ""), str(value or "")]
            for name, value in values.items()
            if getattr(customer, name) != value
        }
        if diff:
            for name in diff:
                setattr(customer, name, values[name])
            customer.save(update_fields=[*diff, "updated_at"])

    existing = {(p.kind, p.value): p for p in ContactPoint.objects.filter(customer=customer)}
    added: list[str] = []
    consents: list[tuple[ContactPoint, str]] = []
    for kind, value, address, consent in _contact_points_of(details):
        point = existing.get((kind, value))
        if point is None:
            point = ContactPoint.objects.create(customer=customer, kind=kind, value=value, address=address)
            existing[(kind, value)] = point
            added.append(f"{ContactKind(kind).label.lower()} {value}")
        if consent is not None:
            state = ConsentState.GRANTED if consent else ConsentState.REVOKED
            if point.consent(ContactUse.COLLECTION) != state:
                consents.append((point, state))

    if created or diff or added:
        what = [*diff, *(["contact points"] if added else [])]
        summary = f"Customer {customer_ref} " + ("added" if created else f"updated ({', '.join(what)})")
        audit(
            actor,
            "upsert_customer",
            customer,
            summary + (f": {'; '.join(added)} added" if added else "") + f" ({source})",
            customer=customer,
            changes={"created": created, "fields": diff, "contact_points_added": added, "source": source},
        )
    # Consent goes through its own action: each decision is evidence, with its own row and source.
    for point, state in consents:
        record_consent(point, ContactUse.COLLECTION, state, source=source, actor=actor)
    return customer, created


@transaction.atomic
def upsert_account(
    customer: Customer, account_ref: str, details: AccountDetails, *, source: str, actor: str
) -> tuple[Account, bool]:
    """Create or update the account `account_ref` of the customer's creditor; returns (account, created).

    `source` says where the values came from (a journal entry's source column is 200 characters).
    """
    if not account_ref:
        raise UpsertError("account_ref", "required")
    _check(details)
    # of=("self",): lock the account row only; PostgreSQL would otherwise lock the creditor's row too,
    # and every write for that creditor would queue behind this one.
    account = (
        Account.objects.select_for_update(of=("self",))
        .select_related("creditor", "customer")
        .filter(creditor_id=customer.creditor_id, external_ref=account_ref)
        .first()
    )
    if account is None:
        return _create_account(customer, account_ref, details, source=source, actor=actor), True
    return _update_account(account, customer, details, source=source, actor=actor), False


def _check(details: AccountDetails) -> None:
    if (details.due_date is None) == (details.instalments is None):
        raise UpsertError("due_date", "give a due_date or a schedule of instalments (one, not both)")
    if details.instalments is not None:
        total = sum((amount for _, amount in details.instalments), ZERO)
        if total != details.balance:
            raise UpsertError(
                "schedule", f"the instalments total {total}, the balance is {details.balance}", str(total)
            )
    if details.fees + details.interest > details.balance:
        raise UpsertError(
            "fees", f"fees {details.fees} + interest {details.interest} exceed the balance {details.balance}"
        )


def _create_account(
    customer: Customer, account_ref: str, details: AccountDetails, *, source: str, actor: str
) -> Account:
    today, now = timezone.localdate(), timezone.now()
    account = Account.objects.create(
        creditor_id=customer.creditor_id,
        external_ref=account_ref,
        customer=customer,
        currency=details.currency,
        imported_balance=details.balance,
        **{name: getattr(details, name) for name in ACCOUNT_FIELDS},
    )
    entries = opening_entries(
        principal_owed=details.principal_owed,
        original_amount=details.original_amount,
        interest=details.interest,
        fees=details.fees,
        first_due=details.first_due,
        today=today,
    )
    JournalEntry.objects.bulk_create(
        JournalEntry(
            creditor_id=customer.creditor_id,
            account=account,
            kind=kind,
            amount=amount,
            effective_on=effective,
            source=(f"{source}: {note}" if note else source)[:200],
            recorded_at=now,
            recorded_by=actor,
        )
        for kind, amount, effective, note in entries
    )
    schedule = details.wanted_schedule()
    ScheduleItem.objects.bulk_create(ScheduleItem(account=account, due_on=d, amount=a) for d, a in schedule)
    balance = _rederive(account, CURRENT, schedule, today)
    money = Money(round_amount(balance, account.currency), account.currency)
    audit(
        actor,
        "upsert_account",
        account,
        f"Account {account_ref} added: {money} due {details.first_due} ({source})",
        customer=customer,
        account=account,
        changes={
            "created": True,
            "balance": str(money.amount),
            "schedule": [(str(d), str(a)) for d, a in schedule],
            "source": source,
        },
    )
    return account


def _update_account(
    account: Account, customer: Customer, details: AccountDetails, *, source: str, actor: str
) -> Account:
    if account.customer_id != customer.pk:
        raise UpsertError(
            "customer_ref",
            f"account {account.external_ref} belongs to customer {account.customer.external_ref}",
            customer.external_ref,
        )
    if account.currency != details.currency:
        raise UpsertError(
            "currency", f"account {account.external_ref} is kept in {account.currency}", details.currency
        )
    today, now = timezone.localdate(), timezone.now()
    changes: dict[str, object] = {}

    fields = {
        name: [str(getattr(account, name) or ""), str(getattr(details, name) or "")]
        for name in ACCOUNT_FIELDS
        if getattr(account, name) != getattr(details, name)
    }
    if fields:
        changes["fields"] = fields
        for name in fields:
            setattr(account, name, getattr(details, name))
        account.save(update_fields=[*fields, "updated_at"])

    # News only when it differs from the balance the creditor last stated: re-sending last week's
    # figure after payments were posted here must not undo them.
    before = account.balance
    if details.balance != account.imported_balance:
        change = details.balance - account.balance
        if change:
            JournalEntry.objects.create(
                creditor_id=account.creditor_id,
                account=account,
                kind=EntryKind.ADJUSTMENT,
                amount=change,
                effective_on=today,
                source=source[:200],
                recorded_at=now,
                recorded_by=actor,
            )
        Account.objects.filter(pk=account.pk).update(imported_balance=details.balance)
        changes["stated_balance"] = [
            _text(account.imported_balance, account),
            _text(details.balance, account),
        ]

    current = sorted(account.schedule.values_list("due_on", "amount"))
    wanted = details.wanted_schedule()
    if details.instalments is not None:
        replace = current != wanted
        if replace and account.status == AccountStatus.IN_ARRANGEMENT:
            raise UpsertError(
                "schedule",
                f"account {account.external_ref} is in an arrangement agreed with the customer; "
                "its schedule is kept",
            )
    else:
        replace = len(current) <= 1 and current != wanted  # an instalment plan agreed since is kept
    if replace:
        account.schedule.all().delete()
        ScheduleItem.objects.bulk_create(ScheduleItem(account=account, due_on=d, amount=a) for d, a in wanted)
        changes["schedule"] = [[(str(d), str(a)) for d, a in current], [(str(d), str(a)) for d, a in wanted]]

    if not changes:
        return account
    balance = _rederive(account, account.status, wanted if replace else current, today)
    changes["balance"] = [_text(before, account), _text(balance, account)]
    changes["source"] = source
    audit(
        actor,
        "upsert_account",
        account,
        f"Account {account.external_ref} updated ({', '.join(k for k in changes if k != 'source')}): "
        f"balance {Money(round_amount(balance, account.currency), account.currency)} ({source})",
        customer=account.customer,
        account=account,
        changes=changes,
    )
    return account


def _rederive(account: Account, status: str, schedule, today: date) -> Decimal:
    """The balance from the journal and the status it gives, stored on the account."""
    balance = itemisation(account).balance.amount
    status = derive_status(status, balance, schedule, today)
    Account.objects.filter(pk=account.pk).update(balance=balance, status=status, updated_at=timezone.now())
    account.balance, account.status = balance, status
    return balance


def _text(amount: Decimal | None, account: Account) -> str:
    return "" if amount is None else str(round_amount(amount, account.currency))


__all__ = ["AccountDetails", "CustomerDetails", "UpsertError", "upsert_account", "upsert_customer"]
