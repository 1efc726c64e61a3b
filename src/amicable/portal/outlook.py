"""The portal's "what happens next": each account's facts gathered for the pure outlook
(amicable.outlook), with a fixed number of queries for all of a customer's accounts at once.

Which playbooks cover an account, and the channel each step would use, come from the planner itself
(planner.plan.assigned_steps on a snapshot of these accounts); the compliance facts are the scenario
the cycle would judge a contact on (cycle.scenario_db.scenario_for). Read-only."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min

from amicable.arrangements.terms import Terms, TermsError, parse_terms
from amicable.authoring.library import active_playbooks
from amicable.cycle.context import outstanding_instalments
from amicable.cycle.scenario_db import debt_id, scenario_for
from amicable.cycle.snapshot_db import build_snapshot
from amicable.outbox.models import Contact
from amicable.outlook import Due, Item, PlanFacts, PlannedStep, PromiseFacts, Situation, next_steps
from amicable.planner.plan import UnknownPlaybook, assigned_steps

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outlook:
    items: list[Item]
    currency: str  # the account's, for the amounts in the items
    creditor: str  # the name the customer knows the creditor by

    def __bool__(self) -> bool:
        return bool(self.items)


def _terms(settings) -> Terms:
    try:
        return parse_terms(settings)
    except TermsError:
        return Terms()  # as the cycle does: a creditor's bad terms get the defaults, not an error page


def _steps(account_ids: list[int], today: date) -> dict[int, list[PlannedStep]]:
    """The steps of the playbooks that cover each account, with the channel the planner would use."""
    books = active_playbooks()  # the packaged ones parsed once per process, with the saved edits
    by_name = {(book.name, step.id): step for book in books.values() for step in book.steps}
    try:
        # Inside a transaction the snapshot is read through Django's open connection (cycle/frames.py):
        # for a few accounts that is much quicker than opening an Arrow connection for each page.
        with transaction.atomic():
            snapshot = build_snapshot(today, account_ids=account_ids)
        rows = assigned_steps(snapshot, books, today)
    except UnknownPlaybook as error:
        log.warning("outlook: %s", error)  # the cycle would stop on it too; the page still shows the rest
        return {}
    steps = defaultdict(list)
    for row in rows.iter_rows(named=True):
        step = by_name[(row["playbook"], row["step_id"])]
        steps[row["account_id"]].append(PlannedStep(row["playbook"], step, row["channel"]))
    return steps


def outlooks(summaries: Iterable, today: date, now: datetime) -> dict[int, Outlook]:
    """{account id: Outlook} for the portal's account summaries (portal/summary.py) that still owe."""
    owing = [s for s in summaries if not s.settled]
    if not owing:
        return {}
    ids = [s.account.pk for s in owing]
    steps = _steps(ids, today)
    first_sent = dict(
        Contact.objects.filter(account_id__in=ids, sent_at__isnull=False)
        .values("account_id")
        .annotate(first=Min("sent_at"))
        .values_list("account_id", "first")
    )
    result = {}
    for summary in owing:
        account, facts = summary.account, summary.facts
        statuses = outstanding_instalments(facts.schedule, summary.balance.amount, today)
        promise = summary.promise
        situation = Situation(
            today=today,
            debt=debt_id(account.pk),
            currency=account.currency,
            status=account.status,
            schedule=tuple(Due(s.due, s.amount, s.outstanding) for s in statuses),
            steps=tuple(steps.get(account.pk, ())),
            compliance=scenario_for(facts, now=now, channel="letter", content=None, point=None),
            plan=PlanFacts(summary.plan.grace_days) if summary.plan else None,
            promise=PromiseFacts(
                promise.amount, promise.due_on, _terms(account.creditor.arrangement_terms).promise_grace_days
            )
            if promise
            else None,
            # As conversations/disputes.py counts the validation period: from the first message's day.
            first_contact_on=(
                first_sent[account.pk].astimezone(ZoneInfo(account.customer.timezone)).date()
                if account.pk in first_sent
                else None
            ),
        )
        result[account.pk] = Outlook(next_steps(situation), account.currency, account.creditor.display_name)
    return result
