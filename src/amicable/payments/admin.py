from django.contrib import admin

from amicable.ledger.admin import ReadOnlyAdmin

from .models import Checkout


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ["reference", "account", "amount", "currency", "provider", "status", "created_at"]
    list_filter = ["provider", "status"]
    search_fields = ["reference", "provider_ref", "account__external_ref"]
    list_select_related = ["account", "account__creditor"]
