"""The balance of an account and its itemisation, derived from the account's journal.

Pure: no Django, no I/O. The journal is the only truth; every figure a debtor sees (principal,
interest, fees, paid) is computed here from it, so the balance can never drift from the entries.

Entries increase the balance (charge, interest, fee, a positive adjustment) or reduce it (payment,
credit, write-off, a negative adjustment). Reductions are allocated to outstanding increases in an
order the creditor chooses; oldest first by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .money import ZERO, Money, MoneyError, check_currency


class EntryKind(StrEnum):
    CHARGE = "charge"
    INTEREST = "interest"
    FEE = "fee"
    PAYMENT = "payment"
    CREDIT = "credit"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


class Bucket(StrEnum):
    """What an amount owed is made of."""

    PRINCIPAL = "principal"
    INTEREST = "interest"
    FEES = "fees"


class AllocationOrder(StrEnum):
    """How a payment is spread over what is owed.

    oldest_first: the oldest amount owed is cleared first, whatever it is (the default).
    fees_interest_first: fees, then interest, then principal; oldest first within each.
    principal_first: principal, then interest, then fees; kind to the debtor where allowed.
    """

    OLDEST_FIRST = "oldest_first"
    FEES_INTEREST_FIRST = "fees_interest_first"
    PRINCIPAL_FIRST = "principal_first"


_BUCKET_OF = {
    EntryKind.CHARGE: Bucket.PRINCIPAL,
    EntryKind.INTEREST: Bucket.INTEREST,
    EntryKind.FEE: Bucket.FEES,
    EntryKind.ADJUSTMENT: Bucket.PRINCIPAL,  # only a positive adjustment owes anything
}

_BUCKET_RANK = {
    AllocationOrder.OLDEST_FIRST: {Bucket.FEES: 0, Bucket.INTEREST: 0, Bucket.PRINCIPAL: 0},
    AllocationOrder.FEES_INTEREST_FIRST: {Bucket.FEES: 0, Bucket.INTEREST: 1, Bucket.PRINCIPAL: 2},
    AllocationOrder.PRINCIPAL_FIRST: {Bucket.PRINCIPAL: 0, Bucket.INTEREST: 1, Bucket.FEES: 2},
}


class JournalError(ValueError):
    """An entry that cannot be in a journal (wrong sign, wrong currency)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of an account's journal. `seq` orders entries with the same effective date."""

    kind: EntryKind
    amount: Decimal
    effective: date
    seq: int

    def signed(self) -> Decimal:
        """The entry's effect on the balance."""
        if self.kind in (EntryKind.PAYMENT, EntryKind.CREDIT, EntryKind.WRITE_OFF):
            return -self.amount
        return self.amount


def check_entry(kind: EntryKind | str, amount: Decimal) -> None:
    """Adjustments are signed and non-zero; every other kind is strictly positive."""
    kind = EntryKind(kind)
    if kind is EntryKind.ADJUSTMENT:
        if amount == 0:
            raise JournalError("an adjustment must change the balance: amount 0")
    elif amount <= 0:
        raise JournalError(f"a {kind} must have a positive amount, got {amount}")


@dataclass(frozen=True, slots=True)
class Allocation:
    """`amount` of the reducing entry `from_seq` was applied to the increasing entry `to_seq`."""

    from_seq: int
    to_seq: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Itemisation:
    """Where an account stands. Outstanding figures are after allocation; totals are gross."""

    currency: str
    principal: Money
    interest: Money
    fees: Money
    unallocated_credit: Money
    total_charged: Money
    total_interest: Money
    total_fees: Money
    total_paid: Money
    total_credited: Money
    total_written_off: Money
    net_adjustments: Money
    allocations: tuple[Allocation, ...] = field(repr=False)

    @property
    def balance(self) -> Money:
        """What is owed now; negative when the debtor has paid more than they owed."""
        return self.principal + self.interest + self.fees - self.unallocated_credit


@dataclass(slots=True)
class _Owed:
    seq: int
    effective: date
    bucket: Bucket
    outstanding: Decimal


def itemise(
    entries: Iterable[Entry],
    currency: str,
    order: AllocationOrder | str = AllocationOrder.OLDEST_FIRST,
) -> Itemisation:
    """Replay the journal in (effective date, seq) order and allocate every reduction.

    A reduction only reaches amounts owed on or before its own effective date. What it cannot
    place is held as unallocated credit and consumed by the next amount owed, so at any moment
    either nothing is outstanding or no credit is unallocated.
    """
    currency = check_currency(currency)
    rank = _BUCKET_RANK[AllocationOrder(order)]
    owed: list[_Owed] = []
    allocations: list[Allocation] = []
    credit_pool: list[tuple[int, Decimal]] = []  # (seq, unallocated amount), oldest first
    totals = {kind: ZERO for kind in EntryKind}
    net_adjustments = ZERO

    for entry in sorted(entries, key=lambda e: (e.effective, e.seq)):
        check_entry(entry.kind, entry.amount)
        signed = entry.signed()
        if entry.kind is EntryKind.ADJUSTMENT:
            net_adjustments += signed
        else:
            totals[entry.kind] += entry.amount
        if signed > 0:
            item = _Owed(entry.seq, entry.effective, _BUCKET_OF[entry.kind], signed)
            while credit_pool and item.outstanding > 0:
                credit_seq, available = credit_pool[0]
                applied = min(available, item.outstanding)
                item.outstanding -= applied
                allocations.append(Allocation(credit_seq, item.seq, applied))
                if applied == available:
                    credit_pool.pop(0)
                else:
                    credit_pool[0] = (credit_seq, available - applied)
            owed.append(item)
        else:
            remaining = -signed
            owed.sort(key=lambda o: (rank[o.bucket], o.effective, o.seq))
            for item in owed:
                if remaining == 0:
                    break
                if item.outstanding == 0:
                    continue
                applied = min(remaining, item.outstanding)
                item.outstanding -= applied
                remaining -= applied
                allocations.append(Allocation(entry.seq, item.seq, applied))
            owed = [o for o in owed if o.outstanding > 0]
            if remaining > 0:
                credit_pool.append((entry.seq, remaining))

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    def outstanding(bucket: Bucket) -> Money:
        return money(sum((o.outstanding for o in owed if o.bucket is bucket), ZERO))

    return Itemisation(
        currency=currency,
        principal=outstanding(Bucket.PRINCIPAL),
        interest=outstanding(Bucket.INTEREST),
        fees=outstanding(Bucket.FEES),
        unallocated_credit=money(sum((amount for _, amount in credit_pool), ZERO)),
        total_charged=money(totals[EntryKind.CHARGE]),
        total_interest=money(totals[EntryKind.INTEREST]),
        total_fees=money(totals[EntryKind.FEE]),
        total_paid=money(totals[EntryKind.PAYMENT]),
        total_credited=money(totals[EntryKind.CREDIT]),
        total_written_off=money(totals[EntryKind.WRITE_OFF]),
        net_adjustments=money(net_adjustments),
        allocations=tuple(allocations),
    )


def journal_balance(entries: Iterable[Entry]) -> Decimal:
    """The plain sum of the journal: what `itemise(...).balance` must always equal."""
    return sum((e.signed() for e in entries), ZERO)


@dataclass(frozen=True, slots=True)
class Instalment:
    due: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InstalmentStatus:
    due: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: bool


def instalment_status(
    instalments: Sequence[Instalment], paid_towards: Decimal, as_of: date
) -> list[InstalmentStatus]:
    """Spread what has been paid towards a schedule over its instalments, oldest due first.

    An instalment is overdue when its due date is before `as_of` and it is not fully paid.
    """
    if paid_towards < 0:
        raise MoneyError(f"paid_towards cannot be negative: {paid_towards}")
    remaining = paid_towards
    result = []
    for inst in sorted(instalments, key=lambda i: i.due):
        paid = min(remaining, inst.amount)
        remaining -= paid
        outstanding = inst.amount - paid
        result.append(
            InstalmentStatus(inst.due, inst.amount, paid, outstanding, inst.due < as_of and outstanding > 0)
        )
    return result


def arrears(statuses: Iterable[InstalmentStatus]) -> Decimal:
    """The total of instalments that are overdue and unpaid."""
    return sum((s.outstanding for s in statuses if s.overdue), ZERO)


def oldest_unpaid_due(schedule: Iterable[tuple[date, Decimal]], balance: Decimal) -> date | None:
    """The due date of the oldest amount still unpaid, given what is owed now.

    Payments clear the oldest due amounts first, so whatever is still owed sits in the newest
    instalments: walk back from the newest until the balance is accounted for.
    """
    remaining = balance
    earliest = None
    for due, amount in sorted(schedule, reverse=True):
        if remaining <= 0:
            break
        earliest = due
        remaining -= amount
    return earliest
