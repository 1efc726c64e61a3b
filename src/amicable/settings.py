"""Django settings for amicable: every value comes from the environment, parsed strictly.

Variables (see README.md, "Configuration"):
  DATABASE_URL     database; default: SQLite file var/amicable.sqlite3
  SECRET_KEY       or SECRET_KEY_FILE; default: generated once into var/secret_key
  PORT             web port for `amicable runserver` and `make demo`; default 8000
  TIME_ZONE        the operator's time zone for the admin; default UTC
  DEFAULT_COUNTRY  country assumed for phone numbers and addresses without one; default US
  DEFAULT_LANGUAGE language for customers without one; default en
  DEBUG            default false
  ALLOWED_HOSTS    comma-separated; default localhost,127.0.0.1,[::1]
  AMICABLE_VAR_DIR where embedded data lives; default ./var
"""

import os
from pathlib import Path

from amicable.config import (
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

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = env_var_dir(ENV)

DEBUG = env_bool(ENV, "DEBUG", default=False)
SECRET_KEY = env_secret_key(ENV, VAR_DIR)
PORT = env_port(ENV)
TIME_ZONE = env_timezone(ENV, "TIME_ZONE", default="UTC")
DEFAULT_COUNTRY = env_country(ENV, "DEFAULT_COUNTRY", default="US")
DEFAULT_LANGUAGE = env_language(ENV, "DEFAULT_LANGUAGE", default="en")
ALLOWED_HOSTS = env_list(ENV, "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

DATABASES = {"default": env_database(ENV, VAR_DIR)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)

USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "amicable.ledger",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "amicable.urls"
WSGI_APPLICATION = "amicable.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "static/"
STATIC_ROOT = None  # no collectstatic step: WhiteNoise serves from the apps (below)
# Serve static files straight from the installed apps, so the embedded default needs no
# collectstatic step and no separate web server.
WHITENOISE_USE_FINDERS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
