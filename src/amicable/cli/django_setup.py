"""Starting Django for a command, with configuration errors shown as one clear line."""

from __future__ import annotations

import os

import click

_ready = False


def setup_django() -> None:
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.settings")
    import django

    from amicable.config import ConfigError

    try:
        django.setup()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None
    _ready = True


def database_label() -> str:
    """Which database a command used, for summaries: the default is relative to the current folder,
    so running from elsewhere would silently use (and create) another one."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('NAME')} on {db.get('HOST') or 'localhost'}"


def actor() -> str:
    """Who is running this command, for the audit log."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
