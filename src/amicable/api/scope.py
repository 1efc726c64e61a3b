"""The one place the API's queries are scoped to the token's creditor.

Every view reads through `scoped` or `find`: a reference or id belonging to another creditor is not
found (404), in the same words as one that does not exist, so a token learns nothing of what other
creditors hold. A model missing from SCOPES cannot be read by the API at all, so a new endpoint has
to say here how its records belong to a creditor.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest

from amicable.ledger.models import (
    Account,
    AuditLog,
    ContactPoint,
    Creditor,
    Customer,
    Dispute,
    Hold,
    JournalEntry,
    Promise,
    ScheduleItem,
)

from .errors import not_found

M = TypeVar("M", bound=models.Model)

# How each model's rows belong to a creditor, as a lookup path to the Creditor.
SCOPES: dict[type[models.Model], str] = {
    Customer: "creditor",
    Account: "creditor",
    JournalEntry: "creditor",
    ContactPoint: "customer__creditor",
    Hold: "customer__creditor",
    ScheduleItem: "account__creditor",
    Promise: "account__creditor",
    Dispute: "account__creditor",
    AuditLog: "customer__creditor",
}


def creditor(request: HttpRequest) -> Creditor:
    """The creditor the request's token acts for (set by auth.TokenAuth)."""
    return request.auth.creditor


def actor(request: HttpRequest) -> str:
    """Who acted, for the audit log: the token, by prefix and name."""
    return request.auth.actor


def source(request: HttpRequest) -> str:
    """Where a change came from, for journal entries, holds and consents: the request that made it."""
    return f"api:{request.method} {request.path}"[:200]


def scoped(request: HttpRequest, model: type[M]) -> models.QuerySet[M]:
    """Every row of `model` that belongs to the token's creditor, and nothing else."""
    return model.objects.filter(**{SCOPES[model]: creditor(request)})


def find(request: HttpRequest, model: type[M], field: str, value: Any, *, related=(), **lookup) -> M:
    """The one row of the token's creditor matching `lookup`, or 404 naming `field`."""
    found = scoped(request, model).select_related(*related).filter(**lookup).first()
    if found is None:
        raise not_found(field, value, model._meta.verbose_name)
    return found


def account(request: HttpRequest, ref: str, field: str = "account_ref") -> Account:
    return find(request, Account, field, ref, related=("creditor", "customer"), external_ref=ref)


def customer(request: HttpRequest, ref: str, field: str = "customer_ref") -> Customer:
    return find(request, Customer, field, ref, related=("creditor",), external_ref=ref)


def hold(request: HttpRequest, hold_id: int, field: str = "id") -> Hold:
    return find(request, Hold, field, hold_id, related=("customer", "account"), pk=hold_id)
