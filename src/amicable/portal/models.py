"""What the portal keeps of its own: the files sent with a dispute, and requests for help.

The rest of what a customer does in the portal changes the ledger's and the conversations' own
records (consents, preferences, disputes, holds, tasks) through their actions."""

from django.db import models


class DisputeEvidence(models.Model):
    """A file the customer sent with a dispute (a receipt, a bill, a letter). Kept in the database
    beside the dispute, so the file and the dispute are written in one transaction, or neither."""

    dispute = models.ForeignKey("ledger.Dispute", on_delete=models.CASCADE, related_name="evidence_files")
    name = models.CharField(max_length=200, help_text="The file's name as the customer sent it.")
    content_type = models.CharField(max_length=50, help_text="application/pdf, image/jpeg or image/png.")
    size = models.PositiveIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "dispute evidence"

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes) for {self.dispute}"


class HelpKind(models.TextChoices):
    HARDSHIP = "hardship", "Money is tight"
    SITUATION = "situation", "A difficult situation"


class HelpRequest(models.Model):
    """A customer asking for help from the portal. The words of a hardship request are kept here for
    the agent who follows up; the words about a difficult situation are kept only in the restricted
    sensitive note, never here."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="help_requests")
    kind = models.CharField(max_length=10, choices=HelpKind.choices)
    situation = models.CharField(
        max_length=20, blank=True, help_text="For a difficult situation: the sensitive note's category."
    )
    message = models.TextField(blank=True, help_text="Hardship only: what the customer wrote.")
    sensitive_note = models.ForeignKey(
        "ledger.SensitiveNote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        "conversations.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_until = models.DateField(null=True, blank=True, help_text="Hardship: the pause's last day.")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.received_at:%Y-%m-%d})"
