"""`amicable plans options`: what an account could pay, and what the customer can afford."""

from __future__ import annotations

from pathlib import Path

import click

from .cycle import DATE, find_account
from .django_setup import setup_django
from .output import emit_json


@click.group()
def plans() -> None:
    """Payment plans (docs/arrangements.md)."""


@plans.command("options")
@click.argument("account_ref")
@click.option(
    "--statement",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An income and expenditure statement (JSON, Standard Financial Statement categories).",
)
@click.option("--date", "day", type=DATE, help="The day the plan would start from (default today).")
@click.option("--creditor", help="The creditor, when the reference is not unique.")
@click.option("--json", "as_json", is_flag=True, help="Print the options as JSON.")
def options(account_ref: str, statement: Path | None, day, creditor: str | None, as_json: bool) -> None:
    """Pay in full, settle (within the creditor's discount), or instalments weekly, fortnightly or
    monthly within its terms; with --statement, which of them the customer can afford."""
    setup_django()
    from django.utils import timezone

    from amicable.arrangements.accounts import options_for
    from amicable.arrangements.affordability import StatementError, read_statement
    from amicable.arrangements.terms import TermsError

    account = find_account(account_ref, creditor)
    try:
        parsed = read_statement(statement.read_text(encoding="utf-8")) if statement else None
        result = options_for(account, day.date() if day else timezone.localdate(), parsed)
    except StatementError as error:
        raise click.BadParameter(f"{statement}: {error}", param_hint="--statement") from None
    except TermsError as error:
        raise click.ClickException(f"creditor {account.creditor.name}: {error}") from None
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"{result['account_ref']} ({result['creditor']}): {result['balance']} {result['currency']} owed"
    )
    if result["affordability"]:
        a = result["affordability"]
        click.echo(
            f"income {a['income']}, spending {a['expenditure']}, left over {a['disposable']} a month; "
            f"this debt's share {a['share']} a month (of {a['debts_total']} owed in all)"
        )
        for item in a["over_guideline"]:
            click.echo(f"  {item['category']}: {item['spent']} is above the guideline of {item['guideline']}")
    if not result["options"]:
        click.echo("Nothing is owed: no plan is needed.")
    for option in result["options"]:
        fits = {True: "fits", False: "does not fit", None: ""}[option["fits"]]
        click.echo(
            f"{option['kind']:<12} {option['payments']:>3} x {option['instalment']:>10}  "
            f"total {option['total']:>10}  ends {option['end_date']}  {fits}  {option['note']}".rstrip()
        )
    for flag in result["flags"]:
        click.echo(f"{flag['rule']} ({flag['citation']}): {flag['message']}")
