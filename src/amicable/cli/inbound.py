"""`amicable inbound ...`: what people write back, read as the product reads it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from .django_setup import actor, setup_django
from .output import emit_json


@click.group()
def inbound() -> None:
    """Replies from customers: take them in, classify them (docs/conversations.md, docs/classifier.md)."""


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
    setup_django()  # for the current time in settings' zone; the classifier itself is pure
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


@inbound.command("sms")
@click.option("--from", "sender", required=True, help="The sender's number, E.164 (+15551234567).")
@click.option("--body", required=True, help="The text of the message.")
@click.option("--to", "recipient", default="", help="The number it was sent to, E.164.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sms_command(sender: str, body: str, recipient: str, as_json: bool) -> None:
    """Take in a text as the SMS webhook would: match it by number, understand it, act on it."""
    setup_django()
    from amicable.conversations.actions import handle_message, receive_sms
    from amicable.ledger.actions import ActionError

    try:
        message, _ = receive_sms(sender, body, recipient=recipient, actor=actor())
    except ActionError as error:
        raise click.BadParameter(
            str(error), param_hint="--from" if "number" in str(error) else "--body"
        ) from None
    message = handle_message(message, actor=actor())
    result = describe(message)
    if as_json:
        emit_json(result)
        return
    who = result["customer_ref"] or "no customer (sent to review)"
    click.echo(f"Message {result['message_id']} from {message.sender}: {who}")
    click.echo(
        f"intent: {result['intent']} ({result['confidence']:.0%}); {result['status']}: {result['outcome']}"
    )
    for reply in result["replies"]:
        click.echo(f"reply ({reply['status']}): {reply['body']}")


def describe(message) -> dict:
    from amicable.outbox.models import Contact

    replies = Contact.objects.filter(key__startswith=f"reply:{message.pk}:").order_by("id")
    return {
        "message_id": message.pk,
        "status": message.status,
        "matched_by": message.matched_by or None,
        "customer_ref": message.customer.external_ref if message.customer else None,
        "account_ref": message.account.external_ref if message.account else None,
        "intent": message.intent,
        "confidence": round(message.confidence or 0, 3),
        "understanding": message.understanding,
        "outcome": message.outcome,
        "replies": [{"channel": r.channel, "status": r.status, "body": r.body} for r in replies],
    }


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
