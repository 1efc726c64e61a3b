"""The Django admin: browse everything; change state only through the named actions.

Append-only records (journal, audit log) are read-only here. Balances are never typed in: they are
derived from the journal.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from . import actions
from .audit import audit
from .models import (
    Account,
    Arrangement,
    AuditLog,
    ContactPoint,
    Creditor,
    Customer,
    Dispute,
    Hold,
    JournalEntry,
    PlanInstalment,
    Promise,
    ScheduleItem,
    SensitiveNote,
)
from .money import Money


def describe_consents(point: ContactPoint) -> str:
    """One line per use: "collection: granted (import:accounts.csv line 7, 2026-11-24)"."""
    if not point.consents:
        return "-"
    return "; ".join(
        f"{use}: {record.get('state', 'unknown')} ({record.get('source', '?')}, {record.get('at', '?')[:10]})"
        for use, record in sorted(point.consents.items())
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Edits made in the admin are audited like any other change: who, when, which fields.

    Ledger records are never deleted here: a debt's history is evidence.
    """

    def has_delete_permission(self, request, obj=None):
        return False

    # Fields changed through a named action instead of a plain save (see AccountAdmin).
    action_fields: frozenset[str] = frozenset()

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name not in self.action_fields]
        if not change:
            obj.save()
        elif changed:
            # Only what the form changed: a full save would write back a balance read before the
            # form was shown, over a payment posted meanwhile.
            obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
        else:
            return
        name = obj._meta.model_name
        customer = obj if isinstance(obj, Customer) else None
        audit(
            f"user:{request.user.username}",
            f"admin_{'change' if change else 'add'}_{name}",
            obj,
            f"{obj._meta.verbose_name.capitalize()} {obj} {'changed' if change else 'added'} in the admin"
            + (f" ({', '.join(changed)})" if change else ""),
            customer=customer or getattr(obj, "customer", None),
            account=obj if isinstance(obj, Account) else None,
            changes={"fields": {f: str(form.cleaned_data.get(f)) for f in changed}},
        )


@admin.register(Creditor)
class CreditorAdmin(AuditedAdmin):
    list_display = ["name", "role", "country", "brand_name", "email", "allocation_order"]
    list_filter = ["role"]
    search_fields = ["name", "brand_name", "legal_name"]


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on a parent's page; they change through named actions, not here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactPointInline(ReadOnlyInline):
    model = ContactPoint
    fields = ["kind", "value", "consent_record", "verified", "invalid", "invalid_reason"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="Consent")
    def consent_record(self, obj: ContactPoint) -> str:
        return describe_consents(obj)


class AccountInline(ReadOnlyInline):
    model = Account
    fields = ["external_ref", "creditor", "status", "shown_balance", "product_type"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="balance")
    def shown_balance(self, obj: Account) -> str:
        return str(Money(obj.balance, obj.currency))


class HoldInline(ReadOnlyInline):
    model = Hold
    fields = ["kind", "account", "starts_at", "ends_at", "source", "note"]
    readonly_fields = fields


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = [
        "display_name",
        "external_ref",
        "creditor",
        "kind",
        "jurisdiction",
        "timezone",
        "language",
    ]
    list_filter = ["creditor", "kind", "country", "language"]
    search_fields = ["external_ref", "first_name", "last_name", "company_name", "contact_points__value"]
    # Preferences change through set_contact_preferences (its checks), not free-typed JSON.
    readonly_fields = [
        "creditor",
        "external_ref",
        "channel_order",
        "inconvenient_times",
        "created_at",
        "updated_at",
        "timeline",
    ]
    inlines = [ContactPointInline, AccountInline, HoldInline]
    list_select_related = ["creditor"]
    show_full_result_count = False  # a COUNT(*) per page is slow on millions of rows

    @admin.display(description="Timeline (newest first)")
    def timeline(self, obj: Customer):
        from .audit import timeline

        rows = timeline(obj)[:50]
        items = format_html_join(
            "",
            "<li><time>{}</time> {} <small>({})</small></li>",
            ((f"{r.at:%Y-%m-%d %H:%M}", r.summary, r.actor) for r in rows),
        )
        return format_html("<ol style='margin:0;padding-left:1.2em'>{}</ol>", items) if items else "-"


class ScheduleInline(ReadOnlyInline):
    model = ScheduleItem
    fields = ["due_on", "amount_due"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")

    @admin.display(description="amount")
    def amount_due(self, obj: ScheduleItem) -> str:
        return str(Money(obj.amount, obj.account.currency))


class JournalInline(ReadOnlyInline):
    model = JournalEntry
    fields = ["effective_on", "kind", "signed_amount", "source", "external_ref", "recorded_by"]
    readonly_fields = fields
    ordering = ["effective_on", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")

    @admin.display(description="amount")
    def signed_amount(self, obj: JournalEntry) -> str:
        return str(Money(obj.as_entry().signed(), obj.account.currency))


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = ["external_ref", "shown_balance", "status", "customer", "creditor"]
    list_filter = ["status", "creditor", "currency", "product_type"]
    search_fields = [
        "external_ref",
        "customer__external_ref",
        "customer__last_name",
        "customer__company_name",
    ]
    readonly_fields = [
        "creditor",
        "external_ref",
        "customer",
        "currency",
        "shown_balance",
        "itemised",
        "created_at",
        "updated_at",
    ]
    fields = [
        "creditor",
        "external_ref",
        "customer",
        "currency",
        "product_type",
        "opened_on",
        "charged_off_on",
        "statute_of_limitations_on",
        "status",
        "shown_balance",
        "itemised",
        "created_at",
        "updated_at",
    ]
    inlines = [ScheduleInline, JournalInline]
    list_select_related = ["customer", "creditor"]
    show_full_result_count = False

    @admin.display(description="balance", ordering="balance")
    def shown_balance(self, obj: Account) -> str:
        return str(Money(obj.balance, obj.currency))

    @admin.display(description="Itemised from the journal")
    def itemised(self, obj: Account):
        parts = actions.itemisation(obj)
        rows = [
            ("Principal owed", parts.principal),
            ("Interest owed", parts.interest),
            ("Fees owed", parts.fees),
            ("Paid so far", parts.total_paid),
            ("Credits", parts.total_credited),
            ("Balance", parts.balance),
        ]
        if parts.unallocated_credit:
            rows.insert(5, ("Overpaid (credit held)", parts.unallocated_credit))
        cells = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((k, str(v)) for k, v in rows))
        return format_html("<table>{}</table>", cells)

    action_fields = frozenset({"status"})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            actor = f"user:{request.user.username}"
            actions.set_account_status(obj, obj.status, reason="changed in the admin", actor=actor)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "amount", "effective_on", "source", "external_ref", "recorded_at"]
    list_filter = ["kind", "creditor"]
    search_fields = ["account__external_ref", "external_ref"]
    list_select_related = ["account", "account__creditor"]
    show_full_result_count = False


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["kind", "customer", "account", "starts_at", "ends_at", "source"]
    list_filter = ["kind"]
    search_fields = ["customer__external_ref", "customer__last_name"]
    list_select_related = ["customer", "account", "account__creditor"]


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin):
    list_display = ["account", "amount", "currency", "due_on", "status", "channel", "made_at", "source"]
    list_filter = ["status", "channel"]
    search_fields = ["account__external_ref"]
    list_select_related = ["account"]


class PlanInstalmentInline(ReadOnlyInline):
    model = PlanInstalment
    fields = ["number", "due_on", "amount", "paid", "status", "settled_on"]


@admin.register(Arrangement)
class ArrangementAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "instalment", "total", "currency", "status", "accepted_on", "ended_on"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["account__external_ref"]
    list_select_related = ["account", "account__creditor"]
    inlines = [PlanInstalmentInline]


@admin.register(SensitiveNote)
class SensitiveNoteAdmin(ReadOnlyAdmin):
    """Only staff given "Can view sensitive note" (and superusers) see these, or this page at all."""

    list_display = ["recorded_at", "customer", "category", "source"]
    list_filter = ["category"]
    list_select_related = ["customer"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["account", "received_at", "status", "within_validation_period", "source"]
    list_filter = ["status", "within_validation_period"]
    search_fields = ["account__external_ref", "reason"]
    list_select_related = ["account"]


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    list_display = ["value", "kind", "customer", "consent_record", "verified", "invalid"]
    exclude = ["consents"]
    readonly_fields = ["consent_record"]

    @admin.display(description="Consent")
    def consent_record(self, obj: ContactPoint) -> str:
        return describe_consents(obj)

    list_filter = ["kind", "verified", "invalid"]
    search_fields = ["value", "customer__external_ref"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "object_id", "actor"]
    date_hierarchy = "at"
    show_full_result_count = False
