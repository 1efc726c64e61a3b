from django.db import models


class SensitiveCategory(models.TextChoices):
    HEALTH = "health", "Illness or health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    BEREAVEMENT = "bereavement", "Bereavement"
    DISABILITY = "disability", "Disability"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic or economic abuse"
    OTHER = "other", "Another difficult situation"


class SensitiveNote(models.Model):
    """What a customer told us about their health, a bereavement, abuse or another vulnerability.

    Special-category data (UK GDPR art. 9): only staff with the `ledger.view_sensitivenote`
    permission see it, it never reaches a message template's context, and the message it came in is
    marked sensitive so its words are hidden in the same way."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="sensitive_notes")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=20, choices=SensitiveCategory.choices)
    detail = models.TextField(help_text="In the customer's words.")
    source = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=100)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.recorded_at:%Y-%m-%d})"
