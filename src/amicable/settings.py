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
from urllib.parse import urlsplit

from amicable.config import (
    env_bool,
    env_choice,
    env_country,
    env_database,
    env_int,
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
# The web pages speak these; messages and letters have their own templates per language (docs/messages.md).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
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
    "amicable.web",
    "amicable.portal",
    "amicable.console",
    "amicable.payments",
    "amicable.authoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "amicable.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
                "django.template.context_processors.i18n",
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

# ------------------------------------------------------------------------------------------- web
# Cookies travel only over HTTPS when the public address is HTTPS (production); the embedded default
# serves plain HTTP on loopback, where a Secure cookie would never come back.
HTTPS = PUBLIC_URL.startswith("https:")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day; the portal ends its own sessions sooner (portal/access.py)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many proxies stand in front of the app and append to X-Forwarded-For (web/throttle.py): the
# attempt limits count by the client's address, not the proxy's. 0: requests come straight in.
TRUSTED_PROXIES = env_int(ENV, "TRUSTED_PROXIES", default=0, low=0, high=5)
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:queue"

# The portal's light identity check before an account is shown: date_of_birth (falling back to the
# postcode for customers without one on file, such as businesses) or postcode.
PORTAL_IDENTITY_CHECK = env_choice(
    ENV, "PORTAL_IDENTITY_CHECK", ("date_of_birth", "postcode"), default="date_of_birth"
)

# Payments in the portal: sandbox (posts to the ledger at once, with no money taken: for the demo and
# development), stripe (Checkout) or none (the pay page says how else to pay). The sandbox is the default
# only while the site is served on this machine (or with DEBUG on): a public deployment must choose.
LOOPBACK_SITE = urlsplit(PUBLIC_URL).hostname in ("127.0.0.1", "localhost", "::1")
PAYMENT_PROVIDER = env_choice(
    ENV,
    "PAYMENT_PROVIDER",
    ("sandbox", "stripe", "none"),
    default="sandbox" if (DEBUG or LOOPBACK_SITE) else "none",
)
STRIPE_SECRET_KEY = ENV.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = ENV.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_URL = env_url(ENV, "STRIPE_API_URL", default="https://api.stripe.com")
STRIPE_CHECKOUT_ORIGIN = env_url(ENV, "STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com")
# Forms may post only to this site, and to the payment provider's checkout when it is in use.
CSP_FORM_ACTION = (STRIPE_CHECKOUT_ORIGIN,) if PAYMENT_PROVIDER == "stripe" else ()
