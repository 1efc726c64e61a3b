"""What the portal shows about an account, read in one place: the balance and its parts, what is due
next, any plan, promise or dispute in progress, and what happens next (portal/outlook.py). Read-only:
nothing here changes state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from amicable.cycle.context import outstanding_instalments
from amicable.cycle.facts import AccountFacts, load_facts
from amicable.ledger.balance import InstalmentStatus, Itemisation
from amicable.ledger.models import Account, Arrangement, Customer, Dispute, Promise
from amicable.ledger.models.arrangement import ArrangementStatus
from amicable.ledger.models.dispute import DisputeStatus
from amicable.ledger.models.promise import PromiseStatus
from amicable.ledger.money import Money

from .outlook import Outlook, outlooks


@dataclass
class AccountSummary:
    account: Account
    facts: AccountFacts
    itemised: Itemisation
    paid: Money  # payments received, gross
    credits: Money  # credits and write-offs that reduced what is owed
    next_due: InstalmentStatus | None  # the first instalment with something still to pay
    overdue: list[InstalmentStatus]
    plan: Arrangement | None
    promise: Promise | None
    dispute: Dispute | None
    outlook: Outlook | None = None  # what happens next (portal/outlook.py); None: nothing ahead

    @property
    def balance(self) -> Money:
        return self.itemised.balance

    @property
    def settled(self) -> bool:
        return self.itemised.balance.amount <= 0


def customer_today(customer: Customer, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(customer.timezone)).date()


def summaries(
    accounts: list[Account], today: date, now: datetime | None = None, *, with_outlook: bool = True
) -> list[AccountSummary]:
    """`with_outlook=False` for pages that do not show what happens next: it plans ahead through the
    planner and the compliance engine, the dearest part of a summary."""
    now = now or timezone.now()
    facts = load_facts([a.pk for a in accounts], now)
    ids = [a.pk for a in accounts]
    plans = {
        p.account_id: p
        for p in Arrangement.objects.filter(account_id__in=ids, status=ArrangementStatus.ACTIVE)
    }
    promises = {
        p.account_id: p
        for p in Promise.objects.filter(account_id__in=ids, status=PromiseStatus.OPEN).order_by("due_on")
    }
    disputes = {
        d.account_id: d
        for d in Dispute.objects.filter(
            account_id__in=ids, status__in=[DisputeStatus.OPEN, DisputeStatus.VERIFICATION_SENT]
        ).order_by("received_at")
    }
    result = []
    for account in accounts:
        fact = facts[account.pk]
        itemised = fact.itemised
        statuses = outstanding_instalments(fact.schedule, itemised.balance.amount, today)
        owing = [s for s in statuses if s.outstanding > 0]
        result.append(
            AccountSummary(
                account=account,
                facts=fact,
                itemised=itemised,
                paid=itemised.total_paid,
                credits=itemised.total_credited + itemised.total_written_off,
                next_due=owing[0] if owing else None,
                overdue=[s for s in statuses if s.overdue],
                plan=plans.get(account.pk),
                promise=promises.get(account.pk),
                dispute=disputes.get(account.pk),
            )
        )
    if not with_outlook:
        return result
    ahead = outlooks(result, today, now)
    for summary in result:
        summary.outlook = ahead.get(summary.account.pk) or None
    return result
