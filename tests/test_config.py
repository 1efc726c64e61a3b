"""Environment variables are parsed strictly: a bad value is one clear error naming it, never a fallback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from amicable.config import (
    ConfigError,
    env_bool,
    env_country,
    env_database,
    env_language,
    env_list,
    env_port,
    env_secret_key,
    env_timezone,
    env_var_dir,
)

GOOD_KEY = "k" * 40


def assert_names(error: pytest.ExceptionInfo[ConfigError], name: str, value: str) -> None:
    message = str(error.value)
    assert name in message
    assert repr(value) in message


# --- PORT -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "70000", "65536", "0", "-1", "80.5", "8 0", "²"])
def test_bad_port_is_an_error_naming_port_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_port({"PORT": value})
    assert_names(error, "PORT", value)
    assert "1 to 65535" in str(error.value)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("8080", 8080), ("65535", 65535)])
def test_good_port_is_parsed(value, expected):
    assert env_port({"PORT": value}) == expected


@pytest.mark.parametrize("env", [{}, {"PORT": ""}])
def test_unset_or_empty_port_is_the_default_8000(env):
    assert env_port(env) == 8000


# --- DEBUG and other booleans -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "2", "enabled", "y"])
def test_bad_boolean_is_an_error_naming_the_variable_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_bool({"DEBUG": value}, "DEBUG", default=False)
    assert_names(error, "DEBUG", value)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", " on "])
def test_true_spellings_are_true(value):
    assert env_bool({"DEBUG": value}, "DEBUG", default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF"])
def test_false_spellings_are_false(value):
    assert env_bool({"DEBUG": value}, "DEBUG", default=True) is False


@pytest.mark.parametrize("env", [{}, {"DEBUG": ""}])
def test_unset_boolean_is_the_default(env):
    assert env_bool(env, "DEBUG", default=True) is True
    assert env_bool(env, "DEBUG", default=False) is False


# --- TIME_ZONE --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Mars/Olympus", "europe/london", "GMT+1 ", "../../etc/passwd", "/etc/passwd"]
)
def test_bad_time_zone_is_an_error_naming_the_variable_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_timezone({"TIME_ZONE": value}, "TIME_ZONE", default="UTC")
    assert_names(error, "TIME_ZONE", value)
    assert "IANA" in str(error.value)


@pytest.mark.parametrize("value", ["Europe/London", "America/New_York", "UTC"])
def test_iana_time_zone_is_accepted(value):
    assert env_timezone({"TIME_ZONE": value}, "TIME_ZONE", default="UTC") == value


def test_unset_time_zone_is_the_default():
    assert env_timezone({}, "TIME_ZONE", default="UTC") == "UTC"


# --- DEFAULT_COUNTRY --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["XX", "USA", "U", "1", "ZZ", "EU", "UN"])
def test_bad_country_is_an_error_naming_the_variable_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_country({"DEFAULT_COUNTRY": value}, "DEFAULT_COUNTRY", default="US")
    assert_names(error, "DEFAULT_COUNTRY", value)


@pytest.mark.parametrize(("value", "expected"), [("GB", "GB"), ("us", "US"), (" de ", "DE")])
def test_country_code_is_accepted_upper_cased(value, expected):
    assert env_country({"DEFAULT_COUNTRY": value}, "DEFAULT_COUNTRY", default="US") == expected


def test_unset_country_is_the_default():
    assert env_country({}, "DEFAULT_COUNTRY", default="US") == "US"


# --- DEFAULT_LANGUAGE -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["not a tag!", "xx", "en_GB", "english"])
def test_bad_language_is_an_error_naming_the_variable_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_language({"DEFAULT_LANGUAGE": value}, "DEFAULT_LANGUAGE", default="en")
    assert_names(error, "DEFAULT_LANGUAGE", value)
    assert "BCP 47" in str(error.value)


@pytest.mark.parametrize("value", ["en", "en-GB", "es", "es-US", "fr-CA"])
def test_bcp47_language_tag_is_accepted(value):
    assert env_language({"DEFAULT_LANGUAGE": value}, "DEFAULT_LANGUAGE", default="en") == value


# --- ALLOWED_HOSTS and other lists ------------------------------------------------------------


@pytest.mark.parametrize("value", ["a,,b", "a,", ",a", "a, ,b"])
def test_list_with_an_empty_item_is_an_error_naming_the_variable_and_the_value(value):
    with pytest.raises(ConfigError) as error:
        env_list({"ALLOWED_HOSTS": value}, "ALLOWED_HOSTS", default=[])
    assert_names(error, "ALLOWED_HOSTS", value)


def test_list_items_are_trimmed():
    hosts = env_list({"ALLOWED_HOSTS": "example.org, .example.com ,localhost"}, "ALLOWED_HOSTS", [])
    assert hosts == ["example.org", ".example.com", "localhost"]


@pytest.mark.parametrize("env", [{}, {"ALLOWED_HOSTS": "  "}])
def test_unset_list_is_the_default(env):
    assert env_list(env, "ALLOWED_HOSTS", default=["localhost"]) == ["localhost"]


# --- DATABASE_URL -----------------------------------------------------------------------------


def test_unset_database_url_is_sqlite_under_the_var_dir(tmp_path):
    config = env_database({}, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str((tmp_path / "amicable.sqlite3").resolve())
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_default_sqlite_path_is_absolute_even_for_a_relative_var_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = env_database({"DATABASE_URL": ""}, Path("var"))
    assert Path(config["NAME"]).is_absolute()
    assert config["NAME"] == str(tmp_path.resolve() / "var" / "amicable.sqlite3")


def test_sqlite_url_is_used_as_given(tmp_path):
    path = tmp_path / "elsewhere.db"
    config = env_database({"DATABASE_URL": f"sqlite:///{path}"}, tmp_path / "var")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "pgsql"])
def test_postgres_url_is_parsed(scheme, tmp_path):
    config = env_database({"DATABASE_URL": f"{scheme}://amicable:pw@db.internal:5433/recoveries"}, tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("amicable", "pw")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "recoveries")
    assert config["CONN_MAX_AGE"] == 60
    assert "OPTIONS" not in config or "transaction_mode" not in config["OPTIONS"]


@pytest.mark.parametrize(
    "url",
    ["mysql://amicable@db.internal/amicable", "oracle://db/amicable", "db.internal/amicable", "nonsense"],
)
def test_unsupported_database_url_is_an_error_naming_it(url, tmp_path):
    with pytest.raises(ConfigError) as error:
        env_database({"DATABASE_URL": url}, tmp_path)
    assert_names(error, "DATABASE_URL", url)
    assert "postgresql://" in str(error.value)


@pytest.mark.parametrize("url", ["postgresql://db.internal/", "postgresql://amicable@db.internal:5432"])
def test_postgres_url_without_a_database_name_is_an_error(url, tmp_path):
    with pytest.raises(ConfigError) as error:
        env_database({"DATABASE_URL": url}, tmp_path)
    assert_names(error, "DATABASE_URL", url)
    assert "no database name" in str(error.value)


def test_malformed_postgres_url_is_a_config_error_not_a_traceback(tmp_path):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        env_database({"DATABASE_URL": "postgresql://amicable@db.internal:notaport/amicable"}, tmp_path)


def test_database_url_error_does_not_print_the_password(tmp_path):
    # Configuration errors end up in terminals, CI logs and bug reports.
    with pytest.raises(ConfigError) as error:
        env_database({"DATABASE_URL": "mysql://amicable:hunter2-s3cret@db.internal/amicable"}, tmp_path)
    assert "DATABASE_URL" in str(error.value)
    assert "hunter2-s3cret" not in str(error.value)


# --- SECRET_KEY -------------------------------------------------------------------------------


def test_secret_key_from_the_environment_is_used_and_nothing_is_written(tmp_path):
    assert env_secret_key({"SECRET_KEY": GOOD_KEY}, tmp_path / "var") == GOOD_KEY
    assert not (tmp_path / "var").exists()


def test_short_secret_key_is_an_error_that_names_it_without_echoing_it(tmp_path):
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY": "tooshort-but-secret"}, tmp_path)
    assert "SECRET_KEY" in str(error.value)
    assert "32" in str(error.value)
    assert "tooshort-but-secret" not in str(error.value)


def test_secret_key_of_exactly_32_characters_is_accepted(tmp_path):
    assert env_secret_key({"SECRET_KEY": "x" * 32}, tmp_path) == "x" * 32


def test_secret_key_file_is_read_and_its_trailing_newline_dropped(tmp_path):
    path = tmp_path / "key"
    path.write_text(GOOD_KEY + "\n")
    assert env_secret_key({"SECRET_KEY_FILE": str(path)}, tmp_path / "var") == GOOD_KEY


def test_secret_key_wins_over_secret_key_file(tmp_path):
    env = {"SECRET_KEY": GOOD_KEY, "SECRET_KEY_FILE": str(tmp_path / "missing")}
    assert env_secret_key(env, tmp_path) == GOOD_KEY


def test_missing_secret_key_file_is_an_error_naming_the_variable_and_the_path(tmp_path):
    path = tmp_path / "missing"
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY_FILE": str(path)}, tmp_path)
    assert_names(error, "SECRET_KEY_FILE", str(path))
    assert "No such file" in str(error.value)


def test_secret_key_file_that_is_a_directory_is_an_error_naming_the_variable_and_the_path(tmp_path):
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY_FILE": str(tmp_path)}, tmp_path)
    assert_names(error, "SECRET_KEY_FILE", str(tmp_path))


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_secret_key_file_is_an_error_naming_the_variable_and_the_path(tmp_path):
    path = tmp_path / "key"
    path.write_text(GOOD_KEY)
    path.chmod(0)
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY_FILE": str(path)}, tmp_path)
    assert_names(error, "SECRET_KEY_FILE", str(path))
    assert "Permission denied" in str(error.value)


def test_secret_key_file_that_is_not_text_is_a_config_error_naming_the_variable(tmp_path):
    # `head -c 50 /dev/urandom > key` is an easy mistake; it must not end in a UnicodeDecodeError.
    path = tmp_path / "key"
    path.write_bytes(bytes(range(128, 256)))
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY_FILE": str(path)}, tmp_path)
    assert_names(error, "SECRET_KEY_FILE", str(path))


def test_short_key_in_secret_key_file_is_an_error_naming_secret_key_file(tmp_path):
    path = tmp_path / "key"
    path.write_text("short\n")
    with pytest.raises(ConfigError) as error:
        env_secret_key({"SECRET_KEY_FILE": str(path)}, tmp_path)
    assert_names(error, "SECRET_KEY_FILE", str(path))


def test_secret_key_is_generated_once_into_the_var_dir_readable_only_by_its_owner(tmp_path):
    var_dir = tmp_path / "var" / "nested"
    key = env_secret_key({}, var_dir)
    path = var_dir / "secret_key"
    assert len(key) >= 32
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_generated_secret_key_is_reused_on_the_next_start(tmp_path):
    first = env_secret_key({}, tmp_path)
    second = env_secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": ""}, tmp_path)
    assert first == second


def test_each_installation_generates_its_own_secret_key(tmp_path):
    assert env_secret_key({}, tmp_path / "a") != env_secret_key({}, tmp_path / "b")


# --- AMICABLE_VAR_DIR -------------------------------------------------------------------------


def test_var_dir_defaults_to_var_and_can_be_moved():
    assert env_var_dir({}) == Path("var")
    assert env_var_dir({"AMICABLE_VAR_DIR": ""}) == Path("var")
    assert env_var_dir({"AMICABLE_VAR_DIR": "/srv/amicable"}) == Path("/srv/amicable")


# --- the real command line --------------------------------------------------------------------


def test_cli_with_a_bad_port_exits_non_zero_with_one_line_naming_port(tmp_path):
    amicable = Path(sys.executable).parent / "amicable"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PORT": "abc",
        "AMICABLE_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [str(amicable), "creditors", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PORT='abc'" in lines[0]
    assert "1 to 65535" in lines[0]
    assert result.stdout == ""
