"""Work for a person, made by any action that needs one: one way to make a task, audited."""

from __future__ import annotations

from datetime import datetime

from amicable.conversations.models import InboundMessage, Task
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, Customer


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
