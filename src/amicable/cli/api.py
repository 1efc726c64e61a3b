"""`amicable api token issue|revoke|list`: the credentials integrations use (docs/api.md)."""

from __future__ import annotations

import click

from .django_setup import actor, setup_django
from .output import emit_json


@click.group("api")
def api() -> None:
    """The REST API (docs/api.md)."""


@api.group("token")
def token() -> None:
    """Issue, revoke or list API tokens."""


@token.command("issue")
@click.option("--creditor", "creditor_name", required=True, help="The creditor the token acts for.")
@click.option("--name", required=True, help="What will use it, e.g. crm-sync.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def issue(creditor_name: str, name: str, as_json: bool) -> None:
    """Issue a token for a creditor and print it, once: only its hash is kept."""
    setup_django()
    from amicable.api.tokens import issue_api_token
    from amicable.ledger.actions import ActionError
    from amicable.ledger.models import Creditor

    creditor = Creditor.objects.filter(name=creditor_name).first()
    if creditor is None:
        known = ", ".join(Creditor.objects.values_list("name", flat=True)) or "none yet"
        raise click.BadParameter(
            f"{creditor_name!r}: no such creditor (known: {known})", param_hint="--creditor"
        )
    try:
        record, secret = issue_api_token(creditor, name, actor=actor())
    except ActionError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        emit_json({"prefix": record.prefix, "creditor": creditor.name, "name": record.name, "token": secret})
        return
    click.echo(f"Issued API token {record.prefix} ({record.name}) for {creditor.name}:")
    click.echo(f"\n    {secret}\n")
    click.echo("This is the only time it is shown: store it now. Send it as `Authorization: Bearer <token>`.")


@token.command("revoke")
@click.argument("prefix")
@click.option("--reason", default="", help="Why, for the audit log.")
def revoke(prefix: str, reason: str) -> None:
    """Revoke the token whose prefix is PREFIX (as `amicable api token list` shows it)."""
    setup_django()
    from amicable.api.models import ApiToken
    from amicable.api.tokens import revoke_api_token
    from amicable.ledger.actions import ActionError

    record = ApiToken.objects.filter(prefix=prefix).first()
    if record is None:
        raise click.BadParameter(f"{prefix!r}: no token has that prefix", param_hint="PREFIX")
    try:
        revoke_api_token(record, actor=actor(), reason=reason)
    except ActionError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked API token {record.prefix} ({record.name}) of {record.creditor.name}.")


@token.command("list")
@click.option("--creditor", "creditor_name", help="Only this creditor's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_tokens(creditor_name: str | None, as_json: bool) -> None:
    """Every token: prefix, creditor, name, when issued, last used and revoked. Never the secret."""
    setup_django()
    from amicable.api.models import ApiToken

    tokens = ApiToken.objects.select_related("creditor").order_by("creditor__name", "created_at")
    if creditor_name is not None:
        tokens = tokens.filter(creditor__name=creditor_name)
    rows = [
        {
            "prefix": t.prefix,
            "creditor": t.creditor.name,
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in tokens
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No API tokens: issue one with `amicable api token issue --creditor NAME --name LABEL`.")
    for row in rows:
        used = row["last_used_at"].isoformat(timespec="seconds") if row["last_used_at"] else "never used"
        state = f"revoked {row['revoked_at'].isoformat(timespec='seconds')}" if row["revoked_at"] else "live"
        click.echo(f"{row['prefix']:<14} {row['creditor']:<24} {row['name']:<20} {used:<26} {state}")
