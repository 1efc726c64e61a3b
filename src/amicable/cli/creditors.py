"""`amicable creditors list|add`: the parties that are owed, which imports refer to by name."""

from __future__ import annotations

import click

from .django_setup import actor, setup_django
from .output import emit_json


@click.group()
def creditors() -> None:
    """List or add creditors."""


@creditors.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_creditors(as_json: bool) -> None:
    """Every creditor with its role and number of accounts."""
    setup_django()
    from django.db.models import Count

    from amicable.ledger.models import Creditor

    rows = [
        {"name": c.name, "role": c.role, "accounts": c.n_accounts, "display_name": c.display_name}
        for c in Creditor.objects.annotate(n_accounts=Count("accounts"))
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No creditors yet: add one with `amicable creditors add NAME`.")
    for row in rows:
        click.echo(f"{row['name']:<30} {row['role']:<15} {row['accounts']:>8} accounts")


@creditors.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["creditor", "debt_collector"]),
    default="creditor",
    show_default=True,
    help="creditor: collects its own debts; debt_collector: collects for others (Regulation F applies).",
)
@click.option(
    "--country", default=None, help="Where it is established, ISO 3166-1 alpha-2 (default DEFAULT_COUNTRY)."
)
@click.option("--brand-name", default="", help="Name shown to customers in messages.")
@click.option("--email", default="", help="Contact email shown in messages.")
@click.option("--phone", default="", help="Contact phone shown in messages, E.164.")
@click.option("--json", "as_json", is_flag=True, help="Print the new creditor as JSON.")
def add_creditor(
    name: str, role: str, country: str | None, brand_name: str, email: str, phone: str, as_json: bool
) -> None:
    """Add a creditor named NAME (the name imports use)."""
    setup_django()
    from amicable.ledger.actions import ActionError, create_creditor
    from amicable.ledger.importing.fields import FieldError, parse_country

    details = {"brand_name": brand_name, "email": email, "phone": phone}
    if country is not None:
        try:
            details["country"] = parse_country(country)
        except FieldError as error:
            raise click.BadParameter(f"{country!r}: {error}", param_hint="--country") from None

    try:
        creditor = create_creditor(name, role=role, actor=actor(), **details)
    except ActionError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        emit_json({"name": creditor.name, "role": creditor.role, "id": creditor.pk})
    else:
        click.echo(f"Added creditor {creditor.name} ({creditor.role}).")
