"""Who may see and do what in the console, decided here and nowhere else.

Every console view takes its customers, accounts and tasks through these functions, so an agent who
changes an id in a URL gets the same 404 as for a record that does not exist."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from amicable.conversations.models import InboundMessage, Task
from amicable.ledger.models import Account, Creditor, Customer

from .models import Role

RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def role_of(user) -> Role | None:
    """The highest role a user holds: superusers are admins; others by their groups."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.AGENT):
        if role.value in names:
            return role
    return None


def has_role(user, role: Role) -> bool:
    held = role_of(user)
    return held is not None and RANK[held] >= RANK[role]


def creditors(user) -> QuerySet[Creditor]:
    if user.is_superuser:
        return Creditor.objects.all()
    return Creditor.objects.filter(assignments__user=user)


def customers(user) -> QuerySet[Customer]:
    if user.is_superuser:
        return Customer.objects.all()
    return Customer.objects.filter(creditor__assignments__user=user)


def accounts(user) -> QuerySet[Account]:
    if user.is_superuser:
        return Account.objects.all()
    return Account.objects.filter(creditor__assignments__user=user)


def tasks(user) -> QuerySet[Task]:
    if user.is_superuser:
        return Task.objects.all()
    return Task.objects.filter(customer__creditor__assignments__user=user)


def messages(user) -> QuerySet[InboundMessage]:
    if user.is_superuser:
        return InboundMessage.objects.all()
    return InboundMessage.objects.filter(customer__creditor__assignments__user=user)


def one(queryset: QuerySet, pk: object):
    """One record from a scoped queryset, or 404 whether it is out of scope or missing."""
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise Http404("Not found") from None


def customer(user, pk: object) -> Customer:
    return one(customers(user).select_related("creditor"), pk)


def account(user, pk: object) -> Account:
    return one(accounts(user).select_related("creditor", "customer"), pk)


def task(user, pk: object) -> Task:
    return one(tasks(user), pk)


def may_see_sensitive(user) -> bool:
    """Sensitive notes (a disclosed illness, a bereavement) are for the roles that need them."""
    return user.has_perm("ledger.view_sensitivenote")


def actor(user) -> str:
    """How console actions are signed in the audit log."""
    return f"user:{user.get_username()}"


def staff_page(role: Role = Role.AGENT):
    """Every console page: signed-in staff holding `role` or above. `request.role` is their role."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page is for the {role.label.lower()} role and above.")
            request.role = role_of(request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
