"""The outbox in the admin: every contact with its decision, call tasks, sandbox texts, print batches.
Read-only: contacts change through the cycle's actions."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from amicable.ledger.admin import ReadOnlyAdmin

from .models import CallTask, Contact, CycleRun, PrintBatch, SandboxSms


def _reasons(contact: Contact) -> str:
    if not contact.reasons:
        return "-"
    return format_html(
        "<ul style='margin:0;padding-left:1.2em'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong> {} <small>({})</small>: {}</li>",
            ((r["effect"], r["rule"], r["citation"], r["message"]) for r in contact.reasons),
        ),
    )


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["scheduled_at", "account", "channel", "template", "variant", "status", "rules", "file"]
    list_filter = ["status", "channel", "cycle_date", "creditor", "playbook"]
    search_fields = ["account__external_ref", "customer__last_name", "customer__company_name", "key"]
    date_hierarchy = "cycle_date"
    list_select_related = ["account__creditor"]
    show_full_result_count = False
    fields = [
        "status",
        "account",
        "customer",
        "creditor",
        "contact_point",
        "channel",
        "playbook",
        "step",
        "trigger_on",
        "template",
        "variant",
        "language",
        "scheduled_at",
        "sent_at",
        "delivered_at",
        "decision",
        "subject",
        "body",
        "voicemail",
        "provider",
        "provider_id",
        "file",
        "attempts",
        "last_error",
        "outcome",
        "note",
        "facts",
        "key",
    ]
    readonly_fields = fields

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.sent_file),
                name="outbox_contact_file",
            ),
            *super().get_urls(),
        ]

    def sent_file(self, request, pk: int):
        """The .eml or PDF the embedded channels wrote for a contact (only files under the outbox)."""
        from pathlib import Path

        from django.conf import settings
        from django.http import FileResponse, Http404

        contact = self.get_object(request, str(pk))
        if contact is None or contact.provider not in ("eml", "print"):
            raise Http404("no file for this contact")
        path = Path(contact.provider_id).resolve()
        root = Path(settings.OUTBOX_DIR).resolve()
        if root not in path.parents or not path.is_file():
            raise Http404("the file is no longer in the outbox folder")
        kind = "message/rfc822" if path.suffix == ".eml" else "application/pdf"
        return FileResponse(path.open("rb"), content_type=kind, as_attachment=path.suffix == ".eml")

    @admin.display(description="File written")
    def file(self, obj: Contact) -> str:
        if obj.provider not in ("eml", "print") or not obj.pk:
            return "-"
        from django.urls import reverse

        name = obj.provider_id.rsplit("/", 1)[-1]
        return format_html('<a href="{}">{}</a>', reverse("admin:outbox_contact_file", args=[obj.pk]), name)

    @admin.display(description="Rules")
    def rules(self, obj: Contact) -> str:
        return ", ".join(sorted({r["rule"] for r in obj.reasons if r["effect"] in ("block", "defer")})) or "-"

    @admin.display(description="Decision: every rule's reason")
    def decision(self, obj: Contact) -> str:
        return _reasons(obj)

    @admin.display(description="Facts the decision was made on (amicable compliance check format)")
    def facts(self, obj: Contact) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(obj.scenario, indent=2))


@admin.register(CallTask)
class CallTaskAdmin(ContactAdmin):
    list_display = ["scheduled_at", "account", "template", "status", "outcome"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(channel="call")


@admin.register(SandboxSms)
class SandboxSmsAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "segments", "encoding", "body"]
    search_fields = ["to", "sid"]


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdmin):
    list_display = ["day", "letters", "path"]


@admin.register(CycleRun)
class CycleRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "runs", "last_started_at", "last_finished_at"]
    readonly_fields = ["day", "runs", "last_started_at", "last_finished_at", "summary"]
