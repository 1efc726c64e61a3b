from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """What a member of staff may do. Each role is a Django group of the same name (migration 0001);
    a role includes everything the ones before it may do."""

    AGENT = "agent", "Agent"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"


class Assignment(models.Model):
    """A member of staff works this creditor's accounts. Staff see only the creditors they are
    assigned to (console/scope.py); superusers see every creditor."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    creditor = models.ForeignKey("ledger.Creditor", on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "creditor"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.user} works {self.creditor}"
