"""The way into the portal: a signed link for one customer, the identity check with its lock-out,
and the one place that decides which accounts a signed-in customer may see."""

from __future__ import annotations

import time

import pytest

from amicable.ledger.models import AuditLog
from amicable.portal.links import portal_token, portal_url
from amicable.web.models import Attempt
from web.people import debtor

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def sign_in(client, account, day="27", month="3", year="1984"):
    return client.post(f"/p/{portal_token(account.customer_id)}", {"day": day, "month": month, "year": year})


def test_the_right_date_of_birth_opens_the_itemised_balance(client, northwind):
    account = debtor(northwind)
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    assert page.status_code == 200 and "What is your date of birth?" in page.text
    assert "600" not in page.text  # nothing about the account before the check
    answered = sign_in(client, account)
    assert answered.status_code == 302 and answered["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    for shown in ("Northwind Energy", "$600.00", "$560.00", "$15.00", "$25.00", "Account A-C-1"):
        assert shown in home.text
    assert AuditLog.objects.filter(customer=account.customer, action="portal_sign_in").count() == 1


def test_a_pay_link_lands_on_the_account_page_after_the_check(client, northwind):
    account = debtor(northwind)
    url = portal_url(account.customer_id, "pay")
    answered = client.post(path_of(url), {"day": "27", "month": "03", "year": "1984"})
    assert answered.status_code == 302 and answered["Location"] == f"/portal/a/{account.pk}/pay"


def test_wrong_answers_count_down_then_lock_the_link_and_say_so(client, northwind):
    account = debtor(northwind)
    for left in (4, 3, 2, 1):
        wrong = sign_in(client, account, year="1985")
        assert wrong.status_code == 403
        assert f"You can try {left} more time" in wrong.text
    locked = sign_in(client, account, year="1985")
    assert locked.status_code == 429 and "Sign-in paused" in locked.text
    # Now even the right answer waits: the lock is on the customer, not the browser.
    assert sign_in(client.__class__(), account).status_code == 429
    assert AuditLog.objects.filter(customer=account.customer, action="portal_locked").exists()


def test_an_answer_that_is_not_a_date_is_explained_and_not_counted(client, northwind):
    account = debtor(northwind)
    page = sign_in(client, account, day="31", month="2")
    assert page.status_code == 400 and "That date does not exist" in page.text
    page = sign_in(client, account, year="84")
    assert "all four digits" in page.text
    assert not Attempt.objects.exists()


def test_postcode_check_when_configured(client, northwind, settings):
    settings.PORTAL_IDENTITY_CHECK = "postcode"
    account = debtor(northwind, postcode="02139-4307")
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    assert "postcode" in page.text
    assert client.post(f"/p/{portal_token(account.customer_id)}", {"postcode": "02140"}).status_code == 403
    assert client.post(f"/p/{portal_token(account.customer_id)}", {"postcode": " 02139 "}).status_code == 302


def test_no_date_of_birth_on_file_falls_back_to_the_postcode(client, northwind):
    account = debtor(northwind, date_of_birth=None)
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    assert "postcode" in page.text and "date of birth" not in page.text


def test_an_expired_link_names_the_creditor_and_a_forged_one_does_not(client, northwind):
    account = debtor(northwind)
    old = portal_token(account.customer_id, now=time.time() - 61 * 86400)
    expired = client.get(f"/p/{old}")
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert "Northwind Energy" in expired.text
    token = portal_token(account.customer_id)
    forged = client.get(f"/p/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
    assert forged.status_code == 404 and "doesn't work" in forged.text
    assert "Northwind" not in forged.text


def test_one_customers_session_cannot_reach_another_customers_account(client, northwind, fairway):
    mine = debtor(northwind, "C-1")
    theirs = debtor(fairway, "C-2", first_name="John")
    sign_in(client, mine)
    assert client.get("/portal/").status_code == 200
    home = client.get("/portal/")
    assert "John" not in home.text and "A-C-2" not in home.text
    for url in (
        f"/portal/a/{theirs.pk}/pay",
        f"/portal/a/{theirs.pk}/plans",
        f"/portal/a/{theirs.pk}/statement.pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_pages_behind_the_check_send_a_stranger_to_an_explanation(client, northwind):
    debtor(northwind)
    page = client.get("/portal/", follow=True)
    assert "You're signed out" in page.text


def test_the_portal_speaks_the_customers_language(client, northwind):
    account = debtor(northwind, language="es")
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    assert page.status_code == 200
    assert '<html lang="es">' in page.text


def test_every_page_carries_a_content_security_policy_without_inline_scripts(client, northwind):
    account = debtor(northwind)
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and page["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.text and "style=" not in page.text


def test_behind_a_proxy_the_limits_count_the_clients_address_not_the_proxys(settings, rf):
    from amicable.web.throttle import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "10.0.0.2"  # no proxy trusted: the header is the client's own
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.9"  # what our proxy saw; the rest was written by the client
    settings.TRUSTED_PROXIES = 2
    assert client_address(request) == "6.6.6.6"


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_guesses_at_once_is_judged_one_after_another(northwind):
    """Many wrong answers sent at the same moment: the row lock makes each see the ones before, so no
    more than the limit are ever judged (PostgreSQL; SQLite runs one writer at a time anyway)."""
    import threading

    from django.db import connection, connections
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is PostgreSQL's to show")
    account = debtor(northwind)
    url = f"/p/{portal_token(account.customer_id)}"
    clients = [Client(REMOTE_ADDR=f"198.51.100.{n}") for n in range(12)]
    start = threading.Barrier(len(clients))
    codes = []

    def guess(client):
        try:
            start.wait()
            codes.append(client.post(url, {"day": "1", "month": "1", "year": "1990"}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attempt.objects.filter(key=f"customer:{account.customer_id}").count() == 5
    assert sorted(codes) == [403] * 4 + [429] * 8


def test_personal_pages_are_not_kept_in_a_shared_cache(client, northwind):
    account = debtor(northwind)
    sign_in(client, account)
    assert client.get("/portal/")["Cache-Control"] == "private, no-store"
    assert client.get("/console/login")["Cache-Control"] == "private, no-store"


def test_a_language_cookie_the_portal_does_not_speak_is_ignored(client, northwind):
    account = debtor(northwind, language="es")
    client.cookies["django_language"] = "xx-evil"
    page = client.get(f"/p/{portal_token(account.customer_id)}")
    assert page.status_code == 200 and '<html lang="es">' in page.text
