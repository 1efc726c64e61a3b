from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Feedback(models.Model):
    """What a customer told us about how we dealt with them, once their account was resolved."""

    account = models.OneToOneField("ledger.Account", on_delete=models.CASCADE, related_name="feedback")
    csat = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="How satisfied, 1 to 5."
    )
    nps = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text="How likely to recommend us, 0 to 10.",
    )
    comment = models.TextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.account}: {self.csat}/5"
