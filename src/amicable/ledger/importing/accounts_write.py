"""Writing validated account rows: customers, contact points, accounts, journals, schedules, audit.

Called inside one transaction by accounts.import_accounts. New rows go in through bulk.insert_rows
(COPY on PostgreSQL) and their ids are read back by reference, because at a hundred thousand rows
the ORM's per-instance overhead is most of an import's time.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from ..audit import audit_row
from ..balance import EntryKind
from ..bulk import insert_rows, update_rows
from ..models import (
    Account,
    AuditLog,
    ConsentState,
    ContactKind,
    ContactPoint,
    ContactUse,
    Customer,
    JournalEntry,
    ScheduleItem,
)
from ..money import Money, round_amount
from ..opening import opening_entries
from ..status import CURRENT, derive_status
from .common import ImportOptions, by_creditor, chunks, source_label

Key = tuple[int, str]  # (creditor id, creditor's reference)

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


def ids_by_ref(model: type[Customer] | type[Account], keys: list[Key]) -> dict[Key, int]:
    """Ids of rows identified by (creditor, external_ref), fetched in chunks."""
    found: dict[Key, int] = {}
    for creditor_id, refs in by_creditor(keys):
        query = model.objects.filter(creditor_id=creditor_id, external_ref__in=refs)
        for ref, pk in query.values_list("external_ref", "id"):
            found[(creditor_id, ref)] = pk
    return found


class AccountWriter:
    def __init__(self, rows: list, existing_accounts: dict, path: Path, options: ImportOptions):
        self.rows = rows
        self.existing_accounts = existing_accounts
        self.path = path
        self.options = options
        self.now: datetime = timezone.now()
        self.today: date = timezone.localdate()
        self.audits: list[dict[str, Any]] = []
        self.counts = dict.fromkeys(
            [
                "customers_created",
                "customers_updated",
                "contact_points_created",
                "consents_recorded",
                "accounts_created",
                "accounts_adjusted",
                "accounts_rescheduled",
                "accounts_unchanged",
            ],
            0,
        )
        self.new_customers: set[Key] = set()
        self.consent_notes: dict[int, list[str]] = {}  # customer id -> consents recorded for it

    def run(self) -> dict[str, int]:
        customer_ids = self.write_customers()
        self.write_contact_points(customer_ids)
        self.write_accounts(customer_ids)
        # Consents on new contact points are told on the new account's audit row; those whose
        # customer got no new account (a new email on a known account) get a row of their own.
        for customer_id, notes in self.consent_notes.items():
            self.audit(
                "record_consent",
                "ledger.customer",
                customer_id,
                f"Consent recorded from {self.path.name}: {'; '.join(notes)}",
                customer_id=customer_id,
                changes={"consents": notes},
            )
        insert_rows(AuditLog, self.audits)
        return self.counts

    def audit(self, action: str, obj_type: str, obj_id: object, summary: str, **kwargs) -> None:
        self.audits.append(
            audit_row(self.options.actor, action, obj_type, obj_id, summary, at=self.now, **kwargs)
        )

    def source(self, row) -> str:
        return source_label(self.path, row.line)

    # Customers -------------------------------------------------------------------------------

    def write_customers(self) -> dict[Key, int]:
        first_rows: dict[Key, Any] = {}
        for row in self.rows:
            first_rows.setdefault((row.creditor_id, row.customer_ref), row)
        existing: dict[Key, tuple[int, dict[str, Any]]] = {}  # -> (id, stored values)
        for creditor_id, refs in by_creditor(first_rows):
            query = Customer.objects.filter(creditor_id=creditor_id, external_ref__in=refs)
            for pk, ref, *stored in query.values_list("id", "external_ref", *CUSTOMER_FIELDS):
                existing[(creditor_id, ref)] = (pk, dict(zip(CUSTOMER_FIELDS, stored, strict=True)))
        new, changed = [], []
        for key, row in first_rows.items():
            values = {name: getattr(row, name) for name in CUSTOMER_FIELDS}
            if key not in existing:
                new.append({"creditor_id": key[0], "external_ref": key[1], **values})
                self.new_customers.add(key)
                continue
            pk, stored = existing[key]
            diff = {k: [str(stored[k] or ""), str(v or "")] for k, v in values.items() if stored[k] != v}
            if diff:
                changed.append({"pk": pk, **values, "updated_at": self.now})
                self.audit(
                    "import_update_customer",
                    "ledger.customer",
                    pk,
                    f"Customer details updated from {self.path.name} ({', '.join(diff)})",
                    customer_id=pk,
                    changes={"fields": diff, "source": self.source(row)},
                )
        insert_rows(Customer, new)
        update_rows(Customer, [*CUSTOMER_FIELDS, "updated_at"], changed)
        self.counts["customers_created"] = len(new)
        self.counts["customers_updated"] = len(changed)
        ids = {key: pk for key, (pk, _) in existing.items()}
        ids.update(ids_by_ref(Customer, list(self.new_customers)))
        return ids

    # Contact points --------------------------------------------------------------------------

    def write_contact_points(self, customer_ids: dict[Key, int]) -> None:
        existing: dict[tuple[int, str, str], list] = {}  # -> [id, consents]
        for chunk in chunks(list(set(customer_ids.values()))):
            query = ContactPoint.objects.filter(customer_id__in=chunk)
            for pk, customer_id, kind, value, consents in query.values_list(
                "id", "customer_id", "kind", "value", "consents"
            ):
                existing[(customer_id, kind, value)] = [pk, consents]
        new: dict[tuple[int, str, str], dict[str, Any]] = {}
        changed: dict[int, dict] = {}
        for row in self.rows:
            customer_id = customer_ids[(row.creditor_id, row.customer_ref)]
            for kind, value, address, consent in _contact_points_of(row):
                key = (customer_id, kind, value)
                if key not in existing and key not in new:
                    new[key] = {
                        "customer_id": customer_id,
                        "kind": kind,
                        "value": value,
                        "address": address,
                        "consents": {},
                    }
                if consent is None:
                    continue
                state = ConsentState.GRANTED if consent else ConsentState.REVOKED
                consents = new[key]["consents"] if key in new else existing[key][1]
                if (consents.get(ContactUse.COLLECTION) or {}).get("state", ConsentState.UNKNOWN) == state:
                    continue
                consents[ContactUse.COLLECTION] = {
                    "state": state,
                    "source": self.source(row),
                    "at": self.now.isoformat(),
                }
                self.counts["consents_recorded"] += 1
                label = f"{ContactKind(kind).label.lower()} {value}: collection messages {state}"
                if key in new:
                    self.consent_notes.setdefault(customer_id, []).append(label)
                else:
                    changed[existing[key][0]] = consents
                    self.audit(
                        "record_consent",
                        "ledger.contactpoint",
                        existing[key][0],
                        f"Consent by {label} ({self.path.name})",
                        customer_id=customer_id,
                        changes={"use": ContactUse.COLLECTION, "state": state, "source": self.source(row)},
                    )
        insert_rows(ContactPoint, new.values())
        if changed:
            update_rows(ContactPoint, ["consents"], ({"pk": pk, "consents": c} for pk, c in changed.items()))
        self.counts["contact_points_created"] = len(new)

    # Accounts --------------------------------------------------------------------------------

    def write_accounts(self, customer_ids: dict[Key, int]) -> None:
        new_rows = [r for r in self.rows if (r.creditor_id, r.account_ref) not in self.existing_accounts]
        insert_rows(
            Account,
            (
                {
                    "creditor_id": row.creditor_id,
                    "external_ref": row.account_ref,
                    "customer_id": customer_ids[(row.creditor_id, row.customer_ref)],
                    "currency": row.currency,
                    "status": derive_status(CURRENT, row.balance, [(row.due_date, row.balance)], self.today),
                    "balance": row.balance,
                    "imported_balance": row.balance,
                }
                for row in new_rows
            ),
        )
        account_ids = ids_by_ref(Account, [(r.creditor_id, r.account_ref) for r in new_rows])
        journal: list[dict[str, Any]] = []
        schedule: list[dict[str, Any]] = []
        for row in new_rows:
            key = (row.creditor_id, row.customer_ref)
            account_id = account_ids[(row.creditor_id, row.account_ref)]
            journal.extend(self.opening_entries(row, account_id))
            if row.balance > 0:
                schedule.append({"account_id": account_id, "due_on": row.due_date, "amount": row.balance})
            notes = ["new customer"] if key in self.new_customers else []
            notes += self.consent_notes.pop(customer_ids[key], [])
            self.audit(
                "import_account",
                "ledger.account",
                account_id,
                f"Account {row.account_ref} imported from {self.path.name}: "
                f"{Money(row.balance, row.currency)} due {row.due_date}"
                + (f" ({'; '.join(notes)})" if notes else ""),
                customer_id=customer_ids[key],
                account_id=account_id,
                changes={
                    "balance": str(row.balance),
                    "due_date": str(row.due_date),
                    "source": self.source(row),
                },
            )
        self.counts["accounts_created"] = len(new_rows)
        self.update_existing_accounts(journal, schedule)
        insert_rows(JournalEntry, journal)
        insert_rows(ScheduleItem, schedule)

    def opening_entries(self, row, account_id: int) -> list[dict[str, Any]]:
        """The journal that reproduces the file's balance and itemisation (ledger/opening.py)."""
        entries = opening_entries(
            principal_owed=row.principal_owed,
            original_amount=row.original_amount,
            interest=row.interest,
            fees=row.fees,
            first_due=row.due_date,
            today=self.today,
        )
        return [
            {
                "creditor_id": row.creditor_id,
                "account_id": account_id,
                "kind": kind,
                "amount": amount,
                "effective_on": effective,
                "source": self.source(row) + (f": {note} import" if note else ""),
                "recorded_at": self.now,
                "recorded_by": self.options.actor,
            }
            for kind, amount, effective, note in entries
        ]

    def update_existing_accounts(self, journal: list[dict[str, Any]], schedule: list[dict[str, Any]]) -> None:
        """Bring accounts already in the ledger up to date with the file.

        A balance is news only when it differs from the one the previous import stated: re-importing
        the same file after payments were posted must not undo them. When it is news, the file is
        the creditor's current balance, and the ledger is adjusted to it by one adjustment entry.
        A changed due date replaces a single-date schedule; an instalment plan agreed since is kept.
        """
        rows = [r for r in self.rows if (r.creditor_id, r.account_ref) in self.existing_accounts]
        accounts = [self.existing_accounts[(r.creditor_id, r.account_ref)] for r in rows]
        schedules: dict[int, list[tuple[date, Any]]] = {}
        for chunk in chunks([a.pk for a in accounts]):
            query = ScheduleItem.objects.filter(account_id__in=chunk)
            for account_id, due_on, amount in query.values_list("account_id", "due_on", "amount"):
                schedules.setdefault(account_id, []).append((due_on, amount))
        updates: list[dict[str, Any]] = []
        replace_schedule: list[int] = []
        for row, account in zip(rows, accounts, strict=True):
            balance_is_news = row.balance != account.imported_balance
            change = row.balance - account.balance if balance_is_news else 0
            current = sorted(schedules.get(account.pk, []))
            wanted = [(row.due_date, row.balance)] if row.balance > 0 else []
            due_changed = len(current) <= 1 and current != wanted
            if not balance_is_news and not due_changed:
                self.counts["accounts_unchanged"] += 1
                continue
            if change:
                journal.append(
                    {
                        "creditor_id": row.creditor_id,
                        "account_id": account.pk,
                        "kind": EntryKind.ADJUSTMENT,
                        "amount": change,
                        "effective_on": self.today,
                        "source": self.source(row),
                        "recorded_at": self.now,
                        "recorded_by": self.options.actor,
                    }
                )
            before = account.balance
            balance = account.balance + change
            schedule_now = wanted if due_changed else current
            status = derive_status(account.status, balance, schedule_now, self.today)
            updates.append(
                {
                    "pk": account.pk,
                    "balance": balance,
                    "imported_balance": row.balance,
                    "status": status,
                    "updated_at": self.now,
                }
            )
            if due_changed:
                replace_schedule.append(account.pk)
                schedule.extend({"account_id": account.pk, "due_on": d, "amount": a} for d, a in wanted)
            if change:
                self.counts["accounts_adjusted"] += 1
                what = f"Balance of {account.external_ref} adjusted by {Money(change, account.currency)}"
            elif due_changed:
                self.counts["accounts_rescheduled"] += 1
                what = f"Due date of {account.external_ref} now {row.due_date}"
            else:
                self.counts["accounts_unchanged"] += 1
                what = f"Balance of {account.external_ref} confirmed at {Money(balance, account.currency)}"
            self.audit(
                "import_update_account",
                "ledger.account",
                account.pk,
                f"{what} ({self.path.name})",
                customer_id=account.customer_id,
                account_id=account.pk,
                changes={
                    "balance": [
                        str(round_amount(before, account.currency)),
                        str(round_amount(balance, account.currency)),
                    ],
                    "file_balance": str(row.balance),
                    "due_date": str(row.due_date),
                    "source": self.source(row),
                },
            )
        update_rows(Account, ["balance", "imported_balance", "status", "updated_at"], updates)
        for chunk in chunks(replace_schedule):
            ScheduleItem.objects.filter(account_id__in=chunk).delete()


def _contact_points_of(row) -> list[tuple[str, str, dict, bool | None]]:
    points: list[tuple[str, str, dict, bool | None]] = []
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
