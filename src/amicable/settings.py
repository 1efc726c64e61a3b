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
  PUBLIC_URL       where customers reach the web app (links in messages); default http://127.0.0.1:PORT
  EMAIL_HOST ...   SMTP server; unset: emails are written as .eml files under var/outbox/email
  SMS_PROVIDER     sandbox (default: texts recorded in the database) or twilio (TWILIO_* variables)
  EMAIL_WEBHOOK_SECRET  signs POST /hooks/email/inbound; unset: refused (DEBUG: a development default)
  CELERY_BROKER_URL  e.g. redis://127.0.0.1:6379/0; unset: dispatch runs in-process
"""

import json
import os
from pathlib import Path

from amicable.config import (
    env_bool,
    env_choice,
    env_country,
    env_database,
    env_language,
    env_list,
    env_port,
    env_secret_key,
    env_timezone,
    env_url,
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
    "amicable.outbox",
    "amicable.conversations",
    "amicable.aftercare",
    "ninja",  # only for its static Swagger UI files, so /api/docs loads nothing from a CDN
    "amicable.api",
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
    # WeasyPrint warns about font subsetting on every letter; its errors still show.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# ------------------------------------------------------------------------------------- channels
PUBLIC_URL = env_url(ENV, "PUBLIC_URL", default=f"http://127.0.0.1:{PORT}")
OUTBOX_DIR = VAR_DIR / "outbox"

# Email: SMTP when EMAIL_HOST is set; otherwise one .eml file per message under var/outbox/email.
EMAIL_HOST = ENV.get("EMAIL_HOST", "")
EMAIL_PORT = env_port(ENV, "EMAIL_PORT", default=25)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool(ENV, "EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "amicable.channels.email.EmlFileBackend"
)
EMAIL_FILE_PATH = OUTBOX_DIR / "email"
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "amicable <messages@localhost>")
# Replies go to reply+TOKEN@REPLY_DOMAIN, so each one threads to the contact it answers.
REPLY_DOMAIN = ENV.get("REPLY_DOMAIN", "localhost")

# Free debt advice signposted to customers in hardship, by country: [name, website]. Override with a
# JSON object in DEBT_ADVICE, e.g. {"US": [["NFCC", "nfcc.org"]], "IE": [["MABS", "mabs.ie"]]}.
DEBT_ADVICE = {
    "US": [["the National Foundation for Credit Counseling", "nfcc.org"]],
    "GB": [
        ["MoneyHelper", "moneyhelper.org.uk"],
        ["StepChange", "stepchange.org"],
        ["National Debtline", "nationaldebtline.org"],
    ],
} | json.loads(ENV.get("DEBT_ADVICE") or "{}")

# SMS: the sandbox records texts in the database; twilio speaks Twilio's REST API (or a compatible one).
SMS_PROVIDER = env_choice(ENV, "SMS_PROVIDER", ("sandbox", "twilio"), default="sandbox")
SMS_FROM = ENV.get("SMS_FROM", "+15005550006")
TWILIO_ACCOUNT_SID = ENV.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = ENV.get("TWILIO_AUTH_TOKEN", "")
TWILIO_API_URL = env_url(ENV, "TWILIO_API_URL", default="https://api.twilio.com")
# Inbound email: the inbound-parse service signs each message it forwards with this shared secret.
# Unset, the webhook accepts nothing; a development server (DEBUG on) gets a fixed one to try it with.
EMAIL_WEBHOOK_SECRET = ENV.get("EMAIL_WEBHOOK_SECRET", "") or ("development-email-secret" if DEBUG else "")

# Celery: production dispatches through a broker; unset, the same code runs in-process.
CELERY_BROKER_URL = ENV.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
