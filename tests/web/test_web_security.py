"""Security across every page at once. One table lists every page of the portal, the console and the
payments app with how to reach it for a given customer, account or checkout; a test walks Django's URL
resolver and fails when a page is missing from it, so no page is added untested. From the table:

- a customer signed in to the portal, changing an id in an address or a form to another customer's,
  gets 404 and writes nothing; a visitor who is not signed in is sent to the signed-out page;
- staff assigned to one creditor get 404 for another creditor's customers and accounts, and write
  nothing; agents get 403 on the supervisors' pages; anyone not signed in is sent to the login page;
- every page carries a Content-Security-Policy without inline code, has no inline script, style or
  event handler, and every form that posts carries a CSRF token (and a post without one is refused);
- an agent never reads a sensitive note's words; a supervisor does.

Where each of these is decided: docs/security.md."""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import URLResolver, get_resolver

from amicable.aftercare.links import feedback_token
from amicable.conversations.actions import handle_message, receive_sms
from amicable.conversations.calls import Agreed, log_call
from amicable.conversations.disputes import open_dispute
from amicable.conversations.models import TaskKind
from amicable.conversations.tasks import create_task
from amicable.ledger.actions import record_payment
from amicable.ledger.models import Dispute
from amicable.payments.actions import start_checkout
from amicable.payments.providers import ProviderError, SandboxProvider, Started
from amicable.playbooks.load import default_playbooks
from amicable.portal.access import actor as portal_actor
from amicable.portal.links import portal_token
from amicable.portal.models import DisputeEvidence
from amicable.portal.self_service import ask_for_help
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db

# 11:00 on Tuesday 10 March 2026 in Boston: a working day, inside every calling window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
ACTOR = "test:fixture"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    with time_machine.travel(NOW, tick=False):
        yield


# The table -----------------------------------------------------------------------------------------

# Placeholders that stand for someone's data: changing one of them is how someone would try to reach
# another person's. The others ({token}, {playbook}, {channel}, {template}) name no one's records.
IDS = ("customer", "account", "task", "checkout", "stripe", "help", "point", "ref", "creditor", "evidence")


@dataclass(frozen=True)
class Page:
    """One URL pattern: its address (placeholders from IDS and a few fixed names), the methods its
    view answers, who may open it, a form that would change something if the post were allowed, what
    a GET of it returns, and a form with a mistake in it (its error page is checked like the page)."""

    url: str
    methods: tuple[str, ...]
    who: str  # anyone | customer | agent | supervisor
    form: dict[str, str] = field(default_factory=dict)
    shows: str = "html"  # html | html-post (answers a POST with a page part) | pdf | file | redirect | none
    bad: dict[str, str] | None = None
    theirs: int = 404  # the answer to someone else's ids (the search and the queue filter: found none)


BOTH = ("GET", "POST")
BUDGET = {"earnings": "1500", "housing": "700", "food_and_housekeeping": "300"}
PLAYBOOK_TEXT = "playbook: consumer\ntitle: Changed\nsteps: []\n"

PAGES: dict[str, Page] = {
    # The portal: the way in ...
    "portal:link": Page("/p/{token}", BOTH, "anyone", bad={"day": "27", "month": "3", "year": "1985"}),
    "portal:link-page": Page(
        "/p/{token}/pay", BOTH, "anyone", bad={"day": "31", "month": "2", "year": "1984"}
    ),
    "portal:signed-out": Page("/portal/signed-out", BOTH, "anyone"),
    "portal:sign-out": Page("/portal/sign-out", ("POST",), "anyone", shows="redirect"),
    # ... and every page behind the identity check.
    "portal:home": Page("/portal/", BOTH, "customer"),
    "portal:pay": Page(
        "/portal/a/{account}/pay",
        BOTH,
        "customer",
        form={"choice": "other", "amount": "10.00"},
        bad={"choice": "other", "amount": "ten"},
    ),
    "portal:pay-sandbox": Page("/portal/a/{account}/pay/sandbox/{checkout}", BOTH, "customer"),
    # Asks the provider how the payment went, then redirects to the receipt.
    "portal:pay-return": Page("/portal/a/{account}/pay/return/{stripe}", BOTH, "customer", shows="redirect"),
    "portal:receipt": Page("/portal/a/{account}/receipt/{checkout}", BOTH, "customer"),
    "portal:plans": Page(
        "/portal/a/{account}/plans", BOTH, "customer", form=BUDGET, bad=BUDGET | {"earnings": "lots"}
    ),
    "portal:plan-preview": Page(
        "/portal/a/{account}/plans/preview?kind=monthly&payments=3", ("GET",), "customer"
    ),
    "portal:plan-accept": Page(
        "/portal/a/{account}/plans/accept",
        ("POST",),
        "customer",
        form={"kind": "monthly", "payments": "3", "schedule": ""},
        shows="none",
    ),
    "portal:promise": Page(
        "/portal/a/{account}/promise",
        BOTH,
        "customer",
        form={"amount": "10.00", "due_on": "2026-03-20"},
        bad={"amount": "", "due_on": "next week"},
    ),
    "portal:preferences": Page(
        "/portal/preferences",
        BOTH,
        "customer",
        form={"form": "messages", "point": "{point}", "do": "stop"},
        bad={"form": "contact", "choice_1": "pigeon", "from_1": "25:00", "language": "xx"},
    ),
    "portal:dispute": Page(
        "/portal/a/{account}/dispute",
        BOTH,
        "customer",
        form={"reason": "not_mine", "details": "I never lived there"},
        bad={"reason": "", "details": ""},
    ),
    # A help request's id is only ever read from the address, after the post that made it.
    "portal:help": Page("/portal/help?sent={help}", BOTH, "customer", bad={"kind": ""}),
    "portal:statement": Page("/portal/a/{account}/statement.pdf", BOTH, "customer", shows="pdf"),
    # The payments app: Stripe's signed notifications (the signature is its proof, not a session).
    "stripe-webhook": Page("/hooks/stripe", ("POST",), "anyone", shows="none"),
    # The console: signing in and out ...
    "console:login": Page("/console/login", BOTH, "anyone", bad={"username": "nobody", "password": "wrong"}),
    "console:logout": Page("/console/logout", ("POST",), "anyone", shows="redirect"),
    # ... every agent's page ...
    "console:queue": Page("/console/?creditor={creditor}", BOTH, "agent", theirs=400),
    "console:customers": Page("/console/customers?q={ref}", BOTH, "agent", theirs=200),
    "console:customer": Page("/console/customers/{customer}", BOTH, "agent"),
    # From the queue, the call guide carries the callback it answers (or the planned call it makes).
    "console:call": Page(
        "/console/customers/{customer}/call?account={account}&task={task}",
        BOTH,
        "agent",
        form={
            "account": "{account}",
            "task": "{task}",
            "outcome": "conversation",
            "notes": "Will pay on Friday",
            "promise_amount": "10.00",
            "promise_on": "2026-03-13",
        },
        bad={"account": "{account}", "outcome": "", "promise_amount": "ten"},
    ),
    "console:compose": Page(
        "/console/customers/{customer}/compose?account={account}",
        BOTH,
        "agent",
        form={"account": "{account}", "action": "send", "channel": "email", "template": "follow_up_gentle"},
        bad={"account": "{account}", "channel": "email", "template": "no_such_template"},
    ),
    "console:compose_preview": Page(
        "/console/customers/{customer}/compose/preview",
        ("POST",),
        "agent",
        form={"account": "{account}", "channel": "email", "template": "follow_up_gentle"},
        shows="html-post",
    ),
    "console:task-done": Page(
        "/console/tasks/{task}/done", ("POST",), "agent", form={"note": "Called back"}, shows="redirect"
    ),
    "console:evidence": Page("/console/evidence/{evidence}", ("GET",), "agent", shows="file"),
    "console:dashboard": Page("/console/dashboard", BOTH, "agent"),
    # ... and the supervisors' pages.
    "console:compliance": Page("/console/compliance", BOTH, "supervisor"),
    "console:playbooks": Page("/console/playbooks", BOTH, "supervisor"),
    "console:playbook_new": Page(
        "/console/playbooks/new",
        BOTH,
        "supervisor",
        form={"text": PLAYBOOK_TEXT.replace("consumer", "new-one"), "action": "save"},
        bad={"text": "playbook: [", "action": "dry_run"},
    ),
    "console:playbook": Page(
        "/console/playbooks/{playbook}",
        BOTH,
        "supervisor",
        form={"text": PLAYBOOK_TEXT, "action": "save", "based_on": "0"},
        bad={"text": "playbook: consumer\nsteps: 7\n", "action": "dry_run"},
    ),
    "console:templates": Page("/console/templates", BOTH, "supervisor"),
    "console:template_new": Page(
        "/console/templates/new?channel=email&name=my_note.en", BOTH, "supervisor", shows="redirect"
    ),
    "console:template": Page(
        "/console/templates/{channel}/{template}",
        BOTH,
        "supervisor",
        form={"text": "{% block subject %}Hi{% endblock %}", "account_ref": "{ref}", "action": "preview"},
        bad={"text": "{% block nonsense %}", "action": "preview"},
    ),
}
# Other pages people reach from a message, outside the portal: checked for their markup only.
MORE_PAGES = {"feedback": Page("/f/{feedback}", BOTH, "anyone", bad={"csat": "11"})}


def served() -> set[str]:
    """Every named URL pattern of the portal and console namespaces, and every pattern whose view
    lives in the portal, console or payments app, wherever it is included."""
    names: set[str] = set()
    resolver = get_resolver()
    for namespace in ("portal", "console"):
        _prefix, included = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{name}" for name, _ in _walk(included.url_patterns)}

    def ours(view) -> bool:
        return view.__module__.split(".")[:2] in (
            ["amicable", "portal"],
            ["amicable", "console"],
            ["amicable", "payments"],
        )

    for name, view in _walk(resolver.url_patterns, namespaced=True):
        if ours(view):
            names.add(name)
    return names


def _walk(patterns, prefix: str = "", namespaced: bool = False):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{prefix}{pattern.namespace}:" if namespaced and pattern.namespace else prefix
            yield from _walk(pattern.url_patterns, inner, namespaced)
        else:
            yield f"{prefix}{pattern.name}" if namespaced else pattern.name, pattern.callback


def test_the_table_lists_every_page_of_the_portal_the_console_and_payments():
    missing = served() - set(PAGES)
    gone = set(PAGES) - served()
    assert not missing, f"add these pages to PAGES, with how to reach them: {sorted(missing)}"
    assert not gone, f"these pages are no longer served: {sorted(gone)}"


# Filling in the table ------------------------------------------------------------------------------


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def request_for(page: Page, method: str, ids: dict) -> tuple[str, dict]:
    """The address and the form for a request to `page`, filled in with `ids`. Templates in forms keep
    their braces: only whole-value placeholders such as "{account}" are filled in."""
    url = page.url.format(**ids)
    form = {
        name: (str(ids[value[1:-1]]) if re.fullmatch(r"\{\w+\}", value) else value)
        for name, value in page.form.items()
    }
    return url, form if method == "POST" else {}


def ids_used(page: Page, method: str) -> list[str]:
    """The ids a request carries, in order: the path's, then the query's (GET) or the form's (POST)."""
    path, _, query = page.url.partition("?")
    found = _placeholders(path)
    if method == "GET":
        found += _placeholders(query)
    else:
        found += [v[1:-1] for v in page.form.values() if re.fullmatch(r"\{\w+\}", v)]
    return [name for name in dict.fromkeys(found) if name in IDS]


def stored() -> dict[str, list[dict]]:
    """Every row of every amicable table: a request that wrote anything changes it."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("amicable.")
    }


def send(client: Client, method: str, url: str, form: dict):
    return client.get(url) if method == "GET" else client.post(url, form)


# The people ----------------------------------------------------------------------------------------


class Elsewhere:
    """A provider whose checkout page is on another site, as Stripe Checkout's is."""

    name = "stripe"

    def start(self, checkout, links, *, description, language):
        return Started(provider_ref=f"cs_test_{checkout.reference}", url="https://checkout.example/pay")

    def confirm(self, checkout):
        raise ProviderError("not reachable from these tests")


def belongings(account) -> dict:
    """A customer's ids for the table: their account, a sandbox checkout and one paid elsewhere, a help
    request, an email address, and (for the console) their customer record, creditor, a callback task
    and a file sent with a dispute (long since rejected, so nothing is disputed now)."""
    customer = account.customer
    dispute = Dispute.objects.create(
        account=account,
        reason="Paid already",
        received_at=NOW - timedelta(days=400),
        within_validation_period=False,
        status="rejected",
        source="portal",
    )
    evidence = DisputeEvidence.objects.create(
        dispute=dispute,
        name="receipt.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        data=b"%PDF-1.4\n",
        uploaded_at=dispute.received_at,
    )
    started = {"actor": portal_actor(customer), "description": "test", "language": "en"}
    return {
        "token": portal_token(customer.pk),
        "customer": customer.pk,
        "account": account.pk,
        "ref": account.external_ref,
        "creditor": account.creditor_id,
        "checkout": start_checkout(account, Decimal(10), provider=SandboxProvider(), **started).reference,
        "stripe": start_checkout(account, Decimal(10), provider=Elsewhere(), **started).reference,
        "help": ask_for_help(customer, "hardship", actor=portal_actor(customer)).pk,
        "point": customer.contact_points.get(kind="email").pk,
        "task": create_task(
            TaskKind.CALLBACK, "Call back", due_at=NOW, actor=ACTOR, customer=customer, account=account
        ).pk,
        "evidence": evidence.pk,
        "feedback": feedback_token(account.pk),
        "playbook": "consumer",
        "channel": "email",
        "template": "reminder_upcoming.en",
    }


@dataclass
class World:
    mine: dict  # Maria, Northwind's customer: the one signed in to the portal; the staff work Northwind
    neighbour: dict  # Zebedee, another of Northwind's customers
    stranger: dict  # Yolanda, Fairway's customer
    neighbour_words: tuple[str, ...]
    stranger_words: tuple[str, ...]


@pytest.fixture
def world(northwind, fairway) -> World:
    maria = debtor(northwind, "C-1")
    zebedee = debtor(northwind, "C-2", first_name="Zebedee", last_name="Quill", balance="987.65")
    yolanda = debtor(fairway, "F-1", first_name="Yolanda", last_name="Vance", balance="876.54")
    return World(
        belongings(maria),
        belongings(zebedee),
        belongings(yolanda),
        ("Zebedee", "Quill", "987.65", "zebedee.c-2@example.com"),
        ("Yolanda", "Vance", "876.54", "yolanda.f-1@example.com", "Fairway"),
    )


def portal_client(world: World) -> Client:
    client = Client()
    answered = client.post(f"/p/{world.mine['token']}", {"day": "27", "month": "3", "year": "1984"})
    assert answered.status_code == 302
    return client


def console_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_for(who: str, world: World, northwind) -> Client:
    if who == "customer":
        return portal_client(world)
    if who in ("agent", "supervisor"):
        return console_client(staff(f"{who}-1", who, northwind))
    return Client()


def variants(page: Page, method: str, world: World, theirs: dict) -> list[tuple[str, dict]]:
    """Someone else's ids everywhere; and, where a request carries two ids, one's own first id with
    someone else's second (one's own account with another's checkout, one's own customer with another
    creditor's account)."""
    used = ids_used(page, method)
    if not used:
        return []
    found = [("their ids", world.mine | {name: theirs[name] for name in used})]
    if len(used) > 1:
        found.append(("own first id, theirs after", world.mine | {name: theirs[name] for name in used[1:]}))
    return found


def refused_and_nothing_written(client, page: Page, name: str, world: World, theirs: dict, words):
    tried = 0
    for method in page.methods:
        for label, ids in variants(page, method, world, theirs):
            url, form = request_for(page, method, ids)
            before = stored()
            answer = send(client, method, url, form)
            said = f"{name}: {method} {url} {form} ({label})"
            assert answer.status_code == page.theirs, f"{said} answered {answer.status_code}"
            assert stored() == before, f"{said} wrote something"
            text = answer.content.decode(errors="replace")
            for word in words:
                assert word not in text, f"{said} showed {word!r}"
            tried += 1
    return tried


# The portal ----------------------------------------------------------------------------------------

PORTAL_WITH_IDS = [
    name
    for name, page in PAGES.items()
    if page.who == "customer" and any(ids_used(page, m) for m in page.methods)
]


@pytest.mark.parametrize("name", PORTAL_WITH_IDS)
def test_a_customer_changing_an_id_reaches_nothing_of_another_customers_and_writes_nothing(world, name):
    client = portal_client(world)
    tried = refused_and_nothing_written(
        client, PAGES[name], name, world, world.neighbour, world.neighbour_words
    )
    assert tried
    # Another creditor's customer, likewise.
    refused_and_nothing_written(client, PAGES[name], name, world, world.stranger, world.stranger_words)


def test_the_newsletter_form_ignores_another_customers_address(world):
    client = portal_client(world)
    before = stored()
    answer = client.post(
        "/portal/preferences", {"form": "newsletter", "newsletter": [world.neighbour["point"]]}
    )
    assert answer.status_code == 302
    assert stored() == before
    assert "Nothing changed" in client.get("/portal/preferences").text


@pytest.mark.parametrize("name", [n for n, p in PAGES.items() if p.who == "customer"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_the_signed_out_page(world, name):
    page = PAGES[name]
    client = Client()
    for method in page.methods:
        url, form = request_for(page, method, world.mine)
        before = stored()
        answer = send(client, method, url, form)
        assert answer.status_code == 302 and answer["Location"] == "/portal/signed-out", (method, url)
        assert stored() == before
    assert "You're signed out" in client.get("/portal/signed-out").text


def test_a_portal_session_opens_no_console_page_and_a_console_session_no_portal_page(world, northwind):
    customer = portal_client(world)
    assert customer.get("/console/")["Location"].startswith("/console/login?next=")
    agent = console_client(staff("ana", "agent", northwind))
    assert agent.get("/portal/")["Location"] == "/portal/signed-out"
    assert agent.get(f"/portal/a/{world.mine['account']}/pay")["Location"] == "/portal/signed-out"


def test_the_payment_webhook_takes_nothing_without_stripes_signature(world):
    """It has no session and no CSRF token (Stripe sends it): the signature is its only proof."""
    event = '{"type": "checkout.session.completed", "data": {"object": {"id": "cs_test_x"}}}'
    before = stored()
    for signature in ({}, {"HTTP_STRIPE_SIGNATURE": "t=1,v1=00"}):
        answer = Client().post("/hooks/stripe", event, content_type="application/json", **signature)
        assert answer.status_code == 400
    assert stored() == before


# The console ---------------------------------------------------------------------------------------

CONSOLE_WITH_IDS = [
    name
    for name, page in PAGES.items()
    if page.who in ("agent", "supervisor") and any(ids_used(page, m) for m in page.methods)
]


@pytest.mark.parametrize("name", CONSOLE_WITH_IDS)
def test_staff_changing_an_id_reach_nothing_of_another_creditors_and_write_nothing(world, northwind, name):
    page = PAGES[name]
    client = console_client(staff("ana", page.who, northwind))
    assert refused_and_nothing_written(client, page, name, world, world.stranger, world.stranger_words)


@pytest.mark.parametrize("name", ["console:call", "console:compose", "console:compose_preview"])
def test_an_account_of_another_customer_of_the_same_creditor_is_not_found_either(world, northwind, name):
    page = PAGES[name]
    client = console_client(staff("ana", "agent", northwind))
    for method in page.methods:
        ids = world.mine | {"account": world.neighbour["account"]}
        url, form = request_for(page, method, ids)
        before = stored()
        assert send(client, method, url, form).status_code == 404, (method, url, form)
        assert stored() == before


def test_a_message_cannot_be_sent_to_another_customers_address(world, northwind):
    """The compose form names the address by its id: only the customer's own are accepted."""
    client = console_client(staff("ana", "agent", northwind))
    url = f"/console/customers/{world.mine['customer']}/compose"
    for theirs in (world.neighbour, world.stranger):
        form = {
            "account": world.mine["account"],
            "channel": "email",
            "template": "follow_up_gentle",
            "point": theirs["point"],
        }
        before = stored()
        sent = client.post(url, form | {"action": "send"})
        assert sent.status_code == 400 and "is not one of the customer&#x27;s email addresses" in sent.text
        previewed = client.post(f"{url}/preview", form)
        assert "is not one of the customer&#x27;s email addresses" in previewed.text
        assert stored() == before
        for answer in (sent, previewed):
            assert not any(word in answer.text for word in (world.neighbour_words + world.stranger_words))


def test_the_django_admin_is_not_a_way_round_the_console_for_staff(world, northwind):
    for role in ("agent", "supervisor", "admin"):
        client = console_client(staff(f"{role}-x", role, northwind))
        answer = client.get(f"/admin/ledger/customer/{world.stranger['customer']}/change/")
        assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/"), role


SUPERVISORS_ONLY = [name for name, page in PAGES.items() if page.who == "supervisor"]


@pytest.mark.parametrize("name", SUPERVISORS_ONLY)
def test_agents_are_refused_the_supervisors_pages(world, northwind, name):
    page = PAGES[name]
    client = console_client(staff("ana", "agent", northwind))
    for method in page.methods:
        url, form = request_for(page, method, world.mine)
        before = stored()
        assert send(client, method, url, form).status_code == 403, (method, url)
        assert stored() == before


def test_supervisor_pages_are_the_ones_the_brief_names():
    assert set(SUPERVISORS_ONLY) == {
        "console:compliance",
        "console:playbooks",
        "console:playbook_new",
        "console:playbook",
        "console:templates",
        "console:template_new",
        "console:template",
    }


@pytest.mark.parametrize("name", [n for n, p in PAGES.items() if p.who in ("agent", "supervisor")])
def test_anyone_not_signed_in_is_sent_to_the_console_login(world, name):
    page = PAGES[name]
    client = Client()
    for method in page.methods:
        url, form = request_for(page, method, world.mine)
        before = stored()
        answer = send(client, method, url, form)
        assert answer.status_code == 302, (method, url)
        assert answer["Location"].startswith("/console/login?next=/console/"), (method, url)
        assert stored() == before


def test_a_playbook_or_template_shared_with_another_creditor_is_saved_only_by_someone_working_for_both(
    world, northwind
):
    """Default playbooks run for every creditor: a supervisor of Northwind alone may try them, not save."""
    assert "consumer" in default_playbooks()
    client = console_client(staff("sue", "supervisor", northwind))
    # The template itself, and a new variant of it (sent by the same playbook steps).
    templates = ("reminder_upcoming.en", "reminder_upcoming.sneaky.en")
    for name, ids in [("console:playbook", world.mine)] + [
        ("console:template", world.mine | {"template": template}) for template in templates
    ]:
        url, form = request_for(PAGES[name], "POST", ids)
        before = stored()
        answer = client.post(url, form | {"action": "save", "account_ref": ""})
        assert answer.status_code == 403, url
        assert stored() == before


def test_pages_that_gather_many_records_show_none_of_another_creditors(world, northwind, fairway):
    """The queue, search, dashboard and compliance page, and a playbook's dry run, count and list only
    the staff member's creditors, however much another creditor has going on."""
    for ids, about, amount in (
        (world.mine, "the gas bill", "111.11"),
        (world.stranger, "the sailing boat", "123.45"),
    ):
        account = _account(ids)
        create_task(
            TaskKind.CALLBACK,
            f"Call back about {about}",
            due_at=NOW + timedelta(hours=1),
            actor=ACTOR,
            customer=account.customer,
            account=account,
        )
        open_dispute(account, "not mine", source="letter", actor=ACTOR, received_at=NOW - timedelta(days=60))
        record_payment(
            account,
            Decimal(amount),
            NOW.date() - timedelta(days=3),
            currency="USD",
            payment_ref=f"P-{amount}",
            source="bank",
            actor=ACTOR,
        )
    hidden = (*world.stranger_words, "sailing boat", "123.45", "A-F-1")
    agent = console_client(staff("ana", "agent", northwind))
    supervisor = console_client(staff("sue", "supervisor", northwind))
    pages = {
        "queue": agent.get("/console/", {"due": "all"}),
        "search by name": agent.get("/console/customers", {"q": "Yolanda Vance"}),
        "search by number": agent.get("/console/customers", {"q": "+1 617 555 0123"}),
        "dashboard": agent.get("/console/dashboard"),
        "compliance": supervisor.get("/console/compliance"),
    }
    text, _ = _playbook_text(supervisor)
    pages["playbook dry run"] = supervisor.post(
        "/console/playbooks/consumer", {"text": text, "action": "dry_run"}
    )
    for what, answer in pages.items():
        assert answer.status_code == 200, what
        # The search box, and the address the language switcher returns to, keep what was typed.
        text = re.sub(r"Yolanda(\+|%20| )Vance", "", answer.text)
        for word in hidden:
            assert word not in text, f"the {what} shows {word!r}"
    assert "0 customers match" in pages["search by name"].text
    assert "Maria Lopez" in pages["queue"].text and "the gas bill" in pages["queue"].text
    assert "Maria Lopez" in pages["search by number"].text
    assert "A-C-1" in pages["compliance"].text


def _account(ids: dict):
    from amicable.ledger.models import Account

    return Account.objects.select_related("customer", "creditor").get(pk=ids["account"])


def _playbook_text(client) -> tuple[str, str]:
    page = client.get("/console/playbooks/consumer")
    assert page.status_code == 200
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S)
    assert found, "the playbook editor has a textarea"
    return html.unescape(found.group(1)).lstrip("\n"), page.text


# Headers, markup and CSRF --------------------------------------------------------------------------


class Markup(HTMLParser):
    """What the CSP would refuse or a form would lack: inline scripts and styles, event handler
    attributes, javascript: addresses, scripts from elsewhere, and posting forms without a CSRF token."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        at = f"<{tag}> at line {self.getpos()[0]}"
        given = dict(attrs)
        if tag == "script":
            src = given.get("src") or ""
            if not src:
                self.problems.append(f"inline script {at}")
            elif not src.startswith("/static/"):
                self.problems.append(f"script from {src} {at}")
        if tag == "style":
            self.problems.append(f"inline <style> element {at}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'style="{value}" {at}')
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"event handler {name}= {at}")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: address in {name}= {at}")
        if tag == "form":
            self._form = {"method": (given.get("method") or "get").lower(), "token": False, "at": at}
            self.forms.append(self._form)
        if tag == "input" and given.get("name") == "csrfmiddlewaretoken" and self._form is not None:
            self._form["token"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def check_markup(answer, what: str) -> None:
    policy = answer["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'", (what, policy)
    assert directives["style-src"] == "'self'", (what, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (what, policy)
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", what
    assert answer["X-Frame-Options"] == "DENY" and answer["X-Content-Type-Options"] == "nosniff", what
    assert answer["Referrer-Policy"] == "same-origin", what
    assert "text/html" in answer["Content-Type"], what
    markup = Markup()
    markup.feed(answer.content.decode())
    markup.close()
    assert not markup.problems, (what, markup.problems)
    for form in markup.forms:
        if form["method"] == "post":
            assert form["token"], f"{what}: the form {form['at']} posts without a CSRF token"


SHOWN = {
    name: page
    for name, page in (PAGES | MORE_PAGES).items()
    if page.shows in ("html", "html-post") or page.bad is not None
}


@pytest.mark.parametrize("name", SHOWN)
def test_every_page_has_a_strict_policy_no_inline_code_and_a_csrf_token_in_every_form(world, northwind, name):
    page = SHOWN[name]
    client = client_for(page.who, world, northwind)
    checked = 0
    if page.shows in ("html", "html-post"):
        method = "GET" if page.shows == "html" else "POST"
        url, form = request_for(page, method, world.mine)
        answer = send(client, method, url, form)
        assert answer.status_code == 200, (name, url, answer.status_code)
        check_markup(answer, f"{name} {method} {url}")
        checked += 1
    if page.bad is not None:
        url, _ = request_for(page, "GET", world.mine)
        bad = {
            key: (str(world.mine[v[1:-1]]) if re.fullmatch(r"\{\w+\}", v) else v)
            for key, v in page.bad.items()
        }
        answer = client.post(url, bad)
        # Refused, or (the login form, as Django answers it) the same page again with the mistake.
        assert answer.status_code == 200 or 400 <= answer.status_code < 500, (name, url, answer.status_code)
        check_markup(answer, f"{name} POST {url} with mistakes")
        checked += 1
    assert checked


def test_not_found_and_forbidden_pages_carry_the_same_policy(world, northwind):
    agent = console_client(staff("ana", "agent", northwind))
    for answer in (agent.get("/console/customers/999999"), agent.get("/console/compliance")):
        assert answer.status_code in (403, 404)
        assert "script-src 'self';" in answer["Content-Security-Policy"]
        assert "unsafe-inline" not in answer["Content-Security-Policy"]


def _token(answer) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text)
    assert found, "the page has a CSRF token"
    return found.group(1)


def test_a_portal_post_without_its_csrf_token_is_refused_and_writes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    check = client.get(f"/p/{world.mine['token']}")
    answer = {"day": "27", "month": "3", "year": "1984"}
    before = stored()
    assert client.post(f"/p/{world.mine['token']}", answer).status_code == 403  # not even counted
    assert stored() == before
    signed_in = client.post(f"/p/{world.mine['token']}", answer | {"csrfmiddlewaretoken": _token(check)})
    assert signed_in.status_code == 302
    promise = {"amount": "10.00", "due_on": "2026-03-20"}
    url = f"/portal/a/{world.mine['account']}/promise"
    form = client.get(url)
    before = stored()
    for sent in (promise, promise | {"csrfmiddlewaretoken": "x" * 64}):
        assert client.post(url, sent).status_code == 403
    assert stored() == before
    assert client.post(url, promise | {"csrfmiddlewaretoken": _token(form)}).status_code == 302
    assert stored() != before


def test_a_console_post_without_its_csrf_token_is_refused_and_writes_nothing(world, northwind):
    staff("ana", "agent", northwind)
    client = Client(enforce_csrf_checks=True)
    login = client.get("/console/login")
    credentials = {"username": "ana", "password": PASSWORD}
    assert client.post("/console/login", credentials).status_code == 403
    assert "_auth_user_id" not in client.session
    assert (
        client.post("/console/login", credentials | {"csrfmiddlewaretoken": _token(login)}).status_code == 302
    )
    url = f"/console/customers/{world.mine['customer']}/call"
    form = client.get(url)
    call = {"account": world.mine["account"], "outcome": "no_answer"}
    before = stored()
    assert client.post(url, call).status_code == 403
    assert stored() == before
    assert client.post(url, call | {"csrfmiddlewaretoken": _token(form)}).status_code == 302
    assert stored() != before


# Attempt limits from one address ---------------------------------------------------------------------


def test_many_wrong_answers_from_one_address_across_links_lock_that_address(northwind):
    """Five wrong answers lock one link; twenty from one address, over four links, lock the address,
    so someone trying many links cannot go on to a fifth."""
    accounts = [debtor(northwind, f"C-{n}") for n in range(5)]
    client = Client()
    wrong = {"day": "1", "month": "1", "year": "1990"}
    for account in accounts[:4]:
        for _ in range(5):
            client.post(f"/p/{portal_token(account.customer_id)}", wrong)
    right = client.post(
        f"/p/{portal_token(accounts[4].customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert right.status_code == 429 and "Sign-in paused" in right.text
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    fine = elsewhere.post(
        f"/p/{portal_token(accounts[4].customer_id)}", {"day": "27", "month": "3", "year": "1984"}
    )
    assert fine.status_code == 302


def test_many_wrong_passwords_from_one_address_across_usernames_lock_that_address(northwind, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff("ana", "agent", northwind)
    client = Client()
    for n in range(30):
        client.post("/console/login", {"username": f"guess-{n // 5}", "password": "wrong"})
    locked = client.post("/console/login", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.text
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post("/console/login", {"username": "ana", "password": PASSWORD}).status_code == 302


# Sensitive notes ------------------------------------------------------------------------------------

MOBILE = "+16175550123"  # every US debtor in web.people has this number


def test_an_agent_never_reads_a_sensitive_note_on_any_page_and_a_supervisor_does(northwind):
    """What a customer told us of their health or a bereavement, by text message, in the portal or on
    a call, is restricted wherever the customer is shown."""
    account = debtor(northwind, "C-1")
    customer = account.customer
    by_text = "My husband passed away last month and I can't deal with this right now"
    in_portal = "I have been in hospital with my heart since January"
    on_a_call = "I am caring for my mother who has dementia"
    message, _ = receive_sms(MOBILE, by_text)
    handle_message(message)
    ask_for_help(customer, "situation", situation="illness", text=in_portal, actor=portal_actor(customer))
    log_call(account, "conversation", actor="user:sue", agreed=Agreed(vulnerability=on_a_call))
    words = ("husband passed away", "hospital with my heart", "dementia")

    agent = console_client(staff("ana", "agent", northwind))
    base = f"/console/customers/{customer.pk}"
    pages = {
        "customer page": agent.get(base),
        "call guide": agent.get(f"{base}/call"),
        "compose": agent.get(f"{base}/compose"),
        "compose preview": agent.post(f"{base}/compose/preview", {"channel": "sms"}),
        "queue": agent.get("/console/", {"due": "all"}),
        "search": agent.get("/console/customers", {"q": "Maria Lopez"}),
    }
    for what, answer in pages.items():
        assert answer.status_code == 200, what
        for word in words:
            assert word not in answer.text, f"an agent reads {word!r} on the {what}"
    assert "A restricted note exists" in pages["customer page"].text

    supervisor = console_client(staff("sue", "supervisor", northwind))
    page = supervisor.get(base).text
    for word in words:
        assert word in page, f"a supervisor does not read {word!r} on the customer page"
