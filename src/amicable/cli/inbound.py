"""`amicable inbound ...`: what people write back, read as the product reads it."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
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


@inbound.command("email")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--to", "recipient", default="", help="The envelope recipient: the address it was delivered to."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (a list for an .mbox).")
def email_command(path: Path, recipient: str, as_json: bool) -> None:
    """Take in an email as the email webhook would: FILE.eml is one raw message, FILE.mbox every
    message in it. Each is threaded (reply token, In-Reply-To, sender's address), understood and acted
    on; bounces and spam complaints are applied to the email they are about."""
    setup_django()
    from amicable.conversations.email import check_size
    from amicable.ledger.actions import ActionError

    if path.suffix.lower() != ".mbox":
        try:
            check_size(path.stat().st_size)  # before reading it all
            result = _take_email(path.read_bytes(), recipient)
        except ActionError as error:
            raise click.BadParameter(str(error), param_hint="FILE") from None
        if as_json:
            emit_json(result)
        else:
            _show_email(result)
        return

    import mailbox

    box = mailbox.mbox(path, create=False)
    try:
        keys = box.keys()
        if not keys:
            raise click.ClickException(
                f"{path} has no messages in mbox form (each starts with a 'From ' line)"
            )
        results, failed = [], 0
        for position, key in enumerate(keys, start=1):
            # Each message is taken in on its own: a bad one is reported, the others still go in.
            try:
                raw = box.get_bytes(key)
                check_size(len(raw))
                result = {"position": position, **_take_email(raw, recipient)}
            except ActionError as error:
                failed += 1
                result = {"position": position, "error": str(error)}
                click.echo(f"message {position}: refused: {error}", err=True)
            results.append(result)
            if not as_json and "error" not in result:
                click.echo(f"message {position} of {len(keys)}:")
                _show_email(result)
    finally:
        box.close()
    if as_json:
        emit_json(results)
    else:
        click.echo(
            f"{len(results) - failed} of {len(results)} messages taken in"
            + (f", {failed} refused" if failed else "")
        )
    if failed:
        sys.exit(1)


def _take_email(raw: bytes, recipient: str) -> dict:
    from amicable.conversations.actions import handle_message
    from amicable.conversations.email import DeliveryReport, receive_email

    received, _ = receive_email(raw, actor=actor(), envelope_to=recipient)
    if isinstance(received, DeliveryReport):
        return received.as_json()
    message = handle_message(received, actor=actor())
    attachments = message.attachments.order_by("id").values("filename", "content_type", "size", "sha256")
    return {
        **describe(message),
        "sender": message.sender,
        "subject": message.subject,
        "attachments": list(attachments),
    }


def _show_email(result: dict) -> None:
    if result["status"] == "report":
        names = {"delivery-status": "bounce", "feedback-report": "spam complaint"}
        kind = names.get(result["report"], result["report"])
        click.echo(f"A {kind} report, not a customer's message: nothing stored.")
        for event in result["events"]:
            click.echo(f"{event['status']}: {event['detail']} (about {event['about']})")
        applied = ", ".join(str(c) for c in result["contacts"]) or "none of ours"
        click.echo(f"applied to contact(s): {applied}")
        return
    who = result["customer_ref"] or "no customer (sent to review)"
    how = f" (by {result['matched_by']})" if result["matched_by"] else ""
    click.echo(f"Message {result['message_id']} from {result['sender']}: {who}{how}")
    click.echo(
        f"intent: {result['intent']} ({result['confidence']:.0%}); {result['status']}: {result['outcome']}"
    )
    for attachment in result["attachments"]:
        click.echo(
            f"attachment: {attachment['filename']} ({attachment['content_type']}, {attachment['size']} bytes)"
        )
    for reply in result["replies"]:
        click.echo(f"reply ({reply['channel']}, {reply['status']}): {reply['body']}")


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
