"""What the daily cycle decided and what became of it.

A Contact is written in the same transaction as its compliance decision (queued, deferred or blocked)
and then moves on as dispatch sends it. Its `key` (account:playbook:step:trigger date) is unique, so
running the same day twice never plans the same contact twice.
"""

from django.db import models
from django.db.models import Q


class ContactStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for its send time (call tasks: for an agent)
    DEFERRED = "deferred", "Deferred"  # a rule moved it later; scheduled_at is the new time
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    BLOCKED = "blocked", "Blocked"  # a rule forbade it when it was planned
    CANCELLED = "cancelled", "Cancelled"  # a rule forbade it at send time, or a person cancelled it


PENDING = (ContactStatus.QUEUED, ContactStatus.DEFERRED)


class Contact(models.Model):
    key = models.CharField(max_length=200, unique=True, help_text="account:playbook:step:trigger date")
    cycle_date = models.DateField(help_text="The day whose cycle planned it.")
    creditor = models.ForeignKey("ledger.Creditor", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="contacts")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="contacts")
    contact_point = models.ForeignKey(
        "ledger.ContactPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    playbook = models.CharField(max_length=64)
    step = models.CharField(max_length=64)
    trigger_on = models.DateField(help_text="The due date or event the step is keyed on.")
    channel = models.CharField(max_length=10)  # email, sms, letter, call
    purpose = models.CharField(max_length=20, default="collection")
    template = models.CharField(max_length=64)
    variant = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=35)
    status = models.CharField(max_length=10, choices=ContactStatus.choices)
    scheduled_at = models.DateTimeField()
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    voicemail = models.TextField(blank=True, help_text="Call tasks: the limited-content voicemail.")
    reasons = models.JSONField(
        default=list, blank=True, help_text="The compliance reasons: [{rule, citation, effect, message}]."
    )
    scenario = models.JSONField(
        default=dict,
        blank=True,
        help_text="The facts the last decision was made on (compliance check format).",
    )
    reply_token = models.CharField(max_length=32, unique=True, help_text="Threads replies to this contact.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(max_length=200, blank=True, help_text="Message-ID, message SID, file.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Calls: when the agent made it.")
    outcome = models.CharField(
        max_length=16, blank=True, help_text="Calls: conversation, no_answer, voicemail, busy, ..."
    )
    note = models.TextField(blank=True, help_text="Calls: the agent's summary of the conversation.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            # Dispatch: what is pending and due, oldest first.
            models.Index(
                fields=["scheduled_at"], name="contact_pending_due", condition=Q(status__in=PENDING)
            ),
            models.Index(fields=["cycle_date", "status"]),
            models.Index(fields=["customer", "sent_at"]),
            models.Index(fields=["provider_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template} to {self.account_id} ({self.status})"


class CallTask(Contact):
    """Call contacts, as the agents' own list (the console's work queue comes with issue 6)."""

    class Meta:
        proxy = True
        verbose_name = "call task"


class SandboxSms(models.Model):
    """Texts the embedded sandbox provider 'sent': nothing leaves the machine."""

    sid = models.CharField(max_length=40, unique=True)
    to = models.CharField(max_length=32)
    sender = models.CharField(max_length=32)
    body = models.TextField()
    segments = models.PositiveSmallIntegerField()
    encoding = models.CharField(max_length=8)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "sandbox SMS"
        verbose_name_plural = "sandbox SMS"

    def __str__(self) -> str:
        return f"{self.sid} to {self.to}"


class PrintBatch(models.Model):
    """One day's letters, collected into one PDF for the print house."""

    day = models.DateField(unique=True)
    letters = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500, blank=True, help_text="The batch PDF, under var/outbox/letters.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Letters for {self.day} ({self.letters})"


class CycleRun(models.Model):
    """One run of the daily cycle. Locked while planning, so two runs of a day never interleave."""

    day = models.DateField(unique=True)
    runs = models.PositiveIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Cycle for {self.day}"
