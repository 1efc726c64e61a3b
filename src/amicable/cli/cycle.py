"""The daily cycle's commands: run, contacts, preview, explain."""

from __future__ import annotations

import sys
from datetime import date
from zoneinfo import ZoneInfo

import click

from .django_setup import setup_django
from .output import emit_json

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value) -> date:
    from django.utils import timezone

    return value.date() if value else timezone.localdate()


@click.command("run")
@click.option("--date", "day", type=DATE, help="The day to run (default today).")
@click.option("--dry-run", is_flag=True, help="Plan and decide, but write and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def run(day, dry_run: bool, as_json: bool) -> None:
    """Plan the day for every creditor, write the outbox, and send what is due now.

    Running a day again plans only what is new: a contact is never planned twice.
    """
    setup_django()
    from amicable.cycle.run import run_day
    from amicable.planner.plan import UnknownPlaybook

    today = _day(day)
    bar = None

    def on_total(total: int) -> None:
        nonlocal bar
        if not as_json and sys.stderr.isatty() and total:
            bar = click.progressbar(length=total, label="Planning", file=sys.stderr, show_pos=True)
            bar.__enter__()

    try:
        summary = run_day(
            today, dry_run=dry_run, on_total=on_total, progress=lambda n: bar.update(n) if bar else None
        )
    except UnknownPlaybook as error:
        raise click.ClickException(str(error)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        emit_json(summary)
        return
    prefix = "Dry run: nothing written or sent. " if dry_run else ""
    click.echo(
        f"{prefix}{summary['date']}: {summary['accounts']:,} accounts, "
        f"{summary['planned']:,} contacts planned"
        + (f" ({summary['already_planned']:,} were already planned)" if summary["already_planned"] else "")
    )
    for label, key in (("sent", "sent"), ("queued", "queued")):
        for channel, n in summary[key].items():
            click.echo(f"  {label:<8} {channel:<7} {n:,}")
    if summary["deferred"]:
        click.echo(f"  deferred         {summary['deferred']:,}")
    for rule, n in summary["blocked"].items():
        click.echo(f"  blocked  {rule}: {n:,}")
    for reason, n in summary["skipped"].items():
        click.echo(f"  skipped  {reason}: {n:,}")


def contact_json(contact) -> dict:
    zone = ZoneInfo(contact.customer.timezone)
    return {
        "id": contact.pk,
        "account_ref": contact.account.external_ref,
        "creditor": contact.creditor.name,
        "playbook": contact.playbook,
        "step": contact.step,
        "channel": contact.channel,
        "template": contact.template,
        "variant": contact.variant or None,
        "language": contact.language,
        "status": contact.status,
        "scheduled_at": contact.scheduled_at.astimezone(zone).isoformat(),
        "sent_at": contact.sent_at.astimezone(zone).isoformat() if contact.sent_at else None,
        "reasons": [
            {"rule": r["rule"], "citation": r["citation"], "effect": r["effect"], "message": r["message"]}
            for r in contact.reasons
        ],
        "subject": contact.subject or None,
        "body": contact.body,
    }


@click.command("contacts")
@click.option("--date", "day", type=DATE, help="The cycle day (default today).")
@click.option("--account", "account_ref", help="Only this account's contacts.")
@click.option(
    "--status",
    type=click.Choice(["queued", "deferred", "sent", "delivered", "failed", "blocked", "cancelled"]),
    help="Only contacts with this status.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def contacts(day, account_ref: str | None, status: str | None, as_json: bool) -> None:
    """The contacts and blocks of a day's cycle."""
    setup_django()
    from amicable.outbox.models import Contact

    rows = Contact.objects.filter(cycle_date=_day(day)).select_related("account", "creditor", "customer")
    if account_ref:
        rows = rows.filter(account__external_ref=account_ref)
    if status:
        rows = rows.filter(status=status)
    items = [contact_json(c) for c in rows.order_by("scheduled_at", "id").iterator(chunk_size=2000)]
    if as_json:
        emit_json(items)
        return
    for item in items:
        rules = ", ".join(sorted({r["rule"] for r in item["reasons"] if r["effect"] in ("block", "defer")}))
        click.echo(
            f"{item['id']:>8} {item['scheduled_at']} {item['account_ref']:<14} {item['channel']:<6} "
            f"{item['template']:<24} {item['status']}" + (f"  {rules}" if rules else "")
        )
    click.echo(f"{len(items)} contacts")


def find_account(account_ref: str, creditor: str | None):
    """The account with this reference, or a clear error (none, or several creditors' accounts)."""
    from amicable.ledger.models import Account

    found = Account.objects.filter(external_ref=account_ref).select_related("creditor")
    if creditor:
        found = found.filter(creditor__name=creditor)
    found = list(found[:10])
    if not found:
        raise click.ClickException(
            f"no account {account_ref!r}" + (f" for creditor {creditor!r}" if creditor else "")
        )
    if len(found) > 1:
        names = ", ".join(a.creditor.name for a in found)
        raise click.ClickException(
            f"{account_ref!r} is an account of several creditors ({names}): add --creditor"
        )
    return found[0]


@click.command("preview")
@click.argument("account_ref")
@click.option("--date", "day", type=DATE, help="The day (default today).")
@click.option("--creditor", help="The creditor, when the reference is not unique.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def preview(account_ref: str, day, creditor: str | None, as_json: bool) -> None:
    """What the cycle would send an account on a day, rendered, and why. Writes nothing."""
    setup_django()
    from amicable.cycle.preview import preview_account

    account = find_account(account_ref, creditor)
    result = preview_account(account, _day(day))
    if as_json:
        emit_json(result)
        return
    click.echo(f"{account_ref} ({account.creditor.name}) on {result['date']}")
    if not result["contacts"] and not result["skipped"]:
        click.echo("  No playbook step is due on this day.")
    for skip in result["skipped"]:
        click.echo(f"  Not contacted for {skip['step']}: {skip['reason']}")
    for item in result["contacts"]:
        click.echo(f"\n--- {item['channel']} {item['template']} ({item['status']}) at {item['scheduled_at']}")
        for reason in item["reasons"]:
            click.echo(f"  [{reason['effect']}] {reason['rule']} ({reason['citation']}): {reason['message']}")
        if item["subject"]:
            click.echo(f"Subject: {item['subject']}")
        click.echo(item["body"])


@click.command("explain")
@click.argument("contact_id", type=int)
@click.option("--scenario", "show_scenario", is_flag=True, help="Print the facts the decision was made on.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def explain(contact_id: int, show_scenario: bool, as_json: bool) -> None:
    """Why a contact was planned, sent, deferred, blocked or cancelled: every rule's reason.

    With --scenario, the stored facts in `amicable compliance check` format, to replay or change.
    """
    setup_django()
    from amicable.outbox.models import Contact

    contact = Contact.objects.select_related("account", "creditor", "customer").filter(pk=contact_id).first()
    if contact is None:
        raise click.ClickException(f"no contact {contact_id}")
    if show_scenario:
        emit_json(contact.scenario)
        return
    item = contact_json(contact)
    if as_json:
        emit_json(item)
        return
    click.echo(
        f"Contact {contact.pk}: {item['channel']} '{item['template']}' to {item['account_ref']} "
        f"({item['creditor']}), {item['status']}, scheduled {item['scheduled_at']}"
    )
    if not item["reasons"]:
        click.echo("  No rule had anything to say: every applicable rule allowed it.")
    for reason in item["reasons"]:
        click.echo(f"  [{reason['effect']}] {reason['rule']} ({reason['citation']}): {reason['message']}")


@click.command("dispatch")
@click.option("--every", type=click.IntRange(1), help="Keep going, dispatching every this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print what happened as JSON.")
def dispatch(every: int | None, as_json: bool) -> None:
    """Send the contacts that are due now (cron this, or use --every; production uses Celery beat)."""
    setup_django()
    import time

    from amicable.cycle.dispatch import dispatch_due

    while True:
        outcomes = dispatch_due()
        counts = {f"{channel}:{status}": n for (channel, status), n in sorted(outcomes.items())}
        if as_json:
            emit_json(counts)
        else:
            click.echo(", ".join(f"{k} {v}" for k, v in counts.items()) or "Nothing due.")
        if not every:
            return
        time.sleep(every)
