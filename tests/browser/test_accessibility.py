"""The automated accessibility check: axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules on the
main pages of the portal and the console. Any violation fails, named with its rule, its impact and the
elements that break it. (Automated checks find some problems, not all: the journeys and the phone test
cover keyboard use and target sizes.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from amicable.conversations.calls import schedule_callback
from browser.helpers import (
    axe_violations,
    caseload,
    console_sign_in,
    describe,
    portal_link_path,
    portal_sign_in,
)
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db(transaction=True)


def violations_on(page, live_server, pages: dict[str, str]) -> dict[str, str]:
    """Each page's violations, described, by the page's name."""
    found = {}
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.ok, f"{name} ({path}) answered {response.status}"
        violations = axe_violations(page)
        if violations:
            found[name] = f"{name} ({path}):\n{describe(violations)}"
    return found


def assert_none(found: dict[str, str]) -> None:
    assert not found, "Accessibility violations (axe-core, WCAG 2.x A and AA):\n" + "\n".join(found.values())


def test_the_portals_main_pages_have_no_accessibility_violations(audit_page, live_server, northwind):
    account = debtor(northwind)
    link = portal_link_path(account)
    found = violations_on(audit_page, live_server, {"identity check": link})
    portal_sign_in(audit_page, live_server, account)
    pages = {
        "home": reverse("portal:home"),
        "plans": reverse("portal:plans", args=[account.pk]),
        "pay": reverse("portal:pay", args=[account.pk]),
        "preferences": reverse("portal:preferences"),
        "help": reverse("portal:help"),
    }
    assert_none(found | violations_on(audit_page, live_server, pages))


def test_the_consoles_main_pages_have_no_accessibility_violations(audit_page, live_server, northwind):
    account = debtor(northwind)
    caseload(northwind)
    now = timezone.now()
    schedule_callback(account, now, given_at=now, source="test", actor="test:fixture")
    supervisor = staff("sam", "supervisor", northwind)

    found = violations_on(audit_page, live_server, {"sign-in": reverse("console:login")})
    console_sign_in(audit_page, live_server, supervisor, PASSWORD)
    customer = account.customer_id
    pages = {
        "work queue": reverse("console:queue"),
        "customer": reverse("console:customer", args=[customer]),
        "call guide": reverse("console:call", args=[customer]),
        "compose": reverse("console:compose", args=[customer]),
        "dashboard": reverse("console:dashboard"),
    }
    assert_none(found | violations_on(audit_page, live_server, pages))


def test_the_check_itself_finds_a_violation_when_there_is_one(audit_page, live_server, northwind):
    """A check that silently ran no rules would pass everything: break a page on purpose."""
    account = debtor(northwind)
    audit_page.goto(live_server.url + portal_link_path(account))
    audit_page.evaluate("() => document.querySelector('#day').removeAttribute('id')")  # its label is lost
    violations = axe_violations(audit_page)
    assert [v["id"] for v in violations] == ["label"], describe(violations)
    assert violations[0]["impact"] == "critical" and violations[0]["targets"] == ['input[name="day"]']
