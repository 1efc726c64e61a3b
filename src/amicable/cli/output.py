"""How commands report: a human summary by default, JSON on stdout with --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, default=_default, ensure_ascii=False))


@contextmanager
def progress(items: Iterable[T], length: int | None, label: str, quiet: bool) -> Iterator[Iterable[T]]:
    """A progress bar on stderr when it is a terminal and output is for people; silent otherwise."""
    if quiet or not sys.stderr.isatty():
        yield items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar
