"""What customers sent through the portal, read-only: dispute files (listed; staff download them from
the console's customer page, which checks their creditor) and requests for help."""

from django.contrib import admin

from amicable.ledger.admin import ReadOnlyAdmin

from .models import DisputeEvidence, HelpRequest


@admin.register(DisputeEvidence)
class DisputeEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "dispute", "content_type", "size", "uploaded_at"]
    exclude = ["data"]
    list_select_related = ["dispute", "dispute__account"]


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ["customer", "kind", "situation", "received_at", "paused_until"]
    list_filter = ["kind"]
    list_select_related = ["customer"]
