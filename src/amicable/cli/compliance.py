"""`amicable compliance ...`: questions answered by the compliance engine."""

from __future__ import annotations

from datetime import date

import click

from .output import emit_json


@click.group()
def compliance() -> None:
    """Ask the compliance engine (rules in docs/, from RULES.md)."""


@compliance.command("check")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def check(file) -> None:
    """Decide a proposed contact: FILE (or - for standard input) holds one scenario or a list of them.

    Prints the decision as JSON (a list, in the same order, for a list). The format is in
    docs/compliance.md. An invalid scenario exits 2 with a message naming the field.
    """
    import json
    import sys

    from amicable.compliance.engine import as_json, decide
    from amicable.compliance.scenario import ScenarioError, parse_scenario

    try:
        data = json.load(file)
    except json.JSONDecodeError as error:
        click.echo(f"Error: not JSON: line {error.lineno}, column {error.colno}: {error.msg}", err=True)
        sys.exit(2)
    scenarios = data if isinstance(data, list) else [data]
    results = []
    for index, item in enumerate(scenarios):
        try:
            results.append(as_json(decide(parse_scenario(item))))
        except ScenarioError as error:
            where = f"scenario[{index}]." if isinstance(data, list) else ""
            click.echo(f"Error: {where}{error}", err=True)
            sys.exit(2)
    emit_json(results if isinstance(data, list) else results[0])


@compliance.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_rules(as_json: bool) -> None:
    """Every rule the engine enforces, with its id, pack, citation and parameters."""
    from amicable.compliance.packs import RULES

    rows = [
        {
            "id": rule.id,
            "pack": rule.pack,
            "citation": rule.citation,
            "summary": rule.summary,
            # a definition (what counts as a call) is what other rules build on, never checked alone
            "kind": "rule" if rule.check is not None else "definition",
            "channels": sorted(rule.channels),
            "purposes": sorted(rule.purposes),
            "parameters": dict(rule.parameters),
        }
        for rule in RULES
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        params = ", ".join(f"{k}={v}" for k, v in row["parameters"].items())
        click.echo(f"{row['id']:<34} {row['pack']:<8} {row['citation']}")
        click.echo(f"    {row['summary']}" + (f" [{params}]" if params else ""))


@compliance.command("late-payment")
@click.option("--amount", required=True, help="The invoice amount, e.g. 5000.00.")
@click.option(
    "--currency", default="GBP", show_default=True, help="Must be GBP: the Act's bands are in pounds."
)
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="The invoice's due date.")
@click.option("--paid", type=click.DateTime(formats=["%Y-%m-%d"]), help="When it was (or will be) paid.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def late_payment(amount: str, currency: str, due, paid, as_json: bool) -> None:
    """UK business debts: the fixed compensation and, with --due and --paid, the statutory interest."""
    from amicable.compliance.late_payment import LatePaymentError, fixed_compensation, statutory_interest
    from amicable.ledger.money import Money, MoneyError

    if (due is None) != (paid is None):
        raise click.UsageError("give both --due and --paid for interest, or neither")
    try:
        money = Money.of(amount, currency)
        result = {
            "amount": str(money.amount),
            "currency": money.currency,
            "fixed_compensation": str(fixed_compensation(money).amount),
        }
        if due is not None:
            interest = statutory_interest(money, due.date(), paid.date())
            result |= {
                "interest_from": interest.starts.isoformat(),
                "interest_to": interest.until.isoformat(),
                "days": interest.days,
                "reference_rate_percent": str(interest.reference_rate),
                "annual_rate_percent": str(interest.annual_rate),
                "daily_interest": str(interest.daily.amount),
                "statutory_interest": str(interest.total.amount),
            }
    except (LatePaymentError, MoneyError) as error:
        raise click.ClickException(str(error)) from None
    result |= {"rule": "UK-LATE-PAYMENT", "citation": "Late Payment of Commercial Debts (Interest) Act 1998"}
    if as_json:
        emit_json(result)
        return
    click.echo(f"Fixed compensation on GBP {money.amount:,}: GBP {result['fixed_compensation']}.")
    if due is not None:
        click.echo(
            f"Statutory interest at {result['annual_rate_percent']}% a year (8% over the Bank Rate of "
            f"{result['reference_rate_percent']}%) for {result['days']} days from {result['interest_from']}: "
            f"GBP {result['statutory_interest']} (GBP {result['daily_interest']} a day)."
        )


@compliance.command("validation-period")
@click.option(
    "--sent", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="When the notice was sent."
)
@click.option("--received", type=click.DateTime(formats=["%Y-%m-%d"]), help="When it was received, if known.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def validation_period(sent, received, as_json: bool) -> None:
    """When a Regulation F validation notice is assumed received, and when its period ends.

    Receipt is assumed 5 days after sending, not counting weekends and US federal holidays; the period
    ends 30 days after receipt (12 CFR 1006.34(b)(5)).
    """
    from amicable.compliance.validation_period import assumed_receipt, validation_period_end

    sent_on: date = sent.date()
    received_on = received.date() if received else assumed_receipt(sent_on)
    end = validation_period_end(sent_on, received_on)
    result = {
        "sent": sent_on.isoformat(),
        "received": received_on.isoformat(),
        "received_assumed": received is None,
        "validation_period_ends": end.isoformat(),
        "rule": "US-REGF-VALIDATION-PERIOD",
        "citation": "12 CFR 1006.34(b)(5)",
    }
    if as_json:
        emit_json(result)
        return
    how = "assumed received" if received is None else "received"
    click.echo(f"Sent {sent_on:%a %d %b %Y}, {how} {received_on:%a %d %b %Y}.")
    click.echo(f"The validation period ends at the end of {end:%a %d %b %Y} (12 CFR 1006.34(b)(5)).")
