from django.db import models
from django.db.models import Q


class HoldKind(models.TextChoices):
    DISPUTE = "dispute", "Dispute"
    CEASE = "cease", "Cease communication"
    BANKRUPTCY = "bankruptcy", "Bankruptcy"
    DECEASED = "deceased", "Deceased"
    BREATHING_SPACE = "breathing_space", "Breathing space"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis", "Mental health crisis breathing space"
    REPRESENTED = "represented", "Represented (attorney or debt adviser)"
    VULNERABILITY_REVIEW = "vulnerability_review", "Vulnerability review"
    PAUSED = "paused", "Collection paused (hardship or a difficult situation)"


class HoldQuerySet(models.QuerySet):
    def active_at(self, moment):
        return self.filter(Q(starts_at__lte=moment), Q(ends_at__isnull=True) | Q(ends_at__gt=moment))


class Hold(models.Model):
    """A reason not to pursue a customer, or one of their accounts, for a while.

    With `account` empty the hold covers every account of the customer.
    """

    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="holds")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="holds"
    )
    kind = models.CharField(max_length=24, choices=HoldKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=200, help_text="Who or what placed it: a letter, a call, a court.")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="hold_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        scope = self.account.external_ref if self.account_id else "all accounts"
        return f"{self.get_kind_display()} on {scope}"
