"""Each checkout a customer starts: what they chose to pay, where they were sent to pay it, and what
became of it. The payment itself lives in the ledger's journal; this row links the two, so the
receipt can be shown and a provider's repeated confirmations post nothing twice."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CheckoutStatus(models.TextChoices):
    STARTED = "started", "Started"  # the customer was sent to the provider's checkout
    PAID = "paid", "Paid"  # the provider confirmed it and the payment is posted to the ledger
    FAILED = "failed", "Failed"  # the provider could not start it; nothing was taken
    EXPIRED = "expired", "Expired"  # the provider closed it unpaid


class Checkout(models.Model):
    reference = models.CharField(
        max_length=20, unique=True, help_text="Ours: on the receipt, and sent to the provider."
    )
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="checkouts")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="checkouts")
    amount = models.DecimalField(max_digits=19, decimal_places=4)
    currency = models.CharField(max_length=3, help_text="ISO 4217: always the account's currency.")
    provider = models.CharField(max_length=16, help_text="sandbox or stripe")
    provider_ref = models.CharField(
        max_length=100,  # as long as the journal's external_ref, which it becomes
        blank=True,
        help_text="The provider's id for it (Stripe: the Checkout Session id); the ledger's payment_ref.",
    )
    provider_url = models.CharField(max_length=2000, blank=True, help_text="Where the customer pays.")
    status = models.CharField(max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.STARTED)
    error = models.CharField(max_length=300, blank=True, help_text="Why the provider could not start it.")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When the payment was posted.")
    payment = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    balance_after = models.DecimalField(
        max_digits=19, decimal_places=4, null=True, blank=True, help_text="The balance once it was posted."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="checkout_ref_per_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount.normalize():f} {self.currency} ({self.status})"
