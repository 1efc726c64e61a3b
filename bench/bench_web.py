"""Benchmark the people-facing pages on a large portfolio: milliseconds and queries per page.

    amicable bench web --accounts 100000 [--repeat 20] [--database-url URL] [--keep DIR] [--json]

Builds N accounts in a fresh database (a temporary SQLite file; PostgreSQL when --database-url or
DATABASE_URL names an empty database) through the fast paths: the demo generator's accounts and
payments through the importers, then the bulk insert helper for what a portfolio in use has
gathered around them: two months of contacts (sent, delivered, failed, blocked and cancelled by a
rule, today's cycle planned and partly sent), the audit rows the cycle and dispatch write for them,
replies (some waiting for review), tasks (callbacks, reviews, disputes, vulnerability, complaints),
promises (open, kept, broken), disputes with their holds, other holds, payment plans, complaints,
sensitive notes, opt-outs, portal sign-ins; and staff: a superuser, an agent and a supervisor of one
creditor, an agent for each other creditor. One customer of that creditor with two accounts and a
long history is the one the pages are opened for.

Then it signs that customer in to the portal once (the link and the identity check) and the staff in to
the console, and times each page with Django's test client in this process: two warm-up requests, one
counting queries (CaptureQueriesContext), then --repeat timed requests (median and 95th percentile, and
each query's time in the database, so that the JSON names the slowest). With --keep DIR the SQLite file
is kept in DIR and used again by a later run of the same size and seed on the same day; a PostgreSQL
database built by this benchmark is used again in the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

MARKER = "bench_web_portfolio"  # an audit row naming the portfolio, so a kept database can be used again
STAFF = {"agent": "bench-agent", "supervisor": "bench-supervisor", "superuser": "bench-admin"}
WORKED = "Fairway Recoveries"  # the agent's and supervisor's creditor: a debt collector, Regulation F
BLOCKING_RULES = [
    "US-REGF-CALL-7IN7",
    "US-REGF-TIME",
    "US-REGF-CALL-AFTER-CONVERSATION",
    "US-TCPA-CONSENT",
    "GEN-QUIET-HOURS",
    "GEN-OPTOUT",
    "GEN-HOLD-DISPUTE",
    "UK-BREATHING-SPACE",
    "US-MA-CALLS",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="amicable bench web", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--accounts", type=int, default=10_000, help="accounts in the portfolio (default 10000)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="an empty database to use instead of a temporary SQLite file (default: DATABASE_URL)",
    )
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder and use it again")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="amicable-bench-web-"))
    try:
        result = run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table(result))


def run(args: argparse.Namespace, workdir: Path) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "amicable.settings"
    os.environ["AMICABLE_VAR_DIR"] = str(workdir)
    os.environ["DEBUG"] = "false"  # as in production: no query log kept between requests
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the test client's host name
    kept = None  # the SQLite file kept between runs
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        folder = args.keep or workdir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder.resolve() / f"web-{args.accounts}-{args.seed}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        kept = path if args.keep else None
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from amicable.ledger.models import Account, AuditLog

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    name = f"{args.accounts}:{args.seed}:{today.isoformat()}"
    marker = AuditLog.objects.filter(action=MARKER, object_id=name).first()
    if marker is None and kept is not None and Account.objects.exists():
        # Kept from another day: its activity is dated from the day it was built, so build it again.
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{kept}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    built: dict = {}
    if marker is not None:
        subject_id, built = marker.changes["subject"], {"reused": True, **marker.changes["built"]}
    elif Account.objects.exists():
        sys.exit(
            "the benchmark needs an empty database, or one it built today with the same --accounts and --seed"
        )
    else:
        started = time.perf_counter()
        subject_id, built = build(args.accounts, args.seed, workdir)
        built["seconds"] = round(time.perf_counter() - started, 1)
        settle(connection)
        AuditLog.objects.create(
            at=timezone.now(),
            actor="bench",
            action=MARKER,
            object_type="bench.portfolio",
            object_id=name,
            summary=f"Synthetic portfolio of {args.accounts} accounts for the web pages benchmark",
            changes={"subject": subject_id, "built": built},
        )
    pages = measure_pages(subject_id, args.repeat)
    return {
        "benchmark": "web",
        "database": connection.vendor,
        "accounts": args.accounts,
        "repeat": args.repeat,
        "portfolio": built,
        "pages": pages,
    }


def settle(connection) -> None:
    """Statistics gathered and SQLite's log written back, as on a database in use."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------------------------------- portfolio


def build(accounts: int, seed: int, workdir: Path) -> tuple[int, dict]:
    """The portfolio, its activity and the staff; returns the subject customer's id and row counts."""
    from django.db import transaction
    from django.utils import timezone

    from amicable.demo.load import write_csv
    from amicable.demo.portfolio import CREDITORS, generate
    from amicable.ledger.actions import create_creditor
    from amicable.ledger.importing.accounts import COLUMNS, import_accounts
    from amicable.ledger.importing.common import ImportOptions
    from amicable.ledger.importing.payments import COLUMNS as PAYMENT_COLUMNS
    from amicable.ledger.importing.payments import import_payments

    today = timezone.localdate()
    figures: dict = {}
    started = time.perf_counter()
    for creditor in CREDITORS:
        create_creditor(
            creditor.name,
            role=creditor.role,
            actor="bench",
            brand_name=creditor.brand_name,
            email=creditor.email,
            phone=creditor.phone,
        )
    portfolio = generate(max(1, int(accounts / 1.26)) + 1, seed, today)
    while len(portfolio.accounts) < accounts:  # the generator gives 1-3 accounts per customer
        portfolio = generate(len(portfolio.accounts) * 2, seed, today)
    rows = portfolio.accounts[:accounts]
    kept = {(r["creditor"], r["account_ref"]) for r in rows}
    payments = [p for p in portfolio.payments if (p["creditor"], p["account_ref"]) in kept]
    imported = import_accounts(
        write_csv(workdir / "accounts.csv", COLUMNS, rows), ImportOptions(actor="bench")
    )
    if imported.errors:
        sys.exit(f"the generated accounts file has errors: {imported.errors[0]}")
    paid = import_payments(
        write_csv(workdir / "payments.csv", PAYMENT_COLUMNS, payments), ImportOptions(actor="bench")
    )
    if paid.errors:
        sys.exit(f"the generated payments file has errors: {paid.errors[0]}")
    figures["import_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with transaction.atomic():
        demo_extras(portfolio, kept)
        subject = choose_subject()
        counts = activity(random.Random(seed), subject, timezone.now())
        staff()
    figures["activity_seconds"] = round(time.perf_counter() - started, 1)
    figures["rows"] = {**counts, **table_counts()}
    return subject, figures


def demo_extras(portfolio, kept: set[tuple[str, str]]) -> None:
    """What the accounts file cannot carry, written in bulk: instalment plans, holds, preferences."""
    from zoneinfo import ZoneInfo

    from amicable.ledger.bulk import insert_rows, update_rows
    from amicable.ledger.models import Account, Customer, Hold

    accounts = {
        (creditor, ref): pk
        for pk, creditor, ref in Account.objects.values_list("pk", "creditor__name", "external_ref")
    }
    customers = {
        (creditor, ref): (pk, zone)
        for pk, creditor, ref, zone in Customer.objects.values_list(
            "pk", "creditor__name", "external_ref", "timezone"
        )
    }
    plans = {accounts[key]: plan for key, plan in portfolio.instalments.items() if key in kept}
    replace_schedules(plans)
    holds = []
    for hold in portfolio.holds:
        key = (hold["creditor"], hold["customer_ref"])
        if key not in customers:
            continue
        customer_id, zone = customers[key]
        account_id = accounts.get((hold["creditor"], hold["account_ref"])) if hold["account_ref"] else None
        local = ZoneInfo(zone or "UTC")
        holds.append(
            {
                "customer_id": customer_id,
                "account_id": account_id,
                "kind": hold["kind"],
                "starts_at": hold["starts"].replace(tzinfo=local),
                "ends_at": hold["ends"].replace(tzinfo=local) if hold["ends"] else None,
                "source": "bench: letter received",
                "note": "Synthetic hold.",
                "created_at": hold["starts"].replace(tzinfo=local),
            }
        )
    insert_rows(Hold, holds)
    update_rows(
        Customer,
        ["channel_order", "inconvenient_times"],
        (
            {"pk": customers[key][0], **preference}
            for key, preference in portfolio.preferences.items()
            if key in customers
        ),
    )


def replace_schedules(plans: dict[int, list[tuple[date, Decimal]]]) -> None:
    from amicable.ledger.bulk import insert_rows
    from amicable.ledger.models import ScheduleItem

    ids = list(plans)
    for start in range(0, len(ids), 500):
        ScheduleItem.objects.filter(account_id__in=ids[start : start + 500]).delete()
    insert_rows(
        ScheduleItem,
        (
            {"account_id": pk, "due_on": due_on, "amount": amount}
            for pk, plan in plans.items()
            for due_on, amount in plan
        ),
    )


def choose_subject() -> int:
    """A customer of the worked creditor with a date of birth, two or more accounts and no hold."""
    from django.db.models import Count, Exists, OuterRef

    from amicable.ledger.models import Customer, Hold

    found = (
        Customer.objects.filter(creditor__name=WORKED, date_of_birth__isnull=False)
        .annotate(n=Count("accounts"))
        .filter(n__gte=2)
        .exclude(Exists(Hold.objects.filter(customer=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        sys.exit("no customer with two accounts and a date of birth: use more --accounts")
    return found


def _weighted(rng: random.Random, options: dict[str, int]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def activity(rng: random.Random, subject: int, now: datetime) -> dict[str, int]:
    """Two months of a portfolio in use, in realistic shares, written with the bulk insert helper."""
    from amicable.conversations.models import Complaint, InboundMessage, Task
    from amicable.ledger.audit import audit_row
    from amicable.ledger.bulk import insert_rows, update_rows
    from amicable.ledger.models import (
        Account,
        Arrangement,
        AuditLog,
        ContactPoint,
        Dispute,
        Hold,
        Promise,
        SensitiveNote,
    )
    from amicable.ledger.models.arrangement import PlanInstalment
    from amicable.outbox.models import Contact

    today = now.date()
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    accounts = list(
        Account.objects.order_by("pk").values_list("pk", "customer_id", "creditor_id", "currency", "balance")
    )
    held = set(Hold.objects.values_list("customer_id", flat=True))
    points: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    for customer_id, pk, kind, value, invalid in ContactPoint.objects.order_by("pk").values_list(
        "customer_id", "pk", "kind", "value", "invalid"
    ):
        if not invalid:
            points[customer_id].setdefault(kind, (pk, value))
    rows: dict[str, list[dict]] = defaultdict(list)
    audits: list[dict] = []
    statuses: dict[int, str] = {}
    plans: dict[int, list[tuple[date, Decimal]]] = {}
    counter = 0

    def contact(account, channel: str, at: datetime, status: str, cycle: date, outcome: str = "") -> None:
        nonlocal counter
        counter += 1
        pk, customer_id, creditor_id = account[0], account[1], account[2]
        kind = {"email": "email", "sms": "mobile", "letter": "postal"}.get(channel)
        point = (
            points[customer_id].get(kind)
            if kind
            else (points[customer_id].get("mobile") or points[customer_id].get("landline"))
        )
        stopped = status in ("blocked", "cancelled")
        reasons = []
        if stopped:
            rule = rng.choice(BLOCKING_RULES)
            reasons = [{"rule": rule, "citation": "", "effect": "block", "message": f"Stopped by {rule}"}]
        elif status == "deferred":
            reasons = [
                {"rule": "US-REGF-TIME", "citation": "", "effect": "defer", "message": "Outside hours"}
            ]
        sent = status in ("sent", "delivered", "failed")
        rows["contacts"].append(
            {
                "key": f"bench:{pk}:{counter}",
                "cycle_date": cycle,
                "creditor_id": creditor_id,
                "customer_id": customer_id,
                "account_id": pk,
                "contact_point_id": point[0] if point else None,
                "playbook": "consumer",
                "step": f"{channel}-{rng.choice([1, 7, 14, 21, 30])}",
                "trigger_on": cycle,
                "channel": channel,
                "template": "call_guide" if channel == "call" else "reminder_due",
                "language": "en",
                "status": status,
                "scheduled_at": at,
                "subject": "About your account" if channel == "email" else "",
                "body": "" if channel == "call" else "Hello, this is a reminder about your account.",
                "reasons": reasons,
                "reply_token": f"b{counter}",
                "sent_at": at if sent or (channel == "call" and outcome) else None,
                "outcome": outcome,
                "delivered_at": at + timedelta(minutes=2) if status == "delivered" else None,
                "created_at": min(at - timedelta(hours=3), now),
                "updated_at": at,
            }
        )

    counts = defaultdict(int)
    for account in accounts:
        if len(rows["contacts"]) >= 20_000:  # written as they come, so memory stays flat
            counts["contacts"] += insert_rows(Contact, rows.pop("contacts"))
            counts["audit_added"] += insert_rows(AuditLog, audits)
            audits.clear()
        pk, customer_id, _creditor, currency, balance = account
        mine = customer_id == subject
        # Contacts over the last two months: about five an account (forty for the subject).
        for _ in range(40 if mine else rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10])):
            at = day_start - timedelta(days=rng.randint(1, 60), hours=-rng.randint(13, 22))
            channel = _weighted(rng, {"email": 35, "sms": 25, "letter": 20, "call": 20})
            if channel == "call":
                outcome = _weighted(
                    rng, {"no_answer": 40, "voicemail": 25, "busy": 10, "conversation": 15, "": 10}
                )
                status = "blocked" if not outcome else "sent"
            else:
                outcome = ""
                status = _weighted(
                    rng, {"delivered": 70, "sent": 18, "failed": 3, "blocked": 6, "cancelled": 3}
                )
            contact(account, channel, at, status, at.date(), outcome)
        # Today's cycle: a contact for about one account in fifteen, some still to go.
        if rng.random() < 0.067:
            at = day_start + timedelta(hours=rng.randint(13, 23))
            channel = _weighted(rng, {"email": 30, "sms": 25, "letter": 20, "call": 25})
            status = _weighted(
                rng,
                {"queued": 40, "sent": 25, "delivered": 10, "deferred": 10, "blocked": 15}
                if channel != "call"
                else {"queued": 85, "blocked": 15},
            )
            if status in ("sent", "delivered"):
                at = now - timedelta(minutes=rng.randint(1, 300))
            contact(account, channel, at, status, today)
        # Something the cycle decided not to do (a step skipped), on about a third of the accounts.
        if rng.random() < 0.3:
            audits.append(
                audit_row(
                    "system:cycle",
                    "skip_contact",
                    "outbox.step",
                    f"{pk}:consumer:email-7:{today}",
                    "Not contacted for step consumer/email-7: no usable contact point",
                    at=day_start - timedelta(days=rng.randint(0, 60)),
                    customer_id=customer_id,
                    account_id=pk,
                    changes={"reason": "no usable contact point"},
                )
            )
        # Replies: one account in twenty; those waiting for review are recent.
        for _ in range(6 if mine else (rng.choice([1, 1, 2]) if rng.random() < 0.05 else 0)):
            status = _weighted(rng, {"handled": 60, "received": 10, "review": 30})
            days = rng.randint(0, 3) if status == "review" else rng.randint(1, 60)
            received = now - timedelta(days=days, minutes=rng.randint(0, 600))
            phone = points[customer_id].get("mobile")
            rows["inbound"].append(
                {
                    "channel": "sms" if phone else "email",
                    "sender": phone[1] if phone else f"c{customer_id}@example.com",
                    "body": "I can pay something on Friday, is that all right?",
                    "text": "I can pay something on Friday, is that all right?",
                    "received_at": received,
                    "provider_id": f"bench-{len(rows['inbound'])}",
                    "customer_id": customer_id,
                    "account_id": pk,
                    "matched_by": "number",
                    "intent": _weighted(rng, {"promise": 40, "question": 30, "dispute": 10, "hardship": 20}),
                    "confidence": 0.8,
                    "status": status,
                    "sensitive": rng.random() < 0.05,
                }
            )
        # Promises: 6 percent (open, kept, broken; a few cancelled).
        if mine or rng.random() < 0.063:
            status = (
                "kept" if mine else _weighted(rng, {"open": 20, "kept": 25, "broken": 15, "cancelled": 3})
            )
            due = (
                today + timedelta(days=rng.randint(1, 14))
                if status == "open"
                else today - timedelta(days=rng.randint(1, 84))
            )
            rows["promises"].append(
                {
                    "account_id": pk,
                    "amount": (balance / 3).quantize(Decimal("0.01")) or Decimal("1.00"),
                    "currency": currency,
                    "due_on": due,
                    "channel": rng.choice(["call", "sms", "portal"]),
                    "source": "bench",
                    "status": status,
                    "made_at": datetime.combine(due, datetime.min.time(), tzinfo=UTC) - timedelta(days=7),
                    "settled_on": None if status == "open" else due + timedelta(days=3),
                }
            )
            audits.append(_audit(audit_row, "record_promise", "ledger.promise", pk, customer_id, now, rng))
        if mine:
            continue
        # Disputes: 1 percent; open ones hold the account and wait for a person.
        if rng.random() < 0.01:
            status = _weighted(rng, {"open": 40, "verification_sent": 30, "upheld": 15, "rejected": 15})
            received = now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 12))
            rows["disputes"].append(
                {
                    "account_id": pk,
                    "reason": "I do not recognise this debt.",
                    "received_at": received,
                    "within_validation_period": rng.random() < 0.5,
                    "status": status,
                    "source": "bench",
                }
            )
            rows["holds"].append(
                {
                    "customer_id": customer_id,
                    "account_id": pk,
                    "kind": "dispute",
                    "starts_at": received,
                    "ends_at": None if status == "open" else received + timedelta(hours=rng.randint(24, 700)),
                    "source": "bench: dispute",
                    "created_at": received,
                }
            )
            if status == "open":
                statuses[pk] = "disputed"
                if rng.random() < 0.7:
                    rows["tasks"].append(
                        _task("dispute", customer_id, pk, received + timedelta(days=5), None)
                    )
            audits.append(_audit(audit_row, "open_dispute", "ledger.dispute", pk, customer_id, now, rng))
            continue
        # Payment plans: 2 percent active (their schedule is the plan's), half a percent broken.
        if rng.random() < 0.025:
            active = rng.random() < 0.8
            accepted = today - timedelta(days=rng.randint(5, 90))
            count = rng.randint(3, 6)
            each = max((balance / count).quantize(Decimal("0.01")), Decimal("1.00"))
            schedule = [(accepted + timedelta(days=30 * (n + 1)), each) for n in range(count)]
            rows["plans"].append(
                {
                    "account_id": pk,
                    "kind": "monthly",
                    "currency": currency,
                    "instalment": each,
                    "total": each * count,
                    "balance_at_start": balance,
                    "status": "active" if active else "broken",
                    "accepted_at": datetime.combine(accepted, datetime.min.time(), tzinfo=UTC),
                    "accepted_on": accepted,
                    "channel": rng.choice(["portal", "call"]),
                    "source": "bench",
                    "grace_days": 5,
                    "ended_on": None if active else accepted + timedelta(days=40),
                    "previous_status": "overdue",
                    "_schedule": schedule,
                }
            )
            if active:
                statuses[pk], plans[pk] = "in_arrangement", schedule
            audits.append(_audit(audit_row, "accept_plan", "ledger.arrangement", pk, customer_id, now, rng))
        # Tasks: callbacks, vulnerability reviews, contact points to verify; and done ones.
        if rng.random() < 0.006:
            rows["tasks"].append(
                _task("callback", customer_id, pk, now + timedelta(hours=rng.randint(-48, 72)), None)
            )
        if rng.random() < 0.002 and customer_id not in held:
            started = now - timedelta(days=rng.randint(0, 10))
            rows["holds"].append(
                {
                    "customer_id": customer_id,
                    "account_id": None,
                    "kind": "vulnerability_review",
                    "starts_at": started,
                    "ends_at": None,
                    "source": "bench: told us on a call",
                    "created_at": started,
                }
            )
            if rng.random() < 0.5:
                rows["tasks"].append(
                    _task("vulnerability", customer_id, pk, started + timedelta(days=1), None)
                )
            rows["notes"].append(
                {
                    "customer_id": customer_id,
                    "account_id": pk,
                    "category": rng.choice(["health", "mental_health", "bereavement", "other"]),
                    "detail": "Told us about a difficult time.",
                    "source": "call",
                    "recorded_at": started,
                    "recorded_by": "user:bench-agent",
                }
            )
        if rng.random() < 0.001:
            rows["tasks"].append(_task("verify_contact", customer_id, pk, now + timedelta(days=1), None))
        if rng.random() < 0.04:
            due = now - timedelta(days=rng.randint(2, 60))
            kind = _weighted(rng, {"review_message": 50, "callback": 30, "dispute": 10, "vulnerability": 10})
            rows["tasks"].append(_task(kind, customer_id, pk, due, due + timedelta(hours=rng.randint(1, 30))))
        # Complaints: one account in a thousand.
        if rng.random() < 0.001:
            received = now - timedelta(days=rng.randint(0, 80))
            answered = rng.random() < 0.6
            rows["complaints"].append(
                {
                    "customer_id": customer_id,
                    "account_id": pk,
                    "summary": "You called me at work.",
                    "received_at": received,
                    "respond_by": received + timedelta(weeks=8),
                    "status": "answered" if answered else "open",
                    "answered_at": received + timedelta(days=10) if answered else None,
                }
            )
            if not answered:
                rows["tasks"].append(_task("complaint", customer_id, pk, received + timedelta(weeks=8), None))
        # Opt-outs (a STOP, an unsubscribe) in the last twelve weeks, and portal visits.
        if rng.random() < 0.015:
            audits.append(
                audit_row(
                    "customer:sms",
                    "record_consent",
                    "ledger.contactpoint",
                    pk,
                    "Consent for collection by mobile is now revoked",
                    at=now - timedelta(days=rng.randint(0, 83)),
                    customer_id=customer_id,
                    changes={"use": "collection", "state": ["granted", "revoked"], "source": "sms: STOP"},
                )
            )
        if rng.random() < 0.05:
            audits.append(
                _audit(audit_row, "portal_sign_in", "ledger.customer", customer_id, customer_id, now, rng)
            )

    counts["contacts"] += insert_rows(Contact, rows.pop("contacts"))
    # The cycle writes a row when it plans, blocks or defers a contact; dispatch when it sends one,
    # and again on news of its delivery or failure.
    contact_rows = 0
    last = 0
    while chunk := contact_audits(audit_row, last):  # read, then written: never both at once
        contact_rows += insert_rows(AuditLog, chunk)
        last = int(chunk[-1]["object_id"])
    counts["inbound"] = insert_rows(InboundMessage, rows.pop("inbound"))
    messages = list(
        InboundMessage.objects.filter(status="review").values_list(
            "pk", "customer_id", "account_id", "received_at"
        )
    )
    for pk, customer_id, account_id, received in messages:
        if rng.random() < 0.5:
            task = _task("review_message", customer_id, account_id, received + timedelta(days=1), None)
            rows["tasks"].append(task | {"message_id": pk})
    counts["promises"] = insert_rows(Promise, rows.pop("promises"))
    counts["disputes"] = insert_rows(Dispute, rows.pop("disputes"))
    counts["holds_added"] = insert_rows(Hold, rows.pop("holds"))
    counts["tasks"] = insert_rows(Task, rows.pop("tasks"))
    counts["complaints"] = insert_rows(Complaint, rows.pop("complaints"))
    counts["sensitive_notes"] = insert_rows(SensitiveNote, rows.pop("notes"))
    plan_rows = rows.pop("plans")
    counts["plans"] = insert_rows(
        Arrangement, ({k: v for k, v in p.items() if k != "_schedule"} for p in plan_rows)
    )
    ids = dict(Arrangement.objects.values_list("account_id", "pk"))
    insert_rows(
        PlanInstalment,
        (
            {
                "arrangement_id": ids[p["account_id"]],
                "number": n + 1,
                "due_on": due_on,
                "amount": amount,
                "paid": amount if due_on < today else Decimal(0),
                "status": "paid" if due_on < today else "upcoming",
                "settled_on": due_on if due_on < today else None,
            }
            for p in plan_rows
            for n, (due_on, amount) in enumerate(p["_schedule"])
        ),
    )
    replace_schedules(plans)
    update_rows(Account, ["status"], ({"pk": pk, "status": status} for pk, status in statuses.items()))
    counts["audit_added"] += insert_rows(AuditLog, audits) + contact_rows
    return dict(counts)


def _task(kind: str, customer_id: int, account_id: int, due: datetime, done: datetime | None) -> dict:
    return {
        "kind": kind,
        "role": {"vulnerability": "specialist", "complaint": "supervisor"}.get(kind, "agent"),
        "customer_id": customer_id,
        "account_id": account_id,
        "summary": f"Bench {kind.replace('_', ' ')}",
        "due_at": due,
        "done_at": done,
        "created_at": due - timedelta(days=1),
    }


def _audit(audit_row, action: str, object_type: str, pk: int, customer_id: int, now: datetime, rng) -> dict:
    return audit_row(
        "user:bench-agent" if action != "portal_sign_in" else f"customer:portal:{customer_id}",
        action,
        object_type,
        pk,
        f"Bench {action.replace('_', ' ')}",
        at=now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600)),
        customer_id=customer_id,
        account_id=pk if object_type != "ledger.customer" else None,
    )


def contact_audits(audit_row, after: int, limit: int = 20_000) -> list[dict]:
    """Audit rows for the next `limit` contacts after id `after`: the cycle's when it planned,
    blocked or deferred each, dispatch's when it sent one and on news of its delivery."""
    from amicable.outbox.models import Contact

    planned = {"blocked": "block_contact", "deferred": "defer_contact", "cancelled": "plan_contact"}
    fields = ("pk", "customer_id", "account_id", "status", "channel", "created_at", "sent_at", "delivered_at")
    found = []
    contacts = Contact.objects.filter(pk__gt=after).order_by("pk").values_list(*fields)[:limit]
    for pk, customer_id, account_id, status, channel, created, sent, delivered in contacts:
        common = {"customer_id": customer_id, "account_id": account_id}
        action = planned.get(status, "plan_contact")
        found.append(
            audit_row(
                "system:cycle", action, "outbox.contact", pk, f"{channel} {action}", at=created, **common
            )
        )
        if sent is not None and channel != "call":
            found.append(
                audit_row(
                    "system:dispatch",
                    "send_contact",
                    "outbox.contact",
                    pk,
                    f"{channel} sent",
                    at=sent,
                    **common,
                )
            )
        if delivered is not None:
            found.append(
                audit_row(
                    "system:dispatch",
                    "deliver_contact",
                    "outbox.contact",
                    pk,
                    f"{channel} delivered",
                    at=delivered,
                    **common,
                )
            )
    return found


def staff() -> None:
    """A superuser; an agent and a supervisor of the worked creditor; an agent for each other one."""
    from django.contrib.auth.models import Group, User

    from amicable.console.models import Assignment
    from amicable.ledger.models import Creditor

    User.objects.create_superuser(STAFF["superuser"], email="", password=None)
    for role in ("agent", "supervisor"):
        user = User.objects.create_user(STAFF[role])
        user.groups.add(Group.objects.get(name=role))
        Assignment.objects.create(user=user, creditor=Creditor.objects.get(name=WORKED))
    for creditor in Creditor.objects.exclude(name=WORKED):
        user = User.objects.create_user(f"bench-agent-{creditor.pk}")
        user.groups.add(Group.objects.get(name="agent"))
        Assignment.objects.create(user=user, creditor=creditor)


def table_counts() -> dict[str, int]:
    from amicable.conversations.models import InboundMessage, Task
    from amicable.ledger.models import AuditLog, ContactPoint, Customer, Hold, JournalEntry
    from amicable.outbox.models import Contact

    models = {
        "customers": Customer,
        "contact_points": ContactPoint,
        "journal_entries": JournalEntry,
        "holds": Hold,
        "audit_rows": AuditLog,
        "contacts": Contact,
        "inbound": InboundMessage,
        "tasks": Task,
    }
    return {name: model.objects.count() for name, model in models.items()}


# --------------------------------------------------------------------------------------- measuring


def measure_pages(subject_id: int, repeat: int) -> list[dict]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from amicable.ledger.models import Customer
    from amicable.portal.links import portal_token

    subject = Customer.objects.get(pk=subject_id)
    accounts = list(subject.accounts.order_by("pk").values_list("pk", flat=True))
    # The portal: the link, then the identity check, once; the session is kept for every page.
    portal = Client()
    link = reverse("portal:link", args=[portal_token(subject.pk)])
    birth = subject.date_of_birth
    portal.get(link)
    signed_in = portal.post(link, {"day": birth.day, "month": birth.month, "year": birth.year})
    if signed_in.status_code != 302:
        sys.exit(f"the identity check did not sign the customer in ({signed_in.status_code})")
    clients = {"customer": portal}
    for who, username in STAFF.items():
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=username))
    person, account = subject.pk, accounts[0]
    pages = [
        ("portal home", "customer", reverse("portal:home")),
        ("portal plans", "customer", reverse("portal:plans", args=[account])),
        ("console queue", "agent", reverse("console:queue")),
        ("console queue", "superuser", reverse("console:queue")),
        ("customer page", "agent", reverse("console:customer", args=[person])),
        ("call guide", "agent", f"{reverse('console:call', args=[person])}?account={account}"),
        ("compose", "agent", f"{reverse('console:compose', args=[person])}?account={account}"),
        ("dashboard", "supervisor", reverse("console:dashboard")),
        ("dashboard", "superuser", reverse("console:dashboard")),
        ("compliance", "supervisor", reverse("console:compliance")),
        ("compliance", "superuser", reverse("console:compliance")),
    ]
    return [measure(name, who, url, clients[who], repeat) for name, who, url in pages]


def measure(name: str, who: str, url: str, client, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{name} ({who}): {url} answered {response.status_code}")
        return response

    for _ in range(2):  # warm: templates compiled, playbooks and rules loaded, caches filled
        get()
    with CaptureQueriesContext(connection) as captured:
        size = len(get().content)
    queries = len(captured.captured_queries)
    samples, in_db = [], []
    by_sql: dict[str, list[float]] = defaultdict(list)  # each query's time in each request
    for _ in range(repeat):
        timed: dict[str, float] = defaultdict(float)

        def timer(execute, sql, params, many, context, timed=timed):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed[sql] += time.perf_counter() - started

        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            get()
            samples.append((time.perf_counter() - started) * 1000)
        in_db.append(sum(timed.values()) * 1000)
        for sql, seconds in timed.items():
            by_sql[sql].append(seconds * 1000)
    # The queries that take longest (their runs in one request added up), by their median.
    ranked = sorted(by_sql.items(), key=lambda item: -statistics.median(item[1]))
    slowest, times = ranked[0] if ranked else ("", [0])
    return {
        "page": name,
        "who": who,
        "url": url,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "queries": queries,
        "db_median_ms": round(statistics.median(in_db), 1),
        "slowest_query_ms": round(statistics.median(times), 1),
        "slowest_query": slowest[:600],
        "kb": round(size / 1024),
        "slowest_queries": [
            {"ms": round(statistics.median(times), 1), "sql": sql[:600]} for sql, times in ranked[:3]
        ],
    }


def percentile(samples: list[float], pct: int) -> float:
    """The nearest-rank percentile: a sample that was seen, never an interpolation past the slowest."""
    ordered = sorted(samples)
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]


def table(result: dict) -> str:
    lines = [
        f"{result['accounts']:,} accounts on {result['database']}, {result['repeat']} requests a page",
        "",
        f"{'page':<16} {'as':<11} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'in db ms':>9} "
        f"{'slowest':>8}",
    ]
    for page in result["pages"]:
        lines.append(
            f"{page['page']:<16} {page['who']:<11} {page['median_ms']:>10} {page['p95_ms']:>8} "
            f"{page['queries']:>8} {page['db_median_ms']:>9} {page['slowest_query_ms']:>8}"
        )
    built = result["portfolio"]
    if not built.get("reused"):
        lines += ["", f"built in {built.get('seconds')} s: {built.get('rows')}"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
