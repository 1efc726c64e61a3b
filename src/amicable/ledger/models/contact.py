from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    MOBILE = "mobile", _("Mobile phone")
    LANDLINE = "landline", _("Landline")
    POSTAL = "postal", _("Postal address")


class ContactUse(models.TextChoices):
    """What a consent covers. Collection messages and marketing (newsletters) are asked separately."""

    COLLECTION = "collection", "Messages about the debt"
    MARKETING = "marketing", "Newsletters and offers"


class ConsentState(models.TextChoices):
    GRANTED = "granted", "Granted"
    REVOKED = "revoked", "Revoked"
    UNKNOWN = "unknown", "Unknown"


class ContactPoint(models.Model):
    """One way to reach a customer, with its consent record per use.

    `consents` maps a use to {"state", "source", "at"}: the current state and where and when it came
    from. Every change is also an audit-log row, which keeps the full history.
    """

    # No separate index: contact_point_once_per_customer (below) starts with this column.
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="contact_points", db_index=False
    )
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(
        max_length=320, help_text="Normalised: an email address, an E.164 number, or a one-line address."
    )
    address = models.JSONField(
        default=dict,
        blank=True,
        help_text="Postal addresses only: line1, line2, city, region, postcode, country.",
    )
    consents = models.JSONField(default=dict, blank=True)
    verified = models.BooleanField(default=False)
    invalid = models.BooleanField(default=False, help_text="E.g. a hard bounce or a number not in service.")
    invalid_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "value"], name="contact_point_once_per_customer"
            )
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def consent(self, use: str = ContactUse.COLLECTION) -> ConsentState:
        record = self.consents.get(use) or {}
        return ConsentState(record.get("state", ConsentState.UNKNOWN))
