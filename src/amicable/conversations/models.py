from django.db import models


class MessageStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, not yet acted on
    HANDLED = "handled", "Handled"  # its intent was acted on
    REVIEW = "review", "Waiting for review"  # unmatched, unsure, or an intent a person handles


class InboundMessage(models.Model):
    """One message a customer (or anyone) sent us, kept as it arrived, with what we made of it."""

    channel = models.CharField(max_length=10)  # sms, email
    sender = models.CharField(max_length=320, help_text="An E.164 number or an email address.")
    recipient = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="As received.")
    text = models.TextField(blank=True, help_text="The sender's own words: no quoted history or signature.")
    received_at = models.DateTimeField()
    provider_id = models.CharField(
        max_length=200, blank=True, help_text="The provider's message id: a retried webhook is stored once."
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="inbound"
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="inbound"
    )
    contact_point = models.ForeignKey(
        "ledger.ContactPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    matched_by = models.CharField(max_length=20, blank=True, help_text="number, token, reply, address")
    intent = models.CharField(max_length=24, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    understanding = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    outcome = models.CharField(max_length=300, blank=True, help_text="What was done, in a sentence.")
    sensitive = models.BooleanField(
        default=False,
        help_text="It tells of a vulnerability: only staff allowed to see sensitive notes see its words.",
    )
    auto_submitted = models.BooleanField(
        default=False,
        help_text="Sent by a program (an out-of-office reply): read, but never answered automatically.",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="inbound_once_per_provider_id",
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.channel} from {self.sender} at {self.received_at:%Y-%m-%d %H:%M}"


class TaskKind(models.TextChoices):
    REVIEW_MESSAGE = "review_message", "Review a message"
    DISPUTE = "dispute", "Verify a disputed debt"
    VERIFY_CONTACT = "verify_contact", "Verify a contact point"
    VULNERABILITY = "vulnerability", "Specialist vulnerability review"
    COMPLAINT = "complaint", "Respond to a complaint"
    CALLBACK = "callback", "Call the customer back"


class Task(models.Model):
    """Work for a person: an agent, a supervisor or a specialist."""

    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    role = models.CharField(max_length=20, default="agent", help_text="agent, supervisor or specialist")
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    summary = models.CharField(max_length=300)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["done_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class InboundAttachment(models.Model):
    """A file that came with an inbound email, kept with the message as evidence (a payment
    receipt, a letter from a debt adviser). Stored in the database so it is backed up, and removed,
    with the message it belongs to."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255, help_text="As sent, made safe to show.")
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    class Meta:
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type}, {self.size} bytes)"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


class Complaint(models.Model):
    """A customer unhappy with how they were treated: a supervisor answers by `respond_by`."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="complaints")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    summary = models.TextField(help_text="In the customer's words.")
    received_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["respond_by"]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return f"Complaint from {self.customer} (answer by {self.respond_by:%Y-%m-%d})"
