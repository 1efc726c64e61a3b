"""Work for a person, made by any action that needs one and closed by the person who did it: one way
to make a task and one way to finish it, each audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from amicable.conversations.models import InboundMessage, Task
from amicable.ledger.actions import ActionError
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, Customer

NOTE_LIMIT = 200  # a short note on the timeline: what was done, not a conversation's record


def create_task(
    kind: str,
    summary: str,
    *,
    due_at: datetime,
    actor: str,
    customer: Customer | None,
    account: Account | None = None,
    message: InboundMessage | None = None,
    role: str = "agent",
) -> Task:
    """A task for an agent, a supervisor or a specialist. The summary is on the timeline: it says what
    to do, never what a customer confided (that stays on the message or a sensitive note)."""
    task = Task.objects.create(
        kind=kind,
        role=role,
        customer=customer,
        account=account,
        message=message,
        summary=summary[:300],
        due_at=due_at,
    )
    audit(actor, "create_task", task, f"Task for an {role}: {task}"[:300], customer=customer, account=account)
    return task


def complete_task(task: Task, *, actor: str, note: str = "", at: datetime | None = None) -> Task:
    """The task is done: `done_at` is set and the customer's timeline says so, with who did it (the
    audit row; a task keeps no name of its own) and the note, if any. Refused for a task already done,
    so two people finishing it at once write it once."""
    at = at or timezone.now()
    note = " ".join(note.split())
    if len(note) > NOTE_LIMIT:
        raise ActionError(f"note: at most {NOTE_LIMIT} characters (this is {len(note)})", field="note")
    if at > timezone.now() + timedelta(minutes=5):
        raise ActionError(f"at: {at.isoformat()} is in the future: mark a task done once it is", field="at")
    with transaction.atomic():
        # A conditional update, so only one of two people pressing "Done" at once succeeds.
        if not Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=at):
            raise ActionError(f"task {task.pk} is already done", field="task")
        task.done_at = at
        audit(
            actor,
            "complete_task",
            task,
            f"Task done: {task}" + (f" ({note})" if note else ""),
            customer=task.customer,
            account=task.account,
            changes={"kind": task.kind, "note": note},
            at=at,
        )
    return task
