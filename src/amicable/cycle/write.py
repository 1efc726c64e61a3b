"""The planner's answer, written to the outbox: every contact with its decision, in bulk, one
transaction per batch. A contact whose key is already in the outbox is left alone, so running a day
twice plans nothing twice."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from django.db import transaction
from django.utils import timezone

from amicable.ledger.audit import audit_row
from amicable.ledger.bulk import insert_rows
from amicable.ledger.models import Account, AuditLog
from amicable.outbox.models import Contact
from amicable.planner.plan import Plan

from .compose import compose
from .facts import load_facts

ACTOR = "system:cycle"
BATCH = 1000
# The audit action for each status a contact is planned with.
ACTIONS = {"queued": "plan_contact", "deferred": "defer_contact", "blocked": "block_contact"}


@dataclass
class Written:
    planned: Counter = field(default_factory=Counter)  # status -> contacts
    blocked: Counter = field(default_factory=Counter)  # rule -> contacts
    skipped: Counter = field(default_factory=Counter)  # reason -> steps not taken
    already_planned: int = 0
    contacts: list[Contact] = field(default_factory=list)  # dry run only: what would be written


def _batches(frame: pl.DataFrame, size: int) -> Iterator[list[dict]]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size).to_dicts()


def _summary(contact: Contact) -> str:
    what = f"{contact.channel} '{contact.template}'"
    if contact.status == "blocked":
        rules = sorted({r["rule"] for r in contact.reasons if r["effect"] == "block"})
        return f"Blocked {what}: {', '.join(rules)}"
    if contact.status == "deferred":
        return f"Deferred {what} to {contact.scheduled_at:%Y-%m-%d %H:%M} UTC"
    return f"Planned {what} for {contact.scheduled_at:%Y-%m-%d %H:%M} UTC"


def _contacts(rows: list[dict], today: date, now: datetime) -> list[Contact]:
    latest = max(max(row["scheduled_at"] for row in rows), now)
    facts = load_facts((row["account_id"] for row in rows), latest)
    contacts = []
    for row in rows:
        account_facts = facts[row["account_id"]]
        account = account_facts.account
        token = secrets.token_urlsafe(12)
        point = account_facts.points.get(row["contact_point_id"])
        composed = compose(
            account_facts,
            channel=row["channel"],
            template=row["template"],
            variant=row["variant"],
            purpose=row["purpose"],
            today=today,
            # A contact planned for a time already past goes at the next dispatch: judge it then.
            at=max(row["scheduled_at"], now),
            reply_token=token,
            point=point,
        )
        rendered = composed.rendered
        contacts.append(
            Contact(
                key=row["key"],
                cycle_date=today,
                creditor_id=account.creditor_id,
                customer_id=account.customer_id,
                account_id=account.pk,
                contact_point_id=row["contact_point_id"],
                playbook=row["playbook"],
                step=row["step_id"],
                trigger_on=row["trigger_on"],
                channel=row["channel"],
                purpose=row["purpose"],
                template=row["template"],
                variant=(rendered.variant if rendered else row["variant"]) or "",
                language=rendered.language if rendered else account.customer.language,
                status=composed.status,
                scheduled_at=composed.scheduled_at,
                subject=(rendered.subject or "")[:300] if rendered else "",
                body=rendered.body if rendered else "",
                voicemail=(rendered.voicemail or "") if rendered else "",
                reasons=composed.reasons,
                scenario=composed.scenario,
                reply_token=token,
            )
        )
    return contacts


def write_plan(
    plan: Plan,
    today: date,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Written:
    now = now or timezone.now()
    result = Written()
    rows = pl.concat([plan.candidates, plan.refused.drop("decision", "rule")], how="vertical")
    for chunk in _batches(rows, batch):
        known = set(Contact.objects.filter(key__in=[r["key"] for r in chunk]).values_list("key", flat=True))
        result.already_planned += len(known)
        chunk = [r for r in chunk if r["key"] not in known]
        if chunk:
            contacts = _contacts(chunk, today, now)
            for contact in contacts:
                result.planned[contact.status] += 1
                if contact.status == "blocked":
                    first = next((r["rule"] for r in contact.reasons if r["effect"] == "block"), "unknown")
                    result.blocked[first] += 1
            if dry_run:
                result.contacts += contacts
            else:
                with transaction.atomic():
                    Contact.objects.bulk_create(contacts, batch_size=500)
                    insert_rows(
                        AuditLog,
                        (
                            audit_row(
                                ACTOR,
                                ACTIONS[c.status],
                                "outbox.contact",
                                c.pk,
                                _summary(c),
                                at=now,
                                customer_id=c.customer_id,
                                account_id=c.account_id,
                                changes={"key": c.key, "status": c.status, "reasons": c.reasons},
                            )
                            for c in contacts
                        ),
                    )
        if progress:
            progress(len(chunk) + len(known))
    _write_skips(plan, today, now, result, dry_run)
    return result


def _write_skips(plan: Plan, today: date, now: datetime, result: Written, dry_run: bool) -> None:
    """Steps due today that will not be taken, on the customer's timeline with the reason. Those the
    time and frequency rules refused are contacts (blocked or deferred) instead."""
    skips = plan.skips.filter(~pl.col("reason").str.starts_with("compliance"))
    if skips.is_empty():
        return
    skips = skips.with_columns(
        pl.format("{}:{}:{}:{}", "account_id", "playbook", "step_id", "trigger_on").alias("key")
    )
    for row in skips.group_by("reason").len().iter_rows():
        result.skipped[row[0]] += row[1]
    if dry_run:
        return
    for chunk in _batches(skips, BATCH):
        keys = [r["key"] for r in chunk]
        known = set(
            AuditLog.objects.filter(
                action="skip_contact", object_type="outbox.step", object_id__in=keys
            ).values_list("object_id", flat=True)
        )
        chunk = [r for r in chunk if r["key"] not in known]
        customers = dict(
            Account.objects.filter(pk__in={r["account_id"] for r in chunk}).values_list("pk", "customer_id")
        )
        with transaction.atomic():
            insert_rows(
                AuditLog,
                (
                    audit_row(
                        ACTOR,
                        "skip_contact",
                        "outbox.step",
                        r["key"],
                        f"Not contacted for step {r['playbook']}/{r['step_id']}: {r['reason']}",
                        at=now,
                        customer_id=customers.get(r["account_id"]),
                        account_id=r["account_id"],
                        changes={"reason": r["reason"], "cycle_date": today.isoformat()},
                    )
                    for r in chunk
                ),
            )
