from django.db import models


class CallConsent(models.Model):
    """The customer asked us to call (a callback request, in a reply or on a call). Under Regulation F
    a call made with the debtor's direct prior consent, given within the last 7 days, does not count
    toward the call limits (12 CFR 1006.14(b)(3)(i)); one consent covers one call."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="call_consents")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField()
    for_time = models.DateTimeField(null=True, blank=True, help_text="The time they asked to be called.")
    source = models.CharField(max_length=200, help_text="The message or call it was given in.")
    used_at = models.DateTimeField(null=True, blank=True, help_text="The call it covered.")

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["customer", "given_at"])]

    def __str__(self) -> str:
        return f"Call consent from {self.customer} at {self.given_at:%Y-%m-%d %H:%M}"
