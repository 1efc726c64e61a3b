"""Celery tasks: thin wrappers around the cycle's functions (the embedded default calls those directly)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(name="amicable.dispatch_contact", acks_late=True)
def dispatch_contact(contact_id: int) -> str | None:
    """Send one contact. Safe to run twice or on two workers at once: the claim decides who sends."""
    from amicable.authoring.library import load_saved_templates

    from .dispatch import dispatch_one

    load_saved_templates()  # a worker renders with the texts saved in the console
    outcome = dispatch_one(contact_id)
    return outcome.status if outcome else None


@shared_task(name="amicable.dispatch_due")
def dispatch_due_task() -> int:
    """Fan out one task per contact due now."""
    from .dispatch import due_ids

    ids = due_ids(timezone.now())
    for contact_id in ids:
        dispatch_contact.delay(contact_id)
    return len(ids)


@shared_task(name="amicable.run_cycle")
def run_cycle(day: str | None = None) -> dict:
    """Plan a day (default today) and hand what is due to the workers."""
    from .run import run_day

    summary = run_day(date.fromisoformat(day) if day else timezone.localdate(), dispatch=False)
    dispatch_due_task.delay()
    return summary
