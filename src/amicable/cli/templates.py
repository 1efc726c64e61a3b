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
    from amicable.messages.checks import ERROR, Finding, check_message, sms_size
    from amicable.messages.render import TEMPLATES, TemplateError, render
    from amicable.messages.sample import sample_context

    results = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        channel = path.parent.name
        name, *middle, language = path.name.removesuffix(".j2").split(".")
        variant = middle[0] if middle else None
        business = name.startswith("b2b_")
        findings: list[Finding] = []
        sms = None
        for optional_facts in (True, False):
            for regulation_f in (False, True):
                context = sample_context(language, business=business, optional_facts=optional_facts)
                try:
                    message = render(
                        channel, name, context, language=language, variant=variant, regulation_f=regulation_f
                    )
                except TemplateError as error:
                    findings.append(Finding(ERROR, "render", str(error)))
                    continue
                text = "\n\n".join(t for t in (message.subject, message.body, message.voicemail) if t)
                findings += check_message(
                    channel, text, language, consumer=not business, max_segments=max_segments
                )
                if channel == "sms":
                    size = sms_size(message.body)
                    sms = max(sms or (0, ""), (size.segments, size.encoding))
        unique = list(dict.fromkeys(findings))
        results.append(
            {
                "template": str(path.relative_to(TEMPLATES)),
                "errors": [f"{f.check}: {f.message}" for f in unique if f.level == ERROR],
                "warnings": [f"{f.check}: {f.message}" for f in unique if f.level != ERROR],
                **({"sms_segments": sms[0], "sms_encoding": sms[1]} if sms else {}),
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
