"""The supervisor's compliance page: which rules stopped contacts, which accounts are near a contact
cap, and which disputes are open past their deadline, for the creditors the supervisor works.
Read-only; the figures come from console/figures.py."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from .. import figures, scope
from ..models import Role


@scope.staff_page(Role.SUPERVISOR)
def compliance(request):
    ids = figures.creditor_ids(request.user)
    now = timezone.now()
    context = {
        "creditors": scope.creditors(request.user).order_by("name"),
        "blocks": figures.blocks_by_rule(ids, timezone.localdate()),
        "caps": figures.near_caps(ids, now),
        "disputes": figures.overdue_disputes(ids, now),
        "dispute_days": figures.DISPUTE_DAYS,
    }
    return render(request, "console/compliance.html", context)


urlpatterns = [path("compliance", compliance, name="compliance")]
