from django.db import models


class Attempt(models.Model):
    """One failed try at something that is limited: an identity check in the portal, a staff login.

    Kept in the database rather than a per-process cache, so the limit holds across every web
    server. `key` says what is limited: a customer, a username or an address."""

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} at {self.at:%Y-%m-%d %H:%M}"
