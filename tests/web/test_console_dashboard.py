"""The console's dashboard and the supervisor's compliance page: the counts match what happened,
currencies stay apart, and nobody sees another creditor's figures."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amicable.arrangements.plans import review_promises
from amicable.arrangements.promises import record_promise
from amicable.console.figures import citation_links
from amicable.conversations.calls import log_call
from amicable.conversations.disputes import open_dispute, send_verification
from amicable.conversations.models import Complaint
from amicable.ledger.actions import record_consent, record_payment
from amicable.outbox.models import Contact
from web.people import debtor, staff

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """The page's tables with an id, each as rows of cell texts (header cells included)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = attrs["id"]
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.current and self.cell is not None:
            self.tables[self.current][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(page, table_id: str) -> dict[str, dict[str, str]]:
    """A table as {row heading: {column heading: cell}}."""
    rows = Tables(page.text).tables[table_id]
    head, body = rows[0], rows[1:]
    return {row[0]: dict(zip(head[1:], row[1:], strict=True)) for row in body}


def column_total(found: dict[str, dict[str, str]], column: str) -> int:
    return sum(int(row[column].replace(",", "")) for row in found.values())


def planned(account, status, reasons, *, days_ago=0, channel="sms"):
    """A contact as the daily cycle writes it to the outbox, with its decision's reasons."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return Contact.objects.create(
        key=f"{account.pk}:consumer:s{secrets.token_hex(4)}:{day}",
        cycle_date=day,
        creditor=account.creditor,
        customer=account.customer,
        account=account,
        playbook="consumer",
        step="reminder",
        trigger_on=day,
        channel=channel,
        template="reminder",
        language="en",
        status=status,
        scheduled_at=timezone.now(),
        reasons=reasons,
        reply_token=secrets.token_urlsafe(12),
    )


def block(rule: str, effect: str = "block") -> dict:
    return {"rule": rule, "citation": "", "effect": effect, "message": f"{rule} said no"}


def pay(account, amount: str, ref: str):
    record_payment(
        account,
        Decimal(amount),
        timezone.localdate(),
        currency=account.currency,
        payment_ref=ref,
        source="test",
        actor="test:staff",
    )


def signed_in(client, role, *creditors, name="pat"):
    client.force_login(staff(name, role, *creditors))
    return client


# ------------------------------------------------------------------------------------------ dashboard


def test_the_dashboard_counts_what_happened(client, northwind):
    now = timezone.now()
    paying = debtor(northwind, "C-1")
    silent = debtor(northwind, "C-2", first_name="Sam")
    record_promise(
        paying,
        Decimal("50"),
        timezone.localdate(),
        channel="call",
        source="test",
        actor="test:staff",
        made_at=now - timedelta(days=2),
    )
    record_promise(
        silent,
        Decimal("20"),
        timezone.localdate() - timedelta(days=5),
        channel="sms",
        source="test",
        actor="test:staff",
        made_at=now - timedelta(days=9),
    )
    pay(paying, "50.00", "P-1")
    assert review_promises(timezone.localdate()) == {"promises_kept": 1, "promises_broken": 1}
    planned(paying, "blocked", [block("US-MA-CALLS")])
    planned(paying, "queued", [], channel="email")
    planned(silent, "queued", [], channel="email")
    mobile = silent.customer.contact_points.get(kind="mobile")
    record_consent(mobile, "collection", "revoked", source="reply STOP", actor="system:inbound")
    Complaint.objects.create(
        customer=silent.customer,
        summary="Too many texts",
        received_at=now,
        respond_by=now + timedelta(days=15),
    )

    page = signed_in(client, "agent", northwind).get("/console/dashboard")

    assert page.status_code == 200
    cycle = table(page, "chart-cycle-table")
    assert cycle["Text (SMS)"]["Blocked"] == "1"
    assert cycle["Email"]["Queued"] == "2"
    assert cycle["Email"]["Sent"] == "0"
    paid = table(page, "chart-payments-usd-table")
    assert column_total(paid, "Payments") == 1
    assert [row["Amount"] for row in paid.values() if row["Payments"] == "1"] == ["$50.00"]
    promises = table(page, "chart-promises-table")
    assert column_total(promises, "Kept") == 1 and column_total(promises, "Broken") == 1
    stops = table(page, "chart-stops-table")
    assert column_total(stops, "Opt-outs") == 1 and column_total(stops, "Complaints") == 1
    # Each chart is an image with a name and a description that reads out its numbers.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"' in page.text
    assert 'aria-labelledby="chart-cycle-title chart-cycle-desc"' in page.text
    assert "Blocked: Email 0, Text (SMS) 1." in page.text
    assert "style=" not in page.text


def test_a_consent_given_is_not_an_opt_out(client, northwind):
    account = debtor(northwind)
    mobile = account.customer.contact_points.get(kind="mobile")
    record_consent(mobile, "collection", "granted", source="portal", actor="customer:1")
    page = signed_in(client, "agent", northwind).get("/console/dashboard")
    assert column_total(table(page, "chart-stops-table"), "Opt-outs") == 0


def test_amounts_in_two_currencies_are_never_added_together(client, northwind):
    pay(debtor(northwind, "US-1"), "50.00", "P-US")
    pay(
        debtor(northwind, "GB-1", country="GB", region="ENG", zone="Europe/London", currency="GBP"),
        "30.00",
        "P-GB",
    )
    page = signed_in(client, "agent", northwind).get("/console/dashboard")
    dollars = table(page, "chart-payments-usd-table")
    pounds = table(page, "chart-payments-gbp-table")
    assert [r["Amount"] for r in dollars.values() if r["Payments"] != "0"] == ["$50.00"]
    assert [r["Amount"] for r in pounds.values() if r["Payments"] != "0"] == ["£30.00"]
    assert "80.00" not in page.text
    assert "Amount recovered per week, USD" in page.text and "Amount recovered per week, GBP" in page.text


def test_an_agent_of_one_creditor_sees_nothing_of_another(client, northwind, fairway):
    theirs = debtor(fairway, "F-1", first_name="Lee")
    pay(theirs, "99.00", "P-F")
    planned(theirs, "blocked", [block("US-REGF-TIME")])
    Complaint.objects.create(
        customer=theirs.customer,
        summary="Rude caller",
        received_at=timezone.now(),
        respond_by=timezone.now() + timedelta(days=15),
    )
    mine = debtor(northwind, "N-1")
    pay(mine, "10.00", "P-N")

    page = signed_in(client, "agent", northwind).get("/console/dashboard")

    assert page.status_code == 200
    assert "Fairway" not in page.text and "$99.00" not in page.text
    assert "No contacts are planned for today yet" in page.text
    assert "chart-payments-usd-table" in page.text
    assert column_total(table(page, "chart-payments-usd-table"), "Payments") == 1
    assert column_total(table(page, "chart-stops-table"), "Complaints") == 0


def test_staff_with_no_creditor_see_an_empty_dashboard_and_why(client, northwind):
    pay(debtor(northwind), "10.00", "P-1")
    page = signed_in(client, "agent").get("/console/dashboard")
    assert page.status_code == 200
    assert "You are not assigned to any creditor yet" in page.text
    assert "No payments in the last 12 weeks." in page.text


def test_the_dashboard_needs_a_signed_in_member_of_staff(client):
    page = client.get("/console/dashboard")
    assert page.status_code == 302 and "/console/login" in page["Location"]


# ------------------------------------------------------------------------------------ compliance


def test_a_citation_links_each_text_that_is_published():
    assert citation_links("amicable policy; 47 CFR 64.1200(a)(10); 15 U.S.C. 1692c(c)") == [
        ("amicable policy", None),
        ("47 CFR 64.1200(a)(10)", "https://www.ecfr.gov/current/title-47/section-64.1200"),
        ("15 U.S.C. 1692c(c)", "https://www.law.cornell.edu/uscode/text/15/1692c"),
    ]
    assert citation_links("FCA CONC 7.9") == [
        ("FCA CONC 7.9", "https://www.handbook.fca.org.uk/handbook/CONC/7/9.html")
    ]
    assert citation_links("") == []


def test_an_agent_may_not_open_the_compliance_page(client, northwind):
    assert signed_in(client, "agent", northwind).get("/console/compliance").status_code == 403


def test_the_compliance_page_counts_blocks_by_rule_over_7_and_30_days(client, northwind):
    account = debtor(northwind)
    planned(account, "blocked", [block("US-MA-CALLS")])
    planned(account, "blocked", [block("GEN-QUIET-HOURS", "flag"), block("US-MA-CALLS"), block("GEN-OPTOUT")])
    planned(account, "cancelled", [block("US-MA-CALLS")], days_ago=2)
    planned(account, "blocked", [block("US-MA-CALLS")], days_ago=12)
    planned(account, "blocked", [block("US-MA-CALLS")], days_ago=40)  # too old to count
    planned(account, "sent", [block("US-MA-CALLS", "flag")])  # allowed: a flag is not a block

    page = signed_in(client, "supervisor", northwind).get("/console/compliance")

    assert page.status_code == 200
    blocks = table(page, "blocks-table")
    assert blocks["US-MA-CALLS"]["Last 7 days"] == "3"
    assert blocks["US-MA-CALLS"]["Last 30 days"] == "4"
    assert blocks["GEN-OPTOUT"]["Last 30 days"] == "1"
    assert "GEN-QUIET-HOURS" not in blocks
    assert blocks["US-MA-CALLS"]["What it says"].startswith("at most 2 calls, texts or recorded messages")
    assert list(blocks) == ["US-MA-CALLS", "GEN-OPTOUT"]  # most first
    # The source links to the official text where there is one: GEN-OPTOUT cites amicable's own
    # policy (no link) and two regulations (a link each); 940 CMR has no link.
    assert blocks["US-MA-CALLS"]["Source"] == "940 CMR 7.04(1)(f)"
    assert 'href="https://www.ecfr.gov/current/title-47/section-64.1200"' in page.text
    assert 'href="https://www.ecfr.gov/current/title-12/section-1006.14"' in page.text
    assert ">amicable policy<" not in page.text and "amicable policy; " in page.text


def test_the_compliance_page_lists_open_disputes_past_their_deadline(client, northwind):
    now = timezone.now()
    late = debtor(northwind, "C-1")
    fresh = debtor(northwind, "C-2", first_name="Ann")
    answered = debtor(northwind, "C-3", first_name="Bo")
    open_dispute(late, "Not mine", source="test", actor="test:staff", received_at=now - timedelta(days=8))
    open_dispute(
        fresh, "Wrong amount", source="test", actor="test:staff", received_at=now - timedelta(days=1)
    )
    done = open_dispute(
        answered, "Paid already", source="test", actor="test:staff", received_at=now - timedelta(days=20)
    )
    send_verification(done, actor="test:staff")

    page = signed_in(client, "supervisor", northwind).get("/console/compliance")

    disputes = table(page, "disputes-table")
    assert list(disputes) == ["A-C-1"]
    assert disputes["A-C-1"]["Days past it"] == "3"
    assert disputes["A-C-1"]["Customer"] == "Maria Lopez"
    assert "within 5 days of receiving it" in page.text


def test_accounts_near_the_regulation_f_call_cap_are_listed(client, northwind, fairway):
    now = timezone.now()
    collected = debtor(fairway, "F-1")
    own = debtor(northwind, "N-1", region="NY")
    for hours in range(6):
        log_call(collected, "no_answer", actor="test:agent", at=now - timedelta(hours=hours + 1))
        log_call(own, "no_answer", actor="test:agent", at=now - timedelta(hours=hours + 1))
    log_call(collected, "busy", actor="test:agent", at=now - timedelta(minutes=5))  # not connected
    quiet = debtor(fairway, "F-2", first_name="Kim")
    for hours in range(5):
        log_call(quiet, "no_answer", actor="test:agent", at=now - timedelta(hours=hours + 1))

    page = signed_in(client, "supervisor", northwind, fairway).get("/console/compliance")

    near = table(page, "cap-us-regf-call-7in7-table")
    assert list(near) == ["A-F-1"]  # Regulation F binds the collector, not Northwind's own accounts
    assert near["A-F-1"]["Contacts in 7 days"] == "6" and near["A-F-1"]["Cap"] == "7"
    # Massachusetts counts every call and text, for creditors too: both of Fairway's MA accounts.
    assert set(table(page, "cap-us-ma-calls-table")) == {"A-F-1", "A-F-2"}


def test_a_supervisor_sees_only_their_creditors_compliance(client, northwind, fairway):
    theirs = debtor(fairway, "F-1")
    planned(theirs, "blocked", [block("US-REGF-TIME")])
    open_dispute(
        theirs, "Not mine", source="test", actor="test:staff", received_at=timezone.now() - timedelta(days=9)
    )
    for hours in range(6):
        log_call(theirs, "no_answer", actor="test:agent", at=timezone.now() - timedelta(hours=hours + 1))

    page = signed_in(client, "supervisor", northwind).get("/console/compliance")

    assert page.status_code == 200
    assert "US-REGF-TIME" not in page.text and "A-F-1" not in page.text
    assert "No contact was stopped by a rule in the last 30 days." in page.text
    assert "No open dispute is past its deadline." in page.text


def test_the_pages_ask_the_database_the_same_number_of_questions_however_much_there_is(client, fairway):
    def busy_account(ref: str) -> None:
        account = debtor(fairway, ref)
        pay(account, "5.00", f"P-{ref}")
        planned(account, "blocked", [block("US-REGF-TIME")])
        open_dispute(
            account,
            "Not mine",
            source="test",
            actor="test:staff",
            received_at=timezone.now() - timedelta(days=9),
        )
        for hours in range(6):
            log_call(account, "no_answer", actor="test:agent", at=timezone.now() - timedelta(hours=hours + 1))

    def questions() -> dict[str, int]:
        asked = {}
        for name in ("dashboard", "compliance"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/console/{name}").status_code == 200
            asked[name] = len(captured.captured_queries)
        return asked

    signed_in(client, "supervisor", fairway)
    busy_account("F-1")
    few = questions()
    for n in range(2, 6):
        busy_account(f"F-{n}")
    assert questions() == few
