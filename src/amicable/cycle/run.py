"""The daily cycle: snapshot -> plan -> outbox -> dispatch, for every creditor at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from amicable.arrangements.plans import review_commitments
from amicable.authoring.library import active_playbooks, load_saved_templates
from amicable.outbox.models import Contact, CycleRun
from amicable.planner.plan import plan_day

from .dispatch import dispatch_due
from .snapshot_db import build_snapshot
from .write import write_plan


def run_day(
    day: date,
    *,
    dry_run: bool = False,
    dispatch: bool = True,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict:
    """Plan `day` and dispatch what is due by `now`. The summary is `amicable run --json`'s output."""
    now = now or timezone.now()
    with day_lock(day):
        # Payments since the last run decide which plans and promises were kept, so the plan below
        # already knows whose playbook resumes (a dry run leaves them as they are).
        reviewed = {} if dry_run else review_commitments(day)
        # Planning writes nothing: a run that cannot plan (an unknown playbook) leaves no trace.
        # The playbooks and templates in force: the packaged ones, overlaid by those saved in the console.
        load_saved_templates()
        plan = plan_day(build_snapshot(day), active_playbooks(), day)
        if not dry_run:
            run, _ = CycleRun.objects.get_or_create(day=day)
            CycleRun.objects.filter(pk=run.pk).update(runs=F("runs") + 1, last_started_at=now)
        if on_total:
            on_total(plan.candidates.height + plan.refused.height)
        written = write_plan(plan, day, dry_run=dry_run, now=now, progress=progress)
    sent: Counter = Counter()
    if dispatch and not dry_run and settings.CELERY_BROKER_URL:
        from .tasks import dispatch_due_task

        dispatch_due_task.delay()  # the workers send; this run reports what it queued
    elif dispatch and not dry_run:
        for (channel, status), n in dispatch_due(now).items():
            if status in ("sent", "delivered"):
                sent[channel] += n
    if dry_run:
        queued = Counter(c.channel for c in written.contacts if c.status == "queued")
    else:
        queued = Counter(
            dict(
                Contact.objects.filter(cycle_date=day, status="queued")
                .values_list("channel")
                .annotate(n=Count("id"))
            )
        )
    summary = {
        "date": day.isoformat(),
        "accounts": plan.accounts,
        "planned": written.planned["queued"] + written.planned["deferred"],
        "already_planned": written.already_planned,
        "sent": dict(sorted(sent.items())),
        "queued": dict(sorted(queued.items())),
        "blocked": dict(sorted(written.blocked.items())),
        "skipped": dict(sorted(written.skipped.items())),
        "deferred": written.planned["deferred"],
        "commitments": reviewed,
        "dry_run": dry_run,
    }
    if not dry_run:
        CycleRun.objects.filter(day=day).update(last_finished_at=timezone.now(), summary=summary)
    return summary


@contextmanager
def day_lock(day: date) -> Iterator[None]:
    """On PostgreSQL, two runs of the same day (on any machines) plan one after the other. Each batch
    is still its own transaction; the outbox's unique keys stop duplicates even without the lock.
    SQLite allows one writer at a time anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    key = 0x616D_6963_0000 + day.toordinal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
