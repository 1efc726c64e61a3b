"""Recording a customer's promise to pay, from whatever channel it came (a reply, a call, the API,
the portal). Whether it is kept is decided later against payments (plans.review_promises)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from amicable.ledger.actions import ActionError
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, Promise
from amicable.ledger.money import Money, check_currency, round_amount

CLOSED = ("resolved", "written_off")
LONGEST = 366  # days ahead a promise may be made for; a longer wait is a plan, not a promise


@transaction.atomic
def record_promise(
    account: Account,
    amount: Decimal,
    due_on: date,
    *,
    channel: str,
    source: str,
    actor: str,
    currency: str | None = None,
    made_at: datetime | None = None,
) -> Promise:
    """A promise of `amount` by `due_on` on the account; ActionError naming the field otherwise."""
    account = Account.objects.select_for_update().select_related("customer").get(pk=account.pk)
    made_at = made_at or timezone.now()
    if currency is not None and check_currency(currency) != account.currency:
        raise ActionError(
            f"currency: a promise in {currency} on an account kept in {account.currency}", field="currency"
        )
    amount = round_amount(amount, account.currency)
    if amount <= 0:
        raise ActionError(f"amount: {amount} is not an amount above zero", field="amount")
    if account.status in CLOSED:
        raise ActionError(f"account {account.external_ref} is {account.status}", field="account")
    if amount > account.balance:
        raise ActionError(
            f"amount: {amount} is more than the balance of {round_amount(account.balance, account.currency)}",
            field="amount",
        )
    made_on = made_at.astimezone(ZoneInfo(account.customer.timezone)).date()
    if due_on < made_on:
        raise ActionError(f"due_on: {due_on} is before the promise was made ({made_on})", field="due_on")
    if (due_on - made_on).days > LONGEST:
        raise ActionError(f"due_on: {due_on} is more than a year away: agree a plan instead", field="due_on")
    promise = Promise.objects.create(
        account=account,
        amount=amount,
        currency=account.currency,
        due_on=due_on,
        channel=channel,
        source=source[:200],
        made_at=made_at,
    )
    audit(
        actor,
        "record_promise",
        promise,
        f"Promise to pay {Money(amount, account.currency)} on {due_on} ({account.external_ref})",
        customer=account.customer,
        account=account,
        changes={"amount": str(amount), "due_on": due_on.isoformat(), "channel": channel, "source": source},
    )
    return promise
