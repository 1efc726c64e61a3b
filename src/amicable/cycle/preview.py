"""`amicable preview`: the cycle for one account, composed but not written."""

from __future__ import annotations

from datetime import date

from amicable.authoring.library import active_playbooks, load_saved_templates
from amicable.planner.plan import plan_day

from .snapshot_db import build_snapshot
from .write import write_plan


def preview_account(account, day: date) -> dict:
    from amicable.cli.cycle import contact_json

    load_saved_templates()
    plan = plan_day(build_snapshot(day, account_ids=[account.pk]), active_playbooks(), day)
    written = write_plan(plan, day, dry_run=True)
    items = []
    for contact in written.contacts:
        # Unsaved contacts: attach what contact_json reads.
        contact.account, contact.creditor, contact.customer = account, account.creditor, account.customer
        items.append(contact_json(contact))
    skipped = [
        {"step": f"{row['playbook']}/{row['step_id']}", "reason": row["reason"]}
        for row in plan.skips.filter(~plan.skips["reason"].str.starts_with("compliance")).iter_rows(
            named=True
        )
    ]
    return {
        "date": day.isoformat(),
        "account_ref": account.external_ref,
        "contacts": items,
        "skipped": skipped,
    }
