from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    VERIFICATION_SENT = "verification_sent", _("Verification sent")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Dispute(models.Model):
    """A customer saying they do not owe the debt, or not this much. Collection on the debt stops
    (a dispute hold) until verification is sent."""

    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="disputes")
    reason = models.TextField(help_text="In the customer's words.")
    received_at = models.DateTimeField()
    within_validation_period = models.BooleanField(
        help_text="Received inside the Regulation F validation period (1006.34(b)(5))."
    )
    evidence = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    hold = models.ForeignKey(
        "ledger.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=200, help_text="The message, call or letter it came from.")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Dispute on {self.account} ({self.status})"
