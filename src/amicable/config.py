"""Strict parsing of amicable's environment variables.

Pure: settings.py calls these; tests call them directly. An unexpected value is an error that names
the variable and says what would be accepted, never a silent fallback.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import dj_database_url
from babel import Locale, UnknownLocaleError

from amicable.ledger.jurisdictions import iso_countries


class ConfigError(ValueError):
    """An environment variable with a value amicable cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of true, false, 1, 0, yes, no, on, off")


def env_port(env: Mapping[str, str], name: str = "PORT", default: int = 8000) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,5}", raw.strip()) or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{name}={raw!r}: expected a whole number from 1 to 65535")
    return int(raw)


def env_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,4}", raw.strip()) or not low <= int(raw) <= high:
        raise ConfigError(f"{name}={raw!r}: expected a whole number from {low} to {high}")
    return int(raw)


def env_timezone(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if raw not in available_timezones():
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{name}={raw!r}: expected an IANA time zone such as Europe/London") from None
    return raw


def env_country(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    code = raw.upper()
    if code not in iso_countries():
        raise ConfigError(f"{name}={raw!r}: expected an ISO 3166-1 alpha-2 country code such as US or GB")
    return code


def env_language(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    try:
        Locale.parse(raw, sep="-")
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"{name}={raw!r}: expected a BCP 47 language tag such as en, en-GB or es") from None
    return raw


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ConfigError(f"{name}={raw!r}: empty item in a comma-separated list")
    return items


def env_database(env: Mapping[str, str], var_dir: Path) -> dict:
    """DATABASE_URL, or an SQLite file under var/ when it is not set."""
    raw = env.get("DATABASE_URL")
    url = raw if raw else f"sqlite:///{(var_dir / 'amicable.sqlite3').resolve()}"
    shown = _without_password(url)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL={shown!r}: expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60 if scheme != "sqlite" else 0)
    except Exception as error:  # dj_database_url raises several kinds for malformed URLs
        raise ConfigError(f"DATABASE_URL={shown!r}: {_without_password(str(error))}") from None
    if scheme != "sqlite" and not config.get("NAME"):
        raise ConfigError(f"DATABASE_URL={shown!r}: no database name after the host")
    if scheme == "sqlite":
        # IMMEDIATE avoids "database is locked" surprises when two writers start at once. WAL lets
        # the web app read while an import writes; synchronous=NORMAL is durable with WAL except for
        # the last commit on power loss. A 64 MB page cache keeps a large import's indexes in memory
        # (the default is 2 MB).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
        }
    return config


def _without_password(url: str) -> str:
    """The URL with any password replaced, for error messages that end up in logs."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def env_secret_key(env: Mapping[str, str], var_dir: Path) -> str:
    """SECRET_KEY, or SECRET_KEY_FILE, or a key generated once and kept in var/secret_key."""
    if env.get("SECRET_KEY"):
        key, name = env["SECRET_KEY"], "SECRET_KEY"
    elif env.get("SECRET_KEY_FILE"):
        path = Path(env["SECRET_KEY_FILE"])
        name = f"SECRET_KEY_FILE={str(path)!r}"
        try:
            key = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{name}: cannot read it ({error.strerror})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{name}: the file is not UTF-8 text; put a random string in it") from None
    else:
        path = var_dir / "secret_key"
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        key, name = path.read_text().strip(), str(path)
    if len(key) < 32:
        raise ConfigError(f"{name}: the key is too short; use at least 32 random characters")
    return key


def env_var_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("AMICABLE_VAR_DIR") or "var")


def env_url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL without a trailing slash."""
    raw = (env.get(name) or default).strip()
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", raw):
        raise ConfigError(f"{name}={raw!r}: expected an http:// or https:// URL")
    return raw.rstrip("/")


def env_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw
