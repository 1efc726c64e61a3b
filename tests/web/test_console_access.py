"""The console's way in: Django auth with a limit on wrong passwords, three roles, and staff who see
only the creditors they are assigned to (console/scope.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from amicable.console import scope
from amicable.console.models import Role
from amicable.web.models import Attempt
from web.people import PASSWORD, debtor, staff

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_refused_and_five_lock_the_username(client, northwind):
    staff("ana", "agent", northwind)
    for _ in range(5):
        wrong = client.post("/console/login", {"username": "ana", "password": "nope"})
        assert wrong.status_code == 200 and "Please enter a correct username and password" in wrong.text
    locked = client.post("/console/login", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.text
    assert "_auth_user_id" not in client.session


def test_the_right_password_signs_in_and_clears_the_count(client, northwind):
    staff("ana", "agent", northwind)
    client.post("/console/login", {"username": "ana", "password": "nope"})
    signed_in = client.post("/console/login", {"username": "ana", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert not Attempt.objects.filter(key="user:ana").exists()


def test_roles_rank_agent_supervisor_admin(northwind):
    agent, supervisor = staff("ana", "agent"), staff("sam", "supervisor")
    boss = User.objects.create_superuser("root", password=PASSWORD)
    nobody = User.objects.create_user("guest", password=PASSWORD)
    assert [scope.role_of(u) for u in (agent, supervisor, boss, nobody)] == [
        Role.AGENT,
        Role.SUPERVISOR,
        Role.ADMIN,
        None,
    ]
    assert scope.has_role(supervisor, Role.AGENT) and not scope.has_role(agent, Role.SUPERVISOR)
    # Sensitive notes: supervisors and admins, never agents.
    assert scope.may_see_sensitive(supervisor) and not scope.may_see_sensitive(agent)


def test_staff_see_only_their_creditors_records(northwind, fairway):
    mine, theirs = debtor(northwind, "C-1"), debtor(fairway, "C-2")
    agent = staff("ana", "agent", northwind)
    assert list(scope.customers(agent)) == [mine.customer]
    assert list(scope.accounts(agent)) == [mine]
    assert scope.account(agent, mine.pk) == mine
    for pk in (theirs.pk, "x", None, 10**9):
        with pytest.raises(Exception) as caught:
            scope.account(agent, pk)
        assert caught.value.__class__.__name__ == "Http404"


def test_staff_without_a_role_are_refused(client, northwind):
    User.objects.create_user("guest", password=PASSWORD)
    client.login(username="guest", password=PASSWORD)
    assert client.get("/console/").status_code == 403


def test_production_cookies_are_secure_when_the_public_address_is_https(monkeypatch):
    import importlib

    import amicable.settings as settings_module

    monkeypatch.setenv("PUBLIC_URL", "https://pay.example.com")
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
        assert reloaded.SESSION_COOKIE_HTTPONLY and reloaded.SESSION_COOKIE_SAMESITE == "Lax"
    finally:
        monkeypatch.delenv("PUBLIC_URL")
        importlib.reload(settings_module)


def test_an_admin_assigns_a_creditor_to_staff_in_the_admin(client, northwind):
    boss = User.objects.create_superuser("root", password=PASSWORD)
    ana = staff("ana", "agent")
    client.force_login(boss)
    page = client.get("/admin/console/assignment/add/")
    assert page.status_code == 200
    added = client.post("/admin/console/assignment/add/", {"user": ana.pk, "creditor": northwind.pk})
    assert added.status_code == 302
    assert list(scope.creditors(ana)) == [northwind]
