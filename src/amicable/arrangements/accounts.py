"""The database side of arrangements: an account's plan options from the ledger and the creditor's
terms, with an affordability assessment when the customer has given a statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from amicable.arrangements.affordability import Statement, StatementError, assess
from amicable.arrangements.options import POLICY_RULE, UK_RULE, plan_options
from amicable.arrangements.terms import parse_terms
from amicable.ledger.models import Account
from amicable.ledger.money import round_amount

OPEN = ("current", "overdue", "in_arrangement", "disputed", "on_hold")


def options_for(account: Account, today: date, statement: Statement | None = None) -> dict:
    # account.customer is read for the jurisdiction; callers select_related it where it matters
    """Plan options as JSON: {account_ref, currency, balance, affordability, options, flags}."""
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
    found = plan_options(balance, account.currency, today, terms, affordability, rule=rule)
    return {
        "account_ref": account.external_ref,
        "creditor": account.creditor.name,
        "currency": account.currency,
        "balance": str(balance),
        "affordability": affordability.as_json() if affordability else None,
        "options": [option.as_json() for option in found.options],
        "flags": list(found.flags),
    }
