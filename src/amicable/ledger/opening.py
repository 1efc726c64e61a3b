"""How an account that arrives with a balance (from an import file or the API) is opened in the
journal, and what such a balance must add up to. Pure: both the importer and the API use these, so an
account reads the same whichever way it came in."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .balance import EntryKind


def opening_entries(
    *,
    principal_owed: Decimal,
    original_amount: Decimal | None,
    interest: Decimal,
    fees: Decimal,
    first_due: date,
    today: date,
) -> list[tuple[EntryKind, Decimal, date, str]]:
    """(kind, amount, effective day, note) for each entry that is not zero.

    The principal is charged (the original amount when given) and anything already paid off it is
    posted the day before interest and fees, so it can only have reduced principal, whatever
    allocation order the creditor uses."""
    on = min(first_due, today)
    charged = original_amount if original_amount is not None else principal_owed
    entries = [
        (EntryKind.CHARGE, charged, on - timedelta(days=1), ""),
        (EntryKind.PAYMENT, charged - principal_owed, on - timedelta(days=1), "paid before"),
        (EntryKind.INTEREST, interest, on, ""),
        (EntryKind.FEE, fees, on, ""),
    ]
    return [entry for entry in entries if entry[1] > 0]


def amounts_problem(
    balance: Decimal, fees: Decimal, interest: Decimal, original: Decimal | None
) -> tuple[str, str] | None:
    """(field, message) when a stated balance cannot be made of its parts, else None."""
    if fees + interest > balance:
        return "fees", f"fees {fees} + interest {interest} exceed the balance {balance}"
    if original is not None and original < balance - fees - interest:
        return (
            "original_amount",
            f"less than the principal still owed (balance - fees - interest = {balance - fees - interest})",
        )
    return None
