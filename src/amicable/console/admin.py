"""Admins give staff their creditors here (and their role, as a group, under Users)."""

from django.contrib import admin

from .models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "creditor", "created_at"]
    list_filter = ["creditor"]
    search_fields = ["user__username", "creditor__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "creditor"]
