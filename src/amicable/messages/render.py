"""Rendering a message from its template file: sandboxed, strict, in the customer's language.

Files are `templates/{channel}/{template}[.{variant}].{language}.j2` (docs/messages.md). A missing
variable raises TemplateError naming the file: it is caught when a template is previewed or checked,
and a message is never sent with a blank in it.

Texts saved in the console take precedence over the packaged files of the same name: the Django side
hands them over with `use_templates` (authoring/library.py), and a text being edited is tried with
`drafting` without touching what the cycle uses.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    pass_context,
)
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


def _defined(value):
    """A filter is handed an undefined variable rather than an error: raise the error that names it."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


@pass_context
def _money(context, value: Money) -> str:
    _defined(value)
    if not isinstance(value, Money):
        raise TemplateError(f"money: {value!r} is not an amount with a currency")
    return format_currency(value.amount, value.currency, locale=babel_locale(context["language"]))


@pass_context
def _long_date(context, value: date) -> str:
    _defined(value)
    if not isinstance(value, date):
        raise TemplateError(f"long_date: {value!r} is not a date")
    return format_date(value, format="long", locale=babel_locale(context["language"]))


# A template's file name without its folder and suffix: name[.variant].language (reminder_upcoming.warm.en).
STEM = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)?\.[a-z]{2}(?:-[A-Z]{2})?$")


def template_path(channel: str, stem: str) -> str:
    """The relative path of a template file (email/reminder_upcoming.warm.en.j2); TemplateError if the
    channel or the name is not one a template can have."""
    if channel not in CHANNELS:
        raise TemplateError(f"channel {channel!r}: expected one of {', '.join(CHANNELS)}")
    if not STEM.match(stem):
        raise TemplateError(
            f"name {stem!r}: expected name[.variant].language in lower case, e.g. reminder_upcoming.warm.en"
        )
    return f"{channel}/{stem}.j2"


class _Environment(SandboxedEnvironment):
    # The texts it loads before the files. `find` looks here, in the environment it then loads from,
    # so a swap in another thread (use_templates) cannot come between finding a file and loading it.
    texts: dict[str, str]


# Saved texts in force (relative path -> text), and the environment for a text being tried in this
# context only.
_saved: dict[str, str] = {}
_draft: ContextVar[_Environment | None] = ContextVar("draft", default=None)


def _build(overrides: Mapping[str, str]) -> _Environment:
    files = FileSystemLoader(TEMPLATES)
    loader: BaseLoader = ChoiceLoader([DictLoader(dict(overrides)), files]) if overrides else files
    env = _Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters["money"] = _money
    env.filters["long_date"] = _long_date
    env.texts = dict(overrides)
    return env


@cache
def environment() -> _Environment:
    """The saved texts over the packaged files (what the cycle renders with)."""
    return _build(_saved)


def _current() -> _Environment:
    drafted = _draft.get()
    return drafted if drafted is not None else environment()


def use_templates(overrides: Mapping[str, str]) -> None:
    """Saved template texts, by relative path (email/reminder_upcoming.warm.en.j2), to use before the
    packaged files of the same name; a path with no packaged file adds a template. Replaces whatever
    was given before; the same texts again change nothing (the compiled templates are kept)."""
    global _saved
    texts = dict(overrides)
    for path in texts:
        channel, _, name = path.partition("/")
        template_path(channel, name.removesuffix(".j2"))
    if texts == _saved:
        return
    _saved = texts
    environment.cache_clear()


@contextmanager
def drafting(overrides: Mapping[str, str]) -> Iterator[None]:
    """Render with `overrides` over the saved texts, in this thread or task only: for trying a text
    before it is saved. Nothing else sees it."""
    token = _draft.set(_build({**_saved, **overrides}))
    try:
        yield
    finally:
        _draft.reset(token)


def template_stems(channel: str) -> list[str]:
    """Every template file of a channel, packaged or saved, by stem (reminder_upcoming.warm.en)."""
    stems = {p.name.removesuffix(".j2") for p in (TEMPLATES / channel).glob("*.j2")}
    prefix = f"{channel}/"
    stems |= {p[len(prefix) : -3] for p in _current().texts if p.startswith(prefix)}
    return sorted(stems)


def packaged_text(channel: str, stem: str) -> str | None:
    """The packaged file's text, or None when amicable ships no such template."""
    path = TEMPLATES / template_path(channel, stem)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _exists(relative: str, env: _Environment) -> bool:
    return relative in env.texts or (TEMPLATES / relative).is_file()


def _languages(language: str) -> list[str]:
    base = language.split("-")[0]
    return list(dict.fromkeys([language, base, "en"]))


def find(
    channel: str, template: str, language: str, variant: str | None = None
) -> tuple[str, str, str | None]:
    """(relative path, language used, variant used) of the file for a message; TemplateError if none."""
    if channel not in CHANNELS:
        raise TemplateError(f"channel {channel!r}: expected one of {', '.join(CHANNELS)}")
    env = _current()
    for lang in _languages(language):
        for chosen in ([variant] if variant else []) + [None]:
            name = f"{template}.{chosen}.{lang}.j2" if chosen else f"{template}.{lang}.j2"
            if _exists(f"{channel}/{name}", env):
                return f"{channel}/{name}", lang, chosen
    raise TemplateError(
        f"no template {channel}/{template} for {language} (looked for {', '.join(_languages(language))})"
    )


def _render_blocks(path: str, channel: str, context: Mapping[str, Any]) -> dict[str, str]:
    compiled = _current().get_template(path)
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
