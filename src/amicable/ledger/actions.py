"""Named actions: the only code that changes the ledger.

Each action runs in one transaction, writes one audit row (which puts it on the customer's
timeline), and is called the same way from the admin, the command line, imports and later the API.
`actor` says who or what acted: "user:alice", "system:import", "cli:root".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit
from .balance import EntryKind, Itemisation, check_entry, itemise
from .importing.fields import FieldError, parse_language
from .models import (
    Account,
    AccountStatus,
    ConsentState,
    ContactPoint,
    ContactUse,
    Creditor,
    CreditorRole,
    Customer,
    Hold,
    HoldKind,
    JournalEntry,
)
from .money import Money, MoneyError, check_currency, round_amount
from .status import derive_status


class ActionError(ValueError):
    """An action asked for something the ledger cannot do; nothing was changed. `field` names the
    input at fault, when one is (the API reports it)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def itemisation(account: Account) -> Itemisation:
    """The account's balance and its parts, derived from the journal."""
    entries = [e.as_entry() for e in account.journal.all()]
    return itemise(entries, account.currency, account.creditor.allocation_order)


def _refresh(account: Account, today: date) -> tuple[Decimal, str]:
    balance = itemisation(account).balance.amount
    status = derive_status(account.status, balance, account.schedule.values_list("due_on", "amount"), today)
    Account.objects.filter(pk=account.pk).update(balance=balance, status=status, updated_at=timezone.now())
    account.balance, account.status = balance, status
    return balance, status


@transaction.atomic
def create_creditor(name: str, *, role: str = CreditorRole.CREDITOR, actor: str, **details) -> Creditor:
    name = name.strip()
    if not name:
        raise ActionError("a creditor needs a name")
    if role not in CreditorRole.values:
        raise ActionError(f"role {role!r}: expected one of {', '.join(CreditorRole.values)}")
    if Creditor.objects.filter(name=name).exists():
        raise ActionError(f"a creditor named {name!r} already exists")
    creditor = Creditor.objects.create(name=name, role=role, **details)
    audit(actor, "create_creditor", creditor, f"Creditor {name} added ({role})", changes={"role": role})
    return creditor


@transaction.atomic
def post_entry(
    account: Account,
    kind: EntryKind | str,
    amount: Decimal,
    effective_on: date,
    *,
    source: str,
    actor: str,
    external_ref: str = "",
    note: str = "",
) -> JournalEntry:
    """Append one journal entry, then re-derive the balance and the automatic status."""
    kind = EntryKind(kind)
    amount = round_amount(amount, account.currency)
    try:
        check_entry(kind, amount)
    except ValueError as error:
        raise ActionError(str(error)) from None
    account = Account.objects.select_for_update().select_related("creditor").get(pk=account.pk)
    entry = JournalEntry.objects.create(
        creditor_id=account.creditor_id,
        account=account,
        kind=kind,
        amount=amount,
        effective_on=effective_on,
        source=source,
        external_ref=external_ref,
        recorded_at=timezone.now(),
        recorded_by=actor,
    )
    before = account.balance
    balance, status = _refresh(account, timezone.localdate())
    money = Money(amount, account.currency)
    audit(
        actor,
        f"post_{kind}",
        entry,
        f"{kind.replace('_', ' ').capitalize()} of {money} on {account.external_ref}"
        + (f": {note}" if note else ""),
        customer=account.customer,
        account=account,
        changes={"balance": [str(before), str(balance)], "status": status, "source": source},
    )
    return entry


def record_payment(
    account: Account,
    amount: Decimal,
    paid_on: date,
    *,
    currency: str,
    payment_ref: str,
    source: str,
    actor: str,
) -> tuple[JournalEntry, bool]:
    """Post a payment once per payment_ref; returns (entry, created). A repeat changes nothing.

    The account row is locked first, so two deliveries of the same payment (a webhook retried while
    the first is still being handled) cannot both post it.
    """
    if check_currency(currency) != account.currency:
        raise ActionError(f"payment in {currency} on an account kept in {account.currency}")
    if not payment_ref:
        raise ActionError("a payment needs a payment_ref so it can never be posted twice")
    try:
        with transaction.atomic():
            Account.objects.select_for_update().filter(pk=account.pk).first()
            existing = JournalEntry.objects.filter(
                creditor_id=account.creditor_id, external_ref=payment_ref
            ).first()
            if existing is not None:
                if existing.account_id != account.pk or existing.amount != round_amount(
                    amount, account.currency
                ):
                    raise ActionError(f"payment_ref {payment_ref!r} was already used for a different payment")
                return existing, False
            entry = post_entry(
                account,
                EntryKind.PAYMENT,
                amount,
                paid_on,
                source=source,
                actor=actor,
                external_ref=payment_ref,
            )
            return entry, True
    except IntegrityError:
        # The same reference posted at the same moment to another account of this creditor.
        raise ActionError(f"payment_ref {payment_ref!r} was already used for a different payment") from None


@transaction.atomic
def set_account_status(account: Account, status: str, *, reason: str, actor: str) -> Account:
    if status not in AccountStatus.values:
        raise ActionError(f"status {status!r}: expected one of {', '.join(AccountStatus.values)}")
    before = Account.objects.select_for_update().values_list("status", flat=True).get(pk=account.pk)
    Account.objects.filter(pk=account.pk).update(status=status, updated_at=timezone.now())
    account.status = status
    audit(
        actor,
        "set_account_status",
        account,
        f"{account.external_ref} is now {AccountStatus(status).label.lower()}: {reason}",
        customer=account.customer,
        account=account,
        changes={"status": [before, status], "reason": reason},
    )
    return account


@transaction.atomic
def place_hold(
    customer: Customer,
    kind: str,
    *,
    source: str,
    actor: str,
    account: Account | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    note: str = "",
) -> Hold:
    if kind not in HoldKind.values:
        raise ActionError(f"hold kind {kind!r}: expected one of {', '.join(HoldKind.values)}")
    if account is not None and account.customer_id != customer.pk:
        raise ActionError(f"account {account.external_ref} does not belong to {customer}")
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise ActionError("a hold must end after it starts")
    hold = Hold.objects.create(
        customer=customer,
        account=account,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
        note=note,
    )
    changes = {"kind": kind, "starts_at": starts_at.isoformat(), "ends_at": ends_at and ends_at.isoformat()}
    if kind == HoldKind.DISPUTE and account is not None and starts_at <= timezone.now():
        # A disputed debt is marked so in the same action, so no caller can forget to.
        before = Account.objects.select_for_update().values_list("status", flat=True).get(pk=account.pk)
        Account.objects.filter(pk=account.pk).update(status=AccountStatus.DISPUTED, updated_at=timezone.now())
        account.status = AccountStatus.DISPUTED
        changes["account_status"] = [before, AccountStatus.DISPUTED]
    scope = account.external_ref if account else "all accounts"
    audit(
        actor,
        "place_hold",
        hold,
        f"{HoldKind(kind).label} hold placed on {scope}",
        customer=customer,
        account=account,
        changes=changes,
    )
    return hold


@transaction.atomic
def end_hold(hold: Hold, *, actor: str, at: datetime | None = None, reason: str = "") -> Hold:
    at = at or timezone.now()
    if hold.ends_at is not None and hold.ends_at <= at:
        raise ActionError("this hold has already ended")
    if at <= hold.starts_at:
        raise ActionError("a hold cannot end before it starts")
    Hold.objects.filter(pk=hold.pk).update(ends_at=at)
    hold.ends_at = at
    changes = {"ends_at": at.isoformat(), "reason": reason}
    account = hold.account
    if hold.kind == HoldKind.DISPUTE and account is not None and account.status == AccountStatus.DISPUTED:
        # The dispute is over: the account takes the status its balance and schedule give it.
        account.status = AccountStatus.CURRENT
        _, status = _refresh(account, timezone.localdate())
        changes["account_status"] = [AccountStatus.DISPUTED, status]
    audit(
        actor,
        "end_hold",
        hold,
        f"{hold.get_kind_display()} hold ended" + (f": {reason}" if reason else ""),
        customer=hold.customer,
        account=account,
        changes=changes,
    )
    return hold


@transaction.atomic
def record_consent(
    point: ContactPoint, use: str, state: str, *, source: str, actor: str, at: datetime | None = None
) -> ContactPoint:
    """Record a consent decision for one use of one contact point, with where it came from.

    `at` is when the customer gave or withdrew it (default now); the audit row is dated when it was
    recorded, so a consent entered late is not filed in the past.
    """
    if use not in ContactUse.values:
        raise ActionError(f"consent use {use!r}: expected one of {', '.join(ContactUse.values)}")
    if state not in ConsentState.values:
        raise ActionError(f"consent state {state!r}: expected one of {', '.join(ConsentState.values)}")
    if use == ContactUse.MARKETING and state == ConsentState.GRANTED and not actor.startswith("customer:"):
        # Newsletters are the customer's own choice: no import, integration or member of staff opts
        # anyone in. Actions the customer takes themselves (a form, a link) act as "customer:...".
        raise ActionError("marketing consent can only be given by the customer themselves", field="marketing")
    at = at or timezone.now()
    point = ContactPoint.objects.select_for_update().get(pk=point.pk)
    before = point.consent(use)
    point.consents = {**point.consents, use: {"state": state, "source": source, "at": at.isoformat()}}
    point.save(update_fields=["consents"])
    audit(
        actor,
        "record_consent",
        point,
        f"Consent for {use} by {point.get_kind_display().lower()} is now {state}",
        customer=point.customer,
        changes={"use": use, "state": [before, state], "source": source, "given_at": at.isoformat()},
    )
    return point


@transaction.atomic
def mark_contact_point_invalid(point: ContactPoint, *, reason: str, actor: str) -> ContactPoint:
    ContactPoint.objects.filter(pk=point.pk).update(invalid=True, invalid_reason=reason[:200])
    point.invalid, point.invalid_reason = True, reason[:200]
    audit(
        actor,
        "mark_contact_point_invalid",
        point,
        f"{point} marked invalid: {reason}",
        customer=point.customer,
        changes={"reason": reason},
    )
    return point


@transaction.atomic
def set_schedule(
    account: Account, instalments: list[tuple[date, Decimal]], *, reason: str, actor: str
) -> Account:
    """Replace when the account's amounts fall due: one date, or a list of instalments."""
    from .models import ScheduleItem

    if not instalments:
        raise ActionError("a schedule needs at least one due date")
    dates = [due for due, _ in instalments]
    if len(set(dates)) != len(dates):
        raise ActionError("two instalments fall on the same day")
    rounded = [(due, round_amount(amount, account.currency)) for due, amount in instalments]
    if any(amount <= 0 for _, amount in rounded):
        raise ActionError("every instalment must be more than zero")
    account = Account.objects.select_for_update().select_related("creditor", "customer").get(pk=account.pk)
    before = [(str(i.due_on), str(i.amount)) for i in account.schedule.all()]
    account.schedule.all().delete()
    ScheduleItem.objects.bulk_create(ScheduleItem(account=account, due_on=d, amount=a) for d, a in rounded)
    _refresh(account, timezone.localdate())
    total = Money(sum((a for _, a in rounded), Decimal(0)), account.currency)
    audit(
        actor,
        "set_schedule",
        account,
        f"{account.external_ref}: {len(rounded)} instalment(s) totalling {total}, "
        f"first due {min(dates)}: {reason}",
        customer=account.customer,
        account=account,
        changes={"before": before, "after": [(str(d), str(a)) for d, a in rounded], "reason": reason},
    )
    return account


@transaction.atomic
def set_contact_preferences(
    customer: Customer,
    *,
    channel_order: list[str],
    inconvenient_times: list[dict[str, str]],
    source: str,
    actor: str,
    language: str | None = None,
) -> Customer:
    """What the customer asked for: channels in order of preference, times not to be contacted, and
    (when given) the language to write to them in."""
    known = {"email", "sms", "call", "letter"}
    unknown = [c for c in channel_order if c not in known]
    if unknown:
        raise ActionError(f"unknown channel(s) {', '.join(unknown)}: expected {', '.join(sorted(known))}")
    for window in inconvenient_times:
        if set(window) != {"from", "to"} or not all(_is_hhmm(window[k]) for k in ("from", "to")):
            raise ActionError(f"inconvenient time {window!r}: expected {{'from': 'HH:MM', 'to': 'HH:MM'}}")
    if language is not None:
        try:
            parse_language(language)
        except FieldError as error:
            raise ActionError(f"language {language!r}: {error}", field="language") from None
    before = {"channel_order": customer.channel_order, "inconvenient_times": customer.inconvenient_times}
    after = {"channel_order": channel_order, "inconvenient_times": inconvenient_times}
    if language is not None:
        before["language"], after["language"] = customer.language, language
    Customer.objects.filter(pk=customer.pk).update(**after, updated_at=timezone.now())
    customer.channel_order, customer.inconvenient_times = channel_order, inconvenient_times
    customer.language = language if language is not None else customer.language
    audit(
        actor,
        "set_contact_preferences",
        customer,
        f"Contact preferences updated ({source})",
        customer=customer,
        changes={"before": before, "after": after, "source": source},
    )
    return customer


_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _is_hhmm(value: object) -> bool:
    return isinstance(value, str) and _HHMM.fullmatch(value) is not None


__all__ = [
    "ActionError",
    "MoneyError",
    "create_creditor",
    "end_hold",
    "itemisation",
    "mark_contact_point_invalid",
    "place_hold",
    "post_entry",
    "record_consent",
    "record_payment",
    "set_account_status",
    "set_contact_preferences",
    "set_schedule",
]
