"""The database side of arrangements: an account's plan options from the ledger and the creditor's
terms, with an affordability assessment when the customer has given a statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from amicable.arrangements.affordability import Affordability, Statement, StatementError, assess
from amicable.arrangements.options import POLICY_RULE, UK_RULE, Options, plan_options
from amicable.arrangements.terms import parse_terms
from amicable.ledger.models import Account, Arrangement
from amicable.ledger.money import round_amount

OPEN = ("current", "overdue", "in_arrangement", "disputed", "on_hold")


def options_for(account: Account, today: date, statement: Statement | None = None) -> dict:
    # account.customer is read for the jurisdiction; callers select_related it where it matters
    """Plan options as JSON: {account_ref, currency, balance, affordability, options, flags}."""
    balance, affordability, found = account_options(account, today, statement)
    return {
        "account_ref": account.external_ref,
        "creditor": account.creditor.name,
        "currency": account.currency,
        "balance": str(balance),
        "affordability": affordability.as_json() if affordability else None,
        "options": [option.as_json() for option in found.options],
        "flags": list(found.flags),
    }


def account_options(
    account: Account, today: date, statement: Statement | None = None
) -> tuple[Decimal, Affordability | None, Options]:
    """The balance (to the currency's places), the affordability assessment, and the options."""
    terms = parse_terms(account.creditor.arrangement_terms)
    balance = round_amount(account.balance, account.currency)  # the ledger keeps 4 places
    affordability = None
    if statement is not None:
        if statement.currency != account.currency:
            raise StatementError(
                f"currency: the statement is in {statement.currency}, the account in {account.currency}"
            )
        others = (
            Account.objects.filter(customer_id=account.customer_id, status__in=OPEN)
            .exclude(pk=account.pk)
            .filter(currency=account.currency)
            .aggregate(total=Sum("balance"))["total"]
        )
        affordability = assess(
            statement,
            balance=balance,
            other_balances_here=round_amount(Decimal(others or 0), account.currency),
            guidelines=terms.guidelines,
        )
    rule = UK_RULE if account.customer.country == "GB" else POLICY_RULE
    return (
        balance,
        affordability,
        plan_options(balance, account.currency, today, terms, affordability, rule=rule),
    )


def plan_json(plan: Arrangement) -> dict:
    """A plan and its instalments as JSON (money as strings, to the currency's places)."""
    places = lambda amount: str(round_amount(amount, plan.currency))  # noqa: E731
    instalments = list(plan.instalments.all())
    return {
        "id": plan.pk,
        "account_ref": plan.account.external_ref,
        "kind": plan.kind,
        "status": plan.status,
        "currency": plan.currency,
        "instalment": places(plan.instalment),
        "payments": len(instalments),
        "total": places(plan.total),
        "accepted_at": plan.accepted_at.isoformat(),
        "accepted_on": plan.accepted_on.isoformat(),
        "channel": plan.channel,
        "grace_days": plan.grace_days,
        "ended_on": plan.ended_on.isoformat() if plan.ended_on else None,
        "instalments": [
            {
                "number": item.number,
                "due_on": item.due_on.isoformat(),
                "amount": places(item.amount),
                "paid": places(item.paid),
                "status": item.status,
                "settled_on": item.settled_on.isoformat() if item.settled_on else None,
            }
            for item in instalments
        ],
    }
