from django.contrib import admin

from amicable.aftercare.models import Feedback
from amicable.ledger.admin import ReadOnlyAdmin


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["submitted_at", "account", "csat", "nps", "comment"]
    list_filter = ["csat"]
    search_fields = ["account__external_ref", "comment"]
    list_select_related = ["account", "account__creditor"]
