"""What the browser tests share: signing in like a person would, the accessibility check with
axe-core, and screenshots."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from amicable.arrangements.promises import record_promise
from amicable.conversations.disputes import open_dispute
from amicable.cycle.run import run_day
from amicable.ledger.actions import record_consent, record_payment
from amicable.portal.links import portal_token
from web.people import debtor

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = HERE / "vendor" / "axe.min.js"
OUTPUT = ROOT / "var" / "test-output" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
# The images the README shows; a run with UPDATE_SCREENSHOTS=1 refreshes them.
DOCUMENTED = {
    "portal-check",
    "portal-home",
    "portal-plans",
    "portal-phone",
    "console-queue",
    "console-customer",
    "console-call",
    "console-compose",
    "console-dashboard",
}
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the rules axe-core tags with these.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def caseload(creditor) -> None:
    """A few more of the creditor's customers, each in a different place, made through the same
    actions as everywhere else, then today's cycle planned (nothing sent): so the queue and the
    dashboard look like a working day."""
    actor = "test:fixture"
    now, today = timezone.now(), timezone.localdate()
    kept = debtor(creditor, "C-2", first_name="John", last_name="Smith", balance="240.00", due_in_days=-20)
    broken = debtor(creditor, "C-3", first_name="Aisha", last_name="Khan", balance="1250.00", due_in_days=-40)
    disputed = debtor(creditor, "C-4", first_name="Tom", last_name="Baker", balance="89.50", due_in_days=-15)
    debtor(creditor, "C-5", first_name="Lucia", last_name="Garcia", balance="410.00", due_in_days=3)
    stopped = debtor(creditor, "C-6", first_name="Sam", last_name="Reed", balance="75.00", due_in_days=-5)
    for weeks_ago, account, amount in ((9, kept, "40"), (6, kept, "40"), (4, broken, "100"), (2, kept, "60")):
        record_payment(
            account,
            Decimal(amount),
            today - timedelta(weeks=weeks_ago),
            currency=account.currency,
            payment_ref=f"P-{account.external_ref}-{weeks_ago}",
            source="test",
            actor=actor,
        )
    record_promise(
        kept,
        Decimal("60"),
        today - timedelta(days=13),  # the day after its payment
        channel="sms",
        source="test",
        actor=actor,
        made_at=now - timedelta(weeks=3),
    )
    record_promise(
        broken,
        Decimal("200"),
        today - timedelta(days=8),
        channel="call",
        source="test",
        actor=actor,
        made_at=now - timedelta(days=12),
    )
    open_dispute(
        disputed,
        "I paid this bill in full in March.",
        source="test",
        actor=actor,
        received_at=now - timedelta(days=2),
    )
    record_consent(
        stopped.customer.contact_points.get(kind="mobile"),
        "collection",
        "revoked",
        source="sms STOP",
        actor=actor,
        at=now - timedelta(days=1),
    )
    run_day(today, dispatch=False)


def portal_link_path(account) -> str:
    """The path of the signed link every message carries (portal/links.py)."""
    return f"/p/{portal_token(account.customer_id)}"


def open_portal_link(page, live_server, account) -> None:
    page.goto(live_server.url + portal_link_path(account))


def answer_date_of_birth(page, day: str = "27", month: str = "3", year: str = "1984") -> None:
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Continue").click()


def portal_sign_in(page, live_server, account) -> None:
    """Open the customer's link and pass the identity check; lands on the portal's home."""
    open_portal_link(page, live_server, account)
    answer_date_of_birth(page)
    page.wait_for_url(f"{live_server.url}/portal/")


def console_sign_in(page, live_server, user, password: str) -> None:
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/console/login" not in url)


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands, with the WCAG 2.x A and AA rules. The page's context
    must bypass the CSP (axe is injected as a script)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    """One line per rule (id, impact, what it asks), then the selector of each element that breaks it."""
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"      {target}" for target in violation["targets"])
    return "\n".join(lines)


def save_screenshot(page, name: str) -> Path:
    """A full-page PNG under var/test-output/screenshots/, and into docs/screenshots/ as well when
    UPDATE_SCREENSHOTS=1 (the README shows those)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.wait_for_load_state()  # the whole page, not only as far as the browser had read it
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        assert name in DOCUMENTED, f"{name} is not one of the README's screenshots"
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        committed(path, DOCS_SCREENSHOTS / path.name)
    return path


def committed(source: Path, target: Path) -> None:
    """The copy kept in the repository, in 256 colours: flat pages lose nothing visible, and the PNG
    is less than half the size."""
    from PIL import Image  # Pillow comes with WeasyPrint (letters); only refreshing the docs needs it

    with Image.open(source) as image:
        flat = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        flat.save(target, optimize=True)
