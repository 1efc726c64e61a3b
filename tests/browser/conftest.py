"""End-to-end tests in headless Chromium: Playwright for Python drives the system Chromium from
Debian's packages against pytest-django's live server.

One browser per session, a new context per test. Every ordinary context fails its test on any
JavaScript error or console error, which is how Chromium reports a Content Security Policy violation
(an inline script or style sneaking into a template). Only the accessibility check gets a context
that bypasses the CSP, because axe-core has to be injected into the page."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an asyncio event loop in this thread; without this Django refuses to
# use the database from it (the tests' own setup and checks; the server answers in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 30_000  # milliseconds: generous, for a busy CI machine


def install_chromium() -> None:
    """CI starts from a clean machine: install Debian's Chromium when it is missing."""
    if CHROMIUM.exists():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if not shutil.which("apt-get") or (sudo and not shutil.which("sudo")):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, and it cannot be installed "
            "from here: run `apt-get install chromium chromium-driver` as root."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium", "chromium-driver"]):
        done = subprocess.run([*sudo, *command], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(
                f"Could not install Chromium for the browser tests: `{' '.join(command)}` failed "
                f"with exit code {done.returncode}:\n{(done.stderr or done.stdout)[-2000:]}"
            )
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium, but {CHROMIUM} is still missing.")


@pytest.fixture(scope="session")
def browser():
    install_chromium()
    from playwright.sync_api import sync_playwright

    # Chromium's sandbox cannot start as root (CI runs as root); for anyone else it stays on.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield chromium
        chromium.close()


class Problems:
    """JavaScript errors and console errors (CSP violations among them) seen in one context."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error":
            self.seen.append(f"console error at {message.location.get('url', '?')}: {message.text}")

    def on_error(self, error) -> None:
        self.seen.append(f"JavaScript error at {error.page.url if error.page else '?'}: {error.error}")

    def check(self) -> None:
        problems, self.seen = self.seen, []
        assert not problems, "The browser reported errors:\n" + "\n".join(problems)


class OneRequestAtATime(ThreadedWSGIServer):
    """On SQLite the live server reaches the tests' in-memory database either through the tests' own
    connection or through connections sharing its cache, and SQLite used from several threads at once
    can deadlock (one thread holds SQLite's lock waiting for the GIL, another the GIL waiting for
    SQLite's lock) or find a table locked. So requests take turns (each request, not each kept-alive
    connection), and a test waits for the last one before its database is flushed. PostgreSQL gives
    each thread its own connection and is left alone."""

    turn = threading.Lock()

    def set_app(self, application):
        if connections["default"].vendor == "sqlite":
            inner = application

            def application(environ, start_response):
                with self.turn:
                    return inner(environ, start_response)

        super().set_app(application)

    @classmethod
    def wait_until_idle(cls) -> None:
        with cls.turn:
            pass


LiveServerThread.server_class = OneRequestAtATime


@contextmanager
def browser_context(browser, live_server, settings, viewport, **options):
    """A new context (its own cookies) against the live server; links in messages point at it."""
    settings.PUBLIC_URL = live_server.url
    context = browser.new_context(viewport=viewport, locale="en-US", **options)
    context.set_default_timeout(TIMEOUT)
    # Browsers ask for /favicon.ico on their own when a page names no icon; answer it here.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    try:
        yield context
    finally:
        context.close()
        OneRequestAtATime.wait_until_idle()


def watched(context):
    problems = Problems()
    context.on("console", problems.on_console)
    context.on("weberror", problems.on_error)
    page = context.new_page()
    page.problems = problems
    return page


@pytest.fixture
def northwind(db):
    """An original creditor collecting its own US utility debts, with a number to call (the messages
    and pages show it)."""
    from amicable.ledger.actions import create_creditor

    return create_creditor("Northwind Energy", role="creditor", actor="test:fixture", phone="+16175550100")


@pytest.fixture
def page(browser, live_server, settings):
    """A desktop page (1280 wide) in a new context; the test fails on any JavaScript or CSP error."""
    with browser_context(browser, live_server, settings, DESKTOP) as context:
        page = watched(context)
        yield page
    page.problems.check()


@pytest.fixture
def phone(browser, live_server, settings):
    """A phone-sized touch screen (390x844), watched for errors like `page`."""
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 1}
    with browser_context(browser, live_server, settings, PHONE, **options) as context:
        page = watched(context)
        yield page
    page.problems.check()


@pytest.fixture
def audit_page(browser, live_server, settings):
    """A desktop page whose context bypasses the CSP: only for injecting axe-core."""
    with browser_context(browser, live_server, settings, DESKTOP, bypass_csp=True) as context:
        yield context.new_page()
