"""`amicable templates check`: render every message template with sample data and check it."""

from __future__ import annotations

import sys

import click

from .output import emit_json


@click.group()
def templates() -> None:
    """Message templates (docs/messages.md)."""


@templates.command("check")
@click.option(
    "--max-segments", default=3, show_default=True, help="The most SMS segments a message may take."
)
@click.option("--json", "as_json", is_flag=True, help="Print every template's findings as JSON.")
def check(max_segments: int, as_json: bool) -> None:
    """Render every template in its language, with and without the optional facts, as from a creditor
    and as from a debt collector, and run the tone, reading-grade and SMS checks. Exits 1 on an error."""
    from amicable.messages.checks import ERROR
    from amicable.messages.render import TEMPLATES
    from amicable.messages.sampled import check_with_samples

    results = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        channel = path.parent.name
        name, *middle, language = path.name.removesuffix(".j2").split(".")
        checked = check_with_samples(
            channel, name, language, middle[0] if middle else None, max_segments=max_segments
        )
        errors = [f"render: {said}" for said in checked.render_errors]
        results.append(
            {
                "template": str(path.relative_to(TEMPLATES)),
                "errors": errors + [f"{f.check}: {f.message}" for f in checked.findings if f.level == ERROR],
                "warnings": [f"{f.check}: {f.message}" for f in checked.findings if f.level != ERROR],
                **({"sms_segments": checked.sms[0], "sms_encoding": checked.sms[1]} if checked.sms else {}),
            }
        )
    failed = [r for r in results if r["errors"]]
    if as_json:
        emit_json(results)
    else:
        for result in results:
            for line in result["errors"]:
                click.echo(f"error   {result['template']}: {line}")
            for line in result["warnings"]:
                click.echo(f"warning {result['template']}: {line}")
        warned = sum(1 for r in results if r["warnings"])
        click.echo(f"{len(results)} templates: {len(failed)} with errors, {warned} with warnings")
    if failed:
        sys.exit(1)
