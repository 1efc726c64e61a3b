"""Conversations in the admin: the messages people sent (the review queue is the 'Waiting for review'
filter) and the tasks they made for staff. Read-only but for one audited action: marking tasks done."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from amicable.ledger.actions import ActionError
from amicable.ledger.admin import ReadOnlyAdmin, ReadOnlyInline
from amicable.ledger.audit import audit

from .models import Complaint, InboundAttachment, InboundMessage, Task
from .tasks import complete_task

RESTRICTED = ("body", "text", "understanding", "subject")


def may_see(request, message: InboundMessage) -> bool:
    return not message.sensitive or request.user.has_perm("ledger.view_sensitivenote")


class AttachmentInline(ReadOnlyInline):
    """The files an email came with: what they are, and (for staff) the file itself."""

    model = InboundAttachment
    fields = ["filename", "content_type", "size", "sha256", "download"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")  # the list needs the name, not the bytes

    @admin.display(description="file")
    def download(self, obj: InboundAttachment) -> str:
        # The admin is for staff only; the download itself checks again (InboundMessageAdmin.attachment).
        url = reverse("admin:conversations_inboundmessage_attachment", args=[obj.message_id, obj.pk])
        return format_html('<a href="{}">Download</a>', url)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    inlines = [AttachmentInline]
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

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not may_see(request, obj):
            # What someone told us of their health, a death or abuse is for the staff allowed to
            # see sensitive notes (RULES.md, privacy): the others see that there is something.
            return [f for f in fields if f not in RESTRICTED] + ["restricted"]
        return fields

    @admin.display(description="Words")
    def restricted(self, obj: InboundMessage) -> str:
        return "Restricted: this message tells of a vulnerability. Ask a specialist."

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "restricted"]

    def get_inlines(self, request, obj):
        return [] if obj is not None and not may_see(request, obj) else super().get_inlines(request, obj)

    def get_urls(self):
        download = self.admin_site.admin_view(self.attachment)  # staff only, signed in
        name = "conversations_inboundmessage_attachment"
        return [path("<int:message_id>/attachment/<int:pk>/", download, name=name), *super().get_urls()]

    def attachment(self, request, message_id: int, pk: int) -> HttpResponse:
        """One attachment's bytes, always as a download: an HTML or SVG file a customer sent must never
        be shown as a page of the admin's own site."""
        if not (request.user.is_staff and self.has_view_permission(request)):
            raise PermissionDenied
        attachment = get_object_or_404(InboundAttachment, pk=pk, message_id=message_id)
        if not may_see(request, attachment.message):
            raise PermissionDenied
        response = HttpResponse(bytes(attachment.data), content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
        response["X-Content-Type-Options"] = "nosniff"
        return response


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
        for task in queryset.filter(done_at__isnull=True).select_related("customer", "account"):
            try:
                complete_task(task, actor=f"user:{request.user.username}", at=now)
            except ActionError:
                continue  # someone else marked it done just now


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("respond_by", "customer", "account", "status", "received_at", "answered_at")
    list_filter = ("status",)
    search_fields = ("customer__external_ref", "summary")
    list_select_related = ("customer", "account")
    actions = ["mark_answered"]

    @admin.action(description="Mark the selected complaints answered")
    def mark_answered(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            for complaint in queryset.select_for_update().filter(status="open"):
                complaint.status, complaint.answered_at = "answered", now
                complaint.save(update_fields=["status", "answered_at"])
                late = " (late)" if now > complaint.respond_by else ""
                audit(
                    f"staff:{request.user.get_username()}",
                    "answer_complaint",
                    complaint,
                    f"Complaint answered{late}",
                    customer=complaint.customer,
                    account=complaint.account,
                )
