"""After-care: the thank-you on resolution carries a signed feedback link; the form takes CSAT, NPS
and a comment; the newsletter is only ever the customer's own choice."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from amicable.aftercare.links import feedback_url
from amicable.aftercare.models import Feedback
from amicable.ledger.actions import record_payment
from amicable.ledger.models import Account, AuditLog, ContactPoint
from test_plan_command import import_portfolio


@pytest.fixture
def a7(db, cli, northwind, tmp_path) -> Account:
    return import_portfolio(cli, tmp_path)["A-7"]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_thank_you_for_a_resolved_account_links_to_its_feedback_form(a7):
    from django.utils import timezone

    from amicable.cycle.compose import compose
    from amicable.cycle.facts import load_facts

    record_payment(
        a7, Decimal("120.50"), timezone.localdate(), currency="USD", payment_ref="P-1", source="t", actor="t"
    )
    facts = load_facts([a7.pk], timezone.now())[a7.pk]
    point = next(p for p in facts.points.values() if p.kind == "email")
    composed = compose(
        facts,
        channel="email",
        template="thanks_resolved",
        variant=None,
        purpose="after_care",
        today=timezone.localdate(),
        at=timezone.now(),
        reply_token="tok",
        point=point,
    )
    link = re.search(r"http\S+/f/\S+", composed.rendered.body).group(0)
    page = Client().get(path_of(link))
    assert page.status_code == 200 and "How did we do?" in page.content.decode()


def test_feedback_is_recorded_once_per_account_on_the_timeline(a7):
    client = Client()
    url = path_of(feedback_url(a7.pk))
    answer = client.post(url, {"csat": "4", "nps": "9", "comment": "Kind on the phone."})
    assert answer.status_code == 200 and "Thank you" in answer.content.decode()
    client.post(url, {"csat": "5", "nps": "10", "comment": ""})
    feedback = Feedback.objects.get()
    assert (feedback.account, feedback.csat, feedback.nps) == (a7, 5, 10)
    assert AuditLog.objects.filter(action="give_feedback", account=a7).count() == 2
    email = ContactPoint.objects.get(customer=a7.customer, kind="email")
    assert email.consent("marketing") == "unknown"  # not ticked: not signed up


def test_only_the_customer_ticking_the_box_signs_them_up_to_the_newsletter(a7):
    Client().post(path_of(feedback_url(a7.pk)), {"csat": "5", "newsletter": "yes"})
    email = ContactPoint.objects.get(customer=a7.customer, kind="email")
    assert email.consent("marketing") == "granted"
    assert email.consents["marketing"]["source"] == "feedback form"
    assert AuditLog.objects.get(
        action="record_consent", object_id=str(email.pk), actor="customer:feedback-form"
    )


@pytest.mark.parametrize(
    "form, message",
    [
        ({"nps": "9"}, "csat: choose a number"),
        ({"csat": "7"}, "csat: 7 is not from 1 to 5"),
        ({"csat": "3", "nps": "11"}, "nps: 11 is not from 0 to 10"),
    ],
)
def test_a_bad_answer_is_explained_and_nothing_is_saved(a7, form, message):
    answer = Client().post(path_of(feedback_url(a7.pk)), form)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert Feedback.objects.count() == 0 and not AuditLog.objects.filter(action="give_feedback").exists()


def test_a_forged_or_altered_link_shows_what_to_do(a7):
    url = path_of(feedback_url(a7.pk))
    altered = url[:-1] + ("A" if url[-1] != "A" else "B")
    for path in (altered, "/f/1", "/f/" + "x" * 40):
        page = Client().get(path)
        assert page.status_code == 404 and "This link no longer works" in page.content.decode()


def test_a_link_expires_after_90_days():
    from amicable.aftercare.links import account_id_from, feedback_token

    made = 1_800_000_000
    token = feedback_token(42, now=made)
    assert account_id_from(token, now=made + 89 * 86400) == 42
    assert account_id_from(token, now=made + 91 * 86400) is None
    assert len(token) <= 30  # it has to fit in a text
