from django.db import models
from django.db.models import Q


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    BROKEN = "broken", "Broken"  # an instalment was missed after the grace period
    REPLACED = "replaced", "Replaced"  # a new plan was agreed instead


class Arrangement(models.Model):
    """A payment plan the customer accepted: its schedule is the account's schedule while it runs."""

    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="arrangements")
    kind = models.CharField(max_length=12, help_text="full, settlement, weekly, fortnightly, monthly")
    currency = models.CharField(max_length=3)
    instalment = models.DecimalField(max_digits=19, decimal_places=4)
    total = models.DecimalField(max_digits=19, decimal_places=4, help_text="What the plan pays.")
    balance_at_start = models.DecimalField(
        max_digits=19, decimal_places=4, help_text="A settlement pays less: the rest is written off."
    )
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE
    )
    accepted_at = models.DateTimeField()
    accepted_on = models.DateField(help_text="Payments from this day on count towards the plan.")
    channel = models.CharField(max_length=10, help_text="How it was agreed: portal, call, api, email, sms.")
    source = models.CharField(max_length=200)
    grace_days = models.PositiveSmallIntegerField(help_text="Days after a due date before it is missed.")
    ended_on = models.DateField(null=True, blank=True)
    previous_schedule = models.JSONField(
        default=list, blank=True, help_text="The account's schedule before the plan: [[due_on, amount]]."
    )
    previous_status = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="active"), name="one_active_plan_per_account"
            )
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.kind} plan on {self.account} ({self.status})"


class InstalmentStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OVERDUE = "overdue", "Overdue, inside the grace period"
    PAID = "paid", "Paid"
    LATE = "late", "Paid late"
    MISSED = "missed", "Missed"


class PlanInstalment(models.Model):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=19, decimal_places=4)
    paid = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    status = models.CharField(
        max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.UPCOMING
    )
    settled_on = models.DateField(null=True, blank=True, help_text="When the payments reached it in full.")

    class Meta:
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="instalment_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount} due {self.due_on} ({self.status})"
