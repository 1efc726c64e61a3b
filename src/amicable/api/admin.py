"""API tokens in the admin: listed, never shown (only a hash is kept), never edited here.
Tokens are issued and revoked with `amicable api token`, which audits both."""

from django.contrib import admin

from amicable.ledger.admin import ReadOnlyAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "creditor", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["creditor"]
    search_fields = ["prefix", "name"]
    fields = ["prefix", "name", "creditor", "created_at", "last_used_at", "revoked_at"]  # not key_hash
    readonly_fields = fields
