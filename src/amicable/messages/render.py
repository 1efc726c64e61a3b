"""Rendering a message from its template file: sandboxed, strict, in the customer's language.

Files are `templates/{channel}/{template}[.{variant}].{language}.j2` (docs/messages.md). A missing
variable raises TemplateError naming the file: it is caught when a template is previewed or checked,
and a message is never sent with a blank in it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.sandbox import SandboxedEnvironment

from amicable.ledger.money import Money

from .required import add_required

TEMPLATES = Path(__file__).parent / "templates"
CHANNELS = ("email", "sms", "letter", "call")
BLOCKS = {
    "email": ("subject", "body"),
    "letter": ("subject", "body"),
    "sms": ("body",),
    "call": ("script", "voicemail"),
}


class TemplateError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Rendered:
    channel: str
    template: str
    variant: str | None  # the variant actually used (None: the plain file)
    language: str  # the language of the file used
    path: str  # relative to the templates folder
    subject: str | None
    body: str
    voicemail: str | None = None  # call tasks: the limited-content message

    @property
    def html(self) -> str:
        return body_html(self.body)


def body_html(body: str) -> str:
    """A plain-text body as HTML paragraphs (for the email's HTML part), escaped."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def babel_locale(language: str) -> Locale:
    """en-GB -> en_GB; a bare en is US English, es is Spanish."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, TypeError):
        return Locale.parse("en")


@pass_context
def _money(context, value: Money) -> str:
    if not isinstance(value, Money):
        raise TemplateError(f"money: {value!r} is not an amount with a currency")
    return format_currency(value.amount, value.currency, locale=babel_locale(context["language"]))


@pass_context
def _long_date(context, value: date) -> str:
    if not isinstance(value, date):
        raise TemplateError(f"long_date: {value!r} is not a date")
    return format_date(value, format="long", locale=babel_locale(context["language"]))


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters["money"] = _money
    env.filters["long_date"] = _long_date
    return env


def _languages(language: str) -> list[str]:
    base = language.split("-")[0]
    return list(dict.fromkeys([language, base, "en"]))


def find(
    channel: str, template: str, language: str, variant: str | None = None
) -> tuple[str, str, str | None]:
    """(relative path, language used, variant used) of the file for a message; TemplateError if none."""
    if channel not in CHANNELS:
        raise TemplateError(f"channel {channel!r}: expected one of {', '.join(CHANNELS)}")
    for lang in _languages(language):
        for chosen in ([variant] if variant else []) + [None]:
            name = f"{template}.{chosen}.{lang}.j2" if chosen else f"{template}.{lang}.j2"
            if (TEMPLATES / channel / name).is_file():
                return f"{channel}/{name}", lang, chosen
    raise TemplateError(
        f"no template {channel}/{template} for {language} (looked for {', '.join(_languages(language))})"
    )


def _render_blocks(path: str, channel: str, context: Mapping[str, Any]) -> dict[str, str]:
    compiled = environment().get_template(path)
    scope = compiled.new_context(context)
    missing = [name for name in BLOCKS[channel] if name not in compiled.blocks]
    if missing:
        raise TemplateError(
            f"no {{% block {missing[0]} %}} (a {channel} template has {', '.join(BLOCKS[channel])})"
        )
    return {name: "".join(compiled.blocks[name](scope)).strip() for name in BLOCKS[channel]}


def render(
    channel: str,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    variant: str | None = None,
    regulation_f: bool = False,
    first: bool = False,
) -> Rendered:
    """`first`: the first communication about the debt (Regulation F's full disclosure goes in)."""
    path, used_language, used_variant = find(channel, template, language, variant)
    try:
        blocks = _render_blocks(path, channel, {**context, "language": language})
        links = context.get("links")
        opt_out = links.get("opt_out") if isinstance(links, Mapping) else getattr(links, "opt_out", None)
        main = "script" if channel == "call" else "body"
        body = add_required(channel, blocks[main], used_language, regulation_f, opt_out, first)
    except Exception as error:
        # Templates are written by people: whatever goes wrong (an undefined variable, a sandbox refusal,
        # a filter given the wrong thing, a missing opt-out link) is reported against the file.
        raise TemplateError(f"{path}: {error}") from error
    return Rendered(
        channel=channel,
        template=template,
        variant=used_variant,
        language=used_language,
        path=path,
        subject=" ".join(blocks["subject"].split()) if "subject" in blocks else None,
        body=body,
        voicemail=blocks.get("voicemail"),
    )
