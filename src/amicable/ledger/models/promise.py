from django.db import models


class PromiseStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class Promise(models.Model):
    """A customer's word that they will pay an amount by a date, and whether they did."""

    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="promises")
    amount = models.DecimalField(max_digits=19, decimal_places=4)
    currency = models.CharField(max_length=3)
    due_on = models.DateField()
    channel = models.CharField(max_length=10, help_text="How it was made: sms, email, call, portal, api.")
    source = models.CharField(max_length=200, help_text="The message, call or person it came from.")
    status = models.CharField(max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    made_at = models.DateTimeField()
    settled_on = models.DateField(null=True, blank=True, help_text="The day it was found kept or broken.")

    class Meta:
        ordering = ["-made_at"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} by {self.due_on} ({self.status})"
