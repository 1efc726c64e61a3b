from django.db import models


class ApiToken(models.Model):
    """A credential an integration uses to act for one creditor, and only that creditor.

    The secret is shown once when the token is issued and never stored: only its SHA-256 is kept, so a
    copy of the database does not hand out working tokens. `prefix` is the part people see in lists
    and audit rows, to tell tokens apart without revealing them.
    """

    creditor = models.ForeignKey("ledger.Creditor", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. crm-sync.")
    prefix = models.CharField(max_length=16, unique=True, help_text="The token's first characters.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the whole token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["creditor", "-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix} {self.name} ({self.creditor})"

    @property
    def actor(self) -> str:
        """Who acted, for the audit log: the prefix is unique, the name readable."""
        return f"api:{self.prefix} {self.name}"[:100]
