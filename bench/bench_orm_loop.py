"""Benchmark the planner against a per-account ORM loop that makes the same decisions.

    amicable bench orm_loop --accounts 10000 [--database-url URL] [--json]

Builds N accounts in a fresh database (a temporary SQLite file unless --database-url names an empty
database): one customer each, with time zones, channel preferences, contact points with consents, one
to six schedule items spread around today, payments, holds on a few percent, and calls in the last
week (so the call-frequency rules have history). Then times:
- planner: cycle.snapshot_db.build_snapshot (eleven bulk queries, read as Arrow columns) and
  planner.plan_day (one columnar pass), best of three runs;
- ORM loop: the straightforward way, one account at a time: its creditor, customer, schedule, payments
  today, contact points, holds and recent calls, each through the ORM, then the playbooks' rules in
  Python; run once (it takes long enough that one-time costs do not matter).
Both must decide the same contacts (account, playbook, step, channel, and the contact point, variant,
send time, hold and compliance decision) and the same steps not taken; the benchmark exits with 1 when
they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

# The pure core (no Django): its constants, and the planner itself.
from amicable.compliance.vectorized import (
    CALL_CHANNELS,
    DAYS,
    MAX_CALLS,
    NOT_CONNECTED,
    TIMED_CHANNELS,
    WINDOW_END,
    WINDOW_START,
)
from amicable.planner.plan import CLOSED, Plan, Windows, plan_day
from amicable.playbooks.load import default_playbooks
from amicable.playbooks.model import EVENTS_WITH_DAYS, Playbook, Segment, Step

TODAY = date(2026, 3, 10)
DAY_START = datetime.combine(TODAY, clock(0), tzinfo=UTC)
US_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
# What the loop compares with the planner, in this order.
CONTACT_FIELDS = (
    "account_id",
    "playbook",
    "step_id",
    "trigger_on",
    "channel",
    "contact_point_id",
    "variant",
    "scheduled_at",
    "held",
    "decision",
    "rule",
)
SKIP_FIELDS = ("account_id", "playbook", "step_id", "trigger_on", "reason", "rule")


def main() -> None:
    parser = argparse.ArgumentParser(prog="amicable bench orm_loop", description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="amicable-bench-orm-loop-"))
    try:
        result, differences = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    if differences:
        print("\n".join(differences), file=sys.stderr)
        sys.exit(1)


def run(args: argparse.Namespace, workdir: Path) -> tuple[dict, list[str]]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "amicable.settings"
    os.environ["AMICABLE_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from amicable.ledger.models import Account

    call_command("migrate", verbosity=0)
    if Account.objects.exists():
        sys.exit("the benchmark needs an empty database")
    started = time.perf_counter()
    populate(args.accounts, args.seed)
    populate_seconds = time.perf_counter() - started
    settle(connection)

    loop_queries = 0

    def counting(execute, sql, params, many, context):
        nonlocal loop_queries
        loop_queries += 1
        return execute(sql, params, many, context)

    from amicable.cycle.frames import arrow_reads
    from amicable.cycle.snapshot_db import build_snapshot

    planner_seconds = snapshot_seconds = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        snapshot = build_snapshot(TODAY)
        built = time.perf_counter()
        plan = plan_day(snapshot, default_playbooks(), TODAY)
        seconds = time.perf_counter() - started
        if seconds < planner_seconds:
            planner_seconds, snapshot_seconds = seconds, built - started
    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        loop_contacts, loop_skips = orm_loop(TODAY)
        loop_seconds = time.perf_counter() - started

    planner_contacts, planner_skips = planner_decisions(plan)
    differences = compare("contacts", loop_contacts, planner_contacts) + compare(
        "skips", loop_skips, planner_skips
    )
    # The check: the same (account, playbook, step, channel) on both sides.
    same_steps = {key(row) for row in loop_contacts} == {key(row) for row in planner_contacts}
    result = {
        "accounts": args.accounts,
        "database": connection.vendor,
        "orm_loop_seconds": round(loop_seconds, 2),
        "planner_seconds": round(planner_seconds, 3),
        "speedup": round(loop_seconds / planner_seconds),
        "snapshot_seconds": round(snapshot_seconds, 3),
        "snapshot_read": "arrow" if arrow_reads() else "cursor",
        "plan_seconds": round(planner_seconds - snapshot_seconds, 3),
        "candidates": plan.candidates.height,
        "refused": plan.refused.height,
        "planner_contacts": len(planner_contacts),
        "orm_loop_contacts": len(loop_contacts),
        "planner_skips": len(planner_skips),
        "orm_loop_skips": len(loop_skips),
        "orm_loop_queries": loop_queries,
        "populate_seconds": round(populate_seconds, 1),
        "agree": same_steps and not differences,
    }
    return result, differences


def settle(connection) -> None:
    """Leave the database as it is on a morning: statistics gathered, SQLite's log written back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("ANALYZE")


def key(row: tuple) -> tuple:
    """(account_id, playbook, step_id, channel) of a contact row."""
    return row[0], row[1], row[2], row[4]


# ---------------------------------------------------------------------------------------- portfolio


def populate(accounts: int, seed: int) -> None:
    """N accounts with everything the day's decisions read, written with the bulk insert helper."""
    from django.db import transaction

    from amicable.ledger.bulk import insert_rows
    from amicable.ledger.models import (
        Account,
        ContactPoint,
        Creditor,
        Customer,
        Hold,
        JournalEntry,
        ScheduleItem,
    )
    from amicable.outbox.models import Contact

    rng = random.Random(seed)
    long_ago = DAY_START - timedelta(days=90)
    with transaction.atomic():
        # A debt collector (Regulation F) running every playbook; a creditor without arrangements.
        creditors = {
            "northwind": Creditor.objects.create(name="northwind", role="debt_collector").pk,
            "fairway": Creditor.objects.create(
                name="fairway", playbooks=["consumer", "business", "aftercare"]
            ).pk,
        }
        profiles = [_profile(rng, n) for n in range(1, accounts + 1)]
        insert_rows(
            Customer,
            (
                {
                    "creditor_id": creditors[p["creditor"]],
                    "external_ref": f"C{p['n']}",
                    "kind": p["kind"],
                    "first_name": "Sam",
                    "last_name": f"Bench{p['n']}",
                    "language": p["language"],
                    "timezone": p["timezone"],
                    "country": p["country"],
                    "region": p["region"],
                    "channel_order": p["channel_order"],
                    "created_at": long_ago,
                    "updated_at": long_ago,
                }
                for p in profiles
            ),
        )
        customer_ids = dict(Customer.objects.values_list("external_ref", "id"))
        insert_rows(
            ContactPoint,
            (
                {"customer_id": customer_ids[f"C{p['n']}"], **point}
                for p in profiles
                for point in p["contact_points"]
            ),
        )
        insert_rows(
            Account,
            (
                {
                    "creditor_id": creditors[p["creditor"]],
                    "external_ref": f"A{p['n']}",
                    "customer_id": customer_ids[f"C{p['n']}"],
                    "currency": "USD" if p["country"] == "US" else "GBP",
                    "status": p["status"],
                    "balance": p["balance"],
                    "playbook": p["pin"],
                    "created_at": long_ago,
                    "updated_at": p["updated_at"],
                }
                for p in profiles
            ),
        )
        account_ids = dict(Account.objects.values_list("external_ref", "id"))
        for p in profiles:
            p["account_id"] = account_ids[f"A{p['n']}"]
            p["customer_id"] = customer_ids[f"C{p['n']}"]
            p["creditor_id"] = creditors[p["creditor"]]
        insert_rows(
            ScheduleItem,
            (
                {"account_id": p["account_id"], "due_on": due_on, "amount": amount}
                for p in profiles
                for due_on, amount in p["schedule"]
            ),
        )
        insert_rows(
            JournalEntry,
            (
                {
                    "creditor_id": p["creditor_id"],
                    "account_id": p["account_id"],
                    "kind": kind,
                    "amount": amount,
                    "effective_on": on,
                    "source": "bench",
                    "recorded_at": DAY_START,
                    "recorded_by": "bench",
                }
                for p in profiles
                for kind, amount, on in p["journal"]
            ),
        )
        insert_rows(
            Hold,
            (
                {
                    "customer_id": p["customer_id"],
                    "account_id": p["account_id"] if own else None,
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": ends,
                    "source": "bench",
                    "created_at": starts,
                }
                for p in profiles
                for kind, own, starts, ends in p["holds"]
            ),
        )
        insert_rows(
            Contact,
            (
                {
                    "key": f"bench:{p['n']}:{k}",
                    "cycle_date": sent_at.date(),
                    "creditor_id": p["creditor_id"],
                    "customer_id": p["customer_id"],
                    "account_id": p["account_id"],
                    "playbook": "consumer",
                    "step": "call-14",
                    "trigger_on": sent_at.date(),
                    "channel": channel,
                    "template": "call_guide",
                    "language": p["language"],
                    "status": "sent",
                    "scheduled_at": sent_at,
                    "sent_at": sent_at,
                    "outcome": outcome,
                    "reply_token": f"bench{p['n']}x{k}",
                    "created_at": sent_at,
                    "updated_at": sent_at,
                }
                for p in profiles
                for k, (channel, sent_at, outcome) in enumerate(p["contacts"])
            ),
        )


def _weighted(rng: random.Random, options: Mapping[str, int]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def _consent(state: str) -> dict:
    return {"state": state, "source": "bench", "at": "2026-01-05T09:00:00+00:00"}


def _profile(rng: random.Random, n: int) -> dict:
    """One account, its customer and what happened to them, as plain values."""
    country = "GB" if rng.random() < 0.1 else "US"
    profile: dict = {
        "n": n,
        "creditor": rng.choice(["northwind", "fairway"]),
        "kind": "business" if rng.random() < 0.1 else "person",
        "language": rng.choice(["en-US", "en-US", "es-US", "en"] if country == "US" else ["en-GB"]),
        "timezone": rng.choice(US_ZONES) if country == "US" else "Europe/London",
        "country": country,
        "region": rng.choice(["NY", "CA", "TX", "MA"]) if country == "US" else "",
        "channel_order": _weighted(
            rng, {"": 70, "sms,email": 15, "letter": 8, "call,email": 4, "email,email": 3}
        ).split(",")
        if rng.random() < 0.3
        else [],
        "pin": rng.choice(["consumer", "business"]) if rng.random() < 0.02 else "",
    }
    profile["channel_order"] = [c for c in profile["channel_order"] if c]
    points = []
    if rng.random() < 0.8:
        consents = {"collection": _consent(_weighted(rng, {"granted": 85, "unknown": 10, "revoked": 5}))}
        if rng.random() < 0.3:
            consents["marketing"] = _consent("granted")
        points.append({"kind": "email", "value": f"c{n}@example.com", "consents": consents})
    if rng.random() < 0.6:
        state = _weighted(rng, {"granted": 70, "unknown": 20, "revoked": 10})
        points.append(
            {"kind": "mobile", "value": f"+1555{n:07d}", "consents": {"collection": _consent(state)}}
        )
    if rng.random() < 0.2:
        consents = {"collection": _consent("revoked")} if rng.random() < 0.05 else {}
        points.append({"kind": "landline", "value": f"+1556{n:07d}", "consents": consents})
    if rng.random() < 0.95:
        consents = {"collection": _consent("revoked")} if rng.random() < 0.03 else {}
        address = {"line1": f"{n} Main Street", "city": "Springfield", "country": country}
        points.append(
            {"kind": "postal", "value": f"{n} Main Street", "address": address, "consents": consents}
        )
    for point in points:
        point["invalid"] = rng.random() < 0.03
    profile["contact_points"] = points

    # Item k falls due 30 days after the one before; the first around today.
    items = rng.choice([1, 1, 1, 3, 6])
    cents = rng.randrange(1_000, 500_000)
    first = TODAY + timedelta(days=rng.randrange(-60, 60))
    each = Decimal(cents // items) / 100
    schedule = [(first + timedelta(days=30 * k), each) for k in range(items)]
    profile["schedule"] = schedule
    total = each * items
    paid = each * rng.randrange(items)
    if rng.random() < 0.2:  # part of the next instalment
        paid += (each * rng.randrange(1, 100) / 100).quantize(Decimal("0.01"))
    roll = rng.random()
    status = "current" if first >= TODAY else "overdue"
    if items > 1 and rng.random() < 0.8:
        status = "in_arrangement"
    if roll < 0.02:
        status, paid = "resolved", total
    elif roll < 0.03:
        status = "written_off"
    elif roll < 0.06:
        status = "disputed"
    elif roll < 0.08:
        status = "on_hold"
    profile["status"] = status
    # Resolved today (after-care) or days ago (not planned at all); everything else untouched lately.
    resolved_today = status == "resolved" and rng.random() < 0.5
    profile["updated_at"] = (
        DAY_START + timedelta(hours=3) if resolved_today else DAY_START - timedelta(days=3)
    )
    journal = [("charge", total, first - timedelta(days=60))]
    if paid > 0:
        journal.append(("payment", paid, TODAY - timedelta(days=20)))
    if rng.random() < 0.02:
        journal.append(("payment", Decimal("10.00"), TODAY))  # payment_received today
    if rng.random() < 0.01:
        journal.append(("credit", Decimal("5.00"), TODAY - timedelta(days=5)))
    if (
        rng.random() < 0.1
    ):  # interest on top of the schedule: the balance, not the payments, says what is paid
        journal.append(("interest", Decimal(rng.randrange(100, 5_000)) / 100, TODAY - timedelta(days=15)))
    profile["journal"] = journal
    profile["balance"] = sum(a if kind in ("charge", "interest") else -a for kind, a, _ in journal)

    holds = []
    for kind, share, own, starts, ends in (
        ("dispute", 0.01, False, -5, None),
        ("cease", 0.005, True, -10, None),
        ("vulnerability_review", 0.005, False, -2, None),
        ("bankruptcy", 0.005, False, -30, -2),  # ended: no longer active
        ("represented", 0.003, False, 2, None),  # starts later
    ):
        if rng.random() < share:
            end = DAY_START + timedelta(days=ends) if ends is not None else None
            holds.append((kind, own, DAY_START + timedelta(days=starts), end))
    profile["holds"] = holds

    # Calls in the last nine days (some before, some after the send time today), mostly to accounts a
    # week or more overdue (those the call steps are for), some often enough for the seven-in-seven
    # rule; and texts and emails, which the call rules ignore.
    overdue = any(TODAY - timedelta(days=20) <= due_on <= TODAY - timedelta(days=8) for due_on, _ in schedule)
    contacts = []
    outcomes = {"no_answer": 40, "voicemail": 25, "busy": 15, "conversation": 10, "": 10}
    if rng.random() < (0.8 if overdue else 0.3):
        for _ in range(rng.randint(1, 4)):
            at = DAY_START - timedelta(days=9) + timedelta(seconds=rng.randrange(10 * 86_400))
            contacts.append(("call", at, _weighted(rng, outcomes)))
    if rng.random() < (0.2 if overdue else 0.02):
        for _ in range(8):
            at = DAY_START - timedelta(days=6) + timedelta(seconds=rng.randrange(6 * 86_400))
            contacts.append(("call", at, rng.choice(["no_answer", "voicemail"])))
    if rng.random() < 0.1:
        at = DAY_START - timedelta(seconds=rng.randrange(7 * 86_400))
        contacts.append((rng.choice(["sms", "email"]), at, ""))
    profile["contacts"] = contacts
    return profile


# ---------------------------------------------------------------------------------------- comparing


def planner_decisions(plan: Plan) -> tuple[set[tuple], set[tuple]]:
    """The planner's contacts (candidates and refused) and steps not taken, as comparable tuples."""
    allowed = plan.candidates.with_columns(
        pl.lit("allow").alias("decision"), pl.lit(None, dtype=pl.String).alias("rule")
    )
    contacts = pl.concat([allowed.select(CONTACT_FIELDS), plan.refused.select(CONTACT_FIELDS)])
    return set(contacts.iter_rows()), set(plan.skips.select(SKIP_FIELDS).iter_rows())


def compare(what: str, loop: set[tuple], planner: set[tuple], shown: int = 5) -> list[str]:
    lines = []
    for side, extra in (("ORM loop", loop - planner), ("planner", planner - loop)):
        if extra:
            lines.append(f"{what} only the {side} has: {len(extra)}, e.g.")
            lines += [f"  {row}" for row in sorted(extra, key=str)[:shown]]
    return lines


# ----------------------------------------------------------------------------------------- ORM loop


def orm_loop(today: date) -> tuple[set[tuple], set[tuple]]:
    """The day's contacts and steps not taken, one account at a time through the ORM."""
    from django.db.models import Q

    from amicable.cycle.snapshot_db import HISTORY_DAYS, OPEN_STATUSES
    from amicable.ledger.models import Account, Hold
    from amicable.outbox.models import Contact

    playbooks = default_playbooks()
    day_start = datetime.combine(today, clock(0), tzinfo=UTC)
    contacts: set[tuple] = set()
    skips: set[tuple] = set()
    # Open accounts, and accounts resolved since yesterday (for after-care), as the cycle plans them.
    planned = Q(status__in=OPEN_STATUSES) | Q(
        status="resolved", updated_at__gte=day_start - timedelta(days=1)
    )
    for account in Account.objects.filter(planned).order_by("id"):
        creditor = account.creditor
        customer = account.customer
        schedule = list(account.schedule.all())
        paid_today = account.journal.filter(kind="payment", effective_on=today).exists()
        points = list(customer.contact_points.all())
        holds = list(Hold.objects.active_at(day_start + timedelta(hours=12)).filter(customer=customer))
        calls = list(
            Contact.objects.filter(
                customer=customer,
                account=account,
                channel__in=CALL_CHANNELS,
                sent_at__gte=day_start - timedelta(days=HISTORY_DAYS),
                sent_at__lt=day_start + timedelta(days=2),
            )
        )
        decide(
            AccountDay(account, creditor, customer, schedule, paid_today, points, holds, calls, today),
            playbooks,
            contacts,
            skips,
        )
    return contacts, skips


class AccountDay:
    """One account's facts for the day, worked out from its rows the way the planner's columns are."""

    def __init__(self, account, creditor, customer, schedule, paid_today, points, holds, calls, today: date):
        self.account, self.customer, self.today = account, customer, today
        self.points = [p for p in points if not p.invalid]
        self.calls = calls
        self.zone = ZoneInfo(customer.timezone)
        # Payments clear the oldest amounts first, so what is still owed sits in the newest instalments:
        # an instalment is paid when the instalments due after it cover the balance.
        self.instalments = []  # (due_on, paid), oldest first
        due_after = Decimal(0)
        for item in sorted(schedule, key=lambda s: s.due_on, reverse=True):
            self.instalments.insert(0, (item.due_on, account.balance <= due_after))
            due_after += item.amount
        unpaid = [due_on for due_on, covered in self.instalments if not covered]
        self.days_past_due = (today - min(unpaid)).days if unpaid else None
        self.events = set()
        if paid_today:
            self.events.add("payment_received")
        day_start = datetime.combine(today, clock(0), tzinfo=UTC)
        if account.status == "resolved" and account.updated_at >= day_start:
            self.events.add("account_resolved")
        self.playbooks = set(creditor.playbooks or [])
        # Regulation F is US law: a debt collector's UK debtors are not under it.
        self.regulation_f = (creditor.role == "debt_collector" or creditor.applies_regulation_f) and (
            customer.country == "US"
        )
        self.hold_kinds = sorted({h.kind for h in holds if h.account_id in (None, account.pk)})


def decide(
    day: AccountDay, playbooks: Mapping[str, Playbook], contacts: set[tuple], skips: set[tuple]
) -> None:
    """Add the account's contacts and steps not taken today to `contacts` and `skips`."""
    account = day.account
    stops = {
        "instalment_paid": None,  # per trigger, below
        "account_resolved": account.status in CLOSED,
        "promise_active": False,  # promises arrive with the conversations issue
        "plan_active": account.status == "in_arrangement",
        "disputed": account.status == "disputed",
    }
    for book, step, trigger_on, covered in triggered(day, playbooks):
        if not assigned(day, book):
            continue
        stops["instalment_paid"] = covered
        stop = next((name for name, on in stops.items() if on and name in step.stop_if), None)
        if stop:
            skips.add((account.pk, book.name, step.id, trigger_on, f"stopped: {stop}", None))
            continue
        channel, point_id = choose_channel(day, step)
        if channel is None:
            skips.add((account.pk, book.name, step.id, trigger_on, "no usable contact point", None))
            continue
        step_hash = zlib.crc32(f"{book.name}/{step.id}".encode())
        at = send_time(day, channel, step_hash)
        decision, rule = compliance(day, channel, at)
        held = bool(set(day.hold_kinds) - {"vulnerability_review"})
        row = (account.pk, book.name, step.id, trigger_on, channel, point_id)
        contacts.add((*row, variant(account.pk, step, step_hash), at, held, decision, rule))
        if decision != "allow":
            skips.add((account.pk, book.name, step.id, trigger_on, f"compliance: {decision}", rule))


def triggered(day: AccountDay, playbooks: Mapping[str, Playbook]):
    """(playbook, step, trigger date, instalment covered) for every step whose moment is today."""
    today, instalments = day.today, day.instalments
    plan = len(instalments) >= 2  # instalment events are for accounts paid in instalments
    for book in playbooks.values():
        for step in book.steps:
            if step.day is not None:
                for due_on, covered in instalments:
                    if due_on == today - timedelta(days=step.day):
                        yield book, step, due_on, covered
            elif step.event == "instalment_due":
                for due_on, covered in instalments:
                    if plan and due_on == today + timedelta(days=step.in_days):
                        yield book, step, due_on, covered
            elif step.event == "instalment_missed":
                for due_on, covered in instalments:
                    if plan and due_on == today - timedelta(days=1) and not covered:
                        yield book, step, due_on, covered
            elif step.event in day.events and (step.event not in EVENTS_WITH_DAYS or step.in_days == 0):
                yield book, step, today, False  # every event here happened today; "due" ones fire early


def assigned(day: AccountDay, book: Playbook) -> bool:
    """The creditor runs the playbook and the account is in its segment; a pinned playbook replaces
    the creditor's dated ones whatever its segment says."""
    pin = day.account.playbook or None
    if book.name == pin:
        return True
    dated = any(s.day is not None for s in book.steps)
    return book.name in day.playbooks and (pin is None or not dated) and in_segment(day, book.segment)


def in_segment(day: AccountDay, segment: Segment) -> bool:
    customer = day.customer
    language = customer.language
    checks = [
        not segment.creditors or day.account.creditor.name in segment.creditors,
        not segment.jurisdictions
        or customer.country in segment.jurisdictions
        or customer.jurisdiction in segment.jurisdictions,
        not segment.customer_kinds or customer.kind in segment.customer_kinds,
        not segment.schedule_types
        or ("instalments" if len(day.instalments) >= 2 else "single") in segment.schedule_types,
        not segment.languages or language in segment.languages or language.split("-")[0] in segment.languages,
    ]
    for value, bounds in ((day.account.balance, segment.balance), (day.days_past_due, segment.days_past_due)):
        if bounds.low is not None or bounds.high is not None:
            checks.append(value is not None and value in bounds)
    return all(checks)


def reachable(point, use: str) -> list[str]:
    """The channels a contact point can carry for a use: an opt-in, or (calls and letters about the
    debt) no revocation."""
    carries = {
        "email": [("email", True)],
        "mobile": [("sms", True), ("call", False)],
        "landline": [("call", False)],
        "postal": [("letter", False)],
    }
    state = ((point.consents or {}).get(use) or {}).get("state", "unknown")
    return [
        channel
        for channel, needs_consent in carries.get(point.kind, [])
        if state == "granted" or (not needs_consent and use == "collection" and state != "revoked")
    ]


def choose_channel(day: AccountDay, step: Step) -> tuple[str | None, int | None]:
    """The step's first channel the customer can be reached on, their own order first; the oldest
    contact point for it."""
    use = "marketing" if step.purpose == "marketing" else "collection"
    order = list(day.customer.channel_order or [])
    best = None
    for position, channel in enumerate(step.channels):
        preference = order.index(channel) if channel in order else 100
        for point in day.points:
            if channel in reachable(point, use):
                option = (preference * 1000 + position, point.pk, channel)
                best = option if best is None else min(best, option)
    return (best[2], best[1]) if best else (None, None)


def variant(account_id: int, step: Step, step_hash: int) -> str | None:
    """Weighted and the same for the same account and step."""
    if not step.variants:
        return None
    bucket = (account_id * 2654435761 + step_hash) % 1_000_003
    total = sum(v.weight for v in step.variants)
    upto = 0
    for v in step.variants:
        upto += v.weight
        if bucket % total < upto:
            return v.name
    return None


def send_time(day: AccountDay, channel: str, step_hash: int) -> datetime:
    """A moment in the customer's local window (messages 09-18, calls 09-20), spread by account."""
    window = Windows().call if channel == "call" else Windows().message
    start = window[0].hour * 60 + window[0].minute
    length = window[1].hour * 60 + window[1].minute - start
    offset = (day.account.pk * 40503 + step_hash) % length
    local = datetime.combine(day.today, clock(0), tzinfo=day.zone) + timedelta(minutes=start + offset)
    return local.astimezone(UTC)


def compliance(day: AccountDay, channel: str, at: datetime) -> tuple[str, str | None]:
    """The time-window and call-frequency rules for one contact: (allow, block or defer; rule)."""
    local = at.astimezone(day.zone)
    if channel in CALL_CHANNELS and day.regulation_f:
        since = local.date() - timedelta(days=DAYS)
        recent = [
            c
            for c in day.calls
            if c.sent_at <= at and since < c.sent_at.astimezone(day.zone).date() <= local.date()
        ]
        if sum((c.outcome or c.status) not in NOT_CONNECTED for c in recent) >= MAX_CALLS:
            return "block", "US-REGF-CALL-7IN7"
        if any((c.outcome or c.status) == "conversation" for c in recent):
            return "block", "US-REGF-CALL-AFTER-CONVERSATION"
    if channel in TIMED_CHANNELS and not WINDOW_START <= local.time() <= WINDOW_END:
        return "defer", "US-REGF-TIME" if day.regulation_f else "GEN-QUIET-HOURS"
    return "allow", None


if __name__ == "__main__":
    main()
