from django.db import models

from ..balance import AllocationOrder
from .validators import validate_country, validate_playbooks


class CreditorRole(models.TextChoices):
    # Regulation F binds debt collectors; an original creditor collecting its own debts in its
    # own name is outside it unless it opts in (RULES.md, "Who is covered").
    CREDITOR = "creditor", "Creditor collecting its own debts"
    DEBT_COLLECTOR = "debt_collector", "Debt collector"


def default_country() -> str:
    from django.conf import settings

    return settings.DEFAULT_COUNTRY


def default_playbooks() -> list[str]:
    return ["consumer", "business", "arrangement", "aftercare"]


class Creditor(models.Model):
    """A party that is owed money. An agency running amicable serves several."""

    name = models.CharField(max_length=200, unique=True, help_text="Short name used in imports.")
    role = models.CharField(max_length=20, choices=CreditorRole.choices, default=CreditorRole.CREDITOR)
    applies_regulation_f = models.BooleanField(
        default=False, help_text="Apply Regulation F even though this is an original creditor."
    )
    country = models.CharField(
        max_length=2,
        default=default_country,
        validators=[validate_country],
        help_text="Where the creditor is established (ISO 3166-1 alpha-2); default DEFAULT_COUNTRY.",
    )
    legal_name = models.CharField(max_length=200, blank=True)
    brand_name = models.CharField(max_length=200, blank=True, help_text="Name shown in messages.")
    brand_colour = models.CharField(max_length=7, blank=True, help_text="Hex colour, e.g. #1f6f5c.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164.")
    website = models.URLField(blank=True)
    postal_address = models.TextField(blank=True)
    allocation_order = models.CharField(
        max_length=24,
        choices=[(o.value, o.value.replace("_", " ")) for o in AllocationOrder],
        default=AllocationOrder.OLDEST_FIRST,
        help_text="How payments are spread over what is owed.",
    )
    playbooks = models.JSONField(
        default=default_playbooks,
        blank=True,
        validators=[validate_playbooks],
        help_text='The playbooks this creditor runs, by name (docs/playbooks.md): ["consumer", "aftercare"].',
    )
    arrangement_terms = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "What plans it allows: min_instalment, max_term_months, settlement_max_discount (0.1 = 10%), "
            "settlement_days, frequencies, guidelines (see docs/arrangements.md). Empty: the defaults."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from amicable.arrangements.terms import TermsError, parse_terms

        try:
            parse_terms(self.arrangement_terms)
        except TermsError as error:
            raise ValidationError({"arrangement_terms": str(error)}) from None

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.brand_name or self.legal_name or self.name
