from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_playbook


class AccountStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    OVERDUE = "overdue", _("Overdue")
    IN_ARRANGEMENT = "in_arrangement", _("In arrangement")
    DISPUTED = "disputed", _("Disputed")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    WRITTEN_OFF = "written_off", _("Written off")


# Which statuses the ledger moves between by itself: see amicable.ledger.status.


class Account(models.Model):
    """A debt: what one customer owes one creditor under one reference."""

    # No separate index: account_ref_per_creditor (below) starts with this column.
    creditor = models.ForeignKey(
        "ledger.Creditor", on_delete=models.PROTECT, related_name="accounts", db_index=False
    )
    external_ref = models.CharField(max_length=100)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="accounts")
    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    product_type = models.CharField(
        max_length=50, blank=True, help_text="E.g. credit_card, utility, invoice."
    )
    opened_on = models.DateField(null=True, blank=True)
    charged_off_on = models.DateField(null=True, blank=True)
    statute_of_limitations_on = models.DateField(
        null=True, blank=True, help_text="After this date the debt is time-barred: never threaten to sue."
    )
    status = models.CharField(max_length=20, choices=AccountStatus.choices, default=AccountStatus.CURRENT)
    balance = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        default=0,
        help_text="Derived from the journal by every action that appends to it; never edited by hand.",
    )
    imported_balance = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The balance the last import file stated: a re-import adjusts only when this changes.",
    )
    playbook = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_playbook],
        help_text="Pinned to this playbook instead of the creditor's dated ones.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creditor", "external_ref"], name="account_ref_per_creditor")
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.creditor} {self.external_ref}"


class ScheduleItem(models.Model):
    """When the account's amounts fall due: one row for a single due date, several for instalments."""

    # No separate index: one_instalment_per_day (below) starts with this column.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="schedule", db_index=False)
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=19, decimal_places=4)

    class Meta:
        ordering = ["account", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "due_on"], name="one_instalment_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount.normalize():f} due {self.due_on}"
