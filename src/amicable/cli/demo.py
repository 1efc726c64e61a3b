"""`amicable demo`: migrate, generate the demo portfolio if the database has none, and serve."""

from __future__ import annotations

import secrets
import time

import click

from .django_setup import setup_django
from .output import emit_json, steps

DEMO_USER = "demo"
LOAD_STEPS = 7  # the stages amicable.demo.load.load reports


@click.command(short_help="Set up and serve the demo portfolio.")
@click.option(
    "--customers", default=5000, show_default=True, type=click.IntRange(1), help="Customers to generate."
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same portfolio.",
)
@click.option("--serve", is_flag=True, help="Serve the web app on PORT afterwards.")
@click.option(
    "--cycle/--no-cycle", default=True, show_default=True, help="Run today's contact cycle on the portfolio."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was created as JSON.")
def demo(customers: int, seed: int, serve: bool, cycle: bool, as_json: bool) -> None:
    """Set up the demo: migrate, generate a synthetic portfolio if none exists, and create a staff login.

    Existing data is kept: the portfolio is generated only into a database with no accounts.
    """
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from amicable.demo.load import load
    from amicable.demo.portfolio import generate
    from amicable.ledger.models import Account

    call_command("migrate", interactive=False, verbosity=0)
    summary: dict[str, object] = {"generated": False}
    if Account.objects.exists():
        if not as_json:
            click.echo(f"Keeping the existing portfolio ({Account.objects.count():,} accounts).")
    else:
        started = time.perf_counter()
        if not as_json:
            click.echo(f"Generating a portfolio of {customers:,} customers (seed {seed})...")
        portfolio = generate(customers, seed, timezone.localdate())
        with steps(LOAD_STEPS, "Loading", quiet=as_json) as step:
            counts = load(portfolio, settings.VAR_DIR / "demo", step=step)
        summary = {"generated": True, "seconds": round(time.perf_counter() - started, 1), **counts}
        if not as_json:
            click.echo(
                ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items() if isinstance(v, int))
                + f" in {summary['seconds']} s."
            )
            click.echo(
                f"The generated files are in {settings.VAR_DIR / 'demo'} (examples of the import formats)."
            )
    password = _demo_login(settings.VAR_DIR)
    if cycle:
        from amicable.cycle.run import run_day

        summary["cycle"] = run_day(timezone.localdate())
        if not as_json:
            _describe_cycle(summary["cycle"], settings.VAR_DIR)
    url = f"http://127.0.0.1:{settings.PORT}/"
    portal = _portal_example()
    summary |= {"url": url, "login": {"username": DEMO_USER, "password": password}, "portal": portal}
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"\namicable is at {url}")
        click.echo(f"Staff console: {url}console/  (admin: {url}admin/)")
        click.echo(f"Demo staff login: {DEMO_USER} / {password}")
        if portal:
            click.echo(
                f"Portal link for {portal['customer']} (as sent in their messages): {portal['url']}\n"
                f"  The identity check asks for their date of birth: {portal['date_of_birth']}"
            )
    if serve:
        if cycle:
            # The embedded default dispatches in-process: what falls due later today goes out on time.
            from amicable.cycle.background import start_dispatcher

            start_dispatcher()
        click.echo("Press Ctrl+C to stop.\n")
        call_command("runserver", f"127.0.0.1:{settings.PORT}", use_reloader=False)


def _portal_example() -> dict | None:
    """A demo customer to try the portal as: a person with a date of birth on file and a balance
    to pay, nothing disputed. The link is the one their messages carry."""
    from amicable.ledger.models import Account, Dispute
    from amicable.portal.links import portal_url

    account = (
        Account.objects.select_related("customer")
        .filter(
            balance__gt=0,
            customer__kind="person",
            customer__date_of_birth__isnull=False,
            customer__language="en",
        )
        .exclude(pk__in=Dispute.objects.values("account_id"))
        .order_by("pk")
        .first()
    )
    if account is None:
        return None
    customer = account.customer
    return {
        "customer": customer.display_name,
        "url": portal_url(customer.pk),
        "date_of_birth": customer.date_of_birth.strftime("%d %m %Y"),
    }


def _demo_login(var_dir) -> str:
    """A staff user for browsing the demo, with a password generated once and kept under var/."""
    from django.contrib.auth import get_user_model

    path = var_dir / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    password = path.read_text().strip()
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=DEMO_USER, defaults={"email": "demo@localhost"})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return password


def _describe_cycle(cycle: dict, var_dir) -> None:
    sent = ", ".join(f"{n} {channel}" for channel, n in cycle["sent"].items()) or "nothing yet"
    queued = ", ".join(f"{n} {channel}" for channel, n in cycle["queued"].items()) or "nothing"
    blocked = sum(cycle["blocked"].values())
    click.echo(
        f"Today's cycle: {cycle['planned']} contacts planned; sent {sent}; queued for later today {queued}; "
        f"{blocked} blocked by a rule (see Outbox > Contacts in the admin)."
    )
    click.echo(
        f"Emails are written to {var_dir / 'outbox' / 'email'}, letters to {var_dir / 'outbox' / 'letters'}."
    )
