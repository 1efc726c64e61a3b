"""Accepting a payment plan, and following plans and promises against the payments that arrive.

accept_plan writes the plan's schedule to the ledger (the account's schedule while it runs) and moves
the account to in_arrangement. review_commitments runs before each day's cycle: it marks instalments
paid, late or missed and promises kept or broken (tracking.py decides), completes or breaks plans,
and so lets the planner resume the account's playbook. Each change is a named action in its own
transaction, on the customer's timeline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amicable.arrangements import tracking
from amicable.arrangements.accounts import account_options
from amicable.arrangements.affordability import Statement, StatementError
from amicable.arrangements.options import Option, chosen_instalments, payments_instalment
from amicable.arrangements.terms import FREQUENCIES, Terms, TermsError, parse_terms
from amicable.ledger.actions import ActionError, end_hold, post_entry, set_account_status, set_schedule
from amicable.ledger.audit import audit
from amicable.ledger.balance import EntryKind
from amicable.ledger.models import (
    Account,
    Arrangement,
    ArrangementStatus,
    Creditor,
    Hold,
    JournalEntry,
    PlanInstalment,
    Promise,
    PromiseStatus,
)
from amicable.ledger.money import Money, round_amount

ACTOR = "system:arrangements"
log = logging.getLogger(__name__)
CLOSED = ("resolved", "written_off")
CHUNK = 500


def _terms(account: Account) -> Terms:
    try:
        return parse_terms(account.creditor.arrangement_terms)
    except TermsError as error:
        raise ActionError(f"creditor {account.creditor.name}: {error}") from None


@transaction.atomic
def accept_plan(
    account: Account,
    kind: str,
    *,
    channel: str,
    source: str,
    actor: str,
    today: date | None = None,
    instalment: Decimal | None = None,
    statement: Statement | None = None,
    at: datetime | None = None,
) -> Arrangement:
    """The customer agrees to one of the account's plan options (`kind`: full, settlement, weekly,
    fortnightly or monthly), optionally at an instalment they chose within the creditor's terms.
    A plan already running is replaced."""
    account = Account.objects.select_for_update().select_related("creditor", "customer").get(pk=account.pk)
    at = at or timezone.now()
    local_today = at.astimezone(ZoneInfo(account.customer.timezone)).date()
    if today is not None and today < local_today:
        raise ActionError(f"date: {today} is past; a plan starts from today ({local_today})", field="date")
    today = today or local_today
    ref = account.external_ref
    _check_arrangeable(account)
    terms = _terms(account)
    option = _chosen_option(account, terms, kind, today, instalment, statement)
    previous = Arrangement.objects.select_for_update().filter(account=account, status="active").first()
    if previous is not None:
        previous.status, previous.ended_on = ArrangementStatus.REPLACED, today
        previous.save(update_fields=["status", "ended_on"])
        audit(
            actor,
            "replace_arrangement",
            previous,
            f"Plan on {ref} replaced by a new one",
            account=account,
            customer=account.customer,
        )
    arrangement = Arrangement.objects.create(
        account=account,
        kind=option.kind,
        currency=account.currency,
        instalment=option.instalment,
        total=option.total,
        balance_at_start=account.balance,
        accepted_at=at,
        accepted_on=today,
        channel=channel,
        source=source[:200],
        grace_days=terms.instalment_grace_days,
        # The schedule before any plan: a replaced plan keeps the one it replaced.
        previous_schedule=previous.previous_schedule
        if previous
        else [[str(day), str(amount)] for day, amount in account.schedule.values_list("due_on", "amount")],
        previous_status=previous.previous_status if previous else account.status,
    )
    PlanInstalment.objects.bulk_create(
        PlanInstalment(arrangement=arrangement, number=number, due_on=day, amount=amount)
        for number, (day, amount) in enumerate(option.schedule, start=1)
    )
    set_schedule(account, list(option.schedule), reason=f"plan {arrangement.pk} agreed", actor=actor)
    set_account_status(account, "in_arrangement", reason=f"plan {arrangement.pk} agreed", actor=actor)
    # A pause for hardship (it has an end) was there to find an affordable way: this is it, so the
    # plan's reminders may go. A pause for a vulnerability (no end) stays until a specialist ends it.
    for hold in Hold.objects.filter(
        Q(account=account) | Q(account__isnull=True), customer=account.customer, kind="paused", ends_at__gt=at
    ).exclude(starts_at__gte=at):
        end_hold(hold, actor=actor, at=at, reason=f"plan {arrangement.pk} agreed")
    payments = len(option.schedule)
    audit(
        actor,
        "accept_plan",
        arrangement,
        f"Plan agreed on {ref}: {_describe(option)}, {payments} payment{'s' if payments != 1 else ''} "
        f"totalling {Money(option.total, account.currency)}, {option.schedule[0][0]} to {option.end_date}",
        customer=account.customer,
        account=account,
        changes={
            "kind": option.kind,
            "instalment": str(option.instalment),
            "total": str(option.total),
            "schedule": [[str(day), str(amount)] for day, amount in option.schedule],
            "channel": channel,
            "source": source,
        },
    )
    return arrangement


def _check_arrangeable(account: Account) -> None:
    ref = account.external_ref
    if account.status in CLOSED:
        raise ActionError(f"account {ref} is {account.status}: there is nothing to arrange", field="account")
    if account.status == "disputed":
        raise ActionError(
            f"account {ref} is disputed: a plan can be agreed once the dispute is settled", field="account"
        )


def preview_plan(
    account: Account,
    kind: str,
    *,
    instalment: Decimal | None = None,
    payments: int | None = None,
    statement: Statement | None = None,
    at: datetime | None = None,
) -> Option:
    """The plan accept_plan would agree today, without writing anything, so the customer can see its
    schedule first. `payments`: a weekly, fortnightly or monthly plan of that many instalments instead
    of one at a chosen `instalment`. ActionError naming the field when it could not be agreed."""
    account = Account.objects.select_related("creditor", "customer").get(pk=account.pk)
    today = (at or timezone.now()).astimezone(ZoneInfo(account.customer.timezone)).date()
    _check_arrangeable(account)
    terms = _terms(account)
    if payments is not None:
        if instalment is not None:
            raise ActionError(
                "payments: give the number of payments or the instalment, not both", field="payments"
            )
        if kind not in FREQUENCIES:
            raise ActionError(
                f"payments: only weekly, fortnightly or monthly plans come in payments, not {kind!r}",
                field="kind",
            )
        balance = round_amount(account.balance, account.currency)
        if balance <= 0:
            raise ActionError(f"account {account.external_ref} has nothing to pay", field="account")
        try:
            instalment = payments_instalment(kind, balance, account.currency, terms, payments)
        except ValueError as error:
            field = str(error).partition(":")[0]
            raise ActionError(str(error), field="kind" if field == "frequency" else field) from None
    return _chosen_option(account, terms, kind, today, instalment, statement)


def _chosen_option(
    account: Account,
    terms: Terms,
    kind: str,
    today: date,
    instalment: Decimal | None,
    statement: Statement | None,
) -> Option:
    try:
        balance, _, found = account_options(account, today, statement)
    except StatementError as error:
        raise ActionError(str(error), field="statement") from None
    if balance <= 0:
        raise ActionError(f"account {account.external_ref} has nothing to pay", field="account")
    if instalment is not None:
        if kind not in FREQUENCIES:
            raise ActionError(
                f"instalment: only weekly, fortnightly or monthly plans take one, not {kind!r}",
                field="instalment",
            )
        try:
            return chosen_instalments(kind, balance, account.currency, today, terms, instalment)
        except ValueError as error:
            field = str(error).partition(":")[0]
            raise ActionError(str(error), field="kind" if field == "frequency" else field) from None
    option = next((option for option in found.options if option.kind == kind), None)
    if option is None:
        offered = ", ".join(option.kind for option in found.options)
        raise ActionError(
            f"kind: {kind!r} is not offered on {account.external_ref} ({offered})", field="kind"
        )
    return option


def _describe(option: Option) -> str:
    money = Money(option.instalment, option.currency)
    if option.kind in FREQUENCIES:
        return f"{money} {option.kind}"
    return f"{option.kind} of {money}"


def review_commitments(today: date, *, actor: str = ACTOR) -> dict[str, int]:
    """Plans and promises judged against payments, as of `today`: what changed, by kind."""
    counts: dict[str, int] = defaultdict(int)
    for key, n in review_arrangements(today, actor=actor).items():
        counts[key] += n
    for key, n in review_promises(today, actor=actor).items():
        counts[key] += n
    return dict(sorted(counts.items()))


def _payments(account_ids: list[int], today: date) -> dict[int, list[tuple[date, Decimal, datetime]]]:
    """Each account's payments up to `today`: (effective day, amount, when it was recorded)."""
    found: dict[int, list[tuple[date, Decimal, datetime]]] = defaultdict(list)
    rows = JournalEntry.objects.filter(
        account_id__in=account_ids, kind=EntryKind.PAYMENT, effective_on__lte=today
    ).values_list("account_id", "effective_on", "amount", "recorded_at")
    for account_id, day, amount, recorded_at in rows:
        found[account_id].append((day, amount, recorded_at))
    return found


def _since(payments: list[tuple[date, Decimal, datetime]], moment: datetime) -> list[tuple[date, Decimal]]:
    """The payments recorded after `moment`: those the balance a plan or promise was made on did not
    already include (one made earlier the same day did, and must not count twice)."""
    return [(day, amount) for day, amount, recorded_at in payments if recorded_at >= moment]


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def review_arrangements(today: date, *, actor: str = ACTOR) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    ids = list(Arrangement.objects.filter(status="active").order_by("id").values_list("id", flat=True))
    for chunk in _chunks(ids):
        plans = list(Arrangement.objects.filter(pk__in=chunk).prefetch_related("instalments"))
        payments = _payments([plan.account_id for plan in plans], today)
        for plan in plans:
            state = _state(plan, payments.get(plan.account_id, []), today)
            stored = [(i.status, i.paid, i.settled_on) for i in plan.instalments.all()]
            found = [(i.status, i.paid, i.settled_on) for i in state.instalments]
            if stored != found or state.status != tracking.ACTIVE:
                for key, n in _apply_plan_state(plan.pk, today, actor).items():
                    counts[key] += n
    return dict(counts)


def _state(plan: Arrangement, payments, today: date) -> tracking.PlanState:
    return tracking.plan_state(
        [(i.due_on, i.amount) for i in plan.instalments.all()],
        _since(payments, plan.accepted_at),
        accepted_on=date.min,  # counted by when they were recorded (_since)
        today=today,
        grace_days=plan.grace_days,
    )


@transaction.atomic
def _apply_plan_state(plan_id: int, today: date, actor: str) -> dict[str, int]:
    plan = Arrangement.objects.select_for_update().select_related("account__customer").get(pk=plan_id)
    if plan.status != ArrangementStatus.ACTIVE:
        return {}  # another run got here first
    # Judged again under the lock, on the payments as they are now: one posted since the batch was
    # read (a webhook during a long review) must not be missed.
    state = _state(plan, _payments([plan.account_id], today).get(plan.account_id, []), today)
    account, counts = plan.account, defaultdict(int)
    changed = []
    for row, new in zip(plan.instalments.all(), state.instalments, strict=True):
        if (row.status, row.paid, row.settled_on) == (new.status, new.paid, new.settled_on):
            continue
        was = row.status
        row.status, row.paid, row.settled_on = new.status, new.paid, new.settled_on
        changed.append(row)
        if new.status in (tracking.PAID, tracking.LATE, tracking.MISSED) and new.status != was:
            counts[f"instalments_{new.status}"] += 1
            verb = {"paid": "paid", "late": f"paid late, on {new.settled_on}", "missed": "missed"}[new.status]
            audit(
                actor,
                f"record_instalment_{new.status}",
                plan,
                f"Instalment {new.number} of {len(state.instalments)} on {account.external_ref} "
                f"({Money(new.amount, plan.currency)} due {new.due_on}) {verb}",
                customer=account.customer,
                account=account,
                changes={"number": new.number, "status": [was, new.status], "paid": str(new.paid)},
            )
    PlanInstalment.objects.bulk_update(changed, ["status", "paid", "settled_on"])
    if state.status == tracking.COMPLETED:
        _complete(plan, today, actor)
        counts["plans_completed"] += 1
    elif state.status == tracking.BROKEN:
        missed = state.first_missed
        plan.status, plan.ended_on = ArrangementStatus.BROKEN, today
        plan.save(update_fields=["status", "ended_on"])
        owed = Money(missed.amount, plan.currency)
        why = f"instalment {missed.number} ({owed} due {missed.due_on}) was missed"
        audit(
            actor,
            "break_arrangement",
            plan,
            f"Plan on {account.external_ref} broken: {why}; the account's playbook resumes",
            customer=account.customer,
            account=account,
            changes={"missed": missed.number, "grace_days": plan.grace_days},
        )
        _restore_schedule(plan, actor)
        if account.status == "in_arrangement":
            set_account_status(account, "overdue", reason=f"plan broken: {why}", actor=actor)
        counts["plans_broken"] += 1
    return dict(counts)


def _complete(plan: Arrangement, today: date, actor: str) -> None:
    account = Account.objects.select_for_update().get(pk=plan.account_id)
    plan.status, plan.ended_on = ArrangementStatus.COMPLETED, today
    plan.save(update_fields=["status", "ended_on"])
    audit(
        actor,
        "complete_arrangement",
        plan,
        f"Plan on {account.external_ref} completed: {Money(plan.total, plan.currency)} paid",
        customer=plan.account.customer,
        account=account,
    )
    forgone = min(account.balance, plan.balance_at_start - plan.total)
    if plan.kind == "settlement" and forgone > 0:
        # What the creditor agreed to forgo, and no more: charges added since are still owed.
        post_entry(
            account,
            EntryKind.WRITE_OFF,
            forgone,
            today,
            source=f"settlement plan {plan.pk}",
            actor=actor,
            note="settled: the rest of the balance is forgiven as agreed",
        )
    account.refresh_from_db()
    if account.balance > 0 and account.status == "in_arrangement":
        _restore_schedule(plan, actor)
        # Charges added while the plan ran are still owed: the usual playbook takes them up.
        set_account_status(
            account,
            "overdue",
            reason=f"plan completed with {Money(account.balance, account.currency)} still owed",
            actor=actor,
        )


def _restore_schedule(plan: Arrangement, actor: str) -> None:
    """The plan is over: its instalment reminders stop, and the account is followed by the due dates it
    had before (the usual playbook counts days past due from those)."""
    if plan.previous_schedule:
        schedule = [(date.fromisoformat(day), Decimal(amount)) for day, amount in plan.previous_schedule]
        set_schedule(
            plan.account, schedule, reason=f"plan {plan.pk} over: the schedule before it", actor=actor
        )


def review_promises(today: date, *, actor: str = ACTOR) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    grace = _grace_days_by_creditor()
    ids = list(Promise.objects.filter(status="open").order_by("id").values_list("id", flat=True))
    for chunk in _chunks(ids):
        promises = list(
            Promise.objects.filter(pk__in=chunk).select_related("account__creditor", "account__customer")
        )
        payments = _payments([promise.account_id for promise in promises], today)
        for promise in promises:
            zone = ZoneInfo(promise.account.customer.timezone)
            made_on = timezone.localtime(promise.made_at, zone).date()
            status, decided_on = tracking.promise_state(
                promise.amount,
                promise.due_on,
                _since(payments.get(promise.account_id, []), promise.made_at),
                made_on=made_on,
                today=today,
                grace_days=grace[promise.account.creditor_id],
            )
            if status != tracking.OPEN and _settle_promise(promise.pk, status, decided_on, actor):
                counts[f"promises_{status}"] += 1
    return dict(counts)


def _grace_days_by_creditor() -> dict[int, int]:
    """Each creditor's promise_grace_days, read once per review. Terms are checked when a creditor is
    saved; one that is wrong all the same gets the default, so one creditor cannot stop the cycle."""
    found = {}
    for creditor_id, settings in Creditor.objects.values_list("id", "arrangement_terms"):
        try:
            found[creditor_id] = parse_terms(settings).promise_grace_days
        except TermsError:
            log.warning(
                "creditor %s: arrangement_terms are not valid; promises get the default grace", creditor_id
            )
            found[creditor_id] = Terms().promise_grace_days
    return found


@transaction.atomic
def _settle_promise(promise_id: int, status: str, decided_on: date, actor: str) -> bool:
    promise = Promise.objects.select_for_update().select_related("account__customer").get(pk=promise_id)
    if promise.status != PromiseStatus.OPEN:
        return False
    promise.status, promise.settled_on = status, decided_on
    promise.save(update_fields=["status", "settled_on"])
    account = promise.account
    what = f"promise of {Money(promise.amount, promise.currency)} by {promise.due_on}"
    summary = (
        f"Kept: the {what} on {account.external_ref} was paid by {decided_on}"
        if status == tracking.KEPT
        else f"Broken: the {what} on {account.external_ref} was not paid; the account's playbook resumes"
    )
    audit(
        actor,
        "keep_promise" if status == tracking.KEPT else "break_promise",
        promise,
        summary,
        customer=account.customer,
        account=account,
        changes={"status": ["open", status], "decided_on": decided_on.isoformat()},
    )
    return True
