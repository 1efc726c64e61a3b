"""A sample message context, for previews and `amicable templates check` (docs/messages.md lists the
variables). Every variable a template may use is here, so a template that uses another one fails."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from amicable.ledger.money import Money


def sample_context(language: str, *, business: bool = False, optional_facts: bool = True) -> dict[str, Any]:
    """With optional_facts=False the optional facts (next due, last conversation, late payment) are
    none, as they are for many real accounts: templates must cope with both."""
    currency = "GBP" if language == "en-GB" else "USD"

    def money(amount: str) -> Money:
        return Money.of(amount, currency)

    ns = SimpleNamespace
    return {
        "customer": ns(
            first_name="" if business else "Ana",
            name="Harbour Joinery Ltd" if business else "Ana Torres",
            is_business=business,
        ),
        "creditor": ns(
            name="Northwind Energy",
            phone="+1 617 555 0100",
            email="help@northwind.example",
            website="https://northwind.example",
        ),
        "account": ns(ref="NW-100234"),
        "balance": money("245.60"),
        "itemised": ns(
            principal=money("220.00"), interest=money("10.60"), fees=money("15.00"), paid=money("80.00")
        ),
        "next_due": ns(date=date(2026, 3, 17), amount=money("61.40")) if optional_facts else None,
        "days_overdue": 3,
        "paid_so_far": money("80.00"),
        "progress_percent": 25,
        "last_conversation": ns(
            date=date(2026, 3, 2),
            channel="call",
            summary="Asked for a few days until payday",
            promise=ns(amount=money("50.00"), date=date(2026, 3, 20)),
        )
        if optional_facts
        else None,
        "late_payment": ns(
            compensation=Money.of("70", "GBP"), interest=Money.of("48.22", "GBP"), rate="12.25"
        )
        if optional_facts and business
        else None,
        "links": ns(
            portal="https://pay.example/p/abc123",
            pay="https://pay.example/p/abc123/pay",
            opt_out="https://pay.example/p/abc123/stop",
            feedback="https://pay.example/f/2n9c.t4x0ab.Xy7Qk2LmN0pRsT1u",
        ),
        "agent": ns(name="Sam Rivera"),
    }
