"""How commands report: a human summary by default, JSON on stdout with --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import click


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, default=_default, ensure_ascii=False))


@contextmanager
def steps(total: int, label: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar over named stages; yields the function to call as each stage starts."""
    if quiet or not sys.stderr.isatty():
        yield lambda _name: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield lambda _name: bar.update(1)
