"""Conversations in the admin: the messages people sent (the review queue is the 'Waiting for review'
filter) and the tasks they made for staff. Read-only but for one audited action: marking tasks done."""

from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from amicable.ledger.admin import ReadOnlyAdmin
from amicable.ledger.audit import audit

from .models import InboundMessage, Task


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "channel",
        "sender",
        "customer",
        "intent",
        "confidence",
        "status",
        "outcome",
    )
    list_filter = ("status", "channel", "intent")
    search_fields = ("sender", "body", "customer__external_ref", "account__external_ref")
    date_hierarchy = "received_at"
    list_select_related = ("customer",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("due_at", "kind", "role", "customer", "account", "summary", "done_at")
    list_filter = ("kind", "role", ("done_at", admin.EmptyFieldListFilter))
    search_fields = ("summary", "customer__external_ref", "account__external_ref")
    list_select_related = ("customer", "account")
    actions = ["mark_done"]

    @admin.action(description="Mark the selected tasks done")
    def mark_done(self, request, queryset):
        now = timezone.now()
        for task in queryset.filter(done_at__isnull=True):
            with transaction.atomic():
                if not Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now):
                    continue  # someone else marked it done just now
                audit(
                    f"user:{request.user.username}",
                    "complete_task",
                    task,
                    f"Done: {task}"[:300],
                    customer=task.customer,
                )
