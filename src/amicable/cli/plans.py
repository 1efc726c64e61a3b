"""`amicable plans ...`: what an account could pay and the customer can afford; agreeing a plan and
following it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from .cycle import DATE, find_account
from .django_setup import actor, setup_django
from .output import emit_json


class Amount(click.ParamType):
    name = "amount"

    def convert(self, value, param, ctx) -> Decimal:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount", param, ctx)
        if not amount.is_finite() or amount <= 0:
            self.fail(f"{value!r} is not an amount above zero", param, ctx)
        return amount


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


@plans.command("accept")
@click.argument("account_ref")
@click.argument("kind", type=click.Choice(["full", "settlement", "weekly", "fortnightly", "monthly"]))
@click.option("--instalment", type=Amount(), help="The instalment the customer chose (default: the offer's).")
@click.option(
    "--statement",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The customer's income and expenditure statement (JSON), as for `plans options`.",
)
@click.option(
    "--channel", default="call", show_default=True, help="How it was agreed: call, portal, letter..."
)
@click.option("--date", "day", type=DATE, help="The day it was agreed (default today).")
@click.option("--creditor", help="The creditor, when the reference is not unique.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def accept(
    account_ref: str,
    kind: str,
    instalment,
    statement: Path | None,
    channel: str,
    day,
    creditor: str | None,
    as_json: bool,
) -> None:
    """Agree one of the account's plan options: its schedule becomes the account's, and the account
    is in arrangement until it is paid or an instalment is missed."""
    setup_django()
    from amicable.arrangements.affordability import StatementError, read_statement
    from amicable.arrangements.plans import accept_plan
    from amicable.ledger.actions import ActionError

    account = find_account(account_ref, creditor)
    try:
        parsed = read_statement(statement.read_text(encoding="utf-8")) if statement else None
    except StatementError as error:
        raise click.BadParameter(f"{statement}: {error}", param_hint="--statement") from None
    try:
        plan = accept_plan(
            account,
            kind,
            instalment=instalment,
            statement=parsed,
            channel=channel,
            source=f"agreed by {actor()}",
            actor=actor(),
            today=day.date() if day else None,
        )
    except ActionError as error:
        raise click.ClickException(str(error)) from None
    _show(plan, as_json)


@plans.command("show")
@click.argument("account_ref")
@click.option("--creditor", help="The creditor, when the reference is not unique.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(account_ref: str, creditor: str | None, as_json: bool) -> None:
    """The account's latest plan and how each instalment stands."""
    setup_django()
    account = find_account(account_ref, creditor)
    plan = account.arrangements.order_by("-accepted_at", "-id").first()
    if plan is None:
        raise click.ClickException(f"{account_ref} has no plan")
    _show(plan, as_json)


@plans.command("review")
@click.option("--date", "day", type=DATE, help="The day to judge as of (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def review(day, as_json: bool) -> None:
    """Mark instalments paid, late or missed and promises kept or broken from the payments received;
    break plans with a missed instalment. `amicable run` does this before planning each day."""
    setup_django()
    from django.utils import timezone

    from amicable.arrangements.plans import review_commitments

    counts = review_commitments(day.date() if day else timezone.localdate(), actor=actor())
    if as_json:
        emit_json(counts)
        return
    if not counts:
        click.echo("Nothing changed.")
    for key, n in counts.items():
        click.echo(f"{key.replace('_', ' ')}: {n}")


def _show(plan, as_json: bool) -> None:
    from amicable.arrangements.accounts import plan_json

    result = plan_json(plan)
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"{result['account_ref']}: {result['kind']} plan, {result['status']}, agreed {result['accepted_on']} "
        f"({result['payments']} x {result['instalment']} {result['currency']}, total {result['total']})"
    )
    for item in result["instalments"]:
        paid = f"  paid {item['paid']}" if item["paid"] != "0" else ""
        click.echo(f"  {item['number']:>3}  {item['due_on']}  {item['amount']:>10}  {item['status']}{paid}")
