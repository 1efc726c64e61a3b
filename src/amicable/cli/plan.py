"""`amicable plan`: forecast a day's contacts from the database with the playbooks; writes nothing."""

from __future__ import annotations

from datetime import date

import click

from .django_setup import setup_django
from .output import emit_json


@click.command("plan")
@click.option(
    "--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to plan (default today)."
)
@click.option("--account", "account_ref", help="Show only this account's contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary and contacts as JSON.")
def plan(day, account_ref: str | None, as_json: bool) -> None:
    """Which contacts the playbooks would make on a day, and which steps would not be taken and why.

    A forecast: nothing is written or sent. Accounts on hold are counted under `held`; the one-contact
    compliance engine decides those when the day is run.
    """
    setup_django()
    from django.utils import timezone

    from amicable.authoring.library import active_playbooks
    from amicable.cycle.snapshot_db import build_snapshot
    from amicable.planner.plan import UnknownPlaybook, plan_day

    today: date = day.date() if day else timezone.localdate()
    try:
        result = plan_day(build_snapshot(today), active_playbooks(), today)
    except UnknownPlaybook as error:
        raise click.ClickException(str(error)) from None
    candidates = result.candidates
    if account_ref:
        candidates = candidates.filter(candidates["account_ref"] == account_ref)
    free = candidates.filter(~candidates["held"])
    summary = {
        "date": today.isoformat(),
        "accounts": result.accounts,
        "planned": free.height,
        "by_channel": dict(sorted(free.group_by("channel").len().rows())),
        "held": candidates.filter(candidates["held"]).height,
        "skipped": dict(sorted(result.skips.group_by("reason").len().rows())),
        "blocked": dict(sorted(result.skips.drop_nulls("rule").group_by("rule").len().rows())),
        "without_step": result.without_step,
    }
    contacts = [
        {
            "account_ref": row["account_ref"],
            "creditor": row["creditor"],
            "playbook": row["playbook"],
            "step": row["step_id"],
            "channel": row["channel"],
            "template": row["template"],
            "variant": row["variant"],
            "scheduled_at": row["scheduled_at"].isoformat(),
            "held": row["held"],
            "hold_kinds": row["hold_kinds"],
        }
        for row in candidates.iter_rows(named=True)
    ]
    if as_json:
        emit_json({**summary, "contacts": contacts})
        return
    click.echo(f"{summary['date']}: {summary['planned']} contacts planned for {summary['accounts']} accounts")
    for channel, count in summary["by_channel"].items():
        click.echo(f"  {channel:<8} {count}")
    if summary["held"]:
        click.echo(f"  {summary['held']} more on accounts with a hold, for the compliance engine to decide")
    for reason, count in summary["skipped"].items():
        click.echo(f"  not taken: {reason}: {count}")
    if account_ref:
        for contact in contacts:
            variant = f" ({contact['variant']})" if contact["variant"] else ""
            step = f"{contact['playbook']}/{contact['step']}"
            click.echo(
                f"  {contact['scheduled_at']} {contact['channel']:<6} {step} {contact['template']}{variant}"
            )
