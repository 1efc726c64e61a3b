"""`amicable inbound ...`: what people write back, read as the product reads it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from .output import emit_json


@click.group()
def inbound() -> None:
    """Replies from customers: classify them (docs/classifier.md)."""


@inbound.command("classify")
@click.argument("text")
@click.option("--at", "at", help="When the message arrived (ISO 8601 with offset; default now).")
@click.option("--timezone", "zone", default="UTC", show_default=True, help="The customer's IANA time zone.")
@click.option("--country", default="", help="The customer's country (US reads 12/15 month first).")
@click.option("--language", default="en", show_default=True, help="The language to assume for a bare 'ok'.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def classify_command(
    text: str, at: str | None, zone: str, country: str, language: str, as_json: bool
) -> None:
    """The intent of TEXT, its date and amount, and its language."""
    from amicable.understanding.model import classify

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{zone!r} is not an IANA time zone", param_hint="--timezone") from None
    received_at = _moment(at)
    understood = classify(
        text, received_at=received_at, timezone=zone, country=country, default_language=language
    )
    if as_json:
        emit_json(understood.as_json())
        return
    entities = understood.entities
    click.echo(f"intent: {understood.intent} ({understood.confidence:.0%}, by {understood.source})")
    if understood.also:
        click.echo(f"also: {', '.join(understood.also)}")
    click.echo(f"language: {understood.language}")
    click.echo(
        f"date: {entities.date or '-'}   amount: {entities.amount or '-'} {entities.currency or ''}".rstrip()
    )
    if understood.needs_agent:
        click.echo("Not sure enough to act alone: this message would go to an agent.")


@inbound.command("evaluate")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
def evaluate_command(as_json: bool) -> None:
    """The classifier on its held-out split: accuracy, per intent, and the confusion matrix."""
    from amicable.understanding.model import evaluate

    figures = evaluate()
    if as_json:
        emit_json(figures)
        return
    click.echo(
        f"{figures['examples']} labelled messages: "
        f"{figures['train']} to train, {figures['held_out']} held out"
    )
    click.echo(
        f"accuracy on the held-out split: {figures['accuracy']:.1%} (the model alone: "
        f"{figures['model_accuracy_without_rules']:.1%})"
    )
    click.echo(
        f"sent to an agent below {figures['threshold']}: {figures['sent_to_agent']}; "
        f"accuracy of the rest: {figures['accuracy_when_acting']:.1%}"
    )
    click.echo("")
    click.echo(f"{'intent':<22}{'precision':>10}{'recall':>8}{'support':>9}")
    for intent, row in figures["intents"].items():
        click.echo(f"{intent:<22}{row['precision']:>10.2f}{row['recall']:>8.2f}{row['support']:>9}")
    click.echo("")
    labels = figures["labels"]
    click.echo("confusion (rows: labelled, columns: classified, in the order above)")
    for label, counts in zip(labels, figures["confusion"], strict=True):
        click.echo(f"{label:<22}" + "".join(f"{n:>4}" for n in counts))
    for intent, rule in figures["rules"].items():
        click.echo(
            f"rules alone catch {rule['caught']} of {rule['of']} {intent} messages "
            f"({rule['false_alarms']} false alarms among the rest)"
        )


def _moment(value: str | None) -> datetime:
    from django.utils import timezone

    if value is None:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date and time", param_hint="--at") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset (add +00:00 or Z)", param_hint="--at")
    return moment
