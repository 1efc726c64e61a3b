"""Writing the audit log. Every named action calls `audit` inside its own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .models import Account, AuditLog, Customer


def audit(
    actor: str,
    action: str,
    obj: models.Model,
    summary: str,
    *,
    customer: Customer | None = None,
    account: Account | None = None,
    changes: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    save: bool = True,
) -> AuditLog:
    """One audit row. With save=False the row is returned unsaved, for bulk_create by importers."""
    row = AuditLog(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        customer=customer,
        account=account,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        changes=dict(changes or {}),
    )
    if save:
        row.save()
    return row


def audit_row(
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    summary: str,
    *,
    at: datetime,
    customer_id: int | None = None,
    account_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit row as a plain dict, for importers that insert thousands at once (see bulk.py)."""
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "customer_id": customer_id,
        "account_id": account_id,
        "object_type": object_type,
        "object_id": str(object_id),
        "summary": summary[:300],
        "changes": dict(changes or {}),
    }


def timeline(customer: Customer) -> models.QuerySet[AuditLog]:
    """Everything that happened to a customer and their accounts, newest first."""
    return AuditLog.objects.filter(customer=customer).order_by("-at", "-id")
