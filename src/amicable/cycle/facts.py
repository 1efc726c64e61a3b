"""Everything about a batch of accounts that rendering and the compliance engine need, loaded with a
fixed number of queries per batch (never one per account)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from amicable.ledger.balance import Itemisation, itemise
from amicable.ledger.models import Account, CallConsent, ContactPoint, Hold, JournalEntry, ScheduleItem
from amicable.outbox.models import Contact, ContactStatus

HISTORY_DAYS = 31  # the longest window a rule looks back over (30-day Reg F lookbacks, and a day)


@dataclass
class AccountFacts:
    account: Account  # with creditor and customer loaded
    itemised: Itemisation
    schedule: list[tuple]  # (due_on, amount), oldest first
    points: dict[int, ContactPoint] = field(default_factory=dict)  # the customer's contact points
    holds: list[Hold] = field(default_factory=list)  # the customer's holds not over before the window
    history: list[Contact] = field(default_factory=list)  # the customer's contacts made, oldest first
    last_conversation: Contact | None = None  # the account's last call that reached the customer
    call_consents: list[CallConsent] = field(default_factory=list)  # callbacks the customer asked for


def load_facts(account_ids: Iterable[int], now: datetime) -> dict[int, AccountFacts]:
    ids = list(set(account_ids))
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids).select_related("creditor", "customer")}
    customer_ids = {a.customer_id for a in accounts.values()}
    entries = defaultdict(list)
    for row in JournalEntry.objects.filter(account_id__in=ids):
        entries[row.account_id].append(row.as_entry())
    schedule = defaultdict(list)
    for account_id, due_on, amount in ScheduleItem.objects.filter(account_id__in=ids).values_list(
        "account_id", "due_on", "amount"
    ):
        schedule[account_id].append((due_on, amount))
    points = defaultdict(dict)
    for point in ContactPoint.objects.filter(customer_id__in=customer_ids):
        points[point.customer_id][point.pk] = point
    holds = defaultdict(list)
    for hold in Hold.objects.filter(customer_id__in=customer_ids).exclude(
        ends_at__lt=now - timedelta(days=HISTORY_DAYS)
    ):
        holds[hold.customer_id].append(hold)
    history = defaultdict(list)
    made = Contact.objects.filter(
        customer_id__in=customer_ids,
        sent_at__gte=now - timedelta(days=HISTORY_DAYS),
        sent_at__lte=now,
    ).order_by("sent_at")
    for contact in made:
        history[contact.customer_id].append(contact)
    consents = defaultdict(list)
    for consent in CallConsent.objects.filter(
        customer_id__in=customer_ids, given_at__gte=now - timedelta(days=HISTORY_DAYS)
    ).order_by("given_at"):
        consents[consent.customer_id].append(consent)
    conversations = {}
    for contact in Contact.objects.filter(
        account_id__in=ids, channel="call", outcome="conversation", status=ContactStatus.SENT
    ).order_by("sent_at"):
        conversations[contact.account_id] = contact  # the latest wins
    facts = {}
    for pk, account in accounts.items():
        facts[pk] = AccountFacts(
            account=account,
            itemised=itemise(entries[pk], account.currency, account.creditor.allocation_order),
            schedule=sorted(schedule[pk]),
            points=points[account.customer_id],
            holds=holds[account.customer_id],
            history=history[account.customer_id],
            last_conversation=conversations.get(pk),
            call_consents=consents[account.customer_id],
        )
    return facts


def paid_so_far(itemised: Itemisation) -> Decimal:
    return itemised.total_paid.amount + itemised.total_credited.amount
