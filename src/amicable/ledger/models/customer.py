from django.core.exceptions import ValidationError
from django.db import models

from ..jurisdictions import check_region
from .validators import validate_country, validate_language, validate_timezone


class CustomerKind(models.TextChoices):
    PERSON = "person", "Person"
    BUSINESS = "business", "Business"


class Customer(models.Model):
    """A person or business who owes one or more accounts to a creditor.

    `external_ref` is the creditor's own reference: rows of an import that share it are one customer.
    """

    # No separate index: customer_ref_per_creditor (below) starts with this column.
    creditor = models.ForeignKey(
        "ledger.Creditor", on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    external_ref = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=35, default="en", validators=[validate_language], help_text="BCP 47 tag, e.g. en-GB, es."
    )
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text="IANA time zone, e.g. America/New_York."
    )
    country = models.CharField(max_length=2, validators=[validate_country], help_text="ISO 3166-1 alpha-2.")
    region = models.CharField(
        max_length=10, blank=True, help_text="Subdivision, e.g. MA for US-MA, ENG for GB-ENG."
    )
    channel_order = models.JSONField(
        default=list, blank=True, help_text='Preferred channels, first choice first: ["sms", "email"].'
    )
    inconvenient_times = models.JSONField(
        default=list, blank=True, help_text='Times not to contact: [{"from": "18:00", "to": "21:00"}].'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creditor", "external_ref"], name="customer_ref_per_creditor")
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.external_ref})"

    def clean(self) -> None:
        if self.region and self.country:
            try:
                check_region(self.country, self.region)
            except ValueError as error:
                raise ValidationError({"region": str(error)}) from None

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.BUSINESS and self.company_name:
            return self.company_name
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.company_name

    @property
    def jurisdiction(self) -> str:
        """ISO 3166-2 style: US-MA, GB-ENG, or the bare country when the region is unknown."""
        return f"{self.country}-{self.region}" if self.region else self.country
